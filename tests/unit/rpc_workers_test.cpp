// The worker pool's fairness: a client holds at most per_client threads, and free threads go to the
// clients in turn, so one client's blocked work never keeps another client's request waiting.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "rpc/workers.h"
#include "test_event.h"

namespace dlc::rpc {
namespace {

// Tasks wait at a gate the test opens.
using Gate = test::Event;

TEST(WorkerPool, AClientWithManyBlockedTasksLeavesThreadsForAnother) {
  WorkerPool pool(WorkerLimits{.max_threads = 4, .per_client = 2});
  Gate gate, other_ran;
  std::atomic<int> greedy_running{0}, greedy_max{0};
  auto greedy = pool.new_client();
  for (int i = 0; i < 10; ++i) {
    pool.post(greedy, [&] {
      int now = ++greedy_running;
      for (int seen = greedy_max; now > seen && !greedy_max.compare_exchange_weak(seen, now);) {
      }
      gate.wait();
      --greedy_running;
    });
  }
  auto polite = pool.new_client();
  pool.post(polite, [&] { other_ran.set(); });
  EXPECT_TRUE(other_ran.wait(std::chrono::seconds(10))) << "the other client's task waited for the greedy one's";
  gate.set();
  EXPECT_TRUE(pool.wait_idle(std::chrono::seconds(30)));
  EXPECT_LE(greedy_max.load(), 2) << "a client ran more tasks at once than per_client";
}

TEST(WorkerPool, WhileThePoolIsFullClientsAreServedInTurn) {
  // One thread: the order in which tasks start is the order in which clients are served.
  WorkerPool pool(WorkerLimits{.max_threads = 1, .per_client = 1});
  Gate gate;
  std::mutex mu;
  std::vector<char> order;
  auto a = pool.new_client();
  auto b = pool.new_client();
  pool.post(a, [&] { gate.wait(); });  // holds the only thread while the rest queue
  for (int i = 0; i < 3; ++i) {
    pool.post(a, [&] { std::lock_guard l(mu); order.push_back('a'); });
  }
  for (int i = 0; i < 3; ++i) {
    pool.post(b, [&] { std::lock_guard l(mu); order.push_back('b'); });
  }
  gate.set();
  ASSERT_TRUE(pool.wait_idle(std::chrono::seconds(30)));
  EXPECT_EQ(std::string(order.begin(), order.end()), "bababa");
}

TEST(WorkerPool, ATaskThatThrowsDoesNotTakeItsWorkerDown) {
  WorkerPool pool(WorkerLimits{.max_threads = 1, .per_client = 1});
  auto c = pool.new_client();
  std::atomic<bool> ran{false};
  pool.post(c, [] { throw std::runtime_error("escaped"); });
  pool.post(c, [&] { ran = true; });
  EXPECT_TRUE(pool.wait_idle(std::chrono::seconds(30)));
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace dlc::rpc
