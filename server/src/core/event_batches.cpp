#include "core/event_batches.h"

#include <iterator>
#include <set>
#include <spdlog/spdlog.h>


namespace dlc::core {

EventBatches::EventBatches(Handler handle) : handle_(std::move(handle)), thread_([this] { run(); }) {}

EventBatches::~EventBatches() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void EventBatches::push(WorkspaceEvent event) {
  {
    std::lock_guard lock(mu_);
    waiting_.push_back(std::move(event));
    if (waiting_.size() > kMaxWaiting) bound(waiting_, kMaxWaiting);
  }
  wake_.notify_one();
}

void EventBatches::bound(std::deque<WorkspaceEvent>& waiting, std::size_t max) {
  // Newest first: the first event seen of a workspace is its latest, and stays.
  std::set<std::string> seen;
  std::deque<WorkspaceEvent> kept;
  for (auto it = waiting.rbegin(); it != waiting.rend(); ++it) {
    if (seen.insert(it->workspace).second) kept.push_front(std::move(*it));
  }
  // More workspaces than the bound: the oldest go (no engine has this many containers' worth of
  // folders changing at once; a bound is a bound).
  while (kept.size() > max) kept.pop_front();
  spdlog::debug("{} engine events waiting: kept the latest of each workspace ({})", waiting.size(), kept.size());
  waiting = std::move(kept);
}

void EventBatches::run() {
  for (;;) {
    std::vector<WorkspaceEvent> batch;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      batch.assign(std::make_move_iterator(waiting_.begin()), std::make_move_iterator(waiting_.end()));
      waiting_.clear();
    }
    try {
      handle_(batch);
    } catch (const std::exception& e) {
      spdlog::warn("handling engine events failed: {}", e.what());
    }
  }
}

}  // namespace dlc::core
