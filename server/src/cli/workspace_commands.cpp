// up, down, exec, status, list, logs.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/cli.h"
#include "cli/terminal.h"
#include "core/placed.h"

#include "support/error.h"

namespace dlc::cli {

namespace {

std::string port_text(const engine::PortBinding& p) {
  return p.host_ip + ":" + std::to_string(p.host_port) + " -> " + std::to_string(p.container_port) + "/" + p.protocol;
}

void print_ports(const std::vector<engine::PortBinding>& ports) {
  for (const auto& p : ports) std::printf("  port       %s\n", port_text(p).c_str());
}

// Where the workspace's files are, when that is not simply this folder mounted.
void print_location(const core::WorkspaceLocation& l) {
  if (l.kind == "bind" || l.note.empty()) return;
  std::printf("  files      %s\n", l.note.c_str());
}

void print_warnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) std::fprintf(stderr, "%s %s\n", paint(2, "warning:", "1;33").c_str(), w.c_str());
}

// The Slurm job that holds the engine: "slurm job 42 RUNNING on node7, 1:59:00 left".
void print_allocation(const std::optional<core::Allocation>& a) {
  if (!a) return;
  std::string where = a->node.empty() ? "" : " on " + a->node;
  std::string left = a->time_left.empty() || a->state != "RUNNING" ? "" : ", " + a->time_left + " left";
  std::string why = a->reason.empty() || a->reason == "None" ? "" : " (" + a->reason + ")";
  std::printf("  job        slurm %s %s%s%s%s\n", a->job_id.c_str(), a->state.c_str(), why.c_str(), where.c_str(), left.c_str());
}

void print_up(const core::UpResult& r) {
  std::printf("%s container %s %s%s\n", paint(1, "✔", "32").c_str(), r.container_name.c_str(), r.action.c_str(),
              r.location.machine.empty() || r.location.machine == "this machine" ? "" : (" on " + r.location.machine).c_str());
  std::printf("  workspace  %s -> %s\n", r.workspace.c_str(), r.remote_workspace_folder.c_str());
  print_location(r.location);
  if (r.engine.rfind("unix://", 0) != 0) std::printf("  engine     %s\n", r.engine.c_str());
  print_allocation(r.allocation);
  std::printf("  image      %s\n", r.image.c_str());
  std::printf("  user       %s\n", r.remote_user.c_str());
  for (const auto& p : r.ports) {
    // portsAttributes' label and protocol, where devcontainer.json gives them.
    std::string note;
    for (const auto& n : r.port_notes)
      if (n.container_port == p.container_port) note = "  " + n.label + (n.label.empty() || n.url.empty() ? "" : " ") + n.url;
    std::printf("  port       %s%s\n", port_text(p).c_str(), note.c_str());
  }
  std::printf("  gpu        %s\n", gpu_summary(r.gpu).c_str());
  if (r.out_of_date) {
    std::printf("%s devcontainer.json changed since this container was made: run `dlcontainer up --rebuild` to apply it\n",
                paint(1, "!", "33").c_str());
  }
  for (const auto& n : r.warnings) std::printf("%s %s\n", paint(1, "!", "33").c_str(), n.c_str());
  // A Slurm workspace's commands find its job by themselves.
  std::string host = r.engine.rfind("unix://", 0) == 0 || r.allocation ? "" : " --host " + r.engine;
  std::printf("  run        dlcontainer exec%s -w %s -- bash\n", host.c_str(), r.workspace.c_str());
}

void print_status(const core::WorkspaceStatus& s) {
  std::printf("  workspace  %s\n", s.workspace.c_str());
  std::printf("  state      %s\n", s.state.c_str());
  print_allocation(s.allocation);
  if (s.state == "none" || s.container_id.empty()) return;
  std::printf("  container  %s (%s)\n", s.container_name.c_str(), s.container_id.substr(0, 12).c_str());
  std::printf("  image      %s\n", s.image.c_str());
  std::printf("  folder     %s (user %s)\n", s.remote_workspace_folder.c_str(), s.remote_user.c_str());
  if (s.engine.rfind("unix://", 0) != 0) std::printf("  engine     %s\n", s.engine.c_str());
  print_location(s.location);
  print_ports(s.ports);
  std::printf("  gpu        %s\n", gpu_summary(s.gpu).c_str());
  if (s.out_of_date) std::printf("  %s devcontainer.json changed: `dlcontainer up --rebuild` applies it\n", paint(1, "!", "33").c_str());
}

// Signals and window changes reach the exec loop through a pipe (the only thing a handler may touch).
int g_signal_pipe[2] = {-1, -1};

void on_signal(int sig) {
  char c = sig == SIGWINCH ? 'W' : sig == SIGINT ? 'I' : sig == SIGTERM ? 'T' : 'H';
  [[maybe_unused]] auto n = ::write(g_signal_pipe[1], &c, 1);
}

}  // namespace

int run_exec(Context& ctx, core::ExecParams params, bool force_tty, bool no_tty) {
  bool tty = force_tty || (!no_tty && ::isatty(0) && ::isatty(1));
  params.tty = tty;
  params.attach_stdin = true;

  if (::pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw Error(ErrorCode::Internal, "pipe failed");
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : {SIGWINCH, SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);

  engine::ExecIO io;
  io.stdin_fd = 0;
  io.on_stdout = [](std::string_view d) { ::fwrite(d.data(), 1, d.size(), stdout), ::fflush(stdout); };
  io.on_stderr = [](std::string_view d) { ::fwrite(d.data(), 1, d.size(), stderr), ::fflush(stderr); };
  int rows = 0, cols = 0;
  if (tty && window_size(1, rows, cols)) io.initial_size = {rows, cols};
  io.wake_fd = g_signal_pipe[0];
  // What happened here, said to core: a window change, or (without a TTY there is no terminal to carry
  // ^C) a signal for the command itself.
  core::ExecAsks asks = [&] {
    std::vector<core::ExecAsk> out;
    char c;
    while (::read(g_signal_pipe[0], &c, 1) == 1) {
      if (c == 'W') {
        if (tty && window_size(1, rows, cols)) out.push_back({.kind = core::ExecAsk::Kind::Resize, .rows = rows, .cols = cols});
      } else {
        out.push_back({.kind = core::ExecAsk::Kind::Signal, .signal = c == 'I' ? "INT" : c == 'T' ? "TERM" : "HUP"});
      }
    }
    return out;
  };
  std::optional<RawMode> raw;
  if (tty && ::isatty(0)) raw.emplace(0);
  return ctx.workspaces().exec(params, io, {}, asks);
}

namespace {

void add_up_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("up", "create or start the workspace's container");
  auto params = std::make_shared<core::UpParams>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("workspace", params->workspace, "the repository folder (default: .)");
  cmd->add_option("--config", params->config, "the devcontainer.json to use (default: found in the folder)");
  cmd->add_flag("--rebuild", params->rebuild, "replace the container and rebuild its image");
  cmd->add_flag("--no-cache", params->no_cache, "build without the layer cache");
  cmd->add_option("--gpus", params->gpus, "GPUs for a new container: all, a count, device=0,1 or UUIDs, or none");
  cmd->add_option("--gpu-attach", params->gpu_attach, "how GPUs are attached: auto, toolkit, cdi, direct, none");
  cmd->add_option("--mount", params->mounts, "another mount for a new container, as devcontainer.json writes one: "
                                             "type=bind,source=/data,target=/data[,readonly] (repeatable)");
  cmd->add_flag("--strict", params->strict, "refuse a devcontainer.json property dlcontainer does not use (else a warning)");
  cmd->add_flag("--skip-post-attach", params->skip_post_attach, "do not run postAttachCommand");
  cmd->add_flag("--skip-non-blocking-commands", params->skip_non_blocking,
                "stop the lifecycle commands after waitFor's (default updateContentCommand); a later up runs the rest");
  auto& slurm = params->slurm;
  cmd->add_flag("--slurm", slurm.enabled, "run the engine in a Slurm job (rootless Podman on the allocated node; docs/slurm.md)");
  cmd->add_option("--partition", slurm.partition, "--slurm: the partition (default: slurm.partition in devcontainer.json, else Slurm's)");
  cmd->add_option("--slurm-gpus", slurm.gpus, "--slurm: GPUs for the job, as --gres=gpu:VALUE takes them (1, a100:2)");
  cmd->add_option("--cpus", slurm.cpus, "--slurm: CPUs for the job (--cpus-per-task)");
  cmd->add_option("--mem", slurm.mem, "--slurm: memory for the job (16G)");
  cmd->add_option("--time", slurm.time, "--slurm: the job's time limit (2:00:00)");
  cmd->add_option("--account", slurm.account, "--slurm: the account the job is charged to");
  cmd->add_option("--slurm-wait", slurm.wait_seconds, "--slurm: seconds the job may stay pending before it is cancelled (default 600)");
  cmd->add_flag("--json", *json, "print one JSON result object (on failure too, as `devcontainer up` does)");
  cmd->callback([&ctx, params, json] {
    TerminalProgress progress(/*quiet=*/false);
    try {
      params->host = ctx.host;  // --host, placed by core
      auto result = core::up_placed(*params, ctx.workspaces_at(), progress, {});
      print_warnings(result.warnings);
      if (*json) print_json(result); else print_up(result);
    } catch (const Error& e) {
      // Tools written for `devcontainer up` read this object on stdout; the error still goes to stderr.
      if (*json) print_json({{"outcome", "error"}, {"message", e.what()}, {"description", e.what()},
                             {"code", std::string(to_string(e.code()))}, {"hint", e.hint()}});
      throw;
    }
  });
}

}  // namespace

void add_workspace_commands(CLI::App& app, Context& ctx) {
  add_up_command(app, ctx);
  {
    auto* cmd = app.add_subcommand("down", "stop the workspace's container (files and volumes stay)");
    auto params = std::make_shared<core::DownParams>();
    auto json = std::make_shared<bool>(false);
    cmd->add_option("workspace", params->workspace, "the repository folder (default: .)");
    cmd->add_flag("--remove", params->remove, "remove the container too (never the workspace or named volumes)");
    cmd->add_flag("--json", *json, "print one JSON result object");
    cmd->callback([&ctx, params, json] {
      params->host = ctx.host;  // --host, placed by core
      auto r = core::down_placed(*params, ctx.workspaces_at());
      if (*json) {
        print_json(r);
      } else if (r.action == "none") {
        std::printf("no container for %s\n", r.workspace.c_str());
      } else {
        std::printf("%s container %s %s\n", paint(1, "✔", "32").c_str(), r.container_id.substr(0, 12).c_str(), r.action.c_str());
      }
      if (r.allocation && !*json) std::printf("%s Slurm job %s cancelled\n", paint(1, "✔", "32").c_str(), r.allocation->job_id.c_str());
    });
  }
  {
    auto* cmd = app.add_subcommand("exec", "run a command in the workspace's container");
    auto params = std::make_shared<core::ExecParams>();
    auto env = std::make_shared<std::vector<std::string>>();
    auto tty = std::make_shared<bool>(false);
    auto no_tty = std::make_shared<bool>(false);
    cmd->add_option("-w,--workspace", params->workspace, "the repository folder (default: .)");
    cmd->add_option("-u,--user", params->user, "run as this user (default: the remote user)");
    cmd->add_option("--workdir", params->working_dir, "run in this folder (default: the workspace folder)");
    cmd->add_option("-e,--env", *env, "KEY=VALUE added to the environment");
    cmd->add_flag("-t,--tty", *tty, "allocate a TTY even when not on a terminal");
    cmd->add_flag("-T,--no-tty", *no_tty, "never allocate a TTY");
    // Everything from the first word that is not an option on is the command: `exec python -u x.py`.
    takes_command_line(cmd, ctx);
    cmd->footer("usage: dlcontainer exec [OPTIONS] [--] COMMAND [ARGS...]");
    cmd->callback([&ctx, cmd, params, env, tty, no_tty] {
      params->command = ctx.trailing_command(cmd->remaining());
      if (!params->command.empty() && params->command.front() == "--") params->command.erase(params->command.begin());
      for (const auto& kv : *env) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) throw Error(ErrorCode::InvalidArgument, "-e " + kv + " is not KEY=VALUE", "write -e NAME=value");
        params->env[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
      ctx.host = core::engine_for(params->workspace, ctx.host);
      ctx.exit_status = run_exec(ctx, *params, *tty, *no_tty);
    });
  }
  {
    auto* cmd = app.add_subcommand("status", "show the workspace's container");
    auto params = std::make_shared<core::StatusParams>();
    auto json = std::make_shared<bool>(false);
    cmd->add_option("workspace", params->workspace, "the repository folder (default: .)");
    cmd->add_flag("--json", *json, "print one JSON object");
    cmd->callback([&ctx, params, json] {
      params->host = ctx.host;  // --host, placed by core
      auto s = core::status_placed(*params, ctx.workspaces_at());
      if (*json) print_json(s); else print_status(s);
    });
  }
  {
    auto* cmd = app.add_subcommand("list", "list every workspace container on this engine");
    auto json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *json, "print a JSON array");
    cmd->callback([&ctx, json] {
      auto all = ctx.workspaces().list();
      if (*json) {
        print_json(all);
        return;
      }
      if (all.empty()) std::printf("no workspace containers\n");
      for (const auto& s : all) std::printf("%-10s %-32s %s\n", s.state.c_str(), s.container_name.c_str(), s.workspace.c_str());
    });
  }
  {
    auto* cmd = app.add_subcommand("logs", "show the container's output");
    auto params = std::make_shared<core::LogsParams>();
    cmd->add_option("workspace", params->workspace, "the repository folder (default: .)");
    cmd->add_flag("-f,--follow", params->follow, "keep following");
    cmd->add_option("--tail", params->tail, "only the last N lines");
    cmd->callback([&ctx, params] {
      ctx.host = core::engine_for(params->workspace, ctx.host);
      ctx.workspaces().logs(
          *params, [](std::string_view d) { ::fwrite(d.data(), 1, d.size(), stdout), ::fflush(stdout); },
          [](std::string_view d) { ::fwrite(d.data(), 1, d.size(), stderr), ::fflush(stderr); });
    });
  }
}

}  // namespace dlc::cli
