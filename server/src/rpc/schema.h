// Params are held to schemas/protocol/*.json, the same files the Node tests validate every message with
// (compiled in: server/cmake/embed_files.cmake). Debian packages no JSON Schema validator for C++, so this
// is a small one for the subset those files use: type, properties, required, additionalProperties,
// items, minItems, uniqueItems, enum, const, minimum, maximum, pattern (RE2), oneOf and $ref (within a
// file and to common.json). A schema that uses any other keyword is refused when the set is loaded, so
// that no rule is ever skipped in silence. "integer" means a JSON integer that fits in 64 bits.
//
// Validation walks the instance only as deep as the schema describes it (never deeper than the schemas'
// own nesting, which input does not control), and stops at the first violation, which it names with its
// place: "params.mounts[2] must be a string".
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/embedded.h"

namespace re2 {
class RE2;
}

namespace dlc::rpc {

// schemas/protocol/*.json, as compiled in.
const std::vector<EmbeddedFile>& protocol_schema_files();

class SchemaSet {
 public:
  // Throws std::invalid_argument naming the file and place of a schema this validator cannot apply
  // (an unknown keyword, a $ref that leads nowhere, a pattern RE2 cannot compile).
  explicit SchemaSet(const std::vector<EmbeddedFile>& files);
  ~SchemaSet();
  SchemaSet(SchemaSet&&) noexcept;

  // Whether `file` (e.g. "workspace.up.json") has $defs.params.
  bool has_params(std::string_view method) const;
  // Validates a method's params against its file's $defs.params (the file is the method with '/' as '.').
  // nullopt when they conform; else what is wrong, starting with the place ("params.workspace ...").
  std::optional<std::string> check_params(std::string_view method, const nlohmann::json& params) const;
  // Validates against any schema by reference ("common.json#/$defs/Message").
  std::optional<std::string> check(std::string_view ref, const nlohmann::json& instance, std::string place) const;

  // The file name that holds a method's schema: "workspace/up" -> "workspace.up.json".
  static std::string file_for(std::string_view method);

 private:
  struct Context;
  std::optional<std::string> validate(const Context& cx, const nlohmann::json& schema, const nlohmann::json& instance,
                                      const std::string& place, int hops) const;
  std::optional<std::string> validate_object(const Context& cx, const nlohmann::json& schema, const nlohmann::json& instance,
                                             const std::string& place, int hops) const;
  // A "$ref" resolved from `file`: the file it lands in and the schema.
  std::pair<std::string, const nlohmann::json*> resolve(const std::string& file, std::string_view ref) const;
  void check_schema(const std::string& file, const nlohmann::json& schema, const std::string& where);

  std::map<std::string, nlohmann::json, std::less<>> files_;
  std::map<std::string, std::unique_ptr<re2::RE2>, std::less<>> patterns_;
};

// The compiled-in schemas, loaded once.
const SchemaSet& protocol_schemas();

}  // namespace dlc::rpc
