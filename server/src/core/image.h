// The image a workspace's container runs: pulled, or built from the workspace's Dockerfile, with the
// remote user's uid/gid changed to the host user's when updateRemoteUserUID asks for it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/container_plan.h"
#include "core/features.h"
#include "engine/engine.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

struct PreparedImage {
  std::string ref;    // what the container is created from
  engine::ImageInfo info;
  engine::ImageInfo base;  // the image before dlcontainer's uid layer (Features in it): its user is the image's
  std::vector<std::string> features;  // the Features installed in it, in order, by id as written
  // The container's metadata entries, in the spec's order: the workspace image's label, then one per
  // Feature (those the Features image's label marks with "id"), then the config's.
  config::MetadataSources metadata;
  config::MergedConfiguration merged;
  config::DevcontainerConfig config;  // ws.config with the merged entries applied
  std::vector<std::string> warnings;  // what the user should hear about (unknown Feature options, a broken label, ...)
};

// The host user that files in the workspace should belong to.
struct HostUser {
  unsigned uid = 0;
  unsigned gid = 0;
  static HostUser current();
};

// Pulls or builds the workspace's image, then finish_image. Features (core/features.h) are resolved
// first, so that a Feature that cannot be had stops `up` before any image is pulled or built.
PreparedImage prepare_image(const engine::Engine& engine, const WorkspaceContext& ws, const HostUser& host,
                            bool no_cache, ProgressSink& progress, const CancelToken& cancel);

// The workspace's Features, resolved (fetched, ordered); nullopt when it asks for none.
std::optional<FeatureSet> workspace_features(const WorkspaceContext& ws, ProgressSink& progress, const CancelToken& cancel);

// What prepare_image does once the workspace's image is there (pulled, built, or a Compose service's):
// the Features installed over it, the metadata merged (config/metadata.h), and the uid layer on top
// when the merged updateRemoteUserUID asks for it. Error{ConfigInvalid} when a metadata entry has a
// property of the wrong form. `known`: ref's inspect when the caller has just read it (not asked again).
PreparedImage finish_image(const engine::Engine& engine, const WorkspaceContext& ws, const HostUser& host,
                           const std::string& ref, std::optional<FeatureSet> features, bool no_cache,
                           ProgressSink& progress, const CancelToken& cancel, std::optional<engine::ImageInfo> known = std::nullopt);

// The workspace as the prepared image makes it: config, metadata entries and merge set from it.
WorkspaceContext with_image(WorkspaceContext ws, const PreparedImage& image);

// The Dockerfile of the layer that gives `user` the host's uid and gid (and their home folder); the
// image's own user (image_user) stays the image's user, as in the reference's layer.
std::string uid_layer_dockerfile(const std::string& base_image, const std::string& user, const HostUser& host,
                                 const std::string& image_user = "root");

}  // namespace dlc::core
