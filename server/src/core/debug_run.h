// `debug python|gdb` without --detach: the program runs under the debugger while its output is
// followed here, and interrupts (Ctrl-C) end it in steps. The front end only draws and hands over
// the interrupts it receives.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/forwards.h"
#include "core/services.h"
#include "engine/engine.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

// What successive interrupts do to a program in the foreground: the first asks it to end (through
// `stop`, once there is one); any other (a second, or the first before the program runs) cancels,
// which stops following it. Thread-safe: interrupts come from a signal's thread.
class InterruptLadder {
 public:
  const CancelToken& cancel() const { return cancel_; }
  // What the first interrupt does from now on; nullptr: nothing is running to ask.
  void set_stop(std::function<void()> stop);
  void interrupt();

 private:
  std::mutex mu_;
  int count_ = 0;
  std::function<void()> stop_;
  CancelToken cancel_ = CancelToken::make();
};

class DebugRun {
 public:
  // kind: debugpy | gdbserver. detach: the program runs on by itself once it listens (its forwards
  // served by processes of their own), as start_debugpy does; else it is followed here (follow())
  // and its forwards live in this process until it ends. An attached process (params.pid) is never
  // followed: its output is not ours to show. Starts no thread (a front end blocks its signals first).
  DebugRun(const Workspaces& workspaces, DebugParams params, std::string kind, bool detach);

  // Whether such a run is followed here: neither detached nor attached to a running process.
  static bool follows(const DebugParams& params, bool detach) { return !detach && params.pid <= 0; }
  bool foreground() const { return foreground_; }
  // What an interrupt does, for a signal's thread; it may be called after this object is gone.
  std::function<void()> interrupter() const {
    return [ladder = ladder_] { ladder->interrupt(); };
  }

  // Starts the program under the debugger (progress must outlive this object).
  services::ServiceInfo start(ProgressSink& progress);
  // Foreground only, after start(): copies the program's output until it ends; returns its exit
  // status, or 130 when interrupts stopped the following (the program is then killed). Its forwards stop.
  int follow(const engine::OutputSink& out);

 private:
  const Workspaces& workspaces_;
  DebugParams params_;
  std::string kind_;
  bool foreground_;
  std::shared_ptr<InterruptLadder> ladder_ = std::make_shared<InterruptLadder>();
  ForwardKeeper forwards_;
  std::optional<services::Services> services_;
  services::ServiceInfo session_;
};

}  // namespace dlc::core
