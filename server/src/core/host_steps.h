// What `up` does on the host before the container: initializeCommand, and the check of
// hostRequirements (cpus, memory, storage) against the engine's host.
#pragma once

#include <string>
#include <vector>

#include "config/devcontainer.h"
#include "engine/engine.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

// Runs initializeCommand on this host in the workspace folder (a string through /bin/sh -c, an array
// as argv, an object's entries in parallel), its output to progress. Error{CommandFailed} naming it
// when it fails.
void run_initialize_command(const config::LifecycleCommand& command, const std::string& folder, ProgressSink& progress,
                            const CancelToken& cancel);

// Warnings for each hostRequirements (cpus, memory, storage) the engine's host falls short of, or
// cannot be checked for (storage on an engine of another host). GPUs are core/gpu.h's.
std::vector<std::string> host_requirement_warnings(const config::HostRequirements& wanted, const engine::SystemInfo& host);

}  // namespace dlc::core
