// support/archive: a Feature's archive unpacks into its folder and nowhere else.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "engine/build_context.h"
#include "support/archive.h"
#include "support/error.h"
#include "support/files.h"

namespace fs = std::filesystem;
using namespace dlc;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("dlc-archive-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

TEST(Archive, UnpacksFilesWithTheirModesIntoTheFolder) {
  TempDir dir;
  auto tar = engine::tar_files({{"devcontainer-feature.json", "{}", 0644}, {"sub/install.sh", "#!/bin/sh\n", 0755}});
  extract_tar(tar, dir.path / "out", "test archive");
  EXPECT_EQ(read_file((dir.path / "out" / "devcontainer-feature.json").string()), "{}");
  EXPECT_EQ(fs::status(dir.path / "out" / "sub" / "install.sh").permissions() & fs::perms::owner_exec, fs::perms::owner_exec);
}

TEST(Archive, AnEntryThatWouldLandOutsideIsRefusedNamingTheArchive) {
  TempDir dir;
  for (std::string name : {"../evil", "/etc/evil", "a/../../evil"}) {
    auto tar = engine::tar_files({{name, "x", 0644}});
    try {
      extract_tar(tar, dir.path / "out", "Feature 'x'");
      ADD_FAILURE() << name << " was unpacked";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), ::testing::HasSubstr("Feature 'x'"));
    }
    EXPECT_FALSE(fs::exists(dir.path / "evil"));
  }
  EXPECT_THROW(extract_tar("not an archive at all", dir.path / "out", "junk"), Error);
}

}  // namespace
