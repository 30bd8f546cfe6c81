// engine/dial_ahead.h: while a DialAhead holds a slurm:// engine, taking a connection starts the next
// one (a spare), and the next connection is that spare rather than a new launch; with none held, each
// connection is its own launch and nothing is started ahead. `srun` here is a script on PATH that
// logs each start and keeps its stdio open until its input ends (one whose output closed would be a
// connection that ended, not a spare); the real srun runs in the Slurm integration tests and
// bench/slurm.sh. What is pinned is when launches happen.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "engine/dial_ahead.h"
#include "engine/http.h"

namespace dlc::engine {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class DialAheadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dlc-dial-ahead-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "srun") << "#!/bin/sh\necho \"$$\" >> " << (dir_ / "starts").string() << "\nexec cat\n";
    fs::permissions(dir_ / "srun", fs::perms::owner_all);
    old_path_ = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
    ::setenv("PATH", (dir_.string() + ":" + old_path_).c_str(), 1);
  }
  void TearDown() override {
    ::setenv("PATH", old_path_.c_str(), 1);
    fs::remove_all(dir_);
  }
  // The launches logged so far, once `want` of them have been (or 5 s have passed).
  int starts(int want) {
    int n = 0;
    for (int i = 0; i < 100; ++i) {
      std::ifstream in(dir_ / "starts");
      std::string text((std::istreambuf_iterator<char>(in)), {});
      n = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
      if (n >= want) break;
      std::this_thread::sleep_for(50ms);
    }
    return n;
  }
  fs::path dir_;
  std::string old_path_;
};

// Each connection is kept open while its launch is counted: one ended at once may be gone before its
// script has logged.
TEST_F(DialAheadTest, WhileHeldEachConnectionTakenStartsTheNextAndTheNextIsThatSpare) {
  auto job = Endpoint::parse("slurm://42/tmp/dlc-slurm-0-42/podman.sock", "test");
  {
    DialAhead ahead(job);
    Connection first(job);
    EXPECT_EQ(starts(2), 2) << "the first connection, and one started ahead";
    Connection second(job);
    EXPECT_EQ(starts(3), 3) << "the second took the spare and started one more";
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(starts(3), 3) << "not two";
  }
  // Released: a connection is its own launch again, with none started ahead.
  Connection third(job);
  EXPECT_EQ(starts(4), 4);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(starts(4), 4);
}

TEST_F(DialAheadTest, OtherEnginesAreNotDialledAhead) {
  auto job = Endpoint::parse("slurm://42/tmp/dlc-slurm-0-42/podman.sock", "test");
  auto other = Endpoint::parse("slurm://43/tmp/dlc-slurm-0-43/podman.sock", "test");
  DialAhead ahead(job);
  Connection c(other);
  EXPECT_EQ(starts(1), 1);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(starts(1), 1);
}

}  // namespace
}  // namespace dlc::engine
