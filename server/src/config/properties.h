// The forms of devcontainer.json's properties that both the file and image metadata entries hold
// (lifecycle commands, ports, host requirements), and the table of every property the spec defines
// with what dlcontainer does with it: nothing in the file is ignored without a word.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dlc::config {

// A lifecycle command in any of the spec's three forms. A string runs through `/bin/sh -c`, an
// array runs as argv, an object runs each of its named entries (string or array) in parallel.
struct LifecycleCommand {
  struct Step {
    std::string name;               // the object form's key; "" otherwise
    std::vector<std::string> argv;  // a string command becomes {"/bin/sh", "-c", string}
  };
  std::vector<Step> steps;  // empty: nothing to run
  bool parallel = false;    // true for the object form

  bool empty() const { return steps.empty(); }
};

// A port to forward: `3000` or `"db:5432"` (a host other than localhost is kept for display).
struct ForwardPort {
  std::string host = "localhost";
  int port = 0;
  bool operator==(const ForwardPort&) const = default;
};

// hostRequirements.gpu: true (required), false, "optional", or {cores, memory}.
struct GpuRequirement {
  enum class Need { None, Optional, Required } need = Need::None;
  int cores = 0;               // from the object form, 0 when not given
  std::int64_t memory = 0;     // bytes, from the object form
};

// hostRequirements: what the host must have. 0 means not asked.
struct HostRequirements {
  int cpus = 0;
  std::int64_t memory = 0;   // bytes
  std::int64_t storage = 0;  // bytes
  GpuRequirement gpu;
};

// portsAttributes' values (and otherPortsAttributes). Unset fields are the spec's defaults.
struct PortAttributes {
  std::string label;
  std::string on_auto_forward;  // notify | openBrowser | openBrowserOnce | openPreview | silent | ignore
  bool require_local_port = false;
  bool elevate_if_needed = false;
  std::string protocol;         // http | https
  bool operator==(const PortAttributes&) const = default;
};

// One portsAttributes key: a port, a range "40000-55000", or a pattern over a process's command line.
struct PortsAttributesRule {
  std::string key;
  int first = 0, last = 0;  // the ports it covers; 0 when the key is a pattern
  PortAttributes attributes;
};

// The property's name (as the user wrote it) and the file go into every error.
LifecycleCommand parse_lifecycle_command(const nlohmann::json& value, const std::string& property,
                                         const std::string& file);
std::vector<ForwardPort> parse_forward_ports(const nlohmann::json& value, const std::string& file);
GpuRequirement parse_gpu(const nlohmann::json& value, const std::string& file);
HostRequirements parse_host_requirements(const nlohmann::json& value, const std::string& file);
PortAttributes parse_port_attributes(const nlohmann::json& value, const std::string& property, const std::string& file);
std::vector<PortsAttributesRule> parse_ports_attributes(const nlohmann::json& value, const std::string& file);
// "none", "loginShell", "loginInteractiveShell", "interactiveShell".
std::string parse_user_env_probe(const nlohmann::json& value, const std::string& file);
// "initializeCommand" ... "postStartCommand".
std::string parse_wait_for(const nlohmann::json& value, const std::string& file);
// The spec's byte amounts: "16gb", "512mb", "1024" (tb, gb, mb, kb; no other unit).
std::int64_t parse_bytes(const std::string& text, const std::string& property, const std::string& file);

// The attributes that apply to a port: the first rule whose port or range holds it, else none.
const PortAttributes* attributes_for_port(const std::vector<PortsAttributesRule>& rules, int port);

// The lifecycle hooks in the order they run.
inline constexpr std::string_view kLifecycleHooks[] = {"onCreateCommand", "updateContentCommand", "postCreateCommand",
                                                       "postStartCommand", "postAttachCommand"};

// What dlcontainer does with a property.
enum class Support {
  Supported,    // used as the spec says
  Partly,       // used, but some of its values or sub-properties are not: those are warned about
  NotSupported  // read and not used: a warning names it (`--strict` makes it an error)
};

struct PropertyInfo {
  std::string_view name;  // top-level property, or "build.options" for a nested one
  Support support;
  std::string_view note;  // what dlcontainer does, or why it does not
};

// Every property of the spec's devContainer.base.schema.json (and VS Code's old top-level ones).
const std::vector<PropertyInfo>& property_table();

// The warnings a devcontainer.json earns: each property (or value) dlcontainer does not use, named,
// and each property the spec does not define. Pure: reads the document only.
std::vector<std::string> property_warnings(const nlohmann::json& document);

}  // namespace dlc::config
