// Reading wire objects: a key that is there and not null sets the field; otherwise the field keeps
// its default.
#pragma once

#include <nlohmann/json.hpp>

namespace dlc {

template <class T>
void get_if(const nlohmann::json& j, const char* key, T& out) {
  if (auto it = j.find(key); it != j.end() && !it->is_null()) it->get_to(out);
}

}  // namespace dlc
