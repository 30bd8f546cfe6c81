// The per-user folder that holds dlcontainer's locks and records, and the locks in it. Without
// XDG_RUNTIME_DIR it lives in the shared /tmp, where another user could make it first (or put a
// symbolic link there): every use checks that it is a real folder of this user's, closed to others,
// and every file in it is opened without following links and checked the same way.
#pragma once

#include <filesystem>
#include <string>

namespace dlc {

// $XDG_RUNTIME_DIR/dlcontainer-UID (else /tmp/dlcontainer-UID), or its subfolder `sub`; made 0700
// when missing. Error{Internal} naming the folder, with a hint, when it is a link, not a folder, or
// belongs to someone else. A folder of this user's that others may open is closed (0700) first.
std::filesystem::path private_runtime_dir(const std::string& sub = "");

// An flock(2) on a file in a private folder: created 0600 when missing, opened with O_NOFOLLOW, and
// refused (Error{Internal}) when it is not a regular file of this user's. Released when destroyed.
class FileLock {
 public:
  // operation: LOCK_EX or LOCK_SH, with LOCK_NB to not wait (held() then says whether it was taken).
  FileLock(const std::filesystem::path& file, int operation);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  bool held() const { return held_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  bool held_ = false;
};

}  // namespace dlc
