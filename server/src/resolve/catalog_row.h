// One row of a catalog document, read field by field with errors that name the row and the field
// ("catalog.json: frameworks[0].releases[3]: ..."). Shared by the files that read the catalog.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inspect/version.h"
#include "support/error.h"

namespace dlc::resolve {

class Row {
  using json = nlohmann::json;

 public:
  Row(const json& j, std::string where, const std::string& origin) : j_(j), where_(std::move(where)), origin_(origin) {
    if (!j_.is_object()) fail("must be an object");
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorCode::ConfigInvalid, origin_ + ": " + where_ + ": " + what,
                "see schemas/catalog.schema.json and docs/resolve.md for the catalog's shape");
  }

  std::string str(const char* key, bool required = false) const {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) {
      if (required) fail(std::string("\"") + key + "\" is missing");
      return "";
    }
    if (!it->is_string()) fail(std::string("\"") + key + "\" must be a string");
    return it->get<std::string>();
  }

  std::string version(const char* key, bool required = false) const {
    std::string v = str(key, required);
    if (!v.empty() && !inspect::Version::parse(v)) fail(std::string("\"") + key + "\" is not a version: " + v);
    return v;
  }

  std::vector<std::string> strings(const char* key) const {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return {};
    if (!it->is_array()) fail(std::string("\"") + key + "\" must be an array of strings");
    std::vector<std::string> out;
    for (const auto& s : *it) {
      if (!s.is_string()) fail(std::string("\"") + key + "\" must be an array of strings");
      out.push_back(s.get<std::string>());
    }
    return out;
  }

  const json* array(const char* key) const {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return nullptr;
    if (!it->is_array()) fail(std::string("\"") + key + "\" must be an array");
    return &*it;
  }

  // The row's source: required in the built-in catalog; a user file's rows default to the file.
  std::string source(const char* key, bool user) const {
    std::string s = str(key);
    if (s.empty() && !user) fail(std::string("\"") + key + "\" is missing: every built-in row cites its source");
    return s.empty() ? origin_ : s;
  }

 private:
  const json& j_;
  std::string where_;
  const std::string& origin_;
};

}  // namespace dlc::resolve
