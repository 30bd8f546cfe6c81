// The image with a workspace's Features installed: one layer set per Feature over the workspace's own
// image, built through the engine from a generated Dockerfile. Tagged by a hash of what went in (the
// base image's id, each Feature's files and options, the users), so the same inputs find the same
// image and never build it again.
#pragma once

#include <string>
#include <vector>

#include "config/devcontainer.h"
#include "core/features.h"
#include "engine/engine.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

inline constexpr const char* kFeaturesLabel = "dev.dlcontainer.features";  // the tag's hash, on every features image
inline constexpr const char* kFeaturesFolder = "/tmp/dev-container-features";

// The users the spec hands Feature install scripts as _CONTAINER_USER and _REMOTE_USER: containerUser
// (devcontainer.json, else the image's metadata, else the image's USER, else root), and remoteUser
// (the same way, else the container user).
struct FeatureUsers {
  std::string container_user;
  std::string remote_user;
};
FeatureUsers feature_users(const config::DevcontainerConfig& config, const engine::ImageInfo& base);

// What the build is given: the Dockerfile and the files beside it (per Feature, its folder with the
// generated devcontainer-features.env and install wrapper).
struct FeaturesBuildPlan {
  std::string tag;         // dlcontainer/features:<hash>
  std::string hash;
  std::string dockerfile;
  std::vector<std::pair<std::string, std::string>> generated;  // context path -> content
  std::string metadata_label;  // the base image's entries, then each Feature's
};
FeaturesBuildPlan features_build_plan(const FeatureSet& set, const engine::ImageInfo& base, const std::string& base_ref,
                                      const FeatureUsers& users);

// Builds (or finds) the image. Returns its tag.
std::string build_features_image(const engine::Engine& engine, const FeatureSet& set, const engine::ImageInfo& base,
                                 const std::string& base_ref, const FeatureUsers& users, const std::string& built_for,
                                 bool no_cache, ProgressSink& progress, const CancelToken& cancel);

}  // namespace dlc::core
