// Signals and stops for execs through dlcontainer's agent, so that they do not depend on what the
// image holds (a minimal Debian has no /bin/kill; a distroless image has no shell).
#pragma once

#include <string>

#include "engine/engine.h"

namespace dlc::services {

// The engine::ExecControl that core gives its Engine: the agent (put into the container when needed)
// finds an exec's processes by their marker and signals them, or ends them (TERM, then KILL after a
// grace). Error{CommandFailed} naming what is left running, and how to end it, when that fails.
engine::ExecControl agent_exec_control();

// Sends a signal ("INT", "TERM", "KILL") to one process in the container (its pid there); false when it
// no longer runs.
bool signal_process(const engine::Engine& engine, const std::string& container_id, int pid, const std::string& signal);

}  // namespace dlc::services
