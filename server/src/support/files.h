// Reading and writing whole small files, the way every layer needs them.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace dlc {

// The file's bytes up to limit, read into a buffer of its size; nullopt when it cannot be opened. A
// symbolic link is not followed when follow_links is false (a repository's files stay inside it).
std::optional<std::string> read_file(const std::string& path, std::size_t limit = std::size_t{64} << 20,
                                     bool follow_links = true);

// A file mapped read-only, its pages mapped at once (MAP_POPULATE): for large files read whole and
// kept as views, one system call instead of a page fault per 4 KiB. Unmapped when destroyed.
class MappedFile {
 public:
  // nullopt when it cannot be opened or mapped, is not a regular file, or is larger than limit.
  static std::optional<MappedFile> open(const std::string& path, std::size_t limit = std::size_t{64} << 20);
  MappedFile(MappedFile&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  MappedFile& operator=(MappedFile&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  ~MappedFile();

  std::string_view text() const { return {static_cast<const char*>(data_), size_}; }

 private:
  MappedFile(void* data, std::size_t size) : data_(data), size_(size) {}
  void* data_;
  std::size_t size_;
};

// Writes content beside path and renames it into place, so that a reader sees the old file or the new
// one, never half of one. mode is the new file's (less the umask). False when it could not be written;
// nothing is left behind then.
bool write_file_atomically(const std::string& path, std::string_view content, mode_t mode = 0644);

}  // namespace dlc
