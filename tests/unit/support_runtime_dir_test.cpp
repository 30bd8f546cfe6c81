// support/runtime_dir: the per-user folder of locks is trusted only when it is this user's own folder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/error.h"
#include "support/runtime_dir.h"

namespace fs = std::filesystem;
using namespace dlc;
using ::testing::HasSubstr;

namespace {

// XDG_RUNTIME_DIR pointed at a fresh folder for the test's length.
class RuntimeDir : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("dlc-runtime-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(base_);
    if (const char* old = std::getenv("XDG_RUNTIME_DIR")) old_ = old;
    ::setenv("XDG_RUNTIME_DIR", base_.c_str(), 1);
    ours_ = base_ / ("dlcontainer-" + std::to_string(::geteuid()));
  }
  void TearDown() override {
    if (old_) ::setenv("XDG_RUNTIME_DIR", old_->c_str(), 1);
    else ::unsetenv("XDG_RUNTIME_DIR");
    fs::remove_all(base_);
  }
  std::string error_of(const std::function<void()>& fn) {
    try {
      fn();
    } catch (const Error& e) {
      EXPECT_FALSE(e.hint().empty());
      return e.what();
    }
    ADD_FAILURE() << "no error";
    return {};
  }
  fs::path base_, ours_;
  std::optional<std::string> old_;
};

TEST_F(RuntimeDir, IsMadeClosedToOthersWithItsSubfolders) {
  ::umask(022);
  EXPECT_EQ(private_runtime_dir("forwards"), ours_ / "forwards");
  for (const auto& p : {ours_, ours_ / "forwards"}) {
    struct stat st {};
    ASSERT_EQ(::stat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << p;
  }
}

TEST_F(RuntimeDir, AFolderOfOursThatOthersMayOpenIsClosed) {
  fs::create_directory(ours_);
  fs::permissions(ours_, fs::perms::all);
  private_runtime_dir();
  EXPECT_EQ(fs::status(ours_).permissions(), fs::perms::owner_all);
}

TEST_F(RuntimeDir, ALinkInItsPlaceIsRefusedAndNothingIsMadeWhereItPoints) {
  fs::create_directory(base_ / "elsewhere");
  fs::create_directory_symlink(base_ / "elsewhere", ours_);
  EXPECT_THAT(error_of([] { private_runtime_dir("forwards"); }), HasSubstr("is not a folder (a link or a file)"));
  EXPECT_TRUE(fs::is_empty(base_ / "elsewhere"));
}

TEST_F(RuntimeDir, AFolderOfAnotherUserIsRefused) {
  if (::geteuid() != 0) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL() << "CI=true and not root: cannot give a folder to another user";
    GTEST_SKIP() << "needs root to give a folder to another user";
  }
  fs::create_directory(ours_);
  ASSERT_EQ(::chown(ours_.c_str(), 4321, 4321), 0);
  EXPECT_THAT(error_of([] { private_runtime_dir(); }), HasSubstr("belongs to uid 4321"));
}

TEST_F(RuntimeDir, ALockThatIsALinkOrAnotherUsersFileIsRefused) {
  auto dir = private_runtime_dir();
  std::ofstream(base_ / "target") << "x";
  fs::create_symlink(base_ / "target", dir / "a.lock");
  EXPECT_THAT(error_of([&] { FileLock lock(dir / "a.lock", LOCK_EX); }), HasSubstr("is a symbolic link"));
  EXPECT_EQ(fs::file_size(base_ / "target"), 1u);
  if (::geteuid() == 0) {
    std::ofstream(dir / "b.lock") << "";
    ASSERT_EQ(::chown((dir / "b.lock").c_str(), 4321, 4321), 0);
    EXPECT_THAT(error_of([&] { FileLock lock(dir / "b.lock", LOCK_EX); }), HasSubstr("is not a file of this user's"));
  }
}

TEST_F(RuntimeDir, ALockIsHeldUntilItIsDestroyed) {
  auto file = private_runtime_dir() / "c.lock";
  {
    FileLock first(file, LOCK_EX);
    EXPECT_TRUE(first.held());
    FileLock second(file, LOCK_EX | LOCK_NB);  // another open file description: flock excludes it
    EXPECT_FALSE(second.held());
  }
  FileLock third(file, LOCK_EX | LOCK_NB);
  EXPECT_TRUE(third.held());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
