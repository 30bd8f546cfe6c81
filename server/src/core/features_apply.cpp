#include "core/features_apply.h"

#include <algorithm>

#include "core/features.h"
#include "core/workspace.h"
#include "support/error.h"

namespace dlc::core {

using json = nlohmann::json;

namespace {

json substitute_all(const json& value, const config::Substitution& vars) {
  if (value.is_string()) return config::substitute(value.get<std::string>(), vars);
  if (value.is_array() || value.is_object()) {
    json out = value;
    for (auto& item : out) item = substitute_all(item, vars);
    return out;
  }
  return value;
}

void add_unique(std::vector<std::string>& to, const json& values) {
  if (!values.is_array()) return;
  for (const auto& v : values)
    if (v.is_string() && std::find(to.begin(), to.end(), v.get<std::string>()) == to.end()) to.push_back(v.get<std::string>());
}

}  // namespace

std::vector<json> feature_entries(const std::map<std::string, std::string>& labels, const config::Substitution& vars) {
  std::vector<json> out;
  for (auto& e : image_metadata_entries(labels))
    if (e.contains("id") && e["id"].is_string()) out.push_back(substitute_all(e, vars));
  return out;
}

void apply_feature_entries(const std::vector<json>& entries, bool override_command, const engine::ImageInfo& image,
                           engine::ContainerSpec& spec) {
  std::vector<std::string> entrypoints;
  for (const auto& e : entries) {
    std::string id = e.value("id", "");
    if (e.value("init", false) == true) spec.init = true;
    if (e.value("privileged", false) == true) spec.privileged = true;
    if (auto c = e.find("capAdd"); c != e.end()) add_unique(spec.cap_add, *c);
    if (auto s = e.find("securityOpt"); s != e.end()) add_unique(spec.security_opt, *s);
    if (auto ep = e.find("entrypoint"); ep != e.end() && ep->is_string() && !ep->get<std::string>().empty()) entrypoints.push_back(*ep);
    if (auto mounts = e.find("mounts"); mounts != e.end() && mounts->is_array()) {
      for (const auto& m : *mounts) {
        engine::Mount mount;
        try {
          mount = config::parse_mount(m);
        } catch (const Error& err) {
          throw Error(ErrorCode::ConfigInvalid, "Feature '" + id + "': " + err.what(), err.hint());
        }
        // devcontainer.json's mounts come after the Features' and win for the same target.
        bool taken = std::any_of(spec.mounts.begin(), spec.mounts.end(), [&](const engine::Mount& x) { return x.target == mount.target; });
        if (!taken) spec.mounts.push_back(mount);
      }
    }
  }
  if (entrypoints.empty()) return;
  // As the reference does: the Features' entrypoints run first, then the image's command (when
  // overrideCommand is false) or a wait that ends at once on SIGTERM.
  std::string script = "echo Container started\ntrap \"exit 0\" 15\n";
  for (const auto& ep : entrypoints) script += ep + "\n";
  script += "exec \"$@\"\nwhile sleep 1 & wait $!; do :; done";
  spec.entrypoint = std::vector<std::string>{"/bin/sh"};
  std::vector<std::string> cmd = {"-c", script, "-"};
  if (!override_command) {
    for (const auto& part : image.entrypoint.value_or(std::vector<std::string>{})) cmd.push_back(part);
    for (const auto& part : image.cmd.value_or(std::vector<std::string>{})) cmd.push_back(part);
  }
  spec.cmd = cmd;
}

std::string container_metadata_label(const std::map<std::string, std::string>& image_labels, const std::string& own_label) {
  json out = json::array();
  for (auto& e : image_metadata_entries(image_labels)) out.push_back(std::move(e));
  json own = json::parse(own_label, nullptr, false);
  if (own.is_array())
    for (auto& e : own) out.push_back(std::move(e));
  return out.dump();
}

std::vector<FeatureCommand> feature_commands(const std::vector<json>& entries, std::string_view hook) {
  std::vector<FeatureCommand> out;
  for (const auto& e : entries) {
    auto it = e.find(std::string(hook));
    if (it == e.end()) continue;
    std::string id = e.value("id", "");
    auto cmd = config::parse_lifecycle_command(*it, std::string(hook), "Feature '" + id + "'");
    if (!cmd.empty()) out.push_back({id, std::move(cmd)});
  }
  return out;
}

}  // namespace dlc::core
