// ports, forward, jupyter, tensorboard, debug python, debug gdb.
//
// How forwards stay alive from the command line: `jupyter`, `tensorboard`, `forward --detach` and
// `debug --detach` return at once, and each port the container does not publish is served by a
// detached dlcontainer process of its own that ends when the container stops (or `forward --stop`).
// `debug` without --detach and `forward` without it stay in the foreground and serve their forward
// in-process until the program ends or Ctrl-C. The JSON-RPC server keeps them in-process instead.
// Each flow is core's (core/services.h, core/forwards.h, core/debug_run.h); this file parses the
// flags, turns signals into cancels and interrupts, and draws the results.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <functional>
#include <optional>
#include <thread>

#include "cli/cli.h"
#include "cli/terminal.h"
#include "core/debug_run.h"
#include "core/forwards.h"
#include "core/services.h"
#include "support/error.h"

namespace dlc::cli {

namespace {

void print_notes(const std::vector<std::string>& notes) {
  for (const auto& n : notes) std::printf("%s %s\n", paint(1, "!", "33").c_str(), n.c_str());
}

void print_service(const services::ServiceInfo& s) {
  const char* name = s.kind == "jupyter" ? "Jupyter" : s.kind == "tensorboard" ? "TensorBoard" : s.kind == "code" ? "code-server" : s.kind.c_str();
  std::printf("%s %s %s\n", paint(1, "✔", "32").c_str(), name, s.reused ? "is already running" : "started");
  std::printf("  url        %s\n", s.url.c_str());
  if (!s.token.empty()) std::printf("  password   %s (its login page asks for it)\n", s.token.c_str());
  std::printf("  port       %s:%d -> container %d (%s)\n", s.host_ip.c_str(), s.host_port, s.container_port, s.via.c_str());
  if (!s.detail.empty()) {
    std::printf("  %-10s %s\n", s.kind == "tensorboard" ? "logdir" : s.kind == "code" ? "folder" : "ui", s.detail.c_str());
  }
  std::printf("  log        %s (in the container)\n", s.log.c_str());
  print_notes(s.notes);
}

void print_debug(const services::ServiceInfo& s, bool detached) {
  std::printf("%s %s listens on %s:%d -> container %d (%s), debugging %s\n", paint(1, "✔", "32").c_str(), s.kind.c_str(),
              s.host_ip.c_str(), s.host_port, s.container_port, s.via.c_str(), s.detail.c_str());
  print_notes(s.notes);
  std::printf("  add this to .vscode/launch.json \"configurations\" and start it:\n%s\n", s.launch.dump(2).c_str());
  if (s.kind == "gdbserver") {
    std::printf("  or from a shell: gdb %s -ex 'target remote %s:%d'\n",
                s.launch.value("program", std::string()).c_str(), s.host_ip.c_str(), s.host_port);
  }
  if (detached) std::printf("  output     %s (in the container)\n", s.log.c_str());
  else std::printf("%s\n", paint(1, "-- the program's output follows; Ctrl-C stops it --", "2").c_str());
  std::fflush(stdout);
}

// Signals arrive on a thread of their own (sigwait), so that every thread the forwarders start has
// them blocked. Call before any thread starts.
class SignalThread {
 public:
  explicit SignalThread(std::function<void(int)> on_signal) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT), sigaddset(&set_, SIGTERM), sigaddset(&set_, SIGHUP);
    ::pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    std::thread([set = set_, fn = std::move(on_signal)] {
      for (;;) {
        int sig = 0;
        if (::sigwait(&set, &sig) == 0) fn(sig);
      }
    }).detach();
  }

 private:
  sigset_t set_;
};

void add_ports_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("ports", "list the container's ports: published, forwarded, and what serves there");
  auto params = std::make_shared<core::PortsParams>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("workspace", params->workspace, "the repository folder (default: .)");
  cmd->add_flag("--json", *json, "print a JSON array");
  cmd->callback([&ctx, params, json] {
    core::ForwardKeeper forwards(core::ForwardKeeper::Mode::Detached);
    auto rows = core::list_ports(*params, {.workspaces = ctx.workspaces_for(params->workspace), .forwards = forwards});
    if (*json) return print_json(rows);
    if (rows.empty()) {
      std::printf("no ports: nothing is published, forwarded, or listening in the container\n");
      return;
    }
    std::printf("%-16s %-22s %-10s %s\n", "CONTAINER", "HOST", "VIA", "SERVES");
    for (const auto& r : rows) {
      std::string host = r.host_port ? r.host_ip + ":" + std::to_string(r.host_port) : "-";
      std::string serves = r.service.empty() ? r.process : r.service + (r.process.empty() ? "" : " (" + r.process + ")");
      if (r.pid) serves += " pid " + std::to_string(r.pid);
      if (r.via == "container") serves += "  [dlcontainer forward " + std::to_string(r.container_port) + " reaches it]";
      std::printf("%-16s %-22s %-10s %s\n", (std::to_string(r.container_port) + "/" + r.protocol).c_str(), host.c_str(),
                  r.via.c_str(), serves.empty() ? "-" : serves.c_str());
    }
  });
}

void add_forward_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("forward", "reach a container port from 127.0.0.1 without publishing it");
  auto params = std::make_shared<core::ForwardParams>();
  auto detach = std::make_shared<bool>(false);
  auto stop = std::make_shared<bool>(false);
  auto reverse = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  cmd->add_option("port", params->container_port, "the port in the container")->required()->check(CLI::Range(1, 65535));
  cmd->add_flag("--reverse", *reverse,
                "the other way: programs in the container connecting to its 127.0.0.1:PORT reach the host's "
                "127.0.0.1:PORT (or --host-port); stays in the foreground");
  cmd->add_option("-w,--workspace", params->workspace, "the repository folder (default: .)");
  cmd->add_option("--host-port", params->host_port, "the host port wanted (default: the same; the next free one when taken)");
  cmd->add_flag("-d,--detach", *detach, "serve it from a background process that ends with the container");
  cmd->add_flag("--stop", *stop, "stop the background process that serves this port");
  cmd->add_flag("--json", *json, "print the forward as JSON");
  auto stdio = std::make_shared<bool>(false);
  cmd->add_flag("--stdio", *stdio,
                "carry stdin and stdout to the port instead of listening (ssh's ProxyCommand, which `ssh-config` "
                "writes for a container on a remote engine)");
  cmd->callback([&ctx, params, detach, stop, reverse, json, stdio] {
    const auto& workspaces = ctx.workspaces_for(params->workspace);
    if (*stdio) {
      if (*detach || *stop || *reverse || *json) {
        throw Error(ErrorCode::InvalidArgument, "--stdio carries this process's own input and output", "leave out --detach, --stop, --reverse and --json");
      }
      ctx.exit_status = core::forward_stdio(workspaces, *params);
      return;
    }
    if (*reverse) {
      if (*detach || *stop) throw Error(ErrorCode::InvalidArgument, "--reverse runs in the foreground only", "leave out --detach/--stop");
      auto cancel = CancelToken::make();
      SignalThread signals([cancel](int) { cancel.cancel(); });
      core::reverse_forward(
          workspaces, *params,
          [&](int host_port) {
            if (*json) {
              print_json(nlohmann::json{{"containerPort", params->container_port}, {"hostIp", "127.0.0.1"}, {"hostPort", host_port}});
            } else {
              std::printf("%s container 127.0.0.1:%d -> host 127.0.0.1:%d (Ctrl-C stops)\n", paint(1, "✔", "32").c_str(),
                          params->container_port, host_port);
            }
            std::fflush(stdout);
          },
          cancel);
      return;
    }
    if (*stop) {
      core::stop_forward(workspaces, *params);
      std::printf("stopped forwarding container port %d\n", params->container_port);
      return;
    }
    auto show = [&](const services::Forward& f, bool foreground) {
      if (*json) return print_json(f);
      std::printf("%s forwarding %s:%d -> container port %d%s\n", paint(1, "✔", "32").c_str(), f.host_ip.c_str(), f.host_port,
                  f.container_port, foreground ? " (Ctrl-C stops)" : " (until the container stops)");
      std::fflush(stdout);
    };
    if (*detach) return show(core::forward_detached(workspaces, *params), false);
    auto cancel = CancelToken::make();
    SignalThread signals([cancel](int) { cancel.cancel(); });
    core::forward_foreground(workspaces, *params, [&](const services::Forward& f) { show(f, true); }, cancel);
  });
}

// jupyter and tensorboard: --stop and --json beside their own options, then the service started (or
// found running) and its URL printed.
void add_web_service(CLI::App* cmd, Context& ctx, const std::string& workspace, const std::string& kind,
                     const std::string& title, std::function<services::ServiceInfo(const core::ServiceContext&)> start) {
  auto stop = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--stop", *stop, "stop the running " + title);
  cmd->add_flag("--json", *json, "print one JSON object");
  cmd->callback([&ctx, &workspace, kind, title, start = std::move(start), stop, json] {
    core::ForwardKeeper forwards(core::ForwardKeeper::Mode::Detached);
    TerminalProgress progress(*json);
    core::ServiceContext context{.workspaces = ctx.workspaces_for(workspace), .forwards = forwards, .progress = progress};
    if (*stop) {
      int stopped = core::stop_services({.workspace = workspace, .kind = kind}, context);
      std::printf("stopped %d %s server(s)\n", stopped, title.c_str());
      return;
    }
    auto info = start(context);
    if (*json) print_json(info); else print_service(info);
  });
}

void add_jupyter_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("jupyter", "start Jupyter in the container (or find the running one) and print its URL");
  auto params = std::make_shared<core::JupyterParams>();
  cmd->add_option("workspace", params->workspace, "the repository folder (default: .)");
  cmd->add_flag("--lab", params->lab, "prefer JupyterLab (the classic notebook when only that is installed)");
  cmd->add_flag("--install", params->install, "install Jupyter in the container when it has none");
  cmd->add_option("--port", params->port, "the port in the container (default 8888, or the next free one)");
  // The lambda holds params, so the workspace it refers to lives as long as the command.
  add_web_service(cmd, ctx, params->workspace, "jupyter", "Jupyter",
                  [params](const core::ServiceContext& c) { return core::start_jupyter(*params, c); });
}

void add_tensorboard_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("tensorboard", "start TensorBoard in the container (or find the running one) and print its URL");
  auto params = std::make_shared<core::TensorBoardParams>();
  cmd->add_option("workspace", params->workspace, "the repository folder (default: .)");
  cmd->add_option("--logdir", params->logdir, "the log folder (default: the first of runs/, logs/, lightning_logs/)");
  cmd->add_flag("--install", params->install, "install TensorBoard (pip) when the container has none");
  cmd->add_option("--port", params->port, "the port in the container (default 6006, or the next free one)");
  add_web_service(cmd, ctx, params->workspace, "tensorboard", "TensorBoard",
                  [params](const core::ServiceContext& c) { return core::start_tensorboard(*params, c); });
}

void add_code_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("code", "start code-server (VS Code in the browser) in the container on the workspace and print its URL");
  auto params = std::make_shared<core::CodeParams>();
  cmd->add_option("workspace", params->workspace, "the repository folder (default: .)");
  cmd->add_flag("--install", params->install, "install code-server with the container's npm when it has none");
  cmd->add_option("--port", params->port, "the port in the container (default 8080, or the next free one)");
  add_web_service(cmd, ctx, params->workspace, "code", "code-server",
                  [params](const core::ServiceContext& c) { return core::start_code(*params, c); });
}

void add_debug_command(CLI::App& app, Context& ctx) {
  auto* debug = app.add_subcommand("debug", "debug a program in the container from the editor on the host");
  debug->require_subcommand(1);
  for (const char* kind : {"python", "gdb"}) {
    bool python = std::string(kind) == "python";
    auto* cmd = debug->add_subcommand(kind, python ? "run a Python script under debugpy (or attach to a process) and print the "
                                                     "VS Code attach entry"
                                                   : "run a program under gdbserver (or attach to a process) and print the "
                                                     "VS Code cppdbg entry");
    auto params = std::make_shared<core::DebugParams>();
    auto detach = std::make_shared<bool>(false);
    auto json = std::make_shared<bool>(false);
    cmd->add_option("-w,--workspace", params->workspace, "the repository folder (default: .)");
    cmd->add_option("--pid", params->pid, "attach to this running process (its pid in the container)");
    if (python) cmd->add_flag("--wait", params->wait, "hold the script until the debugger attaches");
    cmd->add_option("--port", params->port, python ? "the port in the container (default 5678)" : "the port in the container (default 2345)");
    cmd->add_flag("-d,--detach", *detach, "return at once; the program runs on (its output goes to a log in the container)");
    cmd->add_flag("--json", *json, "print the session as JSON (the launch entry under \"launch\")");
    takes_command_line(cmd, ctx);
    cmd->footer(python ? "usage: dlcontainer debug python [OPTIONS] -- script.py ARGS  (or -m module ARGS)"
                       : "usage: dlcontainer debug gdb [OPTIONS] -- ./prog ARGS");
    cmd->callback([&ctx, cmd, params, detach, json, python] {
      params->command = ctx.trailing_command(cmd->remaining());
      if (!params->command.empty() && params->command.front() == "--") params->command.erase(params->command.begin());
      TerminalProgress progress(*json);
      core::DebugRun run(ctx.workspaces_for(params->workspace), *params, python ? "debugpy" : "gdbserver", *detach);
      // Before any thread: the forwarder's threads must not take Ctrl-C. The first Ctrl-C asks the
      // program to end, a second stops following it.
      std::optional<SignalThread> signals;
      if (run.foreground()) signals.emplace([interrupt = run.interrupter()](int) { interrupt(); });
      auto session = run.start(progress);
      if (*json) {
        print_json(session);
      } else {
        print_debug(session, !run.foreground());
      }
      if (!run.foreground()) return;
      ctx.exit_status = run.follow([](std::string_view d) { ::fwrite(d.data(), 1, d.size(), stdout), ::fflush(stdout); });
    });
  }
}

}  // namespace

void add_service_commands(CLI::App& app, Context& ctx) {
  add_ports_command(app, ctx);
  add_forward_command(app, ctx);
  add_jupyter_command(app, ctx);
  add_tensorboard_command(app, ctx);
  add_code_command(app, ctx);
  add_debug_command(app, ctx);
}

}  // namespace dlc::cli
