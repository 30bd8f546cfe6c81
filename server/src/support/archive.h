// Unpacking archives that come from outside (a Feature's .tgz), through libarchive loaded when first
// used (support/library.h says why it is not linked).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

#include "support/library.h"

namespace dlc {

// libarchive, shared by every layer that reads or writes tar (engine/build_context writes them).
const Library& libarchive();

struct ExtractLimits {
  std::size_t max_entries = 10000;
  std::size_t max_total_bytes = std::size_t{512} << 20;  // uncompressed
};

// Unpacks a tar archive, compressed or not (gzip, zstd, xz... whatever libarchive reads), into dest
// (created when missing). Entries that would land outside dest (absolute paths, "..", links that
// point out) are refused, as are devices and fifos; owners are not kept. Error{ConfigInvalid} naming
// `what` when the archive is malformed or past the limits; dest may then hold part of it.
void extract_tar(std::string_view data, const std::filesystem::path& dest, const std::string& what,
                 const ExtractLimits& limits = {});

}  // namespace dlc
