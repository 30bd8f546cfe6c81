// Create-time lifecycle commands run once per container, even when the `up` that started one is killed
// while it runs: the engine does not end an exec whose client went away, so the command runs on, and
// the next `up` must neither start a second copy beside it nor run it again once it has succeeded.
// Each part runs under `agent once` (agent/processes.h), which holds a lock on a state file in the
// container while the command runs and records its success there.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/devcontainer.h"
#include "engine/engine.h"
#include "support/progress.h"

namespace dlc::core {

class RunOnce {
 public:
  // Puts the agent and the parts' state files (those missing) into the container. Where it cannot (a
  // read-only root file system), the parts run unguarded and progress says so.
  RunOnce(const engine::Engine& engine, const std::string& container_id, const std::string& name,
          const config::LifecycleCommand& command, ProgressSink& progress);

  // The command line that runs this part under the guard (the part's own when unguarded).
  std::vector<std::string> command_for(const config::LifecycleCommand::Step& step) const;

 private:
  std::string state_file(const config::LifecycleCommand::Step& step) const;
  std::string name_;
  std::optional<std::string> agent_;  // nullopt: unguarded
};

}  // namespace dlc::core
