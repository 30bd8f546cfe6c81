// Where request handlers run: off the I/O thread, since core's work blocks (engine round trips, builds,
// execs). Threads are made as requests need them, up to a cap, and leave after a while idle, so that an
// idle server holds few.
//
// Fair to every client: each client (a connection) has its own queue, runs at most per_client tasks at
// once, and a free thread takes the next task from the clients in turn. So a client with many long
// requests (64 execs that sleep) holds per_client threads at most and does not keep another client's
// `status` waiting, and while the pool is full, clients are served in rotation, not in arrival order.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace dlc::rpc {

struct WorkerLimits {
  // Handlers mostly wait (on the engine, a build, a command): threads are cheap, and enough of them
  // let four clients run all the 64 requests each may have in flight before any has to wait.
  std::size_t max_threads = 256;
  std::size_t per_client = 64;  // tasks of one client running at once; the rest wait in its queue
  std::chrono::milliseconds idle_exit = std::chrono::seconds(30);
};

class WorkerPool {
 public:
  using Client = std::uint64_t;

  explicit WorkerPool(WorkerLimits limits = {});
  // Idle threads leave at once; a busy one leaves when its task returns (threads are detached, so a
  // handler stuck in an uncancellable call never blocks the process from exiting).
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // A key for a new client's tasks.
  Client new_client();
  // Runs task on a worker, after the client's earlier tasks have started. Throws after the pool is stopping.
  void post(Client client, std::function<void()> task);
  // Waits until no task is queued or running, at most `limit`; true when so.
  bool wait_idle(std::chrono::milliseconds limit);
  std::size_t threads() const;

  struct State;  // shared with the detached threads, so it outlives the pool while they finish

 private:
  std::shared_ptr<State> s_;
};

}  // namespace dlc::rpc
