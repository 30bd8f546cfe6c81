#include "core/engine_options.h"

namespace dlc::core {

std::string userns_mode_for(const engine::PodmanFacts& engine, const std::string& remote_user) {
  const bool root = remote_user.empty() || remote_user == "root" || remote_user == "0" || remote_user.starts_with("0:");
  return engine.podman && engine.rootless && !root ? "keep-id" : "";
}

}  // namespace dlc::core
