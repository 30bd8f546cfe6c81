#include "support/files.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace dlc {

std::optional<std::string> read_file(const std::string& path, std::size_t limit, bool follow_links) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (follow_links ? 0 : O_NOFOLLOW));
  if (fd < 0) return std::nullopt;
  std::string out;
  struct stat st {};
  // A buffer of the file's size: growing one by doubling touches each page two or three times, and a
  // page's first touch is what costs on a virtual machine.
  std::size_t want = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? std::min<std::size_t>(st.st_size, limit) : 0;
  out.resize(want);
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  // Then what a pipe, or a file that grew since, has beyond that, up to the limit.
  char buf[4096];
  while (out.size() < limit) {
    ssize_t n = ::read(fd, buf, std::min(sizeof buf, limit - out.size()));
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

std::optional<MappedFile> MappedFile::open(const std::string& path, std::size_t limit) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::optional<MappedFile> out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) <= limit) {
    if (st.st_size == 0) {
      out = MappedFile(nullptr, 0);
    } else if (void* p = ::mmap(nullptr, st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0); p != MAP_FAILED) {
      out = MappedFile(p, static_cast<std::size_t>(st.st_size));
    }
  }
  ::close(fd);
  return out;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(data_, size_);
}

bool write_file_atomically(const std::string& path, std::string_view content, mode_t mode) {
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  bool ok = ::close(fd) == 0 && done == content.size() && std::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) ::unlink(tmp.c_str());
  return ok;
}

}  // namespace dlc
