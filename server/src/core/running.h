// A container that the engine started may die at once (an entrypoint that fails, an environment too
// large to exec): `up` checks that it runs before it reports success, and says why it does not.
#pragma once

#include <string>

#include "engine/engine.h"

namespace dlc::core {

// Returns what the engine says of the container when it runs (the inspect that `up` goes on with, not
// asked again). Otherwise Error{ContainerNotRunning} whose message says `when` it
// stopped ("at once", "during its lifecycle commands") and with what exit status (an OOM kill, the
// engine's own error), and whose hint holds its last lines of output.
engine::ContainerInfo require_running(const engine::Engine& engine, const std::string& container_id, const std::string& when);

}  // namespace dlc::core
