#include "rpc/schema.h"

#include <re2/re2.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace dlc::rpc {

using json = nlohmann::json;

namespace {

// Each keyword this validator applies, and the annotations it reads past. Anything else in a schema is
// refused at load time.
const std::set<std::string, std::less<>> kKeywords = {
    "$schema", "$id", "$defs", "$comment", "title", "description",                     // annotations
    "$ref", "type", "properties", "required", "additionalProperties", "items", "minItems",
    "uniqueItems", "enum", "const", "minimum", "maximum", "pattern", "oneOf"};

// Beyond this many nested schema steps, a $ref must be going round in a circle.
constexpr int kMaxHops = 64;

std::string type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    default: return "an object";
  }
}

// "string" -> "a string", as messages say it.
std::string with_article(const std::string& type) {
  if (type == "null") return "null";
  return (type == "integer" || type == "object" || type == "array" ? "an " : "a ") + type;
}

bool has_type(const json& instance, const std::string& type) {
  if (type == "object") return instance.is_object();
  if (type == "array") return instance.is_array();
  if (type == "string") return instance.is_string();
  if (type == "integer") return instance.is_number_integer();  // 64 bits: larger ones arrive as floats
  if (type == "number") return instance.is_number();
  if (type == "boolean") return instance.is_boolean();
  if (type == "null") return instance.is_null();
  return false;
}

// A value as a message shows it: short, whatever it holds.
std::string shown(const json& j) {
  std::string text = j.is_structured() ? type_name(j) : j.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() <= 60 ? text : text.substr(0, 57) + "...";
}

std::string listed(const json& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + shown(v);
  return out;
}

std::string names_of(const json& properties) {
  std::string out;
  for (const auto& [name, _] : properties.items()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

struct SchemaSet::Context {
  std::string file;  // where "#/..." references resolve
};

SchemaSet::SchemaSet(const std::vector<EmbeddedFile>& files) {
  for (const auto& f : files) {
    json doc = json::parse(f.text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) throw std::invalid_argument(std::string(f.name) + " is not a JSON object");
    files_.emplace(std::string(f.name), std::move(doc));
  }
  // Checked once all are loaded, so that references between files resolve.
  for (const auto& [name, doc] : files_) check_schema(name, doc, name);
}

SchemaSet::~SchemaSet() = default;
SchemaSet::SchemaSet(SchemaSet&&) noexcept = default;

std::string SchemaSet::file_for(std::string_view method) {
  std::string name(method);
  for (auto& c : name) {
    if (c == '/') c = '.';
  }
  return name + ".json";
}

void SchemaSet::check_schema(const std::string& file, const json& schema, const std::string& where) {
  if (schema.is_boolean()) return;
  if (!schema.is_object()) throw std::invalid_argument(where + ": a schema must be an object or a boolean");
  for (const auto& [key, value] : schema.items()) {
    if (!kKeywords.contains(key)) {
      throw std::invalid_argument(where + ": the keyword \"" + key + "\" is not one this server's validator applies (rpc/schema.h)");
    }
    if (key == "$ref") {
      if (!resolve(file, value.get<std::string>()).second) throw std::invalid_argument(where + ": $ref " + value.dump() + " leads nowhere");
    } else if (key == "$defs" || key == "properties") {
      for (const auto& [name, sub] : value.items()) check_schema(file, sub, where + "/" + key + "/" + name);
    } else if (key == "items" || key == "additionalProperties") {
      check_schema(file, value, where + "/" + key);
    } else if (key == "oneOf") {
      for (std::size_t i = 0; i < value.size(); ++i) check_schema(file, value[i], where + "/oneOf/" + std::to_string(i));
    } else if (key == "pattern") {
      const auto& text = value.get_ref<const std::string&>();
      auto re = std::make_unique<re2::RE2>(text, re2::RE2::Quiet);
      if (!re->ok()) throw std::invalid_argument(where + ": RE2 cannot compile the pattern " + text + ": " + re->error());
      patterns_.emplace(text, std::move(re));
    }
  }
}

std::pair<std::string, const json*> SchemaSet::resolve(const std::string& file, std::string_view ref) const {
  auto hash = ref.find('#');
  std::string target(hash == std::string_view::npos ? ref : ref.substr(0, hash));
  if (target.empty()) target = file;
  auto doc = files_.find(target);
  if (doc == files_.end()) return {target, nullptr};
  std::string pointer(hash == std::string_view::npos ? "" : ref.substr(hash + 1));
  try {
    const json& found = doc->second.at(json::json_pointer(pointer));
    return {target, &found};
  } catch (const json::exception&) {
    return {target, nullptr};
  }
}

bool SchemaSet::has_params(std::string_view method) const {
  auto doc = files_.find(file_for(method));
  return doc != files_.end() && doc->second.contains("$defs") && doc->second["$defs"].contains("params");
}

std::optional<std::string> SchemaSet::check_params(std::string_view method, const json& params) const {
  std::string file = file_for(method);
  auto [_, schema] = resolve(file, "#/$defs/params");
  if (!schema) return "no schema describes the params of " + std::string(method);
  return validate(Context{file}, *schema, params, "params", 0);
}

std::optional<std::string> SchemaSet::check(std::string_view ref, const json& instance, std::string place) const {
  auto [file, schema] = resolve("", ref);
  if (!schema) return "no schema " + std::string(ref);
  return validate(Context{file}, *schema, instance, place, 0);
}

std::optional<std::string> SchemaSet::validate(const Context& cx, const json& schema, const json& instance, const std::string& place,
                                               int hops) const {
  if (hops > kMaxHops) return place + ": the schema nests too deep to check (a $ref circle?)";
  if (schema.is_boolean()) return schema.get<bool>() ? std::nullopt : std::optional(place + " is not allowed");
  if (auto ref = schema.find("$ref"); ref != schema.end()) {
    auto [file, target] = resolve(cx.file, ref->get_ref<const std::string&>());
    if (auto why = validate(Context{file}, *target, instance, place, hops + 1)) return why;
  }
  if (auto type = schema.find("type"); type != schema.end()) {
    bool ok = false;
    if (type->is_string()) {
      ok = has_type(instance, *type);
    } else {
      for (const auto& t : *type) ok = ok || has_type(instance, t);
    }
    if (!ok) {
      std::string wanted;
      for (const auto& t : type->is_string() ? json::array({*type}) : *type) {
        wanted += (wanted.empty() ? "" : " or ") + with_article(t.get<std::string>());
      }
      return place + " must be " + wanted + ", not " + type_name(instance);
    }
  }
  if (auto c = schema.find("const"); c != schema.end() && instance != *c) return place + " must be " + shown(*c);
  if (auto e = schema.find("enum"); e != schema.end() && std::find(e->begin(), e->end(), instance) == e->end()) {
    return place + " must be one of " + listed(*e) + ", not " + shown(instance);
  }
  if (instance.is_number()) {
    double v = instance.get<double>();
    if (auto m = schema.find("minimum"); m != schema.end() && v < m->get<double>()) return place + " must be at least " + m->dump();
    if (auto m = schema.find("maximum"); m != schema.end() && v > m->get<double>()) return place + " must be at most " + m->dump();
  }
  if (instance.is_string()) {
    if (auto p = schema.find("pattern"); p != schema.end()) {
      const auto& re = *patterns_.find(p->get_ref<const std::string&>())->second;
      if (!re2::RE2::PartialMatch(instance.get_ref<const std::string&>(), re)) {
        std::string about = schema.contains("description") ? " (" + schema["description"].get<std::string>() + ")" : "";
        return place + " does not match " + re.pattern() + about + ": got " + shown(instance);
      }
    }
  }
  if (instance.is_array()) {
    if (auto m = schema.find("minItems"); m != schema.end() && instance.size() < m->get<std::size_t>()) {
      return place + " must have at least " + m->dump() + " item(s)";
    }
    auto items = schema.find("items");
    bool unique = schema.value("uniqueItems", false);
    std::set<json> seen;
    for (std::size_t i = 0; i < instance.size(); ++i) {
      std::string at = place + "[" + std::to_string(i) + "]";
      if (items != schema.end()) {
        if (auto why = validate(cx, *items, instance[i], at, hops + 1)) return why;
      }
      if (unique && !seen.insert(instance[i]).second) return at + " repeats an earlier item";
    }
  }
  if (instance.is_object()) {
    if (auto why = validate_object(cx, schema, instance, place, hops)) return why;
  }
  if (auto one_of = schema.find("oneOf"); one_of != schema.end()) {
    int matched = 0;
    std::optional<std::string> first_why;
    for (const auto& alternative : *one_of) {
      auto why = validate(cx, alternative, instance, place, hops + 1);
      if (!why) ++matched;
      else if (!first_why) first_why = why;
    }
    if (matched == 0) return place + " matches none of its allowed forms (the first says: " + first_why.value_or("") + ")";
    if (matched > 1) return place + " matches more than one of its allowed forms";
  }
  return std::nullopt;
}

std::optional<std::string> SchemaSet::validate_object(const Context& cx, const json& schema, const json& instance,
                                                      const std::string& place, int hops) const {
  static const json kNone = json::object();
  const json& properties = schema.contains("properties") ? schema["properties"] : kNone;
  if (auto required = schema.find("required"); required != schema.end()) {
    for (const auto& name : *required) {
      if (!instance.contains(name.get_ref<const std::string&>())) return place + "." + name.get<std::string>() + " is missing";
    }
  }
  auto additional = schema.find("additionalProperties");
  for (const auto& [name, value] : instance.items()) {
    std::string at = place + "." + name;
    if (auto p = properties.find(name); p != properties.end()) {
      if (auto why = validate(cx, *p, value, at, hops + 1)) return why;
    } else if (additional != schema.end()) {
      if (additional->is_boolean() && !additional->get<bool>()) {
        return at + " is not a field of " + place + (properties.empty() ? "" : " (its fields: " + names_of(properties) + ")");
      }
      if (auto why = validate(cx, *additional, value, at, hops + 1)) return why;
    }
  }
  return std::nullopt;
}

const SchemaSet& protocol_schemas() {
  static const SchemaSet set(protocol_schema_files());
  return set;
}

}  // namespace dlc::rpc
