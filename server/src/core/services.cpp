#include "core/services.h"

#include "core/container_plan.h"
#include "support/error.h"
#include "support/json.h"

namespace dlc::core {

using json = nlohmann::json;

void from_json(const json& j, JupyterParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "lab", p.lab);
  get_if(j, "install", p.install);
  get_if(j, "port", p.port);
}

void from_json(const json& j, TensorBoardParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "logdir", p.logdir);
  get_if(j, "install", p.install);
  get_if(j, "port", p.port);
}

void from_json(const json& j, CodeParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "install", p.install);
  get_if(j, "port", p.port);
}

void from_json(const json& j, DebugParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "command", p.command);
  get_if(j, "pid", p.pid);
  get_if(j, "wait", p.wait);
  get_if(j, "port", p.port);
}

void from_json(const json& j, PortsParams& p) { get_if(j, "workspace", p.workspace); }

void from_json(const json& j, ForwardParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "containerPort", p.container_port);
  get_if(j, "hostPort", p.host_port);
}

services::Target service_target(const engine::Engine& engine, const std::string& workspace) {
  auto folder = workspace_folder(workspace);
  auto found = engine.list_containers({{kWorkspaceLabel, folder.string()}});
  if (found.empty()) {
    throw Error(ErrorCode::ContainerNotFound, "no container for " + folder.string(),
                "run `dlcontainer up " + folder.string() + "` first");
  }
  auto newest = *std::max_element(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.created < b.created; });
  if (newest.state != "running") {
    throw Error(ErrorCode::ContainerNotRunning, "the container for " + folder.string() + " is " + newest.state,
                "start it with `dlcontainer up " + folder.string() + "`");
  }
  auto info = engine.inspect_container(newest.id);
  if (!info) throw Error(ErrorCode::ContainerNotFound, "the container for " + folder.string() + " just went away", "run `dlcontainer up`");
  auto meta = read_metadata(info->labels);
  services::Target t;
  t.container_id = info->id;
  t.user = meta.remote_user.empty() ? "root" : meta.remote_user;
  t.workspace_folder = meta.workspace_folder.empty() ? "/" : meta.workspace_folder;
  t.host_folder = folder.string();
  t.env = remote_environment(meta.remote_env, info->env);
  t.published = info->ports;
  t.cap_add = info->cap_add;
  t.security_opt = info->security_opt;
  // The settings as devcontainer.json says now; one that no longer parses leaves the defaults.
  try {
    t.settings = load_workspace(folder, info->labels[kConfigFileLabel]).config.dlcontainer;
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
  get_if(j, "kind", p.kind);
}

void check_service_kind(const std::string& kind) {
  for (const char* k : {"jupyter", "tensorboard", "debugpy", "gdbserver", "code"}) {
    if (kind == k) return;
  }
  throw Error(ErrorCode::InvalidArgument, "no service kind \"" + kind + "\"", "give one of jupyter, tensorboard, debugpy, gdbserver, code");
}

}  // namespace dlc::core
