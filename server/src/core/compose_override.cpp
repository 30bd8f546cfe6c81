// The override file: a container spec (what dlcontainer gives any container) in compose's terms.
#include <yaml-cpp/yaml.h>

#include "core/compose.h"

namespace dlc::core {

namespace {

// Compose interpolates ${...} in every string of its files: what dlcontainer writes is literal.
std::string literal(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '$') out += '$';
  }
  return out;
}

void quoted_list(YAML::Emitter& y, const std::vector<std::string>& items) {
  y << YAML::BeginSeq;
  for (const auto& i : items) y << YAML::DoubleQuoted << literal(i);
  y << YAML::EndSeq;
}

void volumes(YAML::Emitter& y, const std::vector<engine::Mount>& mounts) {
  y << YAML::Key << "volumes" << YAML::Value << YAML::BeginSeq;
  for (const auto& m : mounts) {
    y << YAML::BeginMap << YAML::Key << "type" << YAML::Value << m.type;
    if (!m.source.empty()) y << YAML::Key << "source" << YAML::Value << YAML::DoubleQuoted << literal(m.source);
    y << YAML::Key << "target" << YAML::Value << YAML::DoubleQuoted << literal(m.target);
    if (m.read_only) y << YAML::Key << "read_only" << YAML::Value << true;
    y << YAML::EndMap;
  }
  y << YAML::EndSeq;
}

// GPUs as the engine's device requests: compose's deploy.resources.reservations.devices.
void gpu_reservations(YAML::Emitter& y, const std::vector<engine::DeviceRequest>& requests) {
  y << YAML::Key << "deploy" << YAML::Value << YAML::BeginMap << YAML::Key << "resources" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "reservations" << YAML::Value << YAML::BeginMap << YAML::Key << "devices" << YAML::Value << YAML::BeginSeq;
  for (const auto& r : requests) {
    y << YAML::BeginMap;
    if (!r.driver.empty()) y << YAML::Key << "driver" << YAML::Value << r.driver;
    if (!r.device_ids.empty()) {
      y << YAML::Key << "device_ids" << YAML::Value;
      quoted_list(y, r.device_ids);
    } else if (r.count < 0) {
      y << YAML::Key << "count" << YAML::Value << "all";
    } else {
      y << YAML::Key << "count" << YAML::Value << r.count;
    }
    y << YAML::Key << "capabilities" << YAML::Value;
    quoted_list(y, r.capabilities);
    y << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap << YAML::EndMap << YAML::EndMap;
}

std::string port_text(const engine::PortBinding& p) {
  return (p.host_ip.empty() ? "" : p.host_ip + ":") + (p.host_port ? std::to_string(p.host_port) + ":" : "") +
         std::to_string(p.container_port) + "/" + p.protocol;
}

void dev_service(YAML::Emitter& y, const engine::ContainerSpec& s) {
  if (!s.image.empty()) y << YAML::Key << "image" << YAML::Value << YAML::DoubleQuoted << literal(s.image);
  if (s.entrypoint) {
    y << YAML::Key << "entrypoint" << YAML::Value;
    quoted_list(y, *s.entrypoint);
  }
  if (s.cmd) {
    y << YAML::Key << "command" << YAML::Value;
    quoted_list(y, *s.cmd);
  }
  if (!s.user.empty()) y << YAML::Key << "user" << YAML::Value << YAML::DoubleQuoted << literal(s.user);
  if (!s.env.empty()) {
    y << YAML::Key << "environment" << YAML::Value;
    quoted_list(y, s.env);
  }
  if (s.init) y << YAML::Key << "init" << YAML::Value << true;
  if (s.privileged) y << YAML::Key << "privileged" << YAML::Value << true;
  if (!s.cap_add.empty()) y << YAML::Key << "cap_add" << YAML::Value << s.cap_add;
  if (!s.security_opt.empty()) y << YAML::Key << "security_opt" << YAML::Value << s.security_opt;
  if (!s.ipc_mode.empty()) y << YAML::Key << "ipc" << YAML::Value << s.ipc_mode;
  if (s.shm_size) y << YAML::Key << "shm_size" << YAML::Value << s.shm_size;
  if (!s.runtime.empty()) y << YAML::Key << "runtime" << YAML::Value << s.runtime;
  if (!s.extra_hosts.empty()) y << YAML::Key << "extra_hosts" << YAML::Value << s.extra_hosts;
  if (!s.labels.empty()) {
    y << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : s.labels) y << YAML::Key << YAML::DoubleQuoted << k << YAML::Value << YAML::DoubleQuoted << literal(v);
    y << YAML::EndMap;
  }
  if (!s.mounts.empty()) volumes(y, s.mounts);
  if (!s.ports.empty()) {
    y << YAML::Key << "ports" << YAML::Value << YAML::BeginSeq;
    for (const auto& p : s.ports) y << YAML::DoubleQuoted << port_text(p);
    y << YAML::EndSeq;
  }
  if (!s.devices.empty()) {
    y << YAML::Key << "devices" << YAML::Value << YAML::BeginSeq;
    for (const auto& d : s.devices) y << YAML::DoubleQuoted << (d.path_on_host + ":" + d.path_in_container + ":" + d.permissions);
    y << YAML::EndSeq;
  }
  if (!s.device_requests.empty()) gpu_reservations(y, s.device_requests);
}

}  // namespace

std::string compose_override(const engine::ContainerSpec& spec, const std::string& service,
                             const std::vector<config::ForwardPort>& forward_ports, const nlohmann::json& compose_config,
                             const std::string& version_line) {
  const auto& services = compose_config.contains("services") ? compose_config["services"] : nlohmann::json::object();
  YAML::Emitter y;
  y << YAML::BeginMap << YAML::Key << "services" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << YAML::DoubleQuoted << service << YAML::Value << YAML::BeginMap;
  dev_service(y, spec);
  y << YAML::EndMap;
  // forwardPorts' "db:5432": published from that service, on the same address as the dev container's.
  const std::string ip = spec.ports.empty() ? "127.0.0.1" : spec.ports.front().host_ip;
  std::map<std::string, std::vector<std::string>> others;
  for (const auto& fp : forward_ports) {
    if (fp.host == "localhost" || fp.host == "127.0.0.1" || fp.host == service || !services.contains(fp.host)) continue;
    others[fp.host].push_back(ip + ":" + std::to_string(fp.port) + ":" + std::to_string(fp.port));
  }
  for (const auto& [name, ports] : others) {
    y << YAML::Key << YAML::DoubleQuoted << name << YAML::Value << YAML::BeginMap << YAML::Key << "ports" << YAML::Value;
    quoted_list(y, ports);
    y << YAML::EndMap;
  }
  y << YAML::EndMap;
  // Named volumes are declared as the reference declares them (the project's, so named by compose).
  std::vector<std::string> named;
  for (const auto& m : spec.mounts)
    if (m.type == "volume" && !m.source.empty()) named.push_back(m.source);
  if (!named.empty()) {
    y << YAML::Key << "volumes" << YAML::Value << YAML::BeginMap;
    for (const auto& n : named) y << YAML::Key << YAML::DoubleQuoted << literal(n) << YAML::Value << YAML::BeginMap << YAML::EndMap;
    y << YAML::EndMap;
  }
  y << YAML::EndMap;
  return (version_line.empty() ? "" : version_line + "\n") + y.c_str() + "\n";
}

}  // namespace dlc::core
