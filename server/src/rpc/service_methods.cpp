// services/*, ports/list, debug/*: the same core/services.h flows the command line calls
// (`jupyter --json`, `tensorboard --json`, `ports --json`, `debug python|gdb --detach --json`), with
// the server as the keeper of port forwards: a forward lives in this process until its container
// stops or the server ends, never in a detached process that would outlive the editor's session.
#include "core/placement.h"
#include "core/services.h"
#include "rpc/methods.h"

namespace dlc::rpc {

using json = nlohmann::json;

namespace {

struct Stopped {
  int stopped = 0;
};
void to_json(json& j, const Stopped& s) { j = {{"stopped", s.stopped}}; }

// The workspace's engine: the params' host, else its running Slurm job's (core::engine_for).
core::ServiceContext context_of(const std::string& workspace, const std::string& host, Call& call) {
  return {.workspaces = call.workspaces(core::engine_for(workspace, host)), .forwards = call.forwards(), .progress = call.progress(), .cancel = call.cancel()};
}

services::ServiceInfo jupyter(const core::JupyterParams& p, Call& call) { return core::start_jupyter(p, context_of(p.workspace, p.host, call)); }

services::ServiceInfo tensorboard(const core::TensorBoardParams& p, Call& call) {
  return core::start_tensorboard(p, context_of(p.workspace, p.host, call));
}

services::ServiceInfo code(const core::CodeParams& p, Call& call) { return core::start_code(p, context_of(p.workspace, p.host, call)); }

std::vector<services::ServiceInfo> list(const core::PortsParams& p, Call& call) { return core::list_services(p, context_of(p.workspace, p.host, call)); }

Stopped stop(const core::StopServiceParams& p, Call& call) { return Stopped{core::stop_services(p, context_of(p.workspace, p.host, call))}; }

std::vector<services::PortEntry> ports(const core::PortsParams& p, Call& call) { return core::list_ports(p, context_of(p.workspace, p.host, call)); }

// Detached, as `debug --detach`: the program runs on under the debugger (its output to a log in the
// container) and the answer carries the launch.json entry that attaches to it.
services::ServiceInfo debug_python(const core::DebugParams& p, Call& call) { return core::start_debugpy(p, context_of(p.workspace, p.host, call)); }

services::ServiceInfo debug_gdb(const core::DebugParams& p, Call& call) { return core::start_gdbserver(p, context_of(p.workspace, p.host, call)); }

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
