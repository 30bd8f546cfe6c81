// services/*, ports/list, debug/*: the same core::workspace_services calls the command line makes
// (`jupyter --json`, `tensorboard --json`, `ports --json`, `debug python|gdb --detach --json`), with
// the server as the keeper of port forwards: a forward lives in this process until its container
// stops or the server ends, never in a detached process that would outlive the editor's session.
#include "core/services.h"
#include "rpc/methods.h"

namespace dlc::rpc {

using json = nlohmann::json;

namespace {

struct Stopped {
  int stopped = 0;
};
void to_json(json& j, const Stopped& s) { j = {{"stopped", s.stopped}}; }

services::Services services_of(const std::string& workspace, const std::string& host, Call& call) {
  return core::workspace_services(call.workspaces(host).engine(), workspace, call.forwarders(), call.progress(), call.cancel());
}

services::ServiceInfo jupyter(const core::JupyterParams& p, Call& call) { return services_of(p.workspace, p.host, call).jupyter(p); }

services::ServiceInfo tensorboard(const core::TensorBoardParams& p, Call& call) {
  return services_of(p.workspace, p.host, call).tensorboard(p);
}

services::ServiceInfo code(const core::CodeParams& p, Call& call) { return services_of(p.workspace, p.host, call).code(p); }

std::vector<services::ServiceInfo> list(const core::PortsParams& p, Call& call) { return services_of(p.workspace, p.host, call).list(); }

Stopped stop(const core::StopServiceParams& p, Call& call) {
  core::check_service_kind(p.kind);
  return Stopped{services_of(p.workspace, p.host, call).stop(p.kind)};
}

std::vector<services::PortEntry> ports(const core::PortsParams& p, Call& call) { return services_of(p.workspace, p.host, call).ports(); }

// Detached, as `debug --detach`: the program runs on under the debugger (its output to a log in the
// container) and the answer carries the launch.json entry that attaches to it.
services::ServiceInfo debug_python(const core::DebugParams& p, Call& call) { return services_of(p.workspace, p.host, call).debugpy(p); }

services::ServiceInfo debug_gdb(const core::DebugParams& p, Call& call) { return services_of(p.workspace, p.host, call).gdbserver(p); }

}  // namespace

void add_service_methods(MethodTable& table) {
  table.add("services/jupyter", &jupyter);
  table.add("services/tensorboard", &tensorboard);
  table.add("services/code", &code);
  table.add("services/list", &list);
  table.add("services/stop", &stop);
  table.add("ports/list", &ports);
  table.add("debug/python", &debug_python);
  table.add("debug/gdb", &debug_gdb);
}

}  // namespace dlc::rpc
