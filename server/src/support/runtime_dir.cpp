#include "support/runtime_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "support/error.h"

namespace dlc {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void not_ours(const fs::path& path, const std::string& why) {
  throw Error(ErrorCode::Internal, path.string() + " " + why + "; dlcontainer keeps its locks there and will not trust it",
              "remove it if it is yours (rm -rf " + path.string() + "), or set XDG_RUNTIME_DIR to a folder of your own");
}

// One level: made when missing, then opened without following a link and checked through its
// descriptor, so what is checked is what was opened.
void ensure_private_folder(const fs::path& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    throw Error(ErrorCode::Internal, "cannot make " + path.string() + ": " + std::strerror(errno),
                "set XDG_RUNTIME_DIR to a folder you may write");
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) not_ours(path, errno == ELOOP || errno == ENOTDIR ? "is not a folder (a link or a file)" : "cannot be opened");
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
  if (ok && st.st_uid != ::geteuid()) {
    ::close(fd);
    not_ours(path, "belongs to uid " + std::to_string(st.st_uid));
  }
  if (ok && (st.st_mode & 077) != 0) ok = ::fchmod(fd, 0700) == 0;  // ours, made by an older version
  ::close(fd);
  if (!ok) not_ours(path, "cannot be checked or closed to other users");
}

}  // namespace

fs::path private_runtime_dir(const std::string& sub) {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  fs::path dir = fs::path(runtime && *runtime ? runtime : "/tmp") / ("dlcontainer-" + std::to_string(::geteuid()));
  ensure_private_folder(dir);
  if (sub.empty()) return dir;
  ensure_private_folder(dir / sub);
  return dir / sub;
}

FileLock::FileLock(const fs::path& file, int operation) {
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    if (errno == ELOOP) not_ours(file, "is a symbolic link");
    throw Error(ErrorCode::Internal, "cannot open the lock " + file.string() + ": " + std::strerror(errno),
                "check that " + file.parent_path().string() + " is yours and writable");
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
    ::close(fd_);
    fd_ = -1;
    not_ours(file, "is not a file of this user's");
  }
  while (!(held_ = ::flock(fd_, operation) == 0) && errno == EINTR) {
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace dlc
