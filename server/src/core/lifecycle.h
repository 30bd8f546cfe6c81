// Lifecycle commands (onCreateCommand, postStartCommand, ...) run in the container at their moments.
#pragma once

#include <map>
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
// Error{CommandFailed} naming the command, where it came from (a Feature's id, or devcontainer.json)
// and its exit status when any part fails. `once`: a create-time command, run once per container even
// across a killed `up` (core/lifecycle_once.h): a second `up` waits for it instead of starting a copy.
void run_lifecycle(const engine::Engine& engine, const std::string& name, const config::LifecycleCommand& command,
                   const CommandContext& ctx, ProgressSink& progress, const CancelToken& cancel,
                   const std::string& origin = "devcontainer.json", bool once = false);

// The reference's markers, so that either tool knows what the other ran: $HOME/.devcontainer/
// .<hook>Marker, written as the remote user, holds the container's creation time (onCreate,
// updateContent, postCreate) or its last start time (postStart). A hook runs when its marker says
// otherwise. Unlike the reference, dlcontainer writes a marker after its hook succeeded, so a
// failed command runs again at the next `up`.
std::map<std::string, std::string> read_markers(const engine::Engine& engine, const CommandContext& ctx);
// Writes (hook, stamp) markers; false when they could not be written (the home folder is not
// writable): the hooks will run again.
bool write_markers(const engine::Engine& engine, const CommandContext& ctx,
                   const std::vector<std::pair<std::string, std::string>>& stamps);
// The shell script write_markers runs (arguments: hook stamp [hook stamp...]), for an exec that does more.
std::string write_markers_script();

}  // namespace dlc::core
