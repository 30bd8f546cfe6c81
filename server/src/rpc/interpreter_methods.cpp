// ide/*: what an IDE plugin (PyCharm's) asks beyond the workspace: the container's Python as a local
// interpreter, and the SSH Host entry. The same core calls as `dlcontainer interpreter` and
// `dlcontainer ssh-config`, with the same params and results.
#include "core/interpreter.h"
#include "core/placement.h"
#include "core/ssh.h"
#include "rpc/methods.h"

namespace dlc::core {

void from_json(const nlohmann::json& j, SshConfigParams& p) {
  if (auto it = j.find("workspace"); it != j.end()) p.workspace = it->get<std::string>();
  if (auto it = j.find("config"); it != j.end() && !it->is_null()) p.config = it->get<std::string>();
}

}  // namespace dlc::core

namespace dlc::rpc {

namespace {

// The schemas (ide.interpreter.json, ide.sshConfig.json) have checked the params: the workspace, config
// and helpers are absolute host paths, so nothing resolves against the server's working directory.
core::InterpreterResult interpreter(const core::InterpreterParams& p, Call& call) {
  return core::setup_interpreter(call.workspaces(core::engine_for(p.workspace, {})), p, call.progress(), call.cancel());
}

core::SshConfigResult ssh_config(const core::SshConfigParams& p, Call& call) {
  return core::ssh_config(call.workspaces(core::engine_for(p.workspace, {})), p, call.progress(), call.cancel());
}

}  // namespace

void add_interpreter_methods(MethodTable& table) {
  table.add("ide/interpreter", &interpreter);
  table.add("ide/sshConfig", &ssh_config);
}

}  // namespace dlc::rpc
