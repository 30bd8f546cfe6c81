// The built-in catalog's files, compiled into the binary (see server/cmake/embed_catalog.cmake).
#pragma once

#include <string_view>
#include <vector>

namespace dlc::resolve {

struct EmbeddedFile {
  std::string_view name;  // "pytorch.json"
  std::string_view text;
};

const std::vector<EmbeddedFile>& builtin_catalog_files();

}  // namespace dlc::resolve
