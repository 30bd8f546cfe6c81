// Reading and writing whole small files, the way every layer needs them.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dlc {

// The file's bytes up to limit, read into a buffer of its size; nullopt when it cannot be opened. A
// symbolic link is not followed when follow_links is false (a repository's files stay inside it).
std::optional<std::string> read_file(const std::string& path, std::size_t limit = std::size_t{64} << 20,
                                     bool follow_links = true);

// Writes content beside path and renames it into place, so that a reader sees the old file or the new
// one, never half of one. mode is the new file's (less the umask). False when it could not be written;
// nothing is left behind then.
bool write_file_atomically(const std::string& path, std::string_view content, mode_t mode = 0644);

}  // namespace dlc
