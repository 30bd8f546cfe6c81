// Reaching a workspace container's ports from the host, as a flow both front ends call: who keeps
// the forwards of started services alive (ForwardKeeper), and `forward` in each of its forms. The
// work itself is in services/forward.h and services/reverse.h.
#pragma once

#include <functional>
#include <string>

#include "core/workspace.h"
#include "services/forward.h"
#include "support/cancel.h"

namespace dlc::core {

// host: the engine (--host, params.host; "" : the default), as in core/workspace.h.
struct ForwardParams {
  std::string workspace = ".";
  std::string host;
  int container_port = 0;
  int host_port = 0;  // 0: the container port's number, or the next free one
};
void from_json(const nlohmann::json& j, ForwardParams& p);

// Who serves the forwards of the services a front end starts (the ports the container does not publish).
class ForwardKeeper {
 public:
  enum class Mode {
    Detached,   // a process of their own each, ending with its container: the command line's way
    InProcess,  // this process, while the keeper lives: the server, a command in the foreground
  };
  explicit ForwardKeeper(Mode mode) : mode_(mode) {}
  ForwardKeeper(const ForwardKeeper&) = delete;
  ForwardKeeper& operator=(const ForwardKeeper&) = delete;

  services::Forwarders& forwarders();
  // An engine event about a container: once it has died or gone, its ports are gone (its services
  // with them) and the forwards this process serves to it would only refuse, so they stop. How many.
  int container_event(const WorkspaceEvent& event);
  // Stops every forward this process serves (none in Detached mode).
  void stop_all() { in_process_.stop_all(); }

 private:
  Mode mode_;
  services::DetachedForwarders detached_;
  services::InProcessForwarders in_process_;
};

// Whether a container event's action (die, destroy) ends the container's ports.
bool ends_ports(const std::string& action);

// `forward --detach`: a host port that reaches the container port, served by a process of its own
// until the container stops (the one that serves it already, when one does).
services::Forward forward_detached(const Workspaces& workspaces, const ForwardParams& params);

// `forward`: served by this process until the container stops or `cancel`; on_ready once it listens.
void forward_foreground(const Workspaces& workspaces, const ForwardParams& params,
                        const std::function<void(const services::Forward&)>& on_ready, const CancelToken& cancel);

// `forward --stop`: ends the process that serves the port in the background. Error{InvalidArgument}
// when none does.
void stop_forward(const Workspaces& workspaces, const ForwardParams& params);

// `forward --reverse`: programs in the container that connect to its 127.0.0.1:container_port reach
// the host's 127.0.0.1:host_port (the same number when 0), until the container stops or `cancel`
// (which ends it quietly). on_ready(host port) once it is in place.
void reverse_forward(const Workspaces& workspaces, const ForwardParams& params, const std::function<void(int host_port)>& on_ready,
                     const CancelToken& cancel);

// Carries this process's stdin and stdout to a port on the container's loopback, through the agent
// over the engine connection: `forward --stdio`, ssh's ProxyCommand for a container on a remote engine
// (its published ports are on that engine's loopback). Returns the agent's exit status
// (agent::kExitUnreachable when nothing listens there).
int forward_stdio(const Workspaces& workspaces, const ForwardParams& params, const CancelToken& cancel = {});

}  // namespace dlc::core
