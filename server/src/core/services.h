// The workspace's services (Jupyter, TensorBoard, debuggers, ports) for both front ends: the params
// they take, and the Services of a workspace's running container. The work itself is in services/.
#pragma once

#include <string>
#include <vector>

#include "core/workspace.h"
#include "services/forward.h"
#include "services/services.h"

namespace dlc::core {

// host: the engine (--host, params.host; "" : the default), as in core/workspace.h.
struct JupyterParams : services::JupyterOptions {
  std::string workspace = ".";
  std::string host;
};
struct TensorBoardParams : services::TensorBoardOptions {
  std::string workspace = ".";
  std::string host;
};
struct CodeParams : services::CodeOptions {
  std::string workspace = ".";
  std::string host;
};
struct DebugParams : services::DebugOptions {
  std::string workspace = ".";
  std::string host;
};
struct PortsParams {
  std::string workspace = ".";
  std::string host;
};
struct ForwardParams {
  std::string workspace = ".";
  std::string host;
  int container_port = 0;
  int host_port = 0;  // 0: the container port's number, or the next free one
};

void from_json(const nlohmann::json& j, JupyterParams& p);
void from_json(const nlohmann::json& j, TensorBoardParams& p);
void from_json(const nlohmann::json& j, CodeParams& p);
void from_json(const nlohmann::json& j, DebugParams& p);
void from_json(const nlohmann::json& j, PortsParams& p);
void from_json(const nlohmann::json& j, ForwardParams& p);

// Where the workspace's services run: its running container, the remote user and environment, the
// published ports and customizations.dlcontainer. Error{ContainerNotFound|ContainerNotRunning} with
// the hint to run `dlcontainer up`.
services::Target service_target(const engine::Engine& engine, const std::string& workspace);

// The services of the workspace's container; forwards (ports it does not publish) are kept alive by
// `forwarders`: detached processes for the CLI, this process for the server. `cancel` stops a start
// under way (and the service it started).
services::Services workspace_services(const engine::Engine& engine, const std::string& workspace,
                                      services::Forwarders& forwarders, ProgressSink& progress = no_progress(),
                                      const CancelToken& cancel = {});

// Carries this process's stdin and stdout to a port on the container's loopback, through the agent
// over the engine connection: `forward --stdio`, ssh's ProxyCommand for a container on a remote engine
// (its published ports are on that engine's loopback). Returns the agent's exit status
// (agent::kExitUnreachable when nothing listens there).
int forward_stdio(const engine::Engine& engine, const std::string& workspace, int container_port, const CancelToken& cancel = {});

// services/stop and `jupyter --stop`: which kind of service to stop.
struct StopServiceParams {
  std::string workspace = ".";
  std::string host;
  std::string kind;  // jupyter | tensorboard | debugpy | gdbserver | code
};
void from_json(const nlohmann::json& j, StopServiceParams& p);
// Error{InvalidArgument} for a kind that is none of the five.
void check_service_kind(const std::string& kind);

}  // namespace dlc::core
