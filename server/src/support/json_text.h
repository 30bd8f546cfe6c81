// A JSON value serialised once and shared by everyone who sends it: what a cache hands to each reader
// of an answer that many clients ask for (a hundred workspaces' list is ~60 KB; building its tree and
// printing it again on every call was most of the list's latency). The text is what nlohmann's dump()
// prints, invalid UTF-8 replaced, as the RPC envelope prints any other value.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace dlc {

struct JsonText {
  std::shared_ptr<const std::string> text;  // never null once rendered

  static JsonText render(const nlohmann::json& value) {
    return JsonText{std::make_shared<const std::string>(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))};
  }
};

}  // namespace dlc
