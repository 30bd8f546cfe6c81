// What up and down hold while they change a workspace's container.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/status_cache.h"
#include "support/hash.h"

namespace dlc::core {

// Across processes too: two `dlcontainer up` started at once must not make two containers.
class FileLock {
 public:
  explicit FileLock(const std::string& key) {
    namespace fs = std::filesystem;
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    fs::path dir = fs::path(runtime && *runtime ? runtime : "/tmp") / ("dlcontainer-" + std::to_string(::getuid()));
    std::error_code ec;
    fs::create_directories(dir, ec);
    fs::permissions(dir, fs::perms::owner_all, ec);
    fd_ = ::open((dir / (sha256_hex(key).substr(0, 16) + ".lock")).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

// Whatever up or down did (or failed halfway through), the next status asks the engine again, so a
// client reads its own writes without waiting for the events to arrive.
struct InvalidateOnExit {
  StatusCache& cache;
  std::string folder;
  ~InvalidateOnExit() { cache.invalidate(folder); }
};

}  // namespace dlc::core
