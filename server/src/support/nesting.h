// How deep JSON text nests, found by one pass over its bytes before anything is built from it. Parsers
// build a deep document without trouble, but copying, dumping or walking one recurses once a level:
// input from outside is refused at a depth no real file needs, before it can exhaust the stack.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

namespace dlc {

// Deeper than any configuration dlcontainer reads (devcontainer.json nests 5 or 6 levels).
inline constexpr std::size_t kMaxConfigDepth = 64;

// The offset of the first '[' or '{' (outside strings) that opens a level beyond max_depth, or npos when
// the text stays within it. Unbalanced or otherwise broken text is left for the parser to report.
std::size_t find_nesting_beyond(std::string_view json_text, std::size_t max_depth);

// The line and column (both from 1) of a byte offset, as editors number them.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};
TextPosition position_of(std::string_view text, std::size_t offset);

// JSON from another program (the engine's replies and event lines, a registry's manifests): parsed only
// when it nests no deeper than max_depth, else (and when it is not JSON) a discarded value, which the
// caller reports as it reports any reply it cannot read. No dlcontainer reply nests beyond a few levels.
nlohmann::json parse_json_within(std::string_view text, std::size_t max_depth = kMaxConfigDepth);

}  // namespace dlc
