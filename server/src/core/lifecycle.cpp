#include "core/lifecycle.h"

#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "core/lifecycle_once.h"
#include "engine/build_context.h"
#include "support/error.h"

namespace dlc::core {

namespace {

constexpr const char* kMarkerDir = "/var/lib/dlcontainer";
constexpr const char* kCreatedMarker = "/var/lib/dlcontainer/create-commands-done";

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
                   const CommandContext& ctx, ProgressSink& progress, const CancelToken& cancel, bool once) {
  if (command.empty()) return;
  progress.begin("Running " + name);
  std::optional<RunOnce> guard;
  if (once) guard.emplace(engine, ctx.container_id, name, command, progress);
  std::mutex out_mu;
  auto run_step = [&](const config::LifecycleCommand::Step& step) {
    std::string label = step.name.empty() ? name : name + " (" + step.name + ")";
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
  if (!command.parallel || command.steps.size() == 1) {
    for (const auto& step : command.steps) run_step(step);
  } else {
    std::vector<std::thread> threads;
    std::vector<std::exception_ptr> errors(command.steps.size());
    for (std::size_t i = 0; i < command.steps.size(); ++i) {
      threads.emplace_back([&, i] {
        try {
          run_step(command.steps[i]);
        } catch (...) {
          errors[i] = std::current_exception();
        }
      });
    }
    for (auto& t : threads) t.join();
    for (auto& e : errors) {
      if (e) std::rethrow_exception(e);
    }
  }
  progress.end();
}

bool create_commands_done(const engine::Engine& engine, const std::string& container_id) {
  return engine.path_exists(container_id, kCreatedMarker);
}

void mark_create_commands_done(const engine::Engine& engine, const std::string& container_id) {
  std::string marker = std::string(kCreatedMarker).substr(std::string(kMarkerDir).size() + 1);
  engine.put_archive(container_id, "/", engine::tar_files({{std::string(kMarkerDir + 1) + "/" + marker, "", 0644}}));
}

}  // namespace dlc::core
