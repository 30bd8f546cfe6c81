// JSON with comments and trailing commas, as devcontainer.json is written.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace dlc::config {

// Parses JSONC. On bad input throws Error{ConfigInvalid} whose message names the file, line and
// column ("path/devcontainer.json:12:5: expected ',' or '}'") and whose hint says how to fix it.
// Nesting deeper than kMaxConfigDepth (support/nesting.h) is refused there too, before it is parsed.
nlohmann::json parse_jsonc(std::string_view text, const std::string& file_name);

// The same, keeping the objects' keys in the file's order (where the order means something, such as
// a Feature's containerEnv, whose values may refer to the ones before).
nlohmann::ordered_json parse_jsonc_ordered(std::string_view text, const std::string& file_name);

// The largest configuration file read (devcontainer.json, the user's config.json): far beyond any
// real one, and small enough to parse at once.
inline constexpr std::size_t kMaxConfigBytes = std::size_t{4} << 20;

// Reads a configuration file whole. Error{PathNotFound} when it does not exist; Error{ConfigInvalid}
// when it is a folder, a FIFO or anything else that is not a regular file (never opened: a FIFO would
// block), or is larger than kMaxConfigBytes.
std::string read_config_text(const std::string& path);

}  // namespace dlc::config
