#include "config/metadata.h"

#include <algorithm>
#include <set>

#include "support/error.h"
#include "support/hash.h"

namespace dlc::config {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxLabelBytes = 1u << 20;
constexpr int kMaxLabelDepth = 64;

struct TooDeep {};

// Expands variables in every string of a value, keys left alone. An explicit stack rather than
// recursion: the value comes from an image's label.
json substitute_entry(json value, const Substitution& vars) {
  std::vector<json*> todo{&value};
  while (!todo.empty()) {
    json* v = todo.back();
    todo.pop_back();
    if (v->is_string()) {
      *v = substitute(v->get<std::string>(), vars);
    } else if (v->is_array() || v->is_object()) {
      for (auto& item : *v) todo.push_back(&item);
    }
  }
  return value;
}

bool truthy(const json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) return !v.get<std::string>().empty();
  if (v.is_number()) return v != 0;
  return true;  // arrays and objects, even empty, as in JavaScript
}

void add_unique(std::vector<std::string>& into, const json& list, const std::string& property, const std::string& where) {
  if (list.is_null()) return;
  if (!list.is_array())
    throw Error(ErrorCode::ConfigInvalid, where + ": \"" + property + "\" must be an array of strings");
  for (const auto& item : list) {
    if (!item.is_string()) throw Error(ErrorCode::ConfigInvalid, where + ": \"" + property + "\" must be an array of strings");
    auto s = item.get<std::string>();
    if (std::find(into.begin(), into.end(), s) == into.end()) into.push_back(s);
  }
}

std::string string_of(const json& v, const std::string& property, const std::string& where) {
  if (!v.is_string()) throw Error(ErrorCode::ConfigInvalid, where + ": \"" + property + "\" must be a string");
  return v.get<std::string>();
}

GpuRequirement merge_gpu(const GpuRequirement& a, const GpuRequirement& b) {
  using Need = GpuRequirement::Need;
  if (a.need == Need::None) return b;
  if (b.need == Need::None) return a;
  if (a.need == Need::Optional && b.need == Need::Optional) return a;
  // Either asks for one: required, with the larger of what each asks.
  return GpuRequirement{Need::Required, std::max(a.cores, b.cores), std::max(a.memory, b.memory)};
}

// One entry's properties folded into what the entries before it gave.
void merge_entry(MergedConfiguration& m, const json& e, const std::string& where, std::vector<engine::Mount>& all_mounts,
                 const Substitution& vars) {
  auto get = [&](const char* key) -> const json& {
    static const json null;
    auto it = e.find(key);
    return it == e.end() ? null : *it;
  };
  const std::string origin = e.contains("id") && e["id"].is_string() ? e["id"].get<std::string>() : "devcontainer.json";
  if (const json& c = get("customizations"); c.is_object()) {
    for (const auto& [tool, value] : c.items()) m.customizations[tool].push_back(value);
  }
  if (truthy(get("init"))) m.init = true;
  if (truthy(get("privileged"))) m.privileged = true;
  add_unique(m.cap_add, get("capAdd"), "capAdd", where);
  add_unique(m.security_opt, get("securityOpt"), "securityOpt", where);
  if (const json& ep = get("entrypoint"); truthy(ep)) m.entrypoints.push_back(string_of(ep, "entrypoint", where));
  if (const json& mounts = get("mounts"); !mounts.is_null()) {
    if (!mounts.is_array()) throw Error(ErrorCode::ConfigInvalid, where + ": \"mounts\" must be an array");
    // Still as written: split into fields first, then expanded (parse_mount), so a value cannot add fields.
    for (const auto& mount : mounts) all_mounts.push_back(parse_mount(mount, &vars));
  }
  for (auto hook : kLifecycleHooks) {
    const json& cmd = get(std::string(hook).c_str());
    if (!truthy(cmd)) continue;
    auto parsed = parse_lifecycle_command(cmd, std::string(hook), where);
    if (!parsed.empty()) m.commands[std::string(hook)].push_back({origin, std::move(parsed)});
  }
  if (const json& v = get("waitFor"); truthy(v)) m.wait_for = parse_wait_for(v, where);
  if (const json& v = get("remoteUser"); truthy(v)) m.remote_user = string_of(v, "remoteUser", where);
  if (const json& v = get("containerUser"); truthy(v)) m.container_user = string_of(v, "containerUser", where);
  if (const json& v = get("userEnvProbe"); truthy(v)) m.user_env_probe = parse_user_env_probe(v, where);
  if (const json& v = get("shutdownAction"); truthy(v)) m.shutdown_action = string_of(v, "shutdownAction", where);
  if (const json& env = get("remoteEnv"); env.is_object()) {
    for (const auto& [k, v] : env.items()) {
      if (v.is_null()) m.remote_env[k] = std::nullopt;
      else m.remote_env[k] = string_of(v, "remoteEnv." + k, where);
    }
  }
  if (const json& env = get("containerEnv"); env.is_object()) {
    for (const auto& [k, v] : env.items()) m.container_env[k] = string_of(v, "containerEnv." + k, where);
  }
  if (const json& v = get("overrideCommand"); v.is_boolean()) m.override_command = v.get<bool>();
  if (const json& v = get("updateRemoteUserUID"); v.is_boolean()) m.update_remote_user_uid = v.get<bool>();
  if (const json& pa = get("portsAttributes"); !pa.is_null()) {
    for (auto& rule : parse_ports_attributes(pa, where)) {
      auto same = std::find_if(m.ports_attributes.begin(), m.ports_attributes.end(), [&](const auto& r) { return r.key == rule.key; });
      if (same != m.ports_attributes.end()) *same = std::move(rule);
      else m.ports_attributes.push_back(std::move(rule));
    }
  }
  if (const json& v = get("otherPortsAttributes"); truthy(v)) m.other_ports_attributes = parse_port_attributes(v, "otherPortsAttributes", where);
  if (const json& fp = get("forwardPorts"); !fp.is_null()) {
    for (const auto& p : parse_forward_ports(fp, where)) {
      if (std::find(m.forward_ports.begin(), m.forward_ports.end(), p) == m.forward_ports.end()) m.forward_ports.push_back(p);
    }
  }
  if (const json& hr = get("hostRequirements"); !hr.is_null()) {
    auto h = parse_host_requirements(hr, where);
    m.host_requirements.cpus = std::max(m.host_requirements.cpus, h.cpus);
    m.host_requirements.memory = std::max(m.host_requirements.memory, h.memory);
    m.host_requirements.storage = std::max(m.host_requirements.storage, h.storage);
    m.host_requirements.gpu = merge_gpu(m.host_requirements.gpu, h.gpu);
  }
}

}  // namespace

const std::vector<std::string>& metadata_properties() {
  static const std::vector<std::string> keys = {
      "onCreateCommand", "updateContentCommand", "postCreateCommand", "postStartCommand", "postAttachCommand",
      "waitFor",         "customizations",       "mounts",            "containerEnv",     "containerUser",
      "init",            "privileged",           "capAdd",            "securityOpt",      "remoteUser",
      "userEnvProbe",    "remoteEnv",            "overrideCommand",   "portsAttributes",  "otherPortsAttributes",
      "forwardPorts",    "shutdownAction",       "updateRemoteUserUID", "hostRequirements"};
  return keys;
}

const std::vector<std::string>& updateable_properties() {
  static const std::vector<std::string> keys = {"remoteUser", "userEnvProbe", "remoteEnv"};
  return keys;
}

MetadataEntry config_entry(const json& document, const std::vector<std::string>& keys) {
  json entry = json::object();
  if (!document.is_object()) return entry;
  for (const auto& key : keys) {
    if (auto it = document.find(key); it != document.end()) entry[key] = *it;
  }
  return entry;
}

std::vector<MetadataEntry> parse_metadata_label(std::string_view text, std::string* problem) {
  auto fail = [&](const std::string& why) {
    if (problem) *problem = why;
    return std::vector<MetadataEntry>{};
  };
  if (text.empty()) return {};
  if (text.size() > kMaxLabelBytes) return fail("the devcontainer.metadata label is over 1 MiB; it is not read");
  json parsed;
  try {
    parsed = json::parse(text, [](int depth, json::parse_event_t, json&) {
      if (depth > kMaxLabelDepth) throw TooDeep{};
      return true;
    });
  } catch (const TooDeep&) {
    return fail("the devcontainer.metadata label is nested deeper than 64; it is not read");
  } catch (const json::exception& e) {
    return fail(std::string("the devcontainer.metadata label is not JSON: ") + e.what());
  }
  if (parsed.is_object()) return {parsed};
  if (!parsed.is_array()) return fail("the devcontainer.metadata label is neither an array nor an object; it is not read");
  std::vector<MetadataEntry> entries;
  for (auto& e : parsed) {
    if (e.is_object()) entries.push_back(std::move(e));
    else if (problem) *problem = "the devcontainer.metadata label holds an entry that is not an object; it is skipped";
  }
  return entries;
}

std::string metadata_label_value(const std::vector<MetadataEntry>& entries) {
  json out = json::array();
  for (const auto& e : entries)
    if (e.is_object() && !e.empty()) out.push_back(e);
  return out.dump();
}

std::vector<MetadataEntry> MetadataSources::entries() const {
  std::vector<MetadataEntry> out;
  auto add = [&](const MetadataEntry& e) {
    if (e.is_object() && !e.empty()) out.push_back(e);
  };
  for (const auto& e : image) add(e);
  for (const auto& e : features) add(e);
  add(config);
  return out;
}

const std::vector<OriginCommand>& MergedConfiguration::hook(std::string_view name) const {
  static const std::vector<OriginCommand> none;
  auto it = commands.find(std::string(name));
  return it == commands.end() ? none : it->second;
}

MergedConfiguration merge_metadata(const std::vector<MetadataEntry>& entries, const Substitution& vars, const std::string& where) {
  MergedConfiguration m;
  std::vector<engine::Mount> all_mounts;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].is_object()) continue;
    // Every string is expanded but the mounts', which parse_mount expands field by field.
    json e = entries[i];
    json mounts = e.contains("mounts") ? e["mounts"] : json();
    e.erase("mounts");
    e = substitute_entry(std::move(e), vars);
    if (!mounts.is_null()) e["mounts"] = std::move(mounts);
    std::string name = where + " entry " + std::to_string(i + 1);
    if (e.contains("id") && e["id"].is_string()) name += " (" + e["id"].get<std::string>() + ")";
    try {
      merge_entry(m, e, name, all_mounts, vars);
    } catch (const Error& err) {
      // parse_mount's message names the mount, not the entry: say which entry held it.
      std::string what = err.what();
      if (what.rfind(name, 0) != 0) what = name + ": " + what;
      throw Error(ErrorCode::ConfigInvalid, what, err.hint());
    }
  }
  // One mount per target: a later entry's replaces an earlier one's, in the later one's place.
  std::set<std::string> seen;
  for (auto it = all_mounts.rbegin(); it != all_mounts.rend(); ++it) {
    if (seen.insert(it->target).second) m.mounts.insert(m.mounts.begin(), *it);
  }
  return m;
}

std::string devcontainer_id(const std::string& local_folder, const std::string& config_file) {
  // nlohmann orders keys as the reference's JSON.stringify(labels, sortedKeys) does.
  json labels = {{"devcontainer.config_file", config_file}, {"devcontainer.local_folder", local_folder}};
  std::string hex = sha256_hex(labels.dump());
  std::vector<int> bits;  // most significant first
  for (char h : hex) {
    int v = h <= '9' ? h - '0' : h - 'a' + 10;
    for (int b = 3; b >= 0; --b) bits.push_back((v >> b) & 1);
  }
  static const char digits[] = "0123456789abcdefghijklmnopqrstuv";
  std::string out(52, '0');
  for (int d = 0; d < 52; ++d) {  // digit d counts from the least significant end
    int value = 0;
    for (int b = 4; b >= 0; --b) {
      int index = static_cast<int>(bits.size()) - 1 - (d * 5 + b);
      value = value * 2 + (index >= 0 ? bits[static_cast<std::size_t>(index)] : 0);
    }
    out[51 - static_cast<std::size_t>(d)] = digits[value];
  }
  return out;
}

DevcontainerConfig apply_merged(DevcontainerConfig c, const MergedConfiguration& m) {
  c.remote_user = m.remote_user;
  c.container_user = m.container_user;
  c.remote_env.clear();
  for (const auto& [k, v] : m.remote_env)
    if (v) c.remote_env[k] = *v;
  c.container_env = m.container_env;
  c.mounts = m.mounts;
  c.init = m.init;
  c.privileged = m.privileged;
  c.cap_add = m.cap_add;
  c.security_opt = m.security_opt;
  if (m.override_command) c.override_command = *m.override_command;
  c.update_remote_user_uid = m.update_remote_user_uid.value_or(true);
  c.user_env_probe = m.user_env_probe;
  c.wait_for = m.wait_for;
  if (!m.shutdown_action.empty()) c.shutdown_action = m.shutdown_action;
  c.forward_ports = m.forward_ports;
  c.ports_attributes = m.ports_attributes;
  c.other_ports_attributes = m.other_ports_attributes;
  c.host_requirements = m.host_requirements;
  c.gpu = m.host_requirements.gpu;
  // customizations.dlcontainer from every entry, later ones' keys winning (an image may set defaults).
  if (auto ours = m.customizations.find("dlcontainer"); ours != m.customizations.end()) {
    json merged = json::object();
    for (const auto& value : *ours)
      if (value.is_object())
        for (const auto& [k, v] : value.items()) merged[k] = v;
    c.dlcontainer = merged;
  }
  auto last = [&](std::string_view hook) {
    const auto& cmds = m.hook(hook);
    return cmds.empty() ? LifecycleCommand{} : cmds.back().command;
  };
  // The single-command fields keep the last entry's, for callers that show one; running them goes
  // through m.commands, which holds every entry's.
  c.on_create_command = last("onCreateCommand");
  c.update_content_command = last("updateContentCommand");
  c.post_create_command = last("postCreateCommand");
  c.post_start_command = last("postStartCommand");
  c.post_attach_command = last("postAttachCommand");
  return c;
}

}  // namespace dlc::config
