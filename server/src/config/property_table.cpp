// Every devcontainer.json property and what dlcontainer does with it (docs/devcontainer-compat.md
// shows the same table). A property that is read and not used earns a warning that names it.
#include <algorithm>

#include "config/properties.h"

namespace dlc::config {

using nlohmann::json;

const std::vector<PropertyInfo>& property_table() {
  using S = Support;
  static const std::vector<PropertyInfo> table = {
      {"$schema", S::Supported, "documentation for editors; nothing to do"},
      {"name", S::Supported, "shown by editors; the container's name comes from the folder"},
      {"image", S::Supported, "pulled when missing"},
      {"build", S::Supported, "dockerfile, context, args, target, cacheFrom, options (the flags the Engine API's build expresses)"},
      {"dockerFile", S::Supported, "the old spelling of build.dockerfile"},
      {"context", S::Supported, "the old spelling of build.context"},
      {"dockerComposeFile", S::Supported, "through the engine's compose tool (docker compose v2, else docker-compose)"},
      {"service", S::Supported, "the Compose service that is the dev container"},
      {"runServices", S::Supported, "the Compose services started with it"},
      {"workspaceFolder", S::Supported, ""},
      {"workspaceMount", S::Supported, ""},
      {"mounts", S::Supported, "bind, volume (named or anonymous) and tmpfs"},
      {"runArgs", S::Supported, "the docker run flags dlcontainer knows; any other flag is an error naming it"},
      {"appPort", S::Supported, "published on 127.0.0.1"},
      {"forwardPorts", S::Partly, "published on 127.0.0.1 when the container is made; another Compose service's \"db:5432\" too; another host's is not forwarded (warned)"},
      {"portsAttributes", S::Partly, "requireLocalPort is honoured, label and protocol are shown by up; onAutoForward (but silent and ignore), elevateIfNeeded and patterns are not (warned)"},
      {"otherPortsAttributes", S::Partly, "as portsAttributes, for published ports that have none"},
      {"containerEnv", S::Supported, ""},
      {"remoteEnv", S::Supported, "null unsets a variable the probe found"},
      {"containerUser", S::Supported, ""},
      {"remoteUser", S::Supported, ""},
      {"updateRemoteUserUID", S::Supported, "the user keeps its gid when another group has the host's"},
      {"userEnvProbe", S::Supported, "remembered per container start"},
      {"overrideCommand", S::Supported, ""},
      {"init", S::Supported, ""},
      {"privileged", S::Supported, ""},
      {"capAdd", S::Supported, ""},
      {"securityOpt", S::Supported, ""},
      {"shutdownAction", S::Supported, "`dlcontainer down` stops the container (stopCompose: every service of the project)"},
      {"initializeCommand", S::Supported, "on the host, in the workspace folder, at every up"},
      {"onCreateCommand", S::Supported, ""},
      {"updateContentCommand", S::Supported, ""},
      {"postCreateCommand", S::Supported, ""},
      {"postStartCommand", S::Supported, ""},
      {"postAttachCommand", S::Supported, "at every up, unless --skip-post-attach"},
      {"waitFor", S::Supported, "up --skip-non-blocking-commands stops after it"},
      {"hostRequirements", S::Supported, "gpu decides the GPUs; cpus, memory and storage are checked against the engine's host (warned when short)"},
      {"customizations", S::Supported, "customizations.dlcontainer is dlcontainer's; other tools' are kept in the container's metadata for them"},
      {"features", S::Supported, "local folders, OCI registries and tarball URLs, installed as layers of a derived image (docs/features.md)"},
      {"overrideFeatureInstallOrder", S::Supported, ""},
      {"secrets", S::NotSupported, "dlcontainer does not ask for secrets; pass values with remoteEnv and ${localEnv:NAME}"},
      {"extensions", S::NotSupported, "VS Code's old property (now customizations.vscode.extensions); dlcontainer installs no editor extensions"},
      {"settings", S::NotSupported, "VS Code's old property (now customizations.vscode.settings)"},
      {"devPort", S::NotSupported, "VS Code's old property; dlcontainer runs no editor server"},
  };
  return table;
}

namespace {

const PropertyInfo* find_property(std::string_view name) {
  const auto& t = property_table();
  auto it = std::find_if(t.begin(), t.end(), [&](const PropertyInfo& p) { return p.name == name; });
  return it == t.end() ? nullptr : &*it;
}

void unknown_keys(const json& object, const std::string& property, std::initializer_list<std::string_view> known,
                  std::vector<std::string>& out) {
  if (!object.is_object()) return;
  for (const auto& [key, v] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end())
      out.push_back("\"" + property + "." + key + "\" is not a property the spec defines; dlcontainer ignores it");
  }
}

// What one port's attributes ask for that dlcontainer does not do.
void port_attribute_warnings(const json& attrs, const std::string& where, std::vector<std::string>& out) {
  if (!attrs.is_object()) return;
  unknown_keys(attrs, where, {"label", "onAutoForward", "requireLocalPort", "elevateIfNeeded", "protocol"}, out);
  if (auto a = attrs.find("onAutoForward"); a != attrs.end() && a->is_string() && *a != "silent" && *a != "ignore")
    out.push_back("\"" + where + ".onAutoForward\": \"" + a->get<std::string>() +
                  "\" has no effect: dlcontainer does not forward ports as it finds them (it publishes forwardPorts and appPort)");
  if (auto e = attrs.find("elevateIfNeeded"); e != attrs.end() && e->is_boolean() && e->get<bool>())
    out.push_back("\"" + where + ".elevateIfNeeded\" has no effect: the engine publishes ports, nothing is elevated");
}

void partial_warnings(const std::string& name, const json& value, std::vector<std::string>& out) {
  if (name == "portsAttributes" && value.is_object()) {
    for (const auto& [key, attrs] : value.items()) {
      const std::string where = "portsAttributes." + key;
      bool port_or_range = !key.empty() && key.find_first_not_of("0123456789-") == std::string::npos;
      if (!port_or_range)
        out.push_back("\"" + where + "\": a pattern over process command lines has no effect: dlcontainer does not find ports by process");
      port_attribute_warnings(attrs, where, out);
    }
  } else if (name == "otherPortsAttributes") {
    port_attribute_warnings(value, name, out);
  } else if (name == "forwardPorts" && value.is_array()) {
    for (const auto& p : value) {
      if (!p.is_string()) continue;
      auto text = p.get<std::string>();
      auto host = text.substr(0, text.rfind(':'));
      if (text.find(':') != std::string::npos && host != "localhost" && host != "127.0.0.1")
        out.push_back("\"forwardPorts\": \"" + text +
                      "\" is forwarded only when " + host + " is a service of the Compose project (published from it on 127.0.0.1)");
    }
  }
}

}  // namespace

std::vector<std::string> property_warnings(const json& document) {
  std::vector<std::string> out;
  if (!document.is_object()) return out;
  for (const auto& [name, value] : document.items()) {
    const PropertyInfo* info = find_property(name);
    if (!info) {
      out.push_back("\"" + name + "\" is not a property the Dev Container spec defines; dlcontainer ignores it");
      continue;
    }
    if (info->support == Support::NotSupported) {
      out.push_back("\"" + name + "\" is not supported: " + std::string(info->note));
    } else if (info->support == Support::Partly) {
      partial_warnings(name, value, out);
    }
  }
  if (auto b = document.find("build"); b != document.end())
    unknown_keys(*b, "build", {"dockerfile", "context", "args", "target", "cacheFrom", "options"}, out);
  if (auto h = document.find("hostRequirements"); h != document.end())
    unknown_keys(*h, "hostRequirements", {"cpus", "memory", "storage", "gpu"}, out);
  return out;
}

}  // namespace dlc::config
