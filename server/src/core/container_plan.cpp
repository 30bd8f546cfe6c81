#include "core/container_plan.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>


#include "core/container_settings.h"
#include "core/ide_container.h"
#include "core/workspace.h"
#include "services/services.h"
#include "support/files.h"
#include "support/error.h"
#include "support/hash.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// KEY=VALUE list -> map (the last one wins, as for docker -e).
std::map<std::string, std::string> env_map(const std::vector<std::string>& env) {
  std::map<std::string, std::string> out;
  for (const auto& kv : env) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

void add_port(std::vector<engine::PortBinding>& ports, engine::PortBinding p, const PortPicker& pick) {
  for (const auto& existing : ports) {
    if (existing.container_port == p.container_port && existing.protocol == p.protocol) return;
  }
  if (p.host_port == 0) p.host_port = pick(p.host_ip, p.container_port);
  ports.push_back(std::move(p));
}

}  // namespace

std::string container_name_for(const fs::path& folder) {
  std::string base = folder.filename().string();
  std::string clean;
  for (char c : base) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    clean += ok ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '-';
  }
  if (clean.empty() || !std::isalnum(static_cast<unsigned char>(clean.front()))) clean = "ws" + clean;
  if (clean.size() > 40) clean.resize(40);
  return "dlc-" + clean + "-" + sha256_hex(folder.string()).substr(0, 8);
}

WorkspaceContext load_workspace(const fs::path& folder, const std::string& explicit_config, const gpu::HostFacts* facts) {
  WorkspaceContext ws;
  ws.folder = folder;
  fs::path config_file;
  if (!explicit_config.empty()) {
    config_file = fs::absolute(explicit_config);
  } else if (auto found = config::find_config(folder)) {
    config_file = *found;
  } else {
    // No devcontainer.json: the plan inferred from the repository stands in for it (core/plan.cpp).
    auto inferred = std::make_shared<const InferredWorkspace>(infer_workspace(folder, facts));
    ws.inferred = inferred;
    ws.config = inferred->config;
    ws.devcontainer_id = sha256_hex(folder.string() + "\ninferred").substr(0, 32);
    ws.remote_workspace_folder = config::default_workspace_folder(folder);
    ws.config_hash = sha256_hex(ws.config.document.dump()).substr(0, 16);
    ws.container_name = container_name_for(folder);
    return ws;
  }
  // The spec derives devcontainerId from the labels that identify the container, and so do we, the
  // reference's way: a volume named after it is the same volume for both tools.
  config_file = fs::absolute(config_file).lexically_normal();
  ws.devcontainer_id = config::devcontainer_id(folder.string(), config_file.string());
  config::Substitution vars;
  vars.local_workspace_folder = folder.string();
  vars.devcontainer_id = ws.devcontainer_id;
  ws.config = config::load_config(config_file, vars);
  // A Compose service's folder is what its compose file mounts; the reference's default there is "/".
  ws.remote_workspace_folder = !ws.config.workspace_folder.empty() ? ws.config.workspace_folder
                               : ws.config.compose                 ? "/"
                                                                   : config::default_workspace_folder(folder);

  // Comments and formatting do not make a container out of date; the document and the Dockerfile do.
  std::string hashed = ws.config.document.dump();
  if (ws.config.build) hashed += "\n" + read_file(ws.config.build->dockerfile).value_or("");
  ws.config_hash = sha256_hex(hashed).substr(0, 16);
  ws.container_name = container_name_for(folder);
  return ws;
}

std::string remote_user_of(const config::DevcontainerConfig& config, const std::string& image_user) {
  if (!config.remote_user.empty()) return config.remote_user;
  if (!config.container_user.empty()) return config.container_user;
  if (!config.run_args.user.empty()) return config.run_args.user;
  if (!image_user.empty()) return image_user;
  return "root";
}

int pick_free_port(const std::string& host_ip, int preferred) {
  // Bind-test each candidate; a port another program holds moves to the next free one.
  std::string ip = host_ip.empty() || host_ip == "0.0.0.0" ? "0.0.0.0" : host_ip;
  if (ip == "localhost") ip = "127.0.0.1";
  for (int port = preferred; port < preferred + 200 && port < 65536; ++port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
      ::close(fd);
      return preferred;  // not an IPv4 address we can test: let the engine decide
    }
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (free) return port;
  }
  throw Error(ErrorCode::PortUnavailable,
              "no free host port from " + std::to_string(preferred) + " to " + std::to_string(preferred + 199),
              "stop what holds those ports, or choose another port in devcontainer.json");
}

namespace {
// The keep-alive script's first line; run_before_started puts its setup after it.
constexpr std::string_view kKeepAliveHead = "trap 'exit 0' TERM INT\n";
}  // namespace

std::vector<std::string> keep_alive_command(const std::vector<std::string>& entrypoints) {
  std::string script = std::string(kKeepAliveHead) + "echo 'dlcontainer: container started'\n";
  for (const auto& e : entrypoints) script += e + "\n";
  script += "exec \"$@\"\nwhile sleep 86400 & wait $!; do :; done";
  return {"/bin/sh", "-c", script, "-"};
}

bool run_before_started(engine::ContainerSpec& spec, const std::string& setup) {
  if (!spec.entrypoint || *spec.entrypoint != std::vector<std::string>{"/bin/sh"} || !spec.cmd || spec.cmd->size() < 2 ||
      (*spec.cmd)[0] != "-c" || !(*spec.cmd)[1].starts_with(kKeepAliveHead))
    return false;
  (*spec.cmd)[1].insert(kKeepAliveHead.size(), setup + "\n");
  return true;
}

engine::ContainerSpec container_spec(const WorkspaceContext& ws, const std::string& image, const engine::ImageInfo& image_info,
                                     const PortPicker& pick_port) {
  const auto& c = ws.config;
  const auto& ra = c.run_args;
  const std::string& image_user = image_info.user;
  engine::ContainerSpec s;
  s.name = ws.container_name;
  s.image = image;
  s.platform = ra.platform;
  s.user = !c.container_user.empty() ? c.container_user : ra.user;
  if (c.override_command || !ws.merged.entrypoints.empty()) {
    auto keep = keep_alive_command(ws.merged.entrypoints);
    s.entrypoint = std::vector<std::string>{keep.front()};
    s.cmd = std::vector<std::string>(keep.begin() + 1, keep.end());
    if (!c.override_command) {  // the image's own command runs after the entrypoints, as `"$@"`
      if (image_info.entrypoint) s.cmd->insert(s.cmd->end(), image_info.entrypoint->begin(), image_info.entrypoint->end());
      if (image_info.cmd) s.cmd->insert(s.cmd->end(), image_info.cmd->begin(), image_info.cmd->end());
    }
  }

  // containerEnv, then runArgs -e (both set the container's environment; runArgs come later in
  // `docker run` and so win).
  auto env = c.container_env;
  for (const auto& [k, v] : env_map(ra.env)) env[k] = v;
  for (const auto& [k, v] : env) s.env.push_back(k + "=" + v);

  engine::Mount workspace = c.workspace_mount.value_or(
      engine::Mount{.type = "bind", .source = ws.folder.string(), .target = ws.remote_workspace_folder});
  if (!c.compose) s.mounts.push_back(workspace);  // a Compose service's own file mounts the workspace
  for (const auto& m : c.mounts) s.mounts.push_back(m);
  for (const auto& m : ra.volumes) s.mounts.push_back(m);
  add_ide_options(ws, s, pick_port);  // the interpreter's mirror, IDE helpers, SSH (core/ide_container.h)
  s.working_dir = ws.remote_workspace_folder;

  for (const auto& p : ra.publish) add_port(s.ports, p, pick_port);
  const std::string publish_ip = services::publish_address(c.dlcontainer);  // 127.0.0.1 unless configured
  // requireLocalPort (portsAttributes, else otherPortsAttributes): the same port on the host or an error.
  auto picker_for = [&](int port) -> PortPicker {
    const auto* attrs = config::attributes_for_port(c.ports_attributes, port);
    if (!attrs && c.other_ports_attributes) attrs = &*c.other_ports_attributes;
    if (!attrs || !attrs->require_local_port) return pick_port;
    return [pick_port](const std::string& ip, int preferred) {
      int got = pick_port(ip, preferred);
      if (got != preferred)
        throw Error(ErrorCode::PortUnavailable, "port " + std::to_string(preferred) + " is taken on this host and its portsAttributes say requireLocalPort",
                    "stop what listens on " + std::to_string(preferred) + ", or drop requireLocalPort to let dlcontainer choose another");
      return got;
    };
  };
  for (int p : c.app_port) add_port(s.ports, engine::PortBinding{.container_port = p, .host_ip = publish_ip}, picker_for(p));
  for (const auto& fp : c.forward_ports) {
    // A forwarded port of another service ("db:5432") is not this container's to publish.
    if (fp.host == "localhost" || fp.host == "127.0.0.1")
      add_port(s.ports, engine::PortBinding{.container_port = fp.port, .host_ip = publish_ip}, picker_for(fp.port));
  }

  s.init = c.init || ra.init;
  s.privileged = c.privileged || ra.privileged;
  s.cap_add = c.cap_add;
  s.cap_add.insert(s.cap_add.end(), ra.cap_add.begin(), ra.cap_add.end());
  s.security_opt = c.security_opt;
  s.security_opt.insert(s.security_opt.end(), ra.security_opt.begin(), ra.security_opt.end());
  s.ipc_mode = ra.ipc;
  s.shm_size = ra.shm_size;
  s.network_mode = ra.network;
  s.hostname = ra.hostname;
  s.runtime = ra.runtime;
  s.extra_hosts = ra.add_host;
  s.devices = ra.devices;
  services::add_container_options(c.dlcontainer, ws.container_name, s);  // debug: ptrace; gui: X11

  s.labels = ra.labels;
  s.labels[kWorkspaceLabel] = ws.folder.string();
  s.labels[kConfigHashLabel] = ws.config_hash;
  s.labels[kLocalFolderLabel] = ws.folder.string();
  s.labels[kConfigFileLabel] = c.config_file;
  s.labels[kMetadataLabel] = config::metadata_label_value(
      ws.metadata.empty() ? std::vector<config::MetadataEntry>{config::config_entry(c.document)} : ws.metadata);
  s.labels[kRemoteFolderLabel] = ws.remote_workspace_folder;
  s.labels[kRemoteUserLabel] = remote_user_of(c, image_user);
#ifdef DLC_VERSION
  s.labels[kVersionLabel] = DLC_VERSION;
#endif
  return s;
}

ContainerMetadata read_metadata(const std::map<std::string, std::string>& labels) {
  auto settings = summary_settings(labels);
  ContainerMetadata m{.remote_user = settings.remote_user, .workspace_folder = settings.workspace_folder};
  for (const auto& [k, v] : settings.merged.remote_env)
    if (v) m.remote_env[k] = *v;
  return m;
}

std::vector<std::string> remote_environment(const std::map<std::string, std::string>& remote_env,
                                            const std::vector<std::string>& container_env) {
  auto container = env_map(container_env);
  std::vector<std::string> out;
  for (const auto& [key, value] : remote_env) {
    std::string v = value;
    // ${containerEnv:VAR} and ${containerEnv:VAR:default}
    for (std::size_t pos; (pos = v.find("${containerEnv:")) != std::string::npos;) {
      auto end = v.find('}', pos);
      if (end == std::string::npos) break;
      std::string inner = v.substr(pos + 15, end - pos - 15);
      std::string name = inner, fallback;
      if (auto colon = inner.find(':'); colon != std::string::npos) {
        name = inner.substr(0, colon);
        fallback = inner.substr(colon + 1);
      }
      auto found = container.find(name);
      v.replace(pos, end - pos + 1, found != container.end() ? found->second : fallback);
    }
    out.push_back(key + "=" + v);
  }
  return out;
}

}  // namespace dlc::core
