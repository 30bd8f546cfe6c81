// What up and down hold while they change a workspace's container.
#pragma once

#include <sys/file.h>

#include <string>

#include "core/status_cache.h"
#include "support/hash.h"
#include "support/runtime_dir.h"

namespace dlc::core {

// Across processes too: two `dlcontainer up` started at once must not make two containers. The lock
// file lives in the user's own checked runtime folder (support/runtime_dir.h: owned, 0700, no links).
class WorkspaceLock {
 public:
  explicit WorkspaceLock(const std::string& key)
      : lock_(private_runtime_dir() / (sha256_hex(key).substr(0, 16) + ".lock"), LOCK_EX) {}

 private:
  FileLock lock_;
};

// Whatever up or down did (or failed halfway through), the next status asks the engine again, so a
// client reads its own writes without waiting for the events to arrive.
struct InvalidateOnExit {
  StatusCache& cache;
  std::string folder;
  ~InvalidateOnExit() { cache.invalidate(folder); }
};

}  // namespace dlc::core
