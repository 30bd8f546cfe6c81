// Mounts that hand the container the host: its root or a system folder read-write, or the engine's
// socket (root on the host to whoever can reach it). They are refused unless devcontainer.json says
// it means them (customizations.dlcontainer.allowDangerousMounts: true), and warned about even then.
// Paths are judged as they resolve (`..` and symbolic links followed), so neither can hide them.
#pragma once

#include <string>
#include <vector>

#include "core/container_plan.h"
#include "engine/types.h"
#include "support/progress.h"

namespace dlc::core {

struct DangerousMount {
  engine::Mount mount;
  std::string resolved;  // where the source leads on the host
  std::string why;
};

// The binds among `mounts` that expose the host; engine_socket is the engine's own socket path.
std::vector<DangerousMount> dangerous_mounts(const std::vector<engine::Mount>& mounts, const std::string& engine_socket);

// Every bind the workspace's new container will have (the workspace's own, mounts, runArgs' -v), checked:
// Error{ConfigInvalid} naming each dangerous one unless allowed; when allowed, a warning through progress.
void check_mounts(const WorkspaceContext& ws, const std::string& engine_socket, ProgressSink& progress);

}  // namespace dlc::core
