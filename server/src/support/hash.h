// Content hashes for labels and image tags.
#pragma once

#include <string>
#include <string_view>

namespace dlc {

std::string sha256_hex(std::string_view data);

}  // namespace dlc
