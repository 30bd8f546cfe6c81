#include "rpc/workers.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace dlc::rpc {

struct WorkerPool::State {
  std::mutex mu;
  std::condition_variable work_cv;
  std::condition_variable idle_cv;
  std::deque<std::function<void()>> tasks;
  std::size_t max_threads = 0;
  std::chrono::milliseconds idle_exit{0};
  std::size_t threads = 0;
  std::size_t waiting = 0;  // threads waiting for a task
  std::size_t busy = 0;     // tasks running
  bool stopping = false;
};

namespace {

void work(std::shared_ptr<WorkerPool::State> s) {
  std::unique_lock lock(s->mu);
  for (;;) {
    ++s->waiting;
    bool woke = s->work_cv.wait_for(lock, s->idle_exit, [&] { return !s->tasks.empty() || s->stopping; });
    --s->waiting;
    if (s->tasks.empty() && (!woke || s->stopping)) break;
    if (s->tasks.empty()) continue;
    auto task = std::move(s->tasks.front());
    s->tasks.pop_front();
    ++s->busy;
    lock.unlock();
    try {
      task();
    } catch (...) {
      // A task answers its own errors; one that escapes must not take the worker down.
    }
    task = nullptr;  // its captures die here, outside the lock
    lock.lock();
    --s->busy;
    if (s->busy == 0 && s->tasks.empty()) s->idle_cv.notify_all();
  }
  --s->threads;
  s->idle_cv.notify_all();
}

}  // namespace

WorkerPool::WorkerPool(std::size_t max_threads, std::chrono::milliseconds idle_exit) : s_(std::make_shared<State>()) {
  s_->max_threads = max_threads;
  s_->idle_exit = idle_exit;
}

WorkerPool::~WorkerPool() {
  std::lock_guard lock(s_->mu);
  s_->stopping = true;
  s_->tasks.clear();
  s_->work_cv.notify_all();
}

void WorkerPool::post(std::function<void()> task) {
  std::lock_guard lock(s_->mu);
  if (s_->stopping) throw std::runtime_error("the server is stopping");
  s_->tasks.push_back(std::move(task));
  if (s_->tasks.size() > s_->waiting && s_->threads < s_->max_threads) {
    ++s_->threads;
    std::thread(work, s_).detach();
  }
  s_->work_cv.notify_one();
}

bool WorkerPool::wait_idle(std::chrono::milliseconds limit) {
  std::unique_lock lock(s_->mu);
  return s_->idle_cv.wait_for(lock, limit, [&] { return s_->busy == 0 && s_->tasks.empty(); });
}

std::size_t WorkerPool::threads() const {
  std::lock_guard lock(s_->mu);
  return s_->threads;
}

}  // namespace dlc::rpc
