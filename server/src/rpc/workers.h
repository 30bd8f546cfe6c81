// Where request handlers run: off the I/O thread, since core's work blocks (engine round trips, builds,
// execs). Threads are made as requests need them, up to a cap, and leave after a while idle, so that an
// idle server holds few.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace dlc::rpc {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t max_threads = 128, std::chrono::milliseconds idle_exit = std::chrono::seconds(30));
  // Idle threads leave at once; a busy one leaves when its task returns (threads are detached, so a
  // handler stuck in an uncancellable call never blocks the process from exiting).
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs task on a worker; queued when max_threads are busy. Throws after the pool is stopping.
  void post(std::function<void()> task);
  // Waits until no task is queued or running, at most `limit`; true when so.
  bool wait_idle(std::chrono::milliseconds limit);
  std::size_t threads() const;

 struct State;  // shared with the detached threads, so it outlives the pool while they finish

 private:
  std::shared_ptr<State> s_;
};

}  // namespace dlc::rpc
