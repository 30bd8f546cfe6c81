#include "core/services.h"

#include "core/container_plan.h"
#include "core/remote_workspace.h"
#include "inspect/repo.h"
#include "support/error.h"
#include "support/json.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

void from_json(const json& j, JupyterParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "host", p.host);
  get_if(j, "lab", p.lab);
  get_if(j, "install", p.install);
  get_if(j, "port", p.port);
}

void from_json(const json& j, TensorBoardParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "host", p.host);
  get_if(j, "logdir", p.logdir);
  get_if(j, "install", p.install);
  get_if(j, "port", p.port);
}

void from_json(const json& j, CodeParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "host", p.host);
  get_if(j, "install", p.install);
  get_if(j, "port", p.port);
}

void from_json(const json& j, DebugParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "host", p.host);
  get_if(j, "command", p.command);
  get_if(j, "pid", p.pid);
  get_if(j, "wait", p.wait);
  get_if(j, "port", p.port);
}

void from_json(const json& j, PortsParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "host", p.host);
}

services::Target service_target(const engine::Engine& engine, const std::string& workspace) {
  std::string key = workspace_key(engine, workspace);
  fs::path folder = key;
  auto found = engine.list_containers(workspace_filter(engine, key));
  if (found.empty()) {
    throw Error(ErrorCode::ContainerNotFound, "no container for " + key, "run `dlcontainer up " + key + "` first");
  }
  auto newest = *std::max_element(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.created < b.created; });
  if (newest.state != "running") {
    throw Error(ErrorCode::ContainerNotRunning, "the container for " + key + " is " + newest.state,
                "start it with `dlcontainer up " + key + "`");
  }
  auto info = engine.inspect_container(newest.id);
  if (!info) throw Error(ErrorCode::ContainerNotFound, "the container for " + key + " just went away", "run `dlcontainer up`");
  auto meta = read_metadata(info->labels);
  services::Target t;
  t.container_id = info->id;
  t.user = meta.remote_user.empty() ? "root" : meta.remote_user;
  t.workspace_folder = meta.workspace_folder.empty() ? "/" : meta.workspace_folder;
  t.host_folder = folder.string();
  t.env = remote_environment(meta.remote_env, info->env);
  // Ports a remote engine publishes are on its own loopback, out of this machine's reach: every port is
  // then reached through a forward over the engine connection.
  if (engine.endpoint().local()) t.published = info->ports;
  t.cap_add = info->cap_add;
  t.security_opt = info->security_opt;
  // The settings as devcontainer.json says now; one that no longer parses leaves the defaults.
  try {
    if (!inspect::is_remote(key)) t.settings = load_workspace(folder, info->labels[kConfigFileLabel]).config.dlcontainer;
  } catch (const Error&) {
  }
  return t;
}

services::Services workspace_services(const engine::Engine& engine, const std::string& workspace,
                                      services::Forwarders& forwarders, ProgressSink& progress, const CancelToken& cancel) {
  cancel.throw_if_cancelled();
  return services::Services(engine, service_target(engine, workspace), forwarders, progress, cancel);
}

void from_json(const json& j, StopServiceParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "host", p.host);
  get_if(j, "kind", p.kind);
}

void check_service_kind(const std::string& kind) {
  for (const char* k : {"jupyter", "tensorboard", "debugpy", "gdbserver", "code"}) {
    if (kind == k) return;
  }
  throw Error(ErrorCode::InvalidArgument, "no service kind \"" + kind + "\"", "give one of jupyter, tensorboard, debugpy, gdbserver, code");
}

namespace {

services::Services services_of(const std::string& workspace, const ServiceContext& c) {
  return workspace_services(c.workspaces.engine(), workspace, c.forwards.forwarders(), c.progress, c.cancel);
}

}  // namespace

services::ServiceInfo start_jupyter(const JupyterParams& p, const ServiceContext& c) { return services_of(p.workspace, c).jupyter(p); }

services::ServiceInfo start_tensorboard(const TensorBoardParams& p, const ServiceContext& c) {
  return services_of(p.workspace, c).tensorboard(p);
}

services::ServiceInfo start_code(const CodeParams& p, const ServiceContext& c) { return services_of(p.workspace, c).code(p); }

services::ServiceInfo start_debugpy(const DebugParams& p, const ServiceContext& c) { return services_of(p.workspace, c).debugpy(p); }

services::ServiceInfo start_gdbserver(const DebugParams& p, const ServiceContext& c) {
  return services_of(p.workspace, c).gdbserver(p);
}

std::vector<services::ServiceInfo> list_services(const PortsParams& p, const ServiceContext& c) {
  return services_of(p.workspace, c).list();
}

std::vector<services::PortEntry> list_ports(const PortsParams& p, const ServiceContext& c) { return services_of(p.workspace, c).ports(); }

int stop_services(const StopServiceParams& p, const ServiceContext& c) {
  check_service_kind(p.kind);
  return services_of(p.workspace, c).stop(p.kind);
}

}  // namespace dlc::core
