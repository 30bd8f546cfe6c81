// The parts of core's service flows that need no engine: what successive Ctrl-Cs do to a debugged
// program in the foreground, which container events end a container's forwards, and who serves the
// forwards in each keeping mode.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/debug_run.h"
#include "core/forwards.h"

using namespace dlc;

TEST(InterruptLadder, FirstInterruptBeforeTheProgramRunsCancels) {
  core::InterruptLadder ladder;
  ladder.interrupt();
  EXPECT_TRUE(ladder.cancel().cancelled());
}

TEST(InterruptLadder, FirstInterruptAsksTheProgramToEndAndTheSecondCancels) {
  core::InterruptLadder ladder;
  int asked = 0;
  ladder.set_stop([&] { ++asked; });
  ladder.interrupt();
  EXPECT_EQ(asked, 1);
  EXPECT_FALSE(ladder.cancel().cancelled());
  ladder.interrupt();
  EXPECT_EQ(asked, 1);
  EXPECT_TRUE(ladder.cancel().cancelled());
}

TEST(InterruptLadder, AnInterruptBeforeTheStartStillCountsAsTheFirst) {
  core::InterruptLadder ladder;
  ladder.interrupt();
  int asked = 0;
  ladder.set_stop([&] { ++asked; });
  ladder.interrupt();
  EXPECT_EQ(asked, 0);
  EXPECT_TRUE(ladder.cancel().cancelled());
}

TEST(InterruptLadder, OnceTheProgramHasEndedAnInterruptCancelsInsteadOfAskingIt) {
  core::InterruptLadder ladder;
  int asked = 0;
  ladder.set_stop([&] { ++asked; });
  ladder.set_stop(nullptr);
  ladder.interrupt();
  EXPECT_EQ(asked, 0);
  EXPECT_TRUE(ladder.cancel().cancelled());
}

TEST(InterruptLadder, InterruptsFromManyThreadsAskTheProgramOnce) {
  core::InterruptLadder ladder;
  std::atomic<int> asked = 0;
  ladder.set_stop([&] { ++asked; });
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back([&] { ladder.interrupt(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(asked.load(), 1);
  EXPECT_TRUE(ladder.cancel().cancelled());
}

TEST(DebugRun, FollowsOnlyAProgramItStartsWithoutDetach) {
  core::DebugParams started;
  started.command = {"train.py"};
  EXPECT_TRUE(core::DebugRun::follows(started, false));
  EXPECT_FALSE(core::DebugRun::follows(started, true));
  core::DebugParams attached;
  attached.pid = 42;  // its output is not ours to show
  EXPECT_FALSE(core::DebugRun::follows(attached, false));
}

TEST(ForwardKeeper, OnlyADeadOrRemovedContainerEndsItsPorts) {
  EXPECT_TRUE(core::ends_ports("die"));
  EXPECT_TRUE(core::ends_ports("destroy"));
  for (const char* action : {"create", "start", "restart", "pause", "unpause", "rename", "oom"}) {
    EXPECT_FALSE(core::ends_ports(action)) << action;
  }
}

TEST(ForwardKeeper, EachModeHandsOutItsOwnKindOfForwarders) {
  core::ForwardKeeper detached(core::ForwardKeeper::Mode::Detached);
  core::ForwardKeeper in_process(core::ForwardKeeper::Mode::InProcess);
  EXPECT_NE(dynamic_cast<services::DetachedForwarders*>(&detached.forwarders()), nullptr);
  EXPECT_NE(dynamic_cast<services::InProcessForwarders*>(&in_process.forwarders()), nullptr);
}

TEST(ForwardKeeper, AContainerEventWithoutForwardsStopsNothing) {
  core::ForwardKeeper keeper(core::ForwardKeeper::Mode::InProcess);
  EXPECT_EQ(keeper.container_event({.workspace = "/w", .container_id = "c0ffee", .action = "die"}), 0);
}
