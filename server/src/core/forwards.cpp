#include "core/forwards.h"

#include <unistd.h>

#include <cerrno>

#include "core/services.h"
#include "services/agent_inject.h"
#include "services/reverse.h"
#include "support/error.h"
#include "support/json.h"

namespace dlc::core {

using json = nlohmann::json;

void from_json(const json& j, ForwardParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "host", p.host);
  get_if(j, "containerPort", p.container_port);
  get_if(j, "hostPort", p.host_port);
}

services::Forwarders& ForwardKeeper::forwarders() {
  if (mode_ == Mode::Detached) return detached_;
  return in_process_;
}

bool ends_ports(const std::string& action) { return action == "die" || action == "destroy"; }

int ForwardKeeper::container_event(const WorkspaceEvent& event) {
  if (!ends_ports(event.action)) return 0;
  return in_process_.stop(event.container_id);
}

services::Forward forward_detached(const Workspaces& workspaces, const ForwardParams& params) {
  const auto& engine = workspaces.engine();
  auto target = service_target(engine, params.workspace);
  services::DetachedForwarders forwarders;
  return forwarders.ensure(engine, target.container_id, params.container_port, params.host_port);
}

void forward_foreground(const Workspaces& workspaces, const ForwardParams& params,
                        const std::function<void(const services::Forward&)>& on_ready, const CancelToken& cancel) {
  const auto& engine = workspaces.engine();
  auto target = service_target(engine, params.workspace);
  services::serve_forward(engine,
                          services::PortForwarder::Options{
                              .container_id = target.container_id, .container_port = params.container_port, .host_port = params.host_port},
                          on_ready, cancel);
}

void stop_forward(const Workspaces& workspaces, const ForwardParams& params) {
  auto target = service_target(workspaces.engine(), params.workspace);
  if (!services::stop_forward(target.container_id, params.container_port)) {
    throw Error(ErrorCode::InvalidArgument, "no background forward of container port " + std::to_string(params.container_port),
                "`dlcontainer ports` lists the forwards");
  }
}

void reverse_forward(const Workspaces& workspaces, const ForwardParams& params, const std::function<void(int host_port)>& on_ready,
                     const CancelToken& cancel) {
  const auto& engine = workspaces.engine();
  auto target = service_target(engine, params.workspace);
  services::ReverseForwarder reverse(
      engine, {.container_id = target.container_id, .container_port = params.container_port, .host_port = params.host_port});
  on_ready(params.host_port > 0 ? params.host_port : params.container_port);
  try {
    engine.wait_container(target.container_id, cancel);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::Cancelled) throw;
  }
}

int forward_stdio(const Workspaces& workspaces, const ForwardParams& params, const CancelToken& cancel) {
  const auto& engine = workspaces.engine();
  auto target = service_target(engine, params.workspace);
  std::string agent = services::ensure_agent(engine, target.container_id);
  engine::ExecSpec spec;
  spec.cmd = services::agent_command(agent, {"connect", "127.0.0.1", std::to_string(params.container_port)});
  spec.attach_stdin = true;
  engine::ExecIO io;
  io.stdin_fd = 0;
  io.on_stdout = [](std::string_view d) {
    while (!d.empty()) {
      ssize_t n = ::write(1, d.data(), d.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw Error(ErrorCode::Cancelled, "the reader of the forward went away");
      d.remove_prefix(static_cast<std::size_t>(n));
    }
  };
  io.on_stderr = [](std::string_view d) { [[maybe_unused]] auto n = ::write(2, d.data(), d.size()); };
  return engine.run_exec(target.container_id, spec, io, cancel);
}

}  // namespace dlc::core
