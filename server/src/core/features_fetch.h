// Getting one Feature's files: a local folder as it is, a registry's artifact or a tarball through
// the download cache (unpacked once per digest, reused by every workspace after).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "config/features.h"
#include "config/features_lock.h"
#include "registry/oci.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

struct FetchedFeature {
  std::filesystem::path folder;  // holds devcontainer-feature.json and install.sh
  std::string digest;            // identifies the files
  std::string integrity;         // lockfile: manifest digest (OCI), tarball digest; "" for a local folder
  std::string resolved;          // lockfile: registry/path@digest (OCI), the URL (tarball)
};

// `locked`: the lockfile's entry for this id, whose digest is used instead of the tag's current one.
// Error{ConfigInvalid} when what is fetched is not a Feature or does not match the lockfile's
// integrity; Error{RegistryUnavailable} when it cannot be fetched.
FetchedFeature fetch_feature(const config::FeatureSource& source, const std::optional<config::LockEntry>& locked,
                             const registry::Client& client, const std::filesystem::path& cache_dir, ProgressSink& progress,
                             const CancelToken& cancel);

// A digest of a folder's files (names, modes, contents): the same files give the same digest.
// Error{ConfigInvalid} for a folder past the limits (2000 files, 64 MiB).
std::string folder_digest(const std::filesystem::path& folder);

}  // namespace dlc::core
