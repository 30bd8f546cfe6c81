#include "support/folder_watch.h"

#include <linux/magic.h>
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace dlc {

namespace fs = std::filesystem;

namespace {

// What is counted: an entry made, removed, renamed in or out, written or its attributes changed; the
// folder itself moved, removed, or its watch dropped by the kernel (IN_IGNORED, IN_UNMOUNT are always told).
constexpr std::uint32_t kEntryEvents = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB;
constexpr std::uint32_t kSelfEvents = IN_DELETE_SELF | IN_MOVE_SELF;

bool normal_absolute(const fs::path& p) {
  if (!p.is_absolute()) return false;
  return std::none_of(p.begin(), p.end(), [](const fs::path& part) { return part == "." || part == ".." || part.empty(); });
}

}  // namespace

bool local_file_system(long f_type) {
  // Where every change goes through this kernel. Not NFS, CIFS/SMB, FUSE (sshfs, and many others),
  // 9p (WSL's and VMs' shared folders), Lustre, GPFS, Ceph, ...: there another machine changes files
  // without an event here.
  static constexpr long kLocal[] = {
      EXT4_SUPER_MAGIC,  // also ext2 and ext3
      XFS_SUPER_MAGIC,    BTRFS_SUPER_MAGIC, TMPFS_MAGIC,     OVERLAYFS_SUPER_MAGIC, F2FS_SUPER_MAGIC,
      0x2fc12fc1,         // ZFS
      REISERFS_SUPER_MAGIC, 0x3153464a,  // JFS
      RAMFS_MAGIC,
  };
  return std::find(std::begin(kLocal), std::end(kLocal), f_type) != std::end(kLocal);
}

FolderWatch::FolderWatch() = default;

FolderWatch::~FolderWatch() {
  if (fd_ >= 0) ::close(fd_);
}

bool FolderWatch::watch_entry(const fs::path& folder, const std::string& name, Marks& marks, bool& folder_exists) {
  // IN_DONT_FOLLOW with IN_ONLYDIR: a symbolic link on the way is not a folder here, and is declined.
  int wd = ::inotify_add_watch(fd_, folder.c_str(), kEntryEvents | kSelfEvents | IN_MASK_ADD | IN_ONLYDIR | IN_DONT_FOLLOW);
  if (wd < 0) {
    // A folder that is not there: its parent's watch of it tells when it comes.
    folder_exists = false;
    return errno == ENOENT;
  }
  folder_exists = true;
  struct statfs st {};
  if (::statfs(folder.c_str(), &st) != 0 || !local_file_system(static_cast<long>(st.f_type))) return false;
  auto [it, made] = watched_.try_emplace(wd);
  if (made && watched_.size() > kMaxWatches) {
    watched_.erase(it);
    ::inotify_rm_watch(fd_, wd);
    return false;
  }
  if (!it->second.entries.contains(name)) {
    if (names_ >= kMaxEntries) return false;
    it->second.entries.emplace(name, 0);
    ++names_;
  }
  marks.counts.emplace_back(wd, name, count(wd, name));
  return true;
}

std::optional<FolderWatch::Marks> FolderWatch::watch(const std::vector<fs::path>& paths) {
  std::lock_guard lock(mu_);
  // Made when first needed: inotify instances are few per user (128 by default), and a process that
  // never keeps an answer (the CLI) should not hold one.
  if (fd_ < 0) fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return std::nullopt;
  drain();  // what happened before now is not a change after the marks
  Marks marks;
  marks.overflows = overflows_;
  for (const auto& path : paths) {
    if (!normal_absolute(path) || !path.has_relative_path()) return std::nullopt;
    fs::path folder = path.root_path();
    for (const auto& part : path.relative_path()) {
      bool exists = true;
      if (!watch_entry(folder, part.string(), marks, exists)) return std::nullopt;
      if (!exists) break;
      folder /= part;
    }
  }
  std::sort(marks.counts.begin(), marks.counts.end());
  marks.counts.erase(std::unique(marks.counts.begin(), marks.counts.end()), marks.counts.end());
  return marks;
}

bool FolderWatch::unchanged(const Marks& marks) {
  std::lock_guard lock(mu_);
  if (fd_ < 0) return false;
  drain();
  if (overflows_ != marks.overflows) return false;
  return std::all_of(marks.counts.begin(), marks.counts.end(),
                     [&](const auto& m) { return count(std::get<0>(m), std::get<1>(m)) == std::get<2>(m); });
}

std::uint64_t FolderWatch::count(int wd, const std::string& name) const {
  auto it = watched_.find(wd);
  if (it == watched_.end()) return 0;
  auto e = it->second.entries.find(name);
  return it->second.self + (e == it->second.entries.end() ? 0 : e->second);
}

void FolderWatch::drain() {
  alignas(struct inotify_event) char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) return;  // EAGAIN: nothing more queued
    for (char* p = buf; p < buf + n;) {
      const auto* ev = reinterpret_cast<const struct inotify_event*>(p);
      p += sizeof(struct inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        ++overflows_;
        continue;
      }
      auto it = watched_.find(ev->wd);
      if (it == watched_.end()) continue;
      if (ev->mask & (kSelfEvents | IN_IGNORED | IN_UNMOUNT)) {
        ++it->second.self;
      } else if (ev->len > 0) {
        if (auto e = it->second.entries.find(ev->name); e != it->second.entries.end()) ++e->second;
      }
    }
  }
}

}  // namespace dlc
