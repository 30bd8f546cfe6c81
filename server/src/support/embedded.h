// Files compiled into the binary (server/cmake/embed_files.cmake): the compatibility catalog and the
// protocol's schemas travel with the program, so that no install step can leave them behind or stale.
#pragma once

#include <string_view>
#include <vector>

namespace dlc {

struct EmbeddedFile {
  std::string_view name;  // "pytorch.json"
  std::string_view text;
};

}  // namespace dlc
