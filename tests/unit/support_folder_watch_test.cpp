// support/folder_watch: what counts as a change of a watched path, and what is declined, with the real
// kernel's inotify on a real folder.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/folder_watch.h"

namespace fs = std::filesystem;
using namespace dlc;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "dlc-watch-XXXXXX").string();
    path = fs::canonical(::mkdtemp(pattern.data()));
  }
  ~TempDir() { fs::remove_all(path); }
};

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// A folder like a workspace's: .devcontainer/devcontainer.json and a file beside it.
struct Watched {
  TempDir dir;
  fs::path ws = dir.path / "ws";
  fs::path config = ws / ".devcontainer" / "devcontainer.json";
  FolderWatch watch;
  FolderWatch::Marks marks;
  Watched() {
    fs::create_directories(config.parent_path());
    write(config, "{}");
    write(ws / "train.py", "print(1)\n");
    auto m = watch.watch({ws, config});
    if (!m) ADD_FAILURE() << dir.path << " cannot be watched (is /tmp on a local file system?)";
    if (m) marks = *m;
  }
  bool unchanged() { return watch.unchanged(marks); }
};

}  // namespace

TEST(FolderWatch, NothingDoneIsNoChangeAndReadingIsNone) {
  Watched w;
  EXPECT_TRUE(w.unchanged());
  std::ifstream in(w.config);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "{}");
  EXPECT_TRUE(w.unchanged());
  EXPECT_TRUE(w.unchanged());  // asked again: the same
}

TEST(FolderWatch, AWrittenFileIsAChange) {
  Watched w;
  write(w.config, R"({"image": "x"})");
  EXPECT_FALSE(w.unchanged());
  EXPECT_FALSE(w.unchanged());  // and stays one
}

TEST(FolderWatch, AnEditorsSaveByRenameIsAChange) {
  Watched w;
  write(w.config.parent_path() / ".devcontainer.json.swp", "{}");
  EXPECT_TRUE(w.unchanged());  // another file in the folder: not a change of the watched one
  fs::rename(w.config.parent_path() / ".devcontainer.json.swp", w.config);
  EXPECT_FALSE(w.unchanged());
}

TEST(FolderWatch, ATouchIsAChange) {
  Watched w;
  ASSERT_EQ(::utimensat(AT_FDCWD, w.config.c_str(), nullptr, 0), 0);
  EXPECT_FALSE(w.unchanged());
}

TEST(FolderWatch, AnotherFileBesideItIsNoChange) {
  Watched w;
  write(w.ws / "train.py", "print(2)\n");
  write(w.ws / "new.py", "");
  fs::remove(w.ws / "new.py");
  EXPECT_TRUE(w.unchanged());
}

TEST(FolderWatch, AFolderAboveRenamedOrReplacedIsAChange) {
  Watched w;
  fs::rename(w.ws, w.dir.path / "moved");
  EXPECT_FALSE(w.unchanged());

  Watched again;
  fs::rename(again.ws, again.dir.path / "moved");
  fs::create_directory_symlink(again.dir.path / "moved", again.ws);  // the same path, through a link now
  EXPECT_FALSE(again.unchanged());
}

TEST(FolderWatch, AFileRemovedOrAPathThatAppearsIsAChange) {
  Watched w;
  fs::remove(w.config);
  EXPECT_FALSE(w.unchanged());

  TempDir dir;
  FolderWatch watch;
  fs::path record = dir.path / "state" / "slurm" / "abc.json";  // no folder of it yet
  auto marks = watch.watch({record});
  ASSERT_TRUE(marks);
  EXPECT_TRUE(watch.unchanged(*marks));
  fs::create_directories(record.parent_path());
  EXPECT_FALSE(watch.unchanged(*marks));
  marks = watch.watch({record});
  ASSERT_TRUE(marks);
  write(record, "{}");
  EXPECT_FALSE(watch.unchanged(*marks));
}

TEST(FolderWatch, ChangesBeforeTheMarksAreNotChangesAfterThem) {
  Watched w;
  write(w.config, R"({"a": 1})");
  auto marks = w.watch.watch({w.ws, w.config});  // watched again after the change: new marks
  ASSERT_TRUE(marks);
  EXPECT_TRUE(w.watch.unchanged(*marks));
  EXPECT_FALSE(w.unchanged());  // the old marks still see it
}

TEST(FolderWatch, DeclinesWhatItCannotPromise) {
  TempDir dir;
  fs::create_directories(dir.path / "real" / ".devcontainer");
  fs::create_directory_symlink(dir.path / "real", dir.path / "link");
  FolderWatch watch;
  // A link on the way: a change of what it points to would not be told where it is watched.
  EXPECT_FALSE(watch.watch({dir.path / "link" / ".devcontainer" / "devcontainer.json"}));
  // Not absolute, or not normal: what it names depends on more than the path.
  EXPECT_FALSE(watch.watch({"relative/devcontainer.json"}));
  EXPECT_FALSE(watch.watch({dir.path / "real" / ".." / "real"}));
  EXPECT_FALSE(watch.watch({dir.path / "real" / "." / ".devcontainer"}));
  EXPECT_FALSE(watch.watch({"/"}));
  EXPECT_TRUE(watch.watch({dir.path / "real" / ".devcontainer" / "devcontainer.json"}));
}

TEST(FolderWatch, StopsAtItsLimitOfWatches) {
  TempDir dir;
  FolderWatch watch;
  std::vector<fs::path> paths;
  for (std::size_t i = 0; i < FolderWatch::kMaxWatches; ++i) {
    fs::create_directory(dir.path / std::to_string(i));
    paths.push_back(dir.path / std::to_string(i) / "f");
  }
  // The folders above dir and each of the numbered ones: more than the limit together.
  EXPECT_FALSE(watch.watch(paths));
  paths.resize(16);
  auto marks = watch.watch(paths);  // what fits is still watched
  ASSERT_TRUE(marks);
  write(dir.path / "3" / "f", "x");
  EXPECT_FALSE(watch.unchanged(*marks));
}

TEST(FolderWatch, OnlyLocalFileSystemsAreTrusted) {
  EXPECT_TRUE(local_file_system(EXT4_SUPER_MAGIC));
  EXPECT_TRUE(local_file_system(XFS_SUPER_MAGIC));
  EXPECT_TRUE(local_file_system(BTRFS_SUPER_MAGIC));
  EXPECT_TRUE(local_file_system(TMPFS_MAGIC));
  EXPECT_TRUE(local_file_system(OVERLAYFS_SUPER_MAGIC));
  EXPECT_FALSE(local_file_system(NFS_SUPER_MAGIC));
  EXPECT_FALSE(local_file_system(0x65735546));  // FUSE: sshfs and the like
  EXPECT_FALSE(local_file_system(V9FS_MAGIC));  // 9p: WSL's and VMs' shared folders
  EXPECT_FALSE(local_file_system(CIFS_SUPER_MAGIC));
  EXPECT_FALSE(local_file_system(SMB2_SUPER_MAGIC));
  EXPECT_FALSE(local_file_system(0x0BD00BD0));  // Lustre
  EXPECT_FALSE(local_file_system(0x47504653));  // GPFS
  EXPECT_FALSE(local_file_system(CEPH_SUPER_MAGIC));
}
