// debugpy and gdbserver in the workspace's container: a program started under the debugger (or a
// running process attached to), reached from the host, and the VS Code launch.json entry that attaches.
#include <filesystem>

#include "services/service_text.h"
#include "services/services.h"
#include "services/services_impl.h"
#include "support/error.h"

namespace dlc::services {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// The program's path on the host, when it lies in the workspace (gdb on the host reads its symbols).
std::string host_path_of(const std::string& container_path, const Target& t) {
  fs::path p = fs::path(container_path).lexically_normal();
  fs::path rel = p.lexically_relative(t.workspace_folder);
  if (rel.empty() || rel.native().starts_with("..")) return {};
  return (fs::path(t.host_folder) / rel).lexically_normal().string();
}

const char* kPtraceHint =
    "set \"customizations\": {\"dlcontainer\": {\"debug\": true}} in devcontainer.json and run "
    "`dlcontainer up --rebuild`: the container then gets SYS_PTRACE and seccomp=unconfined";

}  // namespace

ServiceInfo Services::debugpy(const DebugOptions& options) { return debug("debugpy", options); }
ServiceInfo Services::gdbserver(const DebugOptions& options) { return debug("gdbserver", options); }

ServiceInfo Services::debug(const std::string& kind, const DebugOptions& options) {
  bool python = kind == "debugpy";
  if (options.command.empty() && options.pid <= 0) {
    throw Error(ErrorCode::InvalidArgument, "nothing to debug",
                python ? "dlcontainer debug python -- train.py ARGS (or --pid N)" : "dlcontainer debug gdb -- ./prog ARGS (or --pid N)");
  }
  ServiceInfo info{.kind = kind};
  if (!can_ptrace()) {
    info.notes.push_back(std::string("this container was made without SYS_PTRACE and seccomp=unconfined") +
                         (options.pid > 0 ? ", which attaching to a running process needs" : "") + ": " + kPtraceHint);
  }
  std::vector<std::string> args = options.command;
  std::string py = this->python();
  if (python && !args.empty() && fs::path(args.front()).filename().string().starts_with("python")) {
    py = args.front();
    args.erase(args.begin());
  }
  if (args.empty() && options.pid <= 0) {
    throw Error(ErrorCode::InvalidArgument, "no script to debug after " + py, "dlcontainer debug python -- train.py ARGS");
  }

  // The tool itself, installed when missing (debugpy from pip or Debian, gdbserver from Debian).
  int status = 0;
  auto have = [&] {
    if (python) run({py, "-c", "import debugpy"}, target_.user, &status);
    else run({"/bin/sh", "-c", "command -v gdbserver"}, target_.user, &status);
    return status == 0;
  };
  if (!have()) {
    if (python) install("debugpy", "debugpy", "python3-debugpy", py);
    else install("gdbserver", "", "gdbserver", "");
    if (!have()) throw Error(ErrorCode::CommandFailed, kind + " was installed but cannot be run by " + target_.user);
  }

  auto snap = snapshot();
  info.container_port = choose_port(snap, options.port > 0 ? options.port : python ? 5678 : 2345, options.port > 0);
  std::string bind = bind_address(info.container_port);
  std::string listen = bind + ":" + std::to_string(info.container_port);
  std::string program;  // in the container
  progress_.begin("Starting " + kind);
  std::vector<std::string> cmd;  // what is spawned; none when debugpy enters a running process
  if (python && options.pid > 0) {
    // debugpy puts its server into the running process, then this command ends; the process listens.
    std::string said = run({py, "-m", "debugpy", "--listen", listen, "--pid", std::to_string(options.pid)}, target_.user, &status);
    if (status != 0) {
      throw Error(ErrorCode::CommandFailed, "debugpy could not attach to process " + std::to_string(options.pid),
                  last_lines(said, 8) + (can_ptrace() ? "" : std::string("\n") + kPtraceHint));
    }
    info.pid = options.pid;
    info.detail = "pid " + std::to_string(options.pid);
  } else {
    if (python) {
      cmd = {py, "-m", "debugpy", "--listen", listen};
      if (options.wait) cmd.push_back("--wait-for-client");
    } else {
      std::string where = bind == "0.0.0.0" ? ":" + std::to_string(info.container_port) : listen;
      cmd = options.pid > 0 ? std::vector<std::string>{"gdbserver", "--attach", where, std::to_string(options.pid)}
                            : std::vector<std::string>{"gdbserver", where};
    }
    cmd.insert(cmd.end(), args.begin(), args.end());
    info.detail = options.pid > 0 ? "pid " + std::to_string(options.pid) : args.front() == "-m" && args.size() > 1 ? args[1] : args.front();
    if (!python && options.pid <= 0) program = args.front();
  }
  // The spawned debugger (not a process it attached to) ends when the start is cancelled.
  int spawned = 0;
  stopping_if_cancelled(spawned, [&] {
    if (info.pid == 0) info.pid = spawned = spawn(kind, info.container_port, cmd, {}, info.log, info.status_file);
    wait_listening(kind, info.container_port, info.pid, info.log, 30);
    reach(info);
  });
  progress_.end();

  std::string where = info.host_ip + ":" + std::to_string(info.host_port);
  if (python) {
    info.launch = {{"name", "dlcontainer: " + info.detail},
                   {"type", "debugpy"},
                   {"request", "attach"},
                   {"connect", {{"host", info.host_ip}, {"port", info.host_port}}},
                   {"pathMappings", json::array({{{"localRoot", target_.host_folder}, {"remoteRoot", target_.workspace_folder}}})},
                   {"justMyCode", false}};
  } else {
    if (options.pid > 0) program = last_lines(run({"readlink", "/proc/" + std::to_string(options.pid) + "/exe"}, "0", &status), 1);
    if (!program.empty() && !fs::path(program).is_absolute()) program = (fs::path(target_.workspace_folder) / program).string();
    std::string host_program = host_path_of(program, target_);
    if (host_program.empty() && !program.empty()) {
      info.notes.push_back(program + " is not in the workspace: gdb on the host needs a copy of it for symbols");
      host_program = program;
    }
    info.launch = {{"name", "dlcontainer: gdb " + info.detail},
                   {"type", "cppdbg"},
                   {"request", "launch"},
                   {"program", host_program},
                   {"cwd", target_.host_folder},
                   {"MIMode", "gdb"},
                   {"miDebuggerPath", "gdb"},
                   {"miDebuggerServerAddress", where},
                   {"sourceFileMap", {{target_.workspace_folder, target_.host_folder}}}};
  }
  save(info, json::object());
  return info;
}

}  // namespace dlc::services
