// Words for a POSIX shell command line.
#pragma once

#include <string>
#include <string_view>

namespace dlc {

// One word in single quotes, as sh reads it back exactly: "it's" -> 'it'\''s'.
std::string shell_quote(std::string_view word);

}  // namespace dlc
