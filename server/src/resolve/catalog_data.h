// The built-in catalog's files, compiled into the binary (see server/cmake/embed_files.cmake).
#pragma once

#include <vector>

#include "support/embedded.h"

namespace dlc::resolve {

using dlc::EmbeddedFile;

const std::vector<EmbeddedFile>& builtin_catalog_files();

}  // namespace dlc::resolve
