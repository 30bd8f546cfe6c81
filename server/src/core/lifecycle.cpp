#include "core/lifecycle.h"

#include <mutex>
#include <optional>

#include "core/lifecycle_once.h"
#include "support/error.h"
#include "support/parallel.h"

namespace dlc::core {

namespace {

// Prints "hook=content" for each marker; a missing one prints "hook=".
constexpr const char* kReadMarkers =
    "d=\"$HOME/.devcontainer\"; for h in onCreateCommand updateContentCommand postCreateCommand postStartCommand; do "
    "printf '%s=' \"$h\"; head -c 200 \"$d/.${h}Marker\" 2>/dev/null | tr -d '\\n'; echo; done";
// Arguments: hook stamp [hook stamp...].
constexpr const char* kWriteMarkers =
    "mkdir -p \"$HOME/.devcontainer\" || exit 1; "
    "while [ $# -ge 2 ]; do echo \"$2\" > \"$HOME/.devcontainer/.$1Marker\" || exit 1; shift 2; done";

// Output of a command, line by line, to the progress sink (parallel parts share it).
class LineOutput {
 public:
  LineOutput(ProgressSink& progress, std::mutex& mu, std::string prefix)
      : progress_(progress), mu_(mu), prefix_(std::move(prefix)) {}
  void feed(std::string_view data) {
    pending_.append(data);
    for (std::size_t nl; (nl = pending_.find('\n')) != std::string::npos;) {
      emit(pending_.substr(0, nl));
      pending_.erase(0, nl + 1);
    }
  }
  ~LineOutput() {
    if (!pending_.empty()) emit(pending_);
  }

 private:
  void emit(std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::lock_guard lock(mu_);
    progress_.output(prefix_ + line);
  }
  ProgressSink& progress_;
  std::mutex& mu_;
  std::string prefix_;
  std::string pending_;
};

}  // namespace

void run_lifecycle(const engine::Engine& engine, const std::string& name, const config::LifecycleCommand& command,
                   const CommandContext& ctx, ProgressSink& progress, const CancelToken& cancel, const std::string& origin,
                   bool once) {
  if (command.empty()) return;
  const std::string from = origin == "devcontainer.json" ? "" : " from Feature '" + origin + "'";
  progress.begin("Running " + name + from);
  std::optional<RunOnce> guard;
  if (once) guard.emplace(engine, ctx.container_id, name + from, command, progress);
  std::mutex out_mu;
  auto run_step = [&](const config::LifecycleCommand::Step& step) {
    std::string label = (step.name.empty() ? name : name + " (" + step.name + ")") + from;
    LineOutput out(progress, out_mu, command.parallel ? "[" + step.name + "] " : "");
    engine::ExecSpec spec{.cmd = guard ? guard->command_for(step) : step.argv, .env = ctx.env, .user = ctx.user,
                          .working_dir = ctx.working_dir};
    engine::ExecIO io;
    io.on_stdout = [&](std::string_view d) { out.feed(d); };
    io.on_stderr = io.on_stdout;
    int status = engine.run_exec(ctx.container_id, spec, io, cancel);
    if (status != 0) {
      throw Error(ErrorCode::CommandFailed, label + " failed with exit status " + std::to_string(status),
                  "its output is above; fix the command in devcontainer.json and run `dlcontainer up` again");
    }
  };
  run_each(command.steps.size(), command.parallel, [&](std::size_t i) { run_step(command.steps[i]); });
  progress.end();
}

std::map<std::string, std::string> read_markers(const engine::Engine& engine, const CommandContext& ctx) {
  engine::ExecSpec spec{.cmd = {"/bin/sh", "-c", kReadMarkers}, .user = ctx.user};
  std::string out;
  engine::ExecIO io;
  io.on_stdout = [&](std::string_view d) {
    if (out.size() < 4096) out.append(d);
  };
  io.on_stderr = [](std::string_view) {};
  std::map<std::string, std::string> markers;
  if (engine.run_exec(ctx.container_id, spec, io) != 0) return markers;
  std::size_t start = 0;
  while (start < out.size()) {
    auto nl = out.find('\n', start);
    std::string line = out.substr(start, nl - start);
    if (auto eq = line.find('='); eq != std::string::npos && eq + 1 < line.size()) markers[line.substr(0, eq)] = line.substr(eq + 1);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return markers;
}

bool write_markers(const engine::Engine& engine, const CommandContext& ctx,
                   const std::vector<std::pair<std::string, std::string>>& stamps) {
  if (stamps.empty()) return true;
  engine::ExecSpec spec{.cmd = {"/bin/sh", "-c", kWriteMarkers, "sh"}, .user = ctx.user};
  for (const auto& [hook, stamp] : stamps) spec.cmd.insert(spec.cmd.end(), {hook, stamp});
  engine::ExecIO io;
  io.on_stdout = [](std::string_view) {};
  io.on_stderr = io.on_stdout;
  return engine.run_exec(ctx.container_id, spec, io) == 0;
}

std::string write_markers_script() { return kWriteMarkers; }

}  // namespace dlc::core
