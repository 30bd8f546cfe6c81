#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/error.h"
#include "support/process.h"

namespace dlc {
namespace {

TEST(RunProcess, GivesLinesAsTheyComeItsStatusAndTakesStdinAndEnv) {
  std::vector<std::string> lines;
  ProcessSpec spec{.argv = {"/bin/sh", "-c", "cat; echo \"$MARK\" >&2; pwd; exit 3"}, .cwd = "/tmp",
                   .env = {{"MARK", "marked"}}, .stdin_data = "from stdin\nsecond"};
  auto r = run_process(spec, [&](bool is_err, std::string_view line) { lines.push_back((is_err ? "E:" : "O:") + std::string(line)); });
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(r.out, "from stdin\nsecond/tmp\n");
  EXPECT_EQ(r.err, "marked\n");
  EXPECT_THAT(lines, ::testing::UnorderedElementsAre("O:from stdin", "O:second/tmp", "E:marked"));
}

TEST(RunProcess, KeepsAtMostTheLimitButPassesEveryLineOn) {
  int count = 0;
  auto r = run_process({.argv = {"/bin/sh", "-c", "for i in 1 2 3 4 5; do echo 0123456789; done"}},
                       [&](bool, std::string_view) { ++count; }, {}, 15);
  EXPECT_EQ(r.out.size(), 15u);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(count, 5);
}

TEST(RunProcess, AMissingProgramIsNamedAndACancelStopsItsChildrenToo) {
  try {
    run_process({.argv = {"no-such-program-dlc"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::PathNotFound);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("no-such-program-dlc"));
  }
  auto token = CancelToken::make();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    token.cancel();
  });
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(run_process({.argv = {"/bin/sh", "-c", "sleep 30 & sleep 30; wait"}}, {}, token), Error);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace dlc
