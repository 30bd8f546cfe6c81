#include "core/helper_container.h"

#include <algorithm>
#include <thread>

#include "support/error.h"

namespace dlc::core {

RemoveOnExit::~RemoveOnExit() {
  if (id.empty()) return;
  try {
    engine.remove_container(id, /*force=*/true, /*remove_volumes=*/true);
  } catch (const Error&) {
  }
}

HelperRun run_helper(const engine::Engine& engine, const engine::ContainerSpec& spec, const CancelToken& cancel,
                     std::optional<std::chrono::seconds> limit) {
  RemoveOnExit guard{engine, engine.create_container(spec)};
  engine.start_container(guard.id);
  auto until = limit ? std::optional(std::chrono::steady_clock::now() + *limit) : std::nullopt;
  HelperRun run;
  for (auto pause = std::chrono::milliseconds(20);; pause = std::min(pause * 2, std::chrono::milliseconds(500))) {
    cancel.throw_if_cancelled();
    auto info = engine.inspect_container(guard.id);
    if (!info) throw Error(ErrorCode::EngineError, "the helper container vanished while it ran");
    if (!info->state.running) {
      run.exit_code = info->state.exit_code;
      break;
    }
    if (until && std::chrono::steady_clock::now() > *until) {
      throw Error(ErrorCode::EngineError, "a helper container on " + engine.endpoint().machine() + " did not finish within " +
                                              std::to_string(limit->count()) + " s");
    }
    pause_unless_cancelled(pause, cancel);
  }
  engine.logs(
      guard.id, {}, [&](std::string_view d) { run.out.append(d.substr(0, (1u << 20) - std::min<std::size_t>(run.out.size(), 1u << 20))); },
      [&](std::string_view d) {
        run.err.append(d);
        if (run.err.size() > 8192) run.err.erase(0, run.err.size() - 8192);
      });
  return run;
}

}  // namespace dlc::core
