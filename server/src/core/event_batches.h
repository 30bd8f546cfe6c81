// Engine events taken one at a time and handled in batches. The reader of the engine's event stream must
// not wait on the work an event causes (a status lookup is two round trips to the daemon); while the
// handler works on one batch the next one gathers, so a burst (a Compose project coming up, a hundred
// containers removed at once) costs one round of work per workspace, not one per event.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/workspace.h"

namespace dlc::core {

class EventBatches {
 public:
  using Handler = std::function<void(const std::vector<WorkspaceEvent>& batch)>;
  // Events waiting past this many: an older event of a workspace that has a newer one waiting is let
  // go (its status will be told with the newer one), so a flood holds at most one per workspace.
  static constexpr std::size_t kMaxWaiting = 4096;

  explicit EventBatches(Handler handle);
  // Stops the thread; events still waiting are not handled.
  ~EventBatches();
  EventBatches(const EventBatches&) = delete;
  EventBatches& operator=(const EventBatches&) = delete;

  void push(WorkspaceEvent event);

  // The rule push() applies past kMaxWaiting (public for its test).
  static void bound(std::deque<WorkspaceEvent>& waiting, std::size_t max);

 private:
  void run();

  Handler handle_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<WorkspaceEvent> waiting_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dlc::core
