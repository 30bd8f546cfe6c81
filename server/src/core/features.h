// A workspace's Dev Container Features: resolved (local folders, OCI registries, tarball URLs, the
// lockfile), ordered, and installed as layers of an image derived from the workspace's own
// (core/features_build.cpp). What each Feature contributes to the container travels as its entry of
// the devcontainer.metadata label, as the reference CLI writes it.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/features.h"
#include "config/features_lock.h"
#include "engine/engine.h"
#include "registry/oci.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

struct WorkspaceContext;

// The media types of a Feature's OCI artifact (the Features distribution spec).
inline constexpr const char* kFeatureConfigMediaType = "application/vnd.devcontainers";
inline constexpr const char* kFeatureLayerMediaType = "application/vnd.devcontainers.layer.v1+tar";

struct InstalledFeature {
  std::string user_id;  // as devcontainer.json (or the dependsOn that brought it) writes it
  config::FeatureSource source;
  config::FeatureMetadata metadata;
  std::filesystem::path folder;  // its files: the local folder, or where the download was unpacked
  std::vector<std::pair<std::string, std::string>> env;  // its options as install.sh's environment
  std::string digest;     // what its files are: the manifest digest, the tarball's, or a hash of the folder
  std::string integrity;  // for the lockfile: the manifest's digest (OCI) or the tarball's
  bool from_config = true;  // false for one that only a dependsOn brought in
  nlohmann::json entry;     // its devcontainer.metadata entry
};

struct FeatureSet {
  std::vector<InstalledFeature> features;  // in install order
  std::vector<std::string> notes;          // warnings to show: unknown options, deprecated ids, ...
  config::Lockfile lock;                   // what devcontainer-lock.json says after this resolution
};

struct FeatureFetchOptions {
  registry::Mirrors mirrors;            // from the user's config (mirrors.registries)
  std::filesystem::path cache_dir;      // downloads, unpacked by digest; "" : $XDG_CACHE_HOME/dlcontainer/features
  std::optional<config::Lockfile> lock; // the digests to use instead of the registries' current ones
};

// Resolves the workspace's "features": each fetched (or taken from the cache), its dependsOn added,
// all ordered by the spec's rounds. Error{ConfigInvalid} for an id, an option or an order that cannot
// be used; Error{RegistryUnavailable} when a registry or URL does not answer. Makes no image.
FeatureSet resolve_features(const WorkspaceContext& ws, const FeatureFetchOptions& options, ProgressSink& progress,
                            const CancelToken& cancel);

// The options of resolve_features for a workspace: the user's mirrors, the default cache and the
// workspace's lockfile.
FeatureFetchOptions fetch_options_for(const WorkspaceContext& ws);

// The entries of an image's devcontainer.metadata label (an array, or one object), [] when none.
std::vector<nlohmann::json> image_metadata_entries(const std::map<std::string, std::string>& labels);

}  // namespace dlc::core
