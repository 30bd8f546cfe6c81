#include "engine/types.h"

namespace dlc::engine {

using json = nlohmann::json;

namespace {

template <class T>
T value_or(const json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}

std::vector<std::string> strings_or_empty(const json& j, const char* key) {
  return value_or<std::vector<std::string>>(j, key, {});
}

std::map<std::string, std::string> labels_of(const json& j, const char* key) {
  return value_or<std::map<std::string, std::string>>(j, key, {});
}

std::optional<std::vector<std::string>> optional_strings(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return std::vector<std::string>{it->get<std::string>()};
  return it->get<std::vector<std::string>>();
}

std::string port_key(const PortBinding& p) { return std::to_string(p.container_port) + "/" + p.protocol; }

// "8888/tcp" -> (8888, "tcp")
std::pair<int, std::string> parse_port_key(const std::string& key) {
  auto slash = key.find('/');
  int port = std::stoi(key.substr(0, slash));
  return {port, slash == std::string::npos ? "tcp" : key.substr(slash + 1)};
}

}  // namespace

void to_json(json& j, const Mount& m) {
  j = {{"type", m.type}, {"source", m.source}, {"target", m.target}};
  if (m.read_only) j["readOnly"] = true;
}

void from_json(const json& j, Mount& m) {
  m.type = value_or<std::string>(j, "type", "bind");
  m.source = value_or<std::string>(j, "source", "");
  m.target = j.at("target").get<std::string>();
  m.read_only = value_or(j, "readOnly", false);
}

void to_json(json& j, const PortBinding& p) {
  j = {{"containerPort", p.container_port}, {"protocol", p.protocol}, {"hostIp", p.host_ip}, {"hostPort", p.host_port}};
}

void from_json(const json& j, PortBinding& p) {
  p.container_port = j.at("containerPort").get<int>();
  p.protocol = value_or<std::string>(j, "protocol", "tcp");
  p.host_ip = value_or<std::string>(j, "hostIp", "127.0.0.1");
  p.host_port = value_or(j, "hostPort", 0);
}

void to_json(json& j, const DeviceRequest& d) {
  j = {{"driver", d.driver}, {"count", d.count}, {"deviceIds", d.device_ids}, {"capabilities", d.capabilities}};
}

void from_json(const json& j, DeviceRequest& d) {
  d.driver = value_or<std::string>(j, "driver", "nvidia");
  d.count = value_or(j, "count", 0);
  d.device_ids = strings_or_empty(j, "deviceIds");
  d.capabilities = value_or<std::vector<std::string>>(j, "capabilities", {"gpu"});
}

void to_json(json& j, const DeviceMapping& d) {
  j = {{"pathOnHost", d.path_on_host}, {"pathInContainer", d.path_in_container}, {"permissions", d.permissions}};
}

void from_json(const json& j, DeviceMapping& d) {
  d.path_on_host = j.at("pathOnHost").get<std::string>();
  d.path_in_container = value_or<std::string>(j, "pathInContainer", d.path_on_host);
  d.permissions = value_or<std::string>(j, "permissions", "rwm");
}

void to_json(json& j, const ContainerSpec& s) {
  j = json{{"image", s.image},           {"env", s.env},       {"labels", s.labels},
           {"mounts", s.mounts},         {"ports", s.ports},   {"deviceRequests", s.device_requests},
           {"devices", s.devices},       {"capAdd", s.cap_add}, {"securityOpt", s.security_opt},
           {"init", s.init},             {"privileged", s.privileged}};
  if (!s.name.empty()) j["name"] = s.name;
  if (s.entrypoint) j["entrypoint"] = *s.entrypoint;
  if (s.cmd) j["cmd"] = *s.cmd;
  if (!s.user.empty()) j["user"] = s.user;
  if (!s.working_dir.empty()) j["workingDir"] = s.working_dir;
  if (!s.ipc_mode.empty()) j["ipcMode"] = s.ipc_mode;
  if (!s.network_mode.empty()) j["networkMode"] = s.network_mode;
  if (!s.runtime.empty()) j["runtime"] = s.runtime;
  if (s.shm_size != 0) j["shmSize"] = s.shm_size;
  if (!s.platform.empty()) j["platform"] = s.platform;
  if (!s.extra_hosts.empty()) j["extraHosts"] = s.extra_hosts;
}

void to_json(json& j, const ContainerState& s) {
  j = {{"status", s.status}, {"running", s.running}, {"exitCode", s.exit_code}, {"startedAt", s.started_at}};
}

void to_json(json& j, const ContainerSummary& s) {
  j = {{"id", s.id}, {"name", s.name}, {"image", s.image}, {"state", s.state}, {"status", s.status}, {"labels", s.labels}};
}

void to_json(json& j, const SystemInfo& s) {
  j = {{"serverVersion", s.server_version}, {"apiVersion", s.api_version},   {"os", s.os},
       {"kernelVersion", s.kernel_version}, {"dockerRootDir", s.docker_root_dir}, {"defaultRuntime", s.default_runtime},
       {"runtimes", s.runtimes},            {"cdiSpecDirs", s.cdi_spec_dirs}, {"registryMirrors", s.registry_mirrors},
       {"ncpu", s.ncpu},                    {"memTotal", s.mem_total},       {"cgroupVersion", s.cgroup_version}};
}

json to_docker_create_body(const ContainerSpec& s) {
  json body = {{"Image", s.image}, {"Tty", s.tty}, {"OpenStdin", false}, {"AttachStdin", false}};
  if (s.entrypoint) body["Entrypoint"] = *s.entrypoint;
  if (s.cmd) body["Cmd"] = *s.cmd;
  if (!s.env.empty()) body["Env"] = s.env;
  if (!s.user.empty()) body["User"] = s.user;
  if (!s.working_dir.empty()) body["WorkingDir"] = s.working_dir;
  if (!s.hostname.empty()) body["Hostname"] = s.hostname;
  body["Labels"] = s.labels;

  json host = json::object();
  json mounts = json::array();
  for (const auto& m : s.mounts) {
    json mount = {{"Type", m.type}, {"Target", m.target}, {"ReadOnly", m.read_only}};
    if (!m.source.empty()) mount["Source"] = m.source;
    mounts.push_back(std::move(mount));
  }
  host["Mounts"] = std::move(mounts);

  if (!s.ports.empty()) {
    json exposed = json::object();
    json bindings = json::object();
    for (const auto& p : s.ports) {
      exposed[port_key(p)] = json::object();
      bindings[port_key(p)].push_back(
          {{"HostIp", p.host_ip}, {"HostPort", p.host_port == 0 ? "" : std::to_string(p.host_port)}});
    }
    body["ExposedPorts"] = std::move(exposed);
    host["PortBindings"] = std::move(bindings);
  }
  if (!s.device_cgroup_rules.empty()) host["DeviceCgroupRules"] = s.device_cgroup_rules;
  if (!s.device_requests.empty()) {
    json requests = json::array();
    for (const auto& d : s.device_requests) {
      requests.push_back({{"Driver", d.driver},
                          {"Count", d.device_ids.empty() ? d.count : 0},
                          {"DeviceIDs", d.device_ids},
                          {"Capabilities", json::array({d.capabilities})}});
    }
    host["DeviceRequests"] = std::move(requests);
  }
  if (!s.devices.empty()) {
    json devices = json::array();
    for (const auto& d : s.devices) {
      devices.push_back({{"PathOnHost", d.path_on_host},
                         {"PathInContainer", d.path_in_container},
                         {"CgroupPermissions", d.permissions}});
    }
    host["Devices"] = std::move(devices);
  }
  if (!s.cap_add.empty()) host["CapAdd"] = s.cap_add;
  if (!s.security_opt.empty()) host["SecurityOpt"] = s.security_opt;
  if (!s.extra_hosts.empty()) host["ExtraHosts"] = s.extra_hosts;
  if (!s.ipc_mode.empty()) host["IpcMode"] = s.ipc_mode;
  if (!s.network_mode.empty()) host["NetworkMode"] = s.network_mode;
  if (!s.runtime.empty()) host["Runtime"] = s.runtime;
  if (s.shm_size != 0) host["ShmSize"] = s.shm_size;
  if (s.init) host["Init"] = true;
  if (s.privileged) host["Privileged"] = true;
  body["HostConfig"] = std::move(host);
  return body;
}

ContainerInfo container_info_from_docker(const json& j) {
  ContainerInfo c;
  c.id = j.at("Id").get<std::string>();
  c.name = value_or<std::string>(j, "Name", "");
  if (c.name.starts_with('/')) c.name.erase(0, 1);
  c.image_id = value_or<std::string>(j, "Image", "");
  c.created = value_or<std::string>(j, "Created", "");
  if (auto st = j.find("State"); st != j.end()) {
    c.state.status = value_or<std::string>(*st, "Status", "");
    c.state.running = value_or(*st, "Running", false);
    c.state.exit_code = value_or(*st, "ExitCode", 0);
    c.state.oom_killed = value_or(*st, "OOMKilled", false);
    c.state.error = value_or<std::string>(*st, "Error", "");
    c.state.started_at = value_or<std::string>(*st, "StartedAt", "");
    c.state.finished_at = value_or<std::string>(*st, "FinishedAt", "");
  }
  if (auto cfg = j.find("Config"); cfg != j.end() && cfg->is_object()) {
    c.image = value_or<std::string>(*cfg, "Image", "");
    c.labels = labels_of(*cfg, "Labels");
    c.env = strings_or_empty(*cfg, "Env");
    c.user = value_or<std::string>(*cfg, "User", "");
  }
  if (auto host = j.find("HostConfig"); host != j.end() && host->is_object()) {
    c.cap_add = strings_or_empty(*host, "CapAdd");
    c.security_opt = strings_or_empty(*host, "SecurityOpt");
    if (auto dr = host->find("DeviceRequests"); dr != host->end() && dr->is_array()) {
      for (const auto& d : *dr) {
        DeviceRequest r;
        r.driver = value_or<std::string>(d, "Driver", "");
        r.count = value_or(d, "Count", 0);
        r.device_ids = strings_or_empty(d, "DeviceIDs");
        r.capabilities.clear();
        if (auto caps = d.find("Capabilities"); caps != d.end() && caps->is_array() && !caps->empty())
          r.capabilities = (*caps)[0].get<std::vector<std::string>>();
        c.device_requests.push_back(std::move(r));
      }
    }
    if (auto devs = host->find("Devices"); devs != host->end() && devs->is_array()) {
      for (const auto& d : *devs) {
        c.devices.push_back({value_or<std::string>(d, "PathOnHost", ""), value_or<std::string>(d, "PathInContainer", ""),
                             value_or<std::string>(d, "CgroupPermissions", "")});
      }
    }
  }
  if (auto ms = j.find("Mounts"); ms != j.end() && ms->is_array()) {
    for (const auto& m : *ms) {
      Mount mount;
      mount.type = value_or<std::string>(m, "Type", "bind");
      mount.source = mount.type == "volume" ? value_or<std::string>(m, "Name", "") : value_or<std::string>(m, "Source", "");
      mount.target = value_or<std::string>(m, "Destination", "");
      mount.read_only = !value_or(m, "RW", true);
      c.mounts.push_back(std::move(mount));
    }
  }
  // NetworkSettings.Ports holds the ports as actually bound (with the host port the engine chose).
  if (auto ns = j.find("NetworkSettings"); ns != j.end() && ns->is_object()) {
    if (auto ports = ns->find("Ports"); ports != ns->end() && ports->is_object()) {
      for (const auto& [key, bindings] : ports->items()) {
        if (!bindings.is_array()) continue;
        auto [port, proto] = parse_port_key(key);
        for (const auto& b : bindings) {
          PortBinding p;
          p.container_port = port;
          p.protocol = proto;
          p.host_ip = value_or<std::string>(b, "HostIp", "");
          auto hp = value_or<std::string>(b, "HostPort", "0");
          p.host_port = hp.empty() ? 0 : std::stoi(hp);
          c.ports.push_back(std::move(p));
        }
      }
    }
  }
  return c;
}

ContainerSummary container_summary_from_docker(const json& j) {
  ContainerSummary s;
  s.id = j.at("Id").get<std::string>();
  auto names = strings_or_empty(j, "Names");
  if (!names.empty()) s.name = names.front().starts_with('/') ? names.front().substr(1) : names.front();
  s.image = value_or<std::string>(j, "Image", "");
  s.state = value_or<std::string>(j, "State", "");
  s.status = value_or<std::string>(j, "Status", "");
  s.labels = labels_of(j, "Labels");
  s.created = value_or<std::int64_t>(j, "Created", 0);
  return s;
}

ImageInfo image_info_from_docker(const json& j) {
  ImageInfo i;
  i.id = j.at("Id").get<std::string>();
  i.repo_tags = strings_or_empty(j, "RepoTags");
  i.size = value_or<std::int64_t>(j, "Size", 0);
  i.created = value_or<std::string>(j, "Created", "");
  if (auto cfg = j.find("Config"); cfg != j.end() && cfg->is_object()) {
    i.user = value_or<std::string>(*cfg, "User", "");
    i.env = strings_or_empty(*cfg, "Env");
    i.labels = labels_of(*cfg, "Labels");
    i.entrypoint = optional_strings(*cfg, "Entrypoint");
    i.cmd = optional_strings(*cfg, "Cmd");
    i.working_dir = value_or<std::string>(*cfg, "WorkingDir", "");
  }
  return i;
}

}  // namespace dlc::engine
