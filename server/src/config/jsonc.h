// JSON with comments and trailing commas, as devcontainer.json is written.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace dlc::config {

// Parses JSONC. On bad input throws Error{ConfigInvalid} whose message names the file, line and
// column ("path/devcontainer.json:12:5: expected ',' or '}'") and whose hint says how to fix it.
nlohmann::json parse_jsonc(std::string_view text, const std::string& file_name);

// The same, keeping the objects' keys in the file's order (where the order means something, such as
// a Feature's containerEnv, whose values may refer to the ones before).
nlohmann::ordered_json parse_jsonc_ordered(std::string_view text, const std::string& file_name);

}  // namespace dlc::config
