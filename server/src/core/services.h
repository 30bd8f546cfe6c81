// The workspace's services (Jupyter, TensorBoard, code-server, debuggers, ports) as flows both front
// ends call with the same params: the command line and the JSON-RPC server only parse and render.
// Forwards are in core/forwards.h, a debugger followed in the foreground in core/debug_run.h. The work
// itself is in services/.
#pragma once

#include <string>
#include <vector>

#include "core/forwards.h"
#include "core/workspace.h"
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

void from_json(const nlohmann::json& j, JupyterParams& p);
void from_json(const nlohmann::json& j, TensorBoardParams& p);
void from_json(const nlohmann::json& j, CodeParams& p);
void from_json(const nlohmann::json& j, DebugParams& p);
void from_json(const nlohmann::json& j, PortsParams& p);

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

// services/stop and `jupyter --stop`: which kind of service to stop.
struct StopServiceParams {
  std::string workspace = ".";
  std::string host;
  std::string kind;  // jupyter | tensorboard | debugpy | gdbserver | code
};
void from_json(const nlohmann::json& j, StopServiceParams& p);
// Error{InvalidArgument} for a kind that is none of the five.
void check_service_kind(const std::string& kind);

// What a services flow takes from its front end beyond params: the workspace service (its engine),
// who keeps forwards alive, where progress goes, and what cancels a start (the service it started
// is then stopped again).
struct ServiceContext {
  const Workspaces& workspaces;
  ForwardKeeper& forwards;
  ProgressSink& progress = no_progress();
  CancelToken cancel = {};
};

// Started, or the running one again (the same URL). Error{CommandFailed} with the service's own last
// words when it does not come up, or with a hint when it is not installed; Error{ContainerNotFound|
// ContainerNotRunning} when the workspace has no running container.
services::ServiceInfo start_jupyter(const JupyterParams& params, const ServiceContext& context);
services::ServiceInfo start_tensorboard(const TensorBoardParams& params, const ServiceContext& context);
services::ServiceInfo start_code(const CodeParams& params, const ServiceContext& context);
// A program under debugpy or gdbserver (or a running process attached to) that runs on by itself
// (its output to a log in the container); the answer carries the launch.json entry that attaches.
// `debug --detach` and debug/*; core/debug_run.h follows one in the foreground.
services::ServiceInfo start_debugpy(const DebugParams& params, const ServiceContext& context);
services::ServiceInfo start_gdbserver(const DebugParams& params, const ServiceContext& context);
// The running services of every kind.
std::vector<services::ServiceInfo> list_services(const PortsParams& params, const ServiceContext& context);
// The container's ports: published, forwarded, or only listening inside; and what serves there.
std::vector<services::PortEntry> list_ports(const PortsParams& params, const ServiceContext& context);
// Stops the running services of one kind (check_service_kind); how many.
int stop_services(const StopServiceParams& params, const ServiceContext& context);

}  // namespace dlc::core
