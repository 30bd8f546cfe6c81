// The image a workspace's container runs: pulled, or built from the workspace's Dockerfile, with the
// remote user's uid/gid changed to the host user's when updateRemoteUserUID asks for it.
#pragma once

#include <string>
#include <vector>

#include "core/container_plan.h"
#include "engine/engine.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

struct PreparedImage {
  std::string ref;    // what the container is created from
  engine::ImageInfo info;
  std::vector<std::string> features;  // the Features installed in it, in order, by id as written
  std::vector<std::string> warnings;  // what the user should hear about (unknown Feature options, ...)
};

// The host user that files in the workspace should belong to.
struct HostUser {
  unsigned uid = 0;
  unsigned gid = 0;
  static HostUser current();
};

// Features (core/features.h) are resolved first, so that a Feature that cannot be had stops `up`
// before any image is pulled or built; they are installed over the workspace's image, and the uid
// layer goes last.
PreparedImage prepare_image(const engine::Engine& engine, const WorkspaceContext& ws, const HostUser& host,
                            bool no_cache, ProgressSink& progress, const CancelToken& cancel);

// The Dockerfile of the layer that gives `user` the host's uid and gid (and their home folder).
std::string uid_layer_dockerfile(const std::string& base_image, const std::string& user, const HostUser& host);

}  // namespace dlc::core
