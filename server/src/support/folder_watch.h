// Whether paths an answer was read from have changed since, told by the kernel (inotify) without
// touching a file system: for answers given on a thread that must never wait on one (the server's I/O
// thread). A caller watches the paths before it reads what it will answer from, keeps the marks it is
// given, and later asks whether anything happened to them since.
//
// A path is watched in every folder on its way: `/a/b/c` is the entry `a` of `/`, `b` of `/a` and `c` of
// `/a/b`. So a file written, touched, replaced by a rename (an editor's save), removed or made, and any
// folder above it renamed, removed or put in its place, is a change; so are a watch the kernel dropped
// and a lost event queue. A path that does not exist yet is watched up to the folder it would appear in.
//
// Only folders on local file systems are watched (ext4, XFS, Btrfs, tmpfs, overlay, ...): on NFS and other
// network or FUSE file systems a change made on another machine is never told, so there watch() declines
// and the caller reads the files each time, as it would without this. A symbolic link on the way is
// declined too (a change of what it points to is not told where it is watched).
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace dlc {

class FolderWatch {
 public:
  // A caller's view when it watched: each (watch, entry) and the count of its changes then.
  struct Marks {
    std::uint64_t overflows = 0;
    std::vector<std::tuple<int, std::string, std::uint64_t>> counts;
  };

  FolderWatch();
  ~FolderWatch();
  FolderWatch(const FolderWatch&) = delete;
  FolderWatch& operator=(const FolderWatch&) = delete;

  // Watches every path (absolute, without `.` or `..`); it reads the file system: a worker's call.
  // nullopt when one of them cannot be: not on a local file system, a symbolic link on the way, or
  // inotify's limits (kMaxWatches here, the kernel's max_user_watches).
  std::optional<Marks> watch(const std::vector<std::filesystem::path>& paths);
  // True when nothing happened to the marked paths since watch() gave the marks. Reads only the
  // kernel's queue of events, never a file system: safe on any thread.
  bool unchanged(const Marks& marks);

  static constexpr std::size_t kMaxWatches = 4096;
  static constexpr std::size_t kMaxEntries = 65536;  // names watched, all folders together

 private:
  struct Watched {
    std::uint64_t self = 0;                                   // the folder itself moved, removed, unwatched
    std::unordered_map<std::string, std::uint64_t> entries;   // changes of each entry watched, by name
  };
  // Under mu_: counts the entry `name` of a watched folder, and adds its count now to marks. False
  // beyond the limits.
  bool mark(int wd, const std::string& name, Marks& marks);
  std::uint64_t count(int wd, const std::string& name) const;  // under mu_
  void drain();  // under mu_: counts the queued events against their watches

  std::mutex mu_;
  int fd_ = -1;
  std::uint64_t overflows_ = 0;
  std::size_t names_ = 0;
  std::unordered_map<int, Watched> watched_;  // by watch descriptor
};

// Whether a file system of this statfs f_type tells inotify of every change: a local one.
bool local_file_system(long f_type);

}  // namespace dlc
