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

namespace {

constexpr int kMissing = -1, kDeclined = -2;

// Watches a folder on a path's way (the file system is read: outside any lock). Its descriptor, or
// kMissing when it is not there (its parent's watch of it tells when it comes), or kDeclined.
int place(int fd, const fs::path& folder) {
  // IN_DONT_FOLLOW with IN_ONLYDIR: a symbolic link on the way is not a folder here, and is declined.
  int wd = ::inotify_add_watch(fd, folder.c_str(), kEntryEvents | kSelfEvents | IN_MASK_ADD | IN_ONLYDIR | IN_DONT_FOLLOW);
  if (wd < 0) return errno == ENOENT ? kMissing : kDeclined;
  struct statfs st {};
  if (::statfs(folder.c_str(), &st) != 0 || !local_file_system(static_cast<long>(st.f_type))) return kDeclined;
  return wd;
}

}  // namespace

bool FolderWatch::mark(int wd, const std::string& name, Marks& marks) {
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
  int fd = -1;
  {
    std::lock_guard lock(mu_);
    // Made when first needed: inotify instances are few per user (128 by default), and a process that
    // never keeps an answer (the CLI) should not hold one.
    if (fd_ < 0) fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    fd = fd_;
  }
  if (fd < 0) return std::nullopt;
  // Placed without the lock: unchanged() (the I/O thread's) must never wait behind a lookup that a
  // stuck file system holds up. An event before the marks are taken is no change after them.
  std::vector<std::pair<int, std::string>> placed;
  for (const auto& path : paths) {
    if (!normal_absolute(path) || !path.has_relative_path()) return std::nullopt;
    fs::path folder = path.root_path();
    for (const auto& part : path.relative_path()) {
      int wd = place(fd, folder);
      if (wd == kDeclined) return std::nullopt;
      if (wd == kMissing) break;
      placed.emplace_back(wd, part.string());
      folder /= part;
    }
  }
  std::lock_guard lock(mu_);
  drain();  // what happened before now is not a change after the marks
  Marks marks;
  marks.overflows = overflows_;
  for (const auto& [wd, name] : placed) {
    if (!mark(wd, name, marks)) return std::nullopt;
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
