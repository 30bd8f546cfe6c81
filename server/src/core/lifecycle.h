// Lifecycle commands (onCreateCommand, postStartCommand, ...) run in the container at their moments.
#pragma once

#include <string>
#include <vector>

#include "config/devcontainer.h"
#include "engine/engine.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

// Where and as whom lifecycle commands run.
struct CommandContext {
  std::string container_id;
  std::string user;
  std::string working_dir;
  std::vector<std::string> env;  // KEY=VALUE
};

// Runs one lifecycle command (its parallel parts at once); output goes to progress.output.
// Error{CommandFailed} naming the command and its exit status when any part fails. `once`: a create-time
// command, run once per container even across a killed `up` (core/lifecycle_once.h).
void run_lifecycle(const engine::Engine& engine, const std::string& name, const config::LifecycleCommand& command,
                   const CommandContext& ctx, ProgressSink& progress, const CancelToken& cancel, bool once = false);

// Create-time commands run once per container: a marker inside it records that they succeeded, so
// an `up` interrupted before they finished runs them again.
bool create_commands_done(const engine::Engine& engine, const std::string& container_id);
void mark_create_commands_done(const engine::Engine& engine, const std::string& container_id);

}  // namespace dlc::core
