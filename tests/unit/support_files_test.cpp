// support/files: whole files read, mapped and written atomically.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/files.h"

namespace fs = std::filesystem;
using namespace dlc;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("dlc-files-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST(Files, ReadsAFileWholeOrUpToTheLimit) {
  TempDir dir;
  std::string big(300000, 'x');
  big[123456] = 'y';
  std::ofstream(dir.path / "big") << big;
  EXPECT_EQ(read_file((dir.path / "big").string()), big);
  EXPECT_EQ(read_file((dir.path / "big").string(), 10), std::string(10, 'x'));
  EXPECT_FALSE(read_file((dir.path / "absent").string()));
  // A symbolic link is followed unless asked not to be.
  fs::create_symlink(dir.path / "big", dir.path / "link");
  EXPECT_EQ(read_file((dir.path / "link").string(), 5), "xxxxx");
  EXPECT_FALSE(read_file((dir.path / "link").string(), 5, false));
}

TEST(Files, MapsAFileAndKeepsTheOldTextWhenItIsReplaced) {
  TempDir dir;
  std::string file = (dir.path / "cache").string();
  ASSERT_TRUE(write_file_atomically(file, "first\n", 0600));
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto mapped = MappedFile::open(file);
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->text(), "first\n");
  // Replaced by rename: the mapping still shows what was read.
  ASSERT_TRUE(write_file_atomically(file, "second, longer\n"));
  EXPECT_EQ(mapped->text(), "first\n");
  EXPECT_EQ(read_file(file), "second, longer\n");
  EXPECT_FALSE(MappedFile::open(file, 4));  // over the limit
  EXPECT_FALSE(MappedFile::open(dir.path.string()));  // a folder
  ASSERT_TRUE(write_file_atomically(file, ""));
  EXPECT_EQ(MappedFile::open(file)->text(), "");
  // A temporary file left by a crash, readable by all, does not lend its permissions to the new one.
  std::string stale = file + ".tmp" + std::to_string(::getpid());
  std::ofstream(stale) << "old";
  fs::permissions(stale, fs::perms::all);
  ASSERT_TRUE(write_file_atomically(file, "secret", 0600));
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Nothing is left beside it, and a folder that does not exist is a failure that leaves nothing.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);
  EXPECT_FALSE(write_file_atomically((dir.path / "no" / "such").string(), "x"));
}
