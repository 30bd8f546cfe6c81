// ide/*: what an IDE plugin (PyCharm's) asks beyond the workspace: the container's Python as a local
// interpreter, and the SSH Host entry. The same core calls as `dlcontainer interpreter` and
// `dlcontainer ssh-config`, with the same params and results.
#include <algorithm>

#include "core/interpreter.h"
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

// The server's working directory is not the IDE's: a relative folder would name the wrong one.
void require_absolute(const std::string& workspace) {
  if (workspace.empty() || workspace.front() != '/') {
    throw RpcError(kInvalidParams, "params.workspace must be the absolute path of the repository folder (got \"" + workspace + "\")",
                   "send the folder the IDE has open, as an absolute path");
  }
}

struct InterpreterRequest {
  core::InterpreterParams params;
};

void from_json(const nlohmann::json& j, InterpreterRequest& r) {
  // Wrong types are refused here (-32602), not silently left at their defaults.
  for (const char* key : {"workspace", "config"}) {
    if (auto it = j.find(key); it != j.end() && !it->is_string()) {
      throw RpcError(kInvalidParams, std::string("invalid params: ") + key + " must be a string");
    }
  }
  if (auto it = j.find("helpers"); it != j.end() && !it->is_null()) {
    if (!it->is_array() || !std::all_of(it->begin(), it->end(), [](const auto& h) { return h.is_string(); })) {
      throw RpcError(kInvalidParams, "invalid params: helpers must be an array of folders",
                     "send PyCharm's helpers folder, e.g. [\"/opt/pycharm/plugins/python-ce/helpers\"]");
    }
  }
  for (const char* key : {"libs", "refresh"}) {
    if (auto it = j.find(key); it != j.end() && !it->is_boolean()) {
      throw RpcError(kInvalidParams, std::string("invalid params: ") + key + " must be a boolean");
    }
  }
  if (auto it = j.find("libsMaxSize"); it != j.end() && (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0)) {
    throw RpcError(kInvalidParams, "invalid params: libsMaxSize must be a positive number of bytes", "e.g. 2147483648 for 2 GiB");
  }
  j.get_to(r.params);
  if (j.find("workspace") == j.end()) r.params.workspace.clear();
}

core::InterpreterResult interpreter(const InterpreterRequest& r, Call& call) {
  require_absolute(r.params.workspace);
  for (const auto& h : r.params.helpers) {
    if (h.empty() || h.front() != '/') {
      throw RpcError(kInvalidParams, "params.helpers must hold absolute paths (got \"" + h + "\")",
                     "send PyCharm's helpers folder as an absolute path");
    }
  }
  return core::setup_interpreter(call.workspaces(), r.params, call.progress(), call.cancel());
}

core::SshConfigResult ssh_config(const core::SshConfigParams& p, Call& call) {
  require_absolute(p.workspace);
  return core::ssh_config(call.workspaces(), p, call.progress(), call.cancel());
}

}  // namespace

void add_interpreter_methods(MethodTable& table) {
  table.add("ide/interpreter", &interpreter);
  table.add("ide/sshConfig", &ssh_config);
}

}  // namespace dlc::rpc
