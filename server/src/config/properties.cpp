#include "config/properties.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "support/error.h"

namespace dlc::config {

using nlohmann::json;

namespace {

[[noreturn]] void wrong(const std::string& file, const std::string& property, const std::string& expected,
                        const std::string& hint = "see https://containers.dev/implementors/json_reference/ for the property's forms") {
  throw Error(ErrorCode::ConfigInvalid, file + ": \"" + property + "\" must be " + expected, hint);
}

std::optional<int> whole_number(std::string_view text) {
  int n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

}  // namespace

LifecycleCommand parse_lifecycle_command(const json& value, const std::string& property, const std::string& file) {
  auto step_of = [&](const std::string& name, const json& v) {
    LifecycleCommand::Step step;
    step.name = name;
    const std::string where = name.empty() ? property : property + "." + name;
    if (v.is_string()) {
      step.argv = {"/bin/sh", "-c", v.get<std::string>()};
    } else if (v.is_array() && !v.empty()) {
      for (const auto& arg : v) {
        if (!arg.is_string()) wrong(file, where, "a string or an array of strings");
        step.argv.push_back(arg.get<std::string>());
      }
    } else {
      wrong(file, where, "a string or a non-empty array of strings");
    }
    return step;
  };
  LifecycleCommand cmd;
  if (value.is_null()) return cmd;
  if (value.is_object()) {
    cmd.parallel = true;
    for (const auto& [name, v] : value.items()) {
      // The reference skips empty parts of the object form too: nothing to run is not an error.
      if (v.is_null() || (v.is_string() && v.get<std::string>().empty()) || (v.is_array() && v.empty())) continue;
      cmd.steps.push_back(step_of(name, v));
    }
    return cmd;
  }
  if (value.is_string() && value.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) return cmd;
  if (value.is_array() && value.empty()) return cmd;
  if (!value.is_string() && !value.is_array()) wrong(file, property, "a string, an array of strings, or an object of those");
  cmd.steps.push_back(step_of("", value));
  return cmd;
}

std::vector<ForwardPort> parse_forward_ports(const json& value, const std::string& file) {
  std::vector<ForwardPort> ports;
  if (value.is_null()) return ports;
  auto bad = [&]() {
    wrong(file, "forwardPorts", "an array of port numbers or \"host:port\" strings", "write \"forwardPorts\": [8888, 6006]");
  };
  if (!value.is_array()) bad();
  for (const auto& item : value) {
    ForwardPort port;
    if (item.is_number_integer()) {
      port.port = item.get<int>();
    } else if (item.is_string()) {
      auto text = item.get<std::string>();
      auto colon = text.rfind(':');
      if (colon != std::string::npos) port.host = text.substr(0, colon);
      auto n = whole_number(colon == std::string::npos ? std::string_view(text) : std::string_view(text).substr(colon + 1));
      if (!n) bad();
      port.port = *n;
    } else {
      bad();
    }
    if (port.port < 1 || port.port > 65535) bad();
    ports.push_back(port);
  }
  return ports;
}

std::int64_t parse_bytes(const std::string& text, const std::string& property, const std::string& file) {
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t digits = 0;
  while (digits < t.size() && std::isdigit(static_cast<unsigned char>(t[digits]))) ++digits;
  std::string unit = t.substr(digits);
  static const std::pair<const char*, std::int64_t> units[] = {{"", 1}, {"kb", 1LL << 10}, {"mb", 1LL << 20}, {"gb", 1LL << 30}, {"tb", 1LL << 40}};
  const auto* u = std::find_if(std::begin(units), std::end(units), [&](const auto& p) { return unit == p.first; });
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + digits, n);
  if (digits == 0 || ec != std::errc() || end != t.data() + digits || u == std::end(units) || n > (INT64_MAX / u->second))
    wrong(file, property, "an amount like \"16gb\", \"512mb\" or \"1073741824\" (units tb, gb, mb, kb)");
  return n * u->second;
}

GpuRequirement parse_gpu(const json& value, const std::string& file) {
  GpuRequirement gpu;
  if (value.is_null()) return gpu;
  if (value.is_boolean()) {
    gpu.need = value.get<bool>() ? GpuRequirement::Need::Required : GpuRequirement::Need::None;
  } else if (value.is_string() && value.get<std::string>() == "optional") {
    gpu.need = GpuRequirement::Need::Optional;
  } else if (value.is_object()) {
    gpu.need = GpuRequirement::Need::Required;
    for (const auto& [key, v] : value.items()) {
      if (key == "cores") {
        if (!v.is_number_integer() || v.get<int>() < 1) wrong(file, "hostRequirements.gpu.cores", "a positive integer");
        gpu.cores = v.get<int>();
      } else if (key == "memory") {
        if (!v.is_string()) wrong(file, "hostRequirements.gpu.memory", "a string like \"16gb\"");
        gpu.memory = parse_bytes(v.get<std::string>(), "hostRequirements.gpu.memory", file);
      } else {
        wrong(file, "hostRequirements.gpu", "{cores, memory}; '" + key + "' is not one of them");
      }
    }
  } else {
    wrong(file, "hostRequirements.gpu", "true, false, \"optional\" or {cores, memory}",
          "write \"hostRequirements\": {\"gpu\": \"optional\"} to use GPUs when the host has them");
  }
  return gpu;
}

HostRequirements parse_host_requirements(const json& value, const std::string& file) {
  HostRequirements hr;
  if (value.is_null()) return hr;
  if (!value.is_object()) wrong(file, "hostRequirements", "an object");
  for (const auto& [key, v] : value.items()) {
    if (v.is_null()) continue;
    if (key == "cpus") {
      if (!v.is_number_integer() || v.get<int>() < 1) wrong(file, "hostRequirements.cpus", "a positive integer");
      hr.cpus = v.get<int>();
    } else if (key == "memory" || key == "storage") {
      if (!v.is_string()) wrong(file, "hostRequirements." + key, "a string like \"16gb\"");
      (key == "memory" ? hr.memory : hr.storage) = parse_bytes(v.get<std::string>(), "hostRequirements." + key, file);
    } else if (key == "gpu") {
      hr.gpu = parse_gpu(v, file);
    }
    // Other keys are named by property_warnings(); the spec defines none.
  }
  return hr;
}

PortAttributes parse_port_attributes(const json& value, const std::string& property, const std::string& file) {
  if (!value.is_object()) wrong(file, property, "an object of port attributes");
  PortAttributes a;
  for (const auto& [key, v] : value.items()) {
    const std::string where = property + "." + key;
    if (key == "label" || key == "onAutoForward" || key == "protocol") {
      if (!v.is_string()) wrong(file, where, "a string");
      auto s = v.get<std::string>();
      if (key == "onAutoForward") {
        static const char* allowed[] = {"notify", "openBrowser", "openBrowserOnce", "openPreview", "silent", "ignore"};
        if (std::none_of(std::begin(allowed), std::end(allowed), [&](const char* x) { return s == x; }))
          wrong(file, where, "notify, openBrowser, openBrowserOnce, openPreview, silent or ignore");
        a.on_auto_forward = s;
      } else if (key == "protocol") {
        if (s != "http" && s != "https") wrong(file, where, "\"http\" or \"https\"");
        a.protocol = s;
      } else {
        a.label = s;
      }
    } else if (key == "requireLocalPort" || key == "elevateIfNeeded") {
      if (!v.is_boolean()) wrong(file, where, "true or false");
      (key == "requireLocalPort" ? a.require_local_port : a.elevate_if_needed) = v.get<bool>();
    }
    // Unknown attributes are named by property_warnings().
  }
  return a;
}

std::vector<PortsAttributesRule> parse_ports_attributes(const json& value, const std::string& file) {
  std::vector<PortsAttributesRule> rules;
  if (value.is_null()) return rules;
  if (!value.is_object()) wrong(file, "portsAttributes", "an object keyed by port, range or pattern");
  for (const auto& [key, v] : value.items()) {
    PortsAttributesRule rule;
    rule.key = key;
    rule.attributes = parse_port_attributes(v, "portsAttributes." + key, file);
    auto dash = key.find('-');
    auto first = whole_number(std::string_view(key).substr(0, dash));
    auto last = dash == std::string::npos ? first : whole_number(std::string_view(key).substr(dash + 1));
    if (first && last && *first >= 1 && *last <= 65535 && *first <= *last) {
      rule.first = *first;
      rule.last = *last;
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

const PortAttributes* attributes_for_port(const std::vector<PortsAttributesRule>& rules, int port) {
  for (const auto& r : rules)
    if (r.first != 0 && port >= r.first && port <= r.last) return &r.attributes;
  return nullptr;
}

std::string parse_user_env_probe(const json& value, const std::string& file) {
  if (value.is_null()) return "";
  if (value.is_string()) {
    auto s = value.get<std::string>();
    if (s == "none" || s == "loginShell" || s == "loginInteractiveShell" || s == "interactiveShell") return s;
  }
  wrong(file, "userEnvProbe", "\"none\", \"loginShell\", \"loginInteractiveShell\" or \"interactiveShell\"");
}

std::string parse_wait_for(const json& value, const std::string& file) {
  if (value.is_null()) return "";
  if (value.is_string()) {
    auto s = value.get<std::string>();
    if (s == "initializeCommand" || s == "onCreateCommand" || s == "updateContentCommand" || s == "postCreateCommand" ||
        s == "postStartCommand")
      return s;
  }
  wrong(file, "waitFor", "one of initializeCommand, onCreateCommand, updateContentCommand, postCreateCommand, postStartCommand");
}

}  // namespace dlc::config
