// A short-lived container that does one job on an engine's host and is removed, whatever happens:
// the GPU probe (core/engine_facts.h), a clone into a workspace volume (core/remote_workspace.h).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "support/cancel.h"

namespace dlc::core {

struct HelperRun {
  int exit_code = -1;
  std::string out;  // at most 1 MiB
  std::string err;  // the last 8 KiB
};

// Creates, starts and waits for the container (at most `limit`, when given; then Error{EngineError}),
// collects its output, and removes it (with its anonymous volumes, never named ones).
HelperRun run_helper(const engine::Engine& engine, const engine::ContainerSpec& spec, const CancelToken& cancel,
                     std::optional<std::chrono::seconds> limit = std::nullopt);

// Removes a container when it goes out of scope (errors are not the caller's concern then).
struct RemoveOnExit {
  const engine::Engine& engine;
  std::string id;
  ~RemoveOnExit();
};

}  // namespace dlc::core
