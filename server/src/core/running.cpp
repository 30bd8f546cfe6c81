#include "core/running.h"

#include "support/error.h"

namespace dlc::core {

namespace {

constexpr int kLogLines = 20;
constexpr std::size_t kLogBytes = 8 << 10;

std::string last_output(const engine::Engine& engine, const std::string& id) {
  std::string out;
  auto keep = [&](std::string_view d) {
    out.append(d);
    if (out.size() > 2 * kLogBytes) out.erase(0, out.size() - kLogBytes);
  };
  try {
    engine.logs(id, engine::LogOptions{.follow = false, .tail = kLogLines}, keep, keep);
  } catch (const Error& e) {
    return std::string("(its output could not be read: ") + e.what() + ")";
  }
  if (out.size() > kLogBytes) out.erase(0, out.size() - kLogBytes);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out.empty() ? "(it wrote nothing)" : out;
}

}  // namespace

engine::ContainerInfo require_running(const engine::Engine& engine, const std::string& container_id, const std::string& when) {
  auto info = engine.inspect_container(container_id);
  if (!info) {
    throw Error(ErrorCode::ContainerNotFound, "the container was removed " + when, "run `dlcontainer up` again");
  }
  if (info->state.running) return std::move(*info);
  std::string why = "exit status " + std::to_string(info->state.exit_code);
  if (info->state.oom_killed) why += ", killed for lack of memory";
  if (!info->state.error.empty()) why += ", " + info->state.error;
  throw Error(ErrorCode::ContainerNotRunning,
              "the container " + info->name + " stopped " + when + " (" + info->state.status + ", " + why + ")",
              "its last output:\n" + last_output(engine, container_id) +
                  "\nfix what it says (devcontainer.json's containerEnv, runArgs, the image's entrypoint) and run "
                  "`dlcontainer up` again");
}

}  // namespace dlc::core
