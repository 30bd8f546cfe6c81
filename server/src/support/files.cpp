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
  // Most files are small: one read onto the stack, and a short read (a regular file's end) says it
  // was all. Only a larger file is asked its size, so that its buffer is made once: growing one by
  // doubling touches each page two or three times, and a page's first touch costs on a VM.
  char first[16 << 10];
  ssize_t n = ::read(fd, first, std::min(sizeof first, limit));
  std::string out(first, static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
  if (n == static_cast<ssize_t>(sizeof first) && out.size() < limit) {
    struct stat st {};
    std::size_t size = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) : 0;
    std::size_t got = out.size();
    out.resize(std::min(limit, std::max(size + 1, got * 2)));  // +1: a file that grew shows it
    for (;;) {
      n = got < out.size() ? ::read(fd, out.data() + got, out.size() - got) : 0;
      if (n > 0) got += static_cast<std::size_t>(n);
      if (n <= 0 || got < out.size() || got >= limit) break;
      out.resize(std::min(limit, out.size() * 2));  // a pipe, or a file still growing
    }
    out.resize(got);
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
  // Made afresh (O_EXCL), so that it has mode from its first byte: one left by a crash could have
  // other permissions, and a symbolic link there is not followed.
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
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
