#include "rpc/workers.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace dlc::rpc {

struct WorkerPool::State {
  struct Queue {
    std::deque<std::function<void()>> tasks;
    std::size_t running = 0;
    bool ready = false;  // in `ready`
  };

  std::mutex mu;
  std::condition_variable work_cv;
  std::condition_variable idle_cv;
  WorkerLimits limits;
  std::map<Client, Queue> queues;
  std::deque<Client> ready;  // clients with a task that may start now, in the order they are served
  Client next_client = 1;
  std::size_t queued = 0;    // tasks waiting, all clients
  std::size_t threads = 0;
  std::size_t starting = 0;  // threads made that have not yet looked for a task
  std::size_t waiting = 0;   // threads waiting for a task
  std::size_t busy = 0;      // tasks running
  bool stopping = false;

  // Puts the client in the rotation when it has a task it may start. Under mu.
  void maybe_ready(Client c, Queue& q) {
    if (!q.ready && !q.tasks.empty() && q.running < limits.per_client) {
      q.ready = true;
      ready.push_back(c);
    }
  }

  // Tasks that could start now if there were threads for them. Under mu.
  std::size_t startable() const {
    std::size_t n = 0;
    for (Client c : ready) {
      const Queue& q = queues.at(c);
      n += std::min(q.tasks.size(), limits.per_client - q.running);
    }
    return n;
  }
};

namespace {

void work(std::shared_ptr<WorkerPool::State> s) {
  std::unique_lock lock(s->mu);
  --s->starting;
  for (;;) {
    ++s->waiting;
    bool woke = s->work_cv.wait_for(lock, s->limits.idle_exit, [&] { return !s->ready.empty() || s->stopping; });
    --s->waiting;
    if (s->stopping || (!woke && s->ready.empty())) break;
    if (s->ready.empty()) continue;
    // The client at the front gets this thread and goes to the back of the rotation.
    WorkerPool::Client c = s->ready.front();
    s->ready.pop_front();
    auto& q = s->queues[c];
    q.ready = false;
    auto task = std::move(q.tasks.front());
    q.tasks.pop_front();
    --s->queued;
    ++q.running;
    ++s->busy;
    s->maybe_ready(c, q);
    lock.unlock();
    try {
      task();
    } catch (...) {
      // A task answers its own errors; one that escapes must not take the worker down.
    }
    task = nullptr;  // its captures die here, outside the lock
    lock.lock();
    --s->busy;
    auto& after = s->queues[c];
    --after.running;
    s->maybe_ready(c, after);
    if (after.running == 0 && after.tasks.empty()) s->queues.erase(c);
    if (!s->ready.empty()) s->work_cv.notify_one();
    if (s->busy == 0 && s->queued == 0) s->idle_cv.notify_all();
  }
  --s->threads;
  s->idle_cv.notify_all();
}

}  // namespace

WorkerPool::WorkerPool(WorkerLimits limits) : s_(std::make_shared<State>()) {
  if (limits.per_client == 0) limits.per_client = 1;
  s_->limits = limits;
}

WorkerPool::~WorkerPool() {
  std::lock_guard lock(s_->mu);
  s_->stopping = true;
  s_->queues.clear();
  s_->ready.clear();
  s_->queued = 0;
  s_->work_cv.notify_all();
}

WorkerPool::Client WorkerPool::new_client() {
  std::lock_guard lock(s_->mu);
  return s_->next_client++;
}

void WorkerPool::post(Client client, std::function<void()> task) {
  std::lock_guard lock(s_->mu);
  if (s_->stopping) throw std::runtime_error("the server is stopping");
  auto& q = s_->queues[client];
  q.tasks.push_back(std::move(task));
  ++s_->queued;
  s_->maybe_ready(client, q);
  if (s_->startable() > s_->waiting + s_->starting && s_->threads < s_->limits.max_threads) {
    ++s_->threads;
    ++s_->starting;
    std::thread(work, s_).detach();
  }
  s_->work_cv.notify_one();
}

bool WorkerPool::wait_idle(std::chrono::milliseconds limit) {
  std::unique_lock lock(s_->mu);
  return s_->idle_cv.wait_for(lock, limit, [&] { return s_->busy == 0 && s_->queued == 0; });
}

std::size_t WorkerPool::threads() const {
  std::lock_guard lock(s_->mu);
  return s_->threads;
}

}  // namespace dlc::rpc
