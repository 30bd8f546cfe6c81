// The image a workspace's container runs: pulled, or built from the workspace's Dockerfile, with the
// remote user's uid/gid changed to the host user's when updateRemoteUserUID asks for it.
#pragma once

#include <string>

#include "core/container_plan.h"
#include "engine/engine.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

struct PreparedImage {
  std::string ref;    // what the container is created from
  engine::ImageInfo info;
  engine::ImageInfo base;  // the image before dlcontainer's uid layer: its user is the image's user
  // The container's metadata entries, in the spec's order: the base image's label, then Features'
  // (the Features installer builds its layers on the base image and adds its entries here), then
  // the config's.
  config::MetadataSources metadata;
  config::MergedConfiguration merged;
  config::DevcontainerConfig config;  // ws.config with the merged entries applied
  std::vector<std::string> warnings;  // a base image's label that could not be read
};

// The host user that files in the workspace should belong to.
struct HostUser {
  unsigned uid = 0;
  unsigned gid = 0;
  static HostUser current();
};

// Pulls or builds the workspace's image, merges its metadata with the config's, and adds the uid
// layer when the merged updateRemoteUserUID asks for it. Error{ConfigInvalid} when an image's
// metadata entry has a property of the wrong form.
PreparedImage prepare_image(const engine::Engine& engine, const WorkspaceContext& ws, const HostUser& host,
                            bool no_cache, ProgressSink& progress, const CancelToken& cancel);

// What prepare_image does once the image is there (pulled, built, or made by a compose tool): the
// metadata merged, and the uid layer on top.
PreparedImage finish_image(const engine::Engine& engine, const WorkspaceContext& ws, const HostUser& host,
                           const std::string& ref, ProgressSink& progress, const CancelToken& cancel);

// The workspace as the prepared image makes it: config, metadata entries and merge set from it.
WorkspaceContext with_image(WorkspaceContext ws, const PreparedImage& image);

// The Dockerfile of the layer that gives `user` the host's uid and gid (and their home folder); the
// image's own user (image_user) stays the image's user, as in the reference's layer.
std::string uid_layer_dockerfile(const std::string& base_image, const std::string& user, const HostUser& host,
                                 const std::string& image_user = "root");

}  // namespace dlc::core
