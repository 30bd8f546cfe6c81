#include "config/features.h"

#include <algorithm>
#include <regex>

#include "config/jsonc.h"
#include "registry/http.h"
#include "support/error.h"

namespace dlc::config {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kSpecHint = "see https://containers.dev/implementors/features/#referencing-a-feature";

[[noreturn]] void refuse(const std::string& message, const std::string& hint = kSpecHint) {
  throw Error(ErrorCode::ConfigInvalid, message, hint);
}

bool valid_feature_id(const std::string& id) {
  static const std::regex re("^[a-zA-Z0-9_-]+$");
  return std::regex_match(id, re);
}

// The short ids of microsoft/vscode-dev-containers' Features, which the reference CLI still maps to
// their ghcr.io successors (pinned to major version 1).
std::string mapped_legacy_id(const std::string& id) {
  static const std::vector<std::string> migrated = {
      "aws-cli", "azure-cli", "desktop-lite", "docker-in-docker", "docker-from-docker", "dotnet", "git", "git-lfs", "github-cli",
      "java", "kubectl-helm-minikube", "node", "powershell", "python", "ruby", "rust", "sshd", "terraform"};
  static const std::map<std::string, std::string> renamed = {{"golang", "go"}, {"common", "common-utils"}};
  if (std::find(migrated.begin(), migrated.end(), id) != migrated.end()) return "ghcr.io/devcontainers/features/" + id + ":1";
  if (auto it = renamed.find(id); it != renamed.end()) return "ghcr.io/devcontainers/features/" + it->second + ":1";
  return {};
}

std::vector<std::string> strings_of(const json& doc, const char* key, const std::string& where) {
  std::vector<std::string> out;
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return out;
  if (!it->is_array()) refuse(where + ": \"" + key + "\" must be an array of strings");
  for (const auto& v : *it) {
    if (!v.is_string()) refuse(where + ": \"" + key + "\" must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string string_of(const json& doc, const char* key, const std::string& where) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return {};
  if (!it->is_string()) refuse(where + ": \"" + key + "\" must be a string");
  return it->get<std::string>();
}

std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

// A value goes into devcontainer-features.env, which install wrappers source with `.`: quoted so that
// it arrives as written, not expanded.
std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\' || c == '$' || c == '`') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

FeaturesSection read_features_section(const json& document, const std::string& file) {
  FeaturesSection out;
  auto features = document.find("features");
  if (features != document.end() && !features->is_null()) {
    if (!features->is_object())
      refuse(file + ": \"features\" must be an object of Feature ids to their options",
             "write \"features\": {\"ghcr.io/devcontainers/features/python:1\": {}}");
    if (features->size() > 100) refuse(file + ": \"features\" lists more than 100 Features");
    for (const auto& [id, options] : features->items()) {
      if (!options.is_object() && !options.is_string() && !options.is_boolean())
        refuse(file + ": the options of Feature '" + id + "' must be an object, a version string or true",
               "write \"" + id + "\": {} for its defaults");
      out.features.push_back({id, options});
    }
  }
  out.override_install_order = strings_of(document, "overrideFeatureInstallOrder", file);
  return out;
}

std::string FeatureSource::soft_key() const {
  switch (kind) {
    case Kind::Oci: return ref.resource();
    case Kind::Tarball: return url;
    case Kind::Local: return path.string();
  }
  return id;
}

FeatureSource classify_feature(const std::string& written, const fs::path& config_file, const fs::path& workspace) {
  FeatureSource s;
  s.id = written;
  std::string id = written;
  if (id.find('/') == std::string::npos && id.find('\\') == std::string::npos) {
    std::string mapped = mapped_legacy_id(id);
    if (mapped.empty()) {
      refuse("Legacy feature '" + id + "' not supported. Please check https://containers.dev/features for replacements.",
             "if you were hoping to use a local Feature, prepend its folder with \"./\" (see "
             "https://containers.dev/implementors/features-distribution/#addendum-locally-referenced)");
    }
    s.warning = "the deprecated Feature id '" + id + "' stands for " + mapped + "; write that instead";
    id = mapped;
  }
  // Plain HTTP only from this machine's loopback (a test's or a local mirror's server), as for registries.
  auto loopback_http = [](const std::string& url) {
    if (!url.starts_with("http://")) return false;
    return registry::is_loopback_host(url.substr(7, url.find('/', 7) - 7));
  };
  if (id.starts_with("https://") || loopback_http(id)) {
    s.kind = FeatureSource::Kind::Tarball;
    s.url = id;
    std::string name = id.substr(id.rfind('/') + 1);
    name = name.substr(0, name.find_first_of("?#"));
    static const std::regex tgz("^devcontainer-feature-(.*)\\.tgz$");
    std::smatch m;
    if (!std::regex_match(name, m, tgz))
      refuse("Feature '" + written + "': expected the tarball name to follow 'devcontainer-feature-<feature-id>.tgz' format. Received '" + name + "'");
    s.short_id = m[1].str();
    if (!valid_feature_id(s.short_id))
      refuse("Feature '" + written + "': specify a feature id with alphanumeric, dash, or underscore characters. Received " + s.short_id);
    return s;
  }
  if (id.starts_with("http://")) refuse("Feature '" + written + "': a tarball is fetched over https:// only (plain http:// from this machine's loopback)", "publish it over HTTPS");
  if (id.starts_with("./") || id.starts_with("../") || id.starts_with("/")) {
    s.kind = FeatureSource::Kind::Local;
    if (id.starts_with("/")) refuse("Feature '" + written + "': an absolute path to a local feature is not allowed.", "write it relative to devcontainer.json's folder, starting with ./");
    s.path = (config_file.parent_path() / id).lexically_normal();
    if (!s.path.has_filename()) s.path = s.path.parent_path();
    auto rel = s.path.lexically_relative((workspace / ".devcontainer").lexically_normal());
    if (rel.empty() || rel.string().find("..") != std::string::npos)
      refuse("Feature '" + written + "': local file path parse error. Resolved path must be a child of the .devcontainer/ folder.  Parsed: " + s.path.string(),
             "keep local Features in folders under .devcontainer/");
    s.short_id = s.path.filename().string();
    return s;
  }
  s.kind = FeatureSource::Kind::Oci;
  std::string why;
  auto ref = registry::Reference::parse(id, &why);
  if (!ref) refuse("Feature '" + written + "' could not be processed: it is not an OCI reference (" + why + ")");
  if (ref->registry.find('.') == std::string::npos && !ref->registry.starts_with("localhost"))
    refuse("Feature '" + written + "' could not be processed: '" + ref->registry + "' is not a registry's host name",
           "name the registry in full, e.g. ghcr.io/OWNER/REPO/FEATURE:1");
  s.ref = *ref;
  s.short_id = ref->repository.substr(ref->repository.rfind('/') + 1);
  if (ref->repository.find('/') == std::string::npos)
    refuse("Feature '" + written + "' could not be processed: it has no namespace (registry/namespace/feature)");
  return s;
}

FeatureMetadata parse_feature_metadata(std::string_view text, const std::string& where) {
  FeatureMetadata m;
  m.document = parse_jsonc(text, where);
  const json& d = m.document;
  const auto ordered = parse_jsonc_ordered(text, where);  // options and containerEnv in the file's order
  if (!d.is_object()) refuse(where + ": must hold one JSON object", "see https://containers.dev/implementors/features/");
  m.id = string_of(d, "id", where);
  if (m.id.empty() || !valid_feature_id(m.id))
    refuse(where + ": \"id\" must be set to letters, digits, '-' or '_'", "see https://containers.dev/implementors/features/");
  m.version = string_of(d, "version", where);
  m.name = string_of(d, "name", where);
  m.description = string_of(d, "description", where);
  m.documentation_url = string_of(d, "documentationURL", where);
  m.deprecated = d.value("deprecated", false) == true;
  if (auto opts = ordered.find("options"); opts != ordered.end() && !opts->is_null()) {
    if (!opts->is_object()) refuse(where + ": \"options\" must be an object");
    for (const auto& [name, ordered_option] : opts->items()) {
      json o = json::parse(ordered_option.dump());
      if (!o.is_object()) refuse(where + ": option \"" + name + "\" must be an object with a type");
      FeatureOption opt{.name = name, .type = o.value("type", std::string())};
      if (opt.type != "boolean" && opt.type != "string")
        refuse(where + ": option \"" + name + "\" has type '" + opt.type + "'; the spec knows \"boolean\" and \"string\"");
      if (auto def = o.find("default"); def != o.end()) opt.default_value = *def;
      opt.enum_values = strings_of(o, "enum", where + " option " + name);
      m.options.push_back(std::move(opt));
    }
  }
  if (auto env = ordered.find("containerEnv"); env != ordered.end() && !env->is_null()) {
    if (!env->is_object()) refuse(where + ": \"containerEnv\" must be an object of strings");
    for (const auto& [k, v] : env->items()) {
      if (!v.is_string()) refuse(where + ": \"containerEnv." + k + "\" must be a string");
      m.container_env.emplace_back(k, v.get<std::string>());
    }
  }
  if (auto deps = d.find("dependsOn"); deps != d.end() && !deps->is_null()) {
    if (!deps->is_object()) refuse(where + ": \"dependsOn\" must be an object of Feature ids to their options");
    for (const auto& [id, options] : deps->items()) {
      if (!options.is_object() && !options.is_string() && !options.is_boolean())
        refuse(where + ": the options of dependsOn '" + id + "' must be an object, a version string or true");
      m.depends_on.push_back({id, options});
    }
  }
  m.installs_after = strings_of(d, "installsAfter", where);
  m.legacy_ids = strings_of(d, "legacyIds", where);
  return m;
}

std::string option_env_name(const std::string& option_id) {
  std::string out;
  for (char c : option_id) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  // Leading digits and underscores become one '_' (a variable cannot start with a digit).
  auto lead = out.find_first_not_of("0123456789_");
  if (lead != 0) out = "_" + (lead == std::string::npos ? std::string() : out.substr(lead));
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

FeatureEnv feature_option_env(const FeatureMetadata& m, const json& value, const std::string& feature_id) {
  FeatureEnv out;
  // Defaults first, in the Feature's order; then what the user gave, over them.
  std::vector<std::pair<std::string, json>> values;
  auto set = [&](const std::string& name, const json& v) {
    for (auto& [n, old] : values)
      if (n == name) return void(old = v);
    values.emplace_back(name, v);
  };
  for (const auto& o : m.options)
    if (!o.default_value.is_null()) set(o.name, o.default_value);
  auto declared = [&](const std::string& name) -> const FeatureOption* {
    for (const auto& o : m.options)
      if (o.name == name) return &o;
    return nullptr;
  };
  auto given = [&](const std::string& name, const json& v) {
    const FeatureOption* o = declared(name);
    std::string where = "Feature '" + feature_id + "' option \"" + name + "\"";
    if (!o) {
      out.warnings.push_back("Feature '" + feature_id + "' has no option \"" + name + "\"; it is passed to its install.sh as " +
                             option_env_name(name) + " all the same");
    } else if (o->type == "boolean" && !v.is_boolean()) {
      refuse(where + " must be true or false, not " + v.dump(), "write \"" + name + "\": true");
    } else if (o->type == "string" && !v.is_string()) {
      refuse(where + " must be a string, not " + v.dump(), "quote it: \"" + name + "\": \"" + value_text(v) + "\"");
    } else if (!o->enum_values.empty() && std::find(o->enum_values.begin(), o->enum_values.end(), v.get<std::string>()) == o->enum_values.end()) {
      std::string allowed;
      for (const auto& e : o->enum_values) allowed += (allowed.empty() ? "" : ", ") + e;
      refuse(where + " is '" + v.get<std::string>() + "', not one of its values", "choose one of: " + allowed);
    }
    if (!v.is_string() && !v.is_boolean() && !v.is_number())
      refuse(where + " must be a string or a boolean, not " + v.dump());
    set(name, v);
  };
  if (value.is_object()) {
    for (const auto& [k, v] : value.items()) given(k, v);
  } else if (value.is_string()) {
    // The shorthand "feature": "1.2" is its version option.
    if (declared("version")) given("version", value);
    else out.warnings.push_back("Feature '" + feature_id + "' has no \"version\" option; the value \"" + value.get<std::string>() + "\" is not used");
  } else if (value.is_boolean() && !value.get<bool>()) {
    out.warnings.push_back("Feature '" + feature_id + "' is set to false, which does not leave it out (the spec has no such form); remove it from \"features\" instead");
  }
  for (const auto& [name, v] : values) out.vars.emplace_back(option_env_name(name), value_text(v));
  return out;
}

std::string feature_env_file(const std::vector<std::pair<std::string, std::string>>& vars) {
  std::string out;
  for (const auto& [name, value] : vars) out += (out.empty() ? "" : "\n") + name + "=" + quoted(value);
  return out;
}

json feature_metadata_entry(const std::string& user_id, const FeatureMetadata& m) {
  json entry = {{"id", user_id}};
  for (const char* key : {"onCreateCommand", "updateContentCommand", "postCreateCommand", "postStartCommand", "postAttachCommand",
                          "init", "privileged", "capAdd", "securityOpt", "entrypoint", "mounts", "customizations"}) {
    if (auto it = m.document.find(key); it != m.document.end()) entry[key] = *it;
  }
  return entry;
}

}  // namespace dlc::config
