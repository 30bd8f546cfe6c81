// support/cancel: a CancelToken's callbacks have std::stop_callback's lifetimes. A Registration that is
// destroyed while its callback runs on another thread waits for it (so the callback never touches
// what the registration's owner freed), and one destroyed from inside its own callback does not wait.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "support/cancel.h"
#include "support/error.h"
#include "test_event.h"

using namespace dlc;

namespace {

using test::Event;

}  // namespace

TEST(CancelToken, ADefaultTokenIsNeverCancelledAndRunsNoCallback) {
  CancelToken none;
  bool ran = false;
  auto reg = none.on_cancel([&] { ran = true; });
  none.cancel();
  EXPECT_FALSE(none.cancelled());
  EXPECT_FALSE(ran);
  EXPECT_NO_THROW(none.throw_if_cancelled());
}

TEST(CancelToken, CancelRunsEachCallbackOnceAndOneRegisteredLaterAtOnce) {
  auto token = CancelToken::make();
  int a = 0, b = 0;
  auto ra = token.on_cancel([&] { ++a; });
  auto rb = token.on_cancel([&] { ++b; });
  token.cancel();
  token.cancel();
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 1);
  EXPECT_TRUE(token.cancelled());
  int late = 0;
  auto rl = token.on_cancel([&] { ++late; });
  EXPECT_EQ(late, 1);
  try {
    token.throw_if_cancelled();
    ADD_FAILURE() << "did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Cancelled);
  }
}

TEST(CancelToken, ADestroyedRegistrationIsNotCalled) {
  auto token = CancelToken::make();
  bool ran = false;
  { auto reg = token.on_cancel([&] { ran = true; }); }
  token.cancel();
  EXPECT_FALSE(ran);
}

TEST(CancelToken, MoveAssigningARegistrationUnregistersTheCallbackItHeld) {
  auto token = CancelToken::make();
  int first = 0, second = 0;
  auto reg = token.on_cancel([&] { ++first; });
  reg = token.on_cancel([&] { ++second; });
  CancelToken::Registration moved;
  moved = std::move(reg);
  token.cancel();
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, 1);
}

TEST(CancelToken, ARegistrationDestroyedWhileItsCallbackRunsWaitsForTheCallbackToReturn) {
  // The HTTP client's callback shuts its descriptor down: if the registration's destructor returned
  // while that ran, the descriptor could be closed and reused, and the late shutdown would hit another.
  auto token = CancelToken::make();
  Event entered, release;
  std::atomic<bool> returned{false};
  std::optional<CancelToken::Registration> reg;
  reg.emplace(token.on_cancel([&] {
    entered.set();
    release.wait();
    returned = true;
  }));
  std::thread canceller([&] { token.cancel(); });
  ASSERT_TRUE(entered.wait());
  std::atomic<bool> returned_when_destroyed{false};
  std::thread destroyer([&] {
    reg.reset();
    returned_when_destroyed = returned.load();
  });
  // Give a destructor that does not wait the time to return early; one that waits cannot be early.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  release.set();
  destroyer.join();
  canceller.join();
  EXPECT_TRUE(returned_when_destroyed) << "the registration was gone while its callback still ran";
}

TEST(CancelToken, ACallbackMayDestroyItsOwnRegistrationWithoutDeadlock) {
  auto token = CancelToken::make();
  std::optional<CancelToken::Registration> reg;
  bool ran = false;
  reg.emplace(token.on_cancel([&] {
    ran = true;
    reg.reset();  // from inside the callback: must not wait for itself
  }));
  auto done = std::async(std::launch::async, [&] { token.cancel(); });
  ASSERT_EQ(done.wait_for(std::chrono::seconds(10)), std::future_status::ready) << "cancel() deadlocked";
  EXPECT_TRUE(ran);
  EXPECT_FALSE(reg.has_value());
}

TEST(CancelToken, ACallbackMayCancelAnotherTokenAndRegisterOnItsOwn) {
  auto outer = CancelToken::make();
  auto inner = CancelToken::make();
  bool inner_ran = false, late_ran = false;
  auto ri = inner.on_cancel([&] { inner_ran = true; });
  std::optional<CancelToken::Registration> late;
  auto ro = outer.on_cancel([&] {
    inner.cancel();
    late.emplace(outer.on_cancel([&] { late_ran = true; }));  // already cancelled: runs at once
  });
  auto done = std::async(std::launch::async, [&] { outer.cancel(); });
  ASSERT_EQ(done.wait_for(std::chrono::seconds(10)), std::future_status::ready) << "cancel() deadlocked";
  EXPECT_TRUE(inner_ran);
  EXPECT_TRUE(late_ran);
}

TEST(PauseUnlessCancelled, ReturnsAtTheCancelNotAtTheEndOfThePause) {
  auto token = CancelToken::make();
  Event waiting;
  auto paused = std::async(std::launch::async, [&] {
    waiting.set();
    pause_unless_cancelled(std::chrono::minutes(10), token);
  });
  ASSERT_TRUE(waiting.wait());
  token.cancel();
  EXPECT_EQ(paused.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  // Cancelled already: no pause at all.
  auto again = std::async(std::launch::async, [&] { pause_unless_cancelled(std::chrono::minutes(10), token); });
  EXPECT_EQ(again.wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST(PauseUnlessCancelled, ManyShortPausesRacingTheirCancelsLeaveNothingBehind) {
  // Each pause's state lives on its stack: a cancel that runs its callback as the pause returns must
  // be waited for, never touch a dead mutex. The window is narrow: this is a stress check, most telling
  // under a sanitizer (scripts/fuzz.sh's build, or -fsanitize=address).
  for (int i = 0; i < 200; ++i) {
    auto token = CancelToken::make();
    std::thread canceller([&] { token.cancel(); });
    pause_unless_cancelled(std::chrono::milliseconds(1), token);
    canceller.join();
  }
}
