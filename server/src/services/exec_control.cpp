#include "services/exec_control.h"

#include "agent/protocol.h"
#include "services/agent_inject.h"
#include "support/error.h"

namespace dlc::services {

namespace {

struct Ran {
  int status = -1;
  std::string err;
};

// Runs the agent as root in the container: it must reach processes of every user there. Never
// cancelled: it is what a cancel runs.
Ran run_agent(const engine::Engine& engine, const std::string& container, std::vector<std::string> args) {
  engine::ExecSpec spec{.cmd = agent_command(ensure_agent(engine, container), std::move(args)), .user = "0"};
  engine::ExecIO io;
  Ran ran;
  io.on_stderr = [&](std::string_view d) { ran.err.append(d.substr(0, 4096 - std::min<std::size_t>(ran.err.size(), 4096))); };
  ran.status = engine.run_exec(container, spec, io);
  return ran;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

engine::ExecControl agent_exec_control() {
  engine::ExecControl control;
  control.signal = [](const engine::Engine& engine, const std::string& container, const std::string& marker,
                      const std::string& signal) {
    auto ran = run_agent(engine, container, {"signal", "--env", marker, signal});
    if (ran.status != agent::kExitOk && ran.status != agent::kExitGone) {
      throw Error(ErrorCode::CommandFailed, "could not send SIG" + signal + " to the command: " + trimmed(ran.err));
    }
  };
  control.stop = [](const engine::Engine& engine, const std::string& container, const std::string& marker) {
    Ran ran;
    try {
      ran = run_agent(engine, container, {"stop", "--env", marker, "--grace", "3"});
    } catch (const Error& e) {
      throw Error(e.code(), std::string("cancelled, but the command could not be stopped: ") + e.what(),
                  "it may still run in the container: restart the container (dlcontainer down, then up) to end it");
    }
    if (ran.status != agent::kExitOk) {
      throw Error(ErrorCode::CommandFailed, "cancelled, but the command still runs in the container: " + trimmed(ran.err),
                  "restart the container (dlcontainer down, then up) to end it");
    }
  };
  return control;
}

bool signal_process(const engine::Engine& engine, const std::string& container_id, int pid, const std::string& signal) {
  auto ran = run_agent(engine, container_id, {"signal", "--pid", std::to_string(pid), signal});
  if (ran.status == agent::kExitGone) return false;
  if (ran.status != agent::kExitOk) {
    throw Error(ErrorCode::CommandFailed, "could not send SIG" + signal + " to process " + std::to_string(pid) +
                                              " in the container: " + trimmed(ran.err));
  }
  return true;
}

}  // namespace dlc::services
