#include "core/debug_run.h"

#include "services/exec_control.h"
#include "support/error.h"

namespace dlc::core {

void InterruptLadder::set_stop(std::function<void()> stop) {
  std::lock_guard lock(mu_);
  stop_ = std::move(stop);
}

void InterruptLadder::interrupt() {
  std::function<void()> stop;
  {
    std::lock_guard lock(mu_);
    if (count_++ == 0) stop = stop_;
  }
  if (stop) stop();
  else cancel_.cancel();
}

DebugRun::DebugRun(const Workspaces& workspaces, DebugParams params, std::string kind, bool detach)
    : workspaces_(workspaces),
      params_(std::move(params)),
      kind_(std::move(kind)),
      foreground_(follows(params_, detach)),
      forwards_(foreground_ ? ForwardKeeper::Mode::InProcess : ForwardKeeper::Mode::Detached) {}

services::ServiceInfo DebugRun::start(ProgressSink& progress) {
  services_.emplace(workspace_services(workspaces_.engine(), params_.workspace, forwards_.forwarders(), progress));
  session_ = kind_ == "debugpy" ? services_->debugpy(params_) : services_->gdbserver(params_);
  return session_;
}

int DebugRun::follow(const engine::OutputSink& out) {
  if (!services_) throw Error(ErrorCode::Internal, "DebugRun::follow before start");
  const auto& engine = workspaces_.engine();
  const std::string container = services_->target().container_id;
  // Python turns SIGINT into KeyboardInterrupt; gdbserver ends on SIGTERM. The signal's thread may
  // still hold this after the run is gone: it owns what it uses.
  ladder_->set_stop([engine, container, pid = session_.pid, sig = kind_ == "debugpy" ? "INT" : "TERM"] {
    try {
      services::signal_process(engine, container, pid, sig);
    } catch (const Error&) {
    }
  });
  int status = 1;
  try {
    status = services_->follow(session_, out, ladder_->cancel());
  } catch (const Error& e) {
    if (e.code() != ErrorCode::Cancelled) throw;
    services::signal_process(engine, container, session_.pid, "KILL");
    status = 130;
  }
  ladder_->set_stop(nullptr);
  forwards_.stop_all();
  return status;
}

}  // namespace dlc::core
