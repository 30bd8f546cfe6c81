// EventBatches: events that arrive while a batch is being handled are handled together next, in order,
// and a flood keeps at most the latest event of each workspace.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "core/event_batches.h"

namespace dlc::core {
namespace {

WorkspaceEvent event(const std::string& folder, const std::string& action) { return WorkspaceEvent{folder, "id-" + folder, action, 0}; }

TEST(EventBatches, EventsArrivingDuringAHandlerAreHandledTogetherInOrder) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::vector<std::vector<WorkspaceEvent>> batches;
  {
    EventBatches events([&](const std::vector<WorkspaceEvent>& batch) {
      std::unique_lock lock(mu);
      batches.push_back(batch);
      cv.notify_all();
      cv.wait(lock, [&] { return release; });  // the first batch's work is slow
    });
    events.push(event("/a", "create"));
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return batches.size() == 1; });
    }
    events.push(event("/a", "start"));
    events.push(event("/b", "create"));
    events.push(event("/a", "die"));
    {
      std::unique_lock lock(mu);
      release = true;
      cv.notify_all();
      cv.wait(lock, [&] { return batches.size() == 2; });
    }
  }  // the destructor stops the thread
  ASSERT_EQ(batches.size(), 2u);
  ASSERT_EQ(batches[0].size(), 1u);
  ASSERT_EQ(batches[1].size(), 3u);
  EXPECT_EQ(batches[1][0].action, "start");
  EXPECT_EQ(batches[1][1].workspace, "/b");
  EXPECT_EQ(batches[1][2].action, "die");
}

TEST(EventBatches, AFloodKeepsTheLatestEventOfEachWorkspaceInOrder) {
  std::deque<WorkspaceEvent> waiting{event("/a", "create"), event("/b", "create"), event("/a", "start"),
                                     event("/c", "create"), event("/b", "destroy")};
  EventBatches::bound(waiting, 10);
  ASSERT_EQ(waiting.size(), 3u);
  EXPECT_EQ(waiting[0].workspace, "/a");
  EXPECT_EQ(waiting[0].action, "start");
  EXPECT_EQ(waiting[1].workspace, "/c");
  EXPECT_EQ(waiting[2].workspace, "/b");
  EXPECT_EQ(waiting[2].action, "destroy");
}

TEST(EventBatches, MoreWorkspacesThanTheBoundLetTheOldestGo) {
  std::deque<WorkspaceEvent> waiting{event("/a", "create"), event("/b", "create"), event("/c", "create")};
  EventBatches::bound(waiting, 2);
  ASSERT_EQ(waiting.size(), 2u);
  EXPECT_EQ(waiting[0].workspace, "/b");
  EXPECT_EQ(waiting[1].workspace, "/c");
}

}  // namespace
}  // namespace dlc::core
