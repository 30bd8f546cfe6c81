// SSH into the workspace's container, for PyCharm Professional's SSH interpreter, JetBrains Gateway and
// Remote-SSH: customizations.dlcontainer.ssh: true runs the image's OpenSSH server in the container,
// published on the host's loopback only, with a key pair per workspace that dlcontainer makes and
// keeps in the user's state folder. Keys only: never a password, never beyond 127.0.0.1.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/workspace.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

struct SshConfigParams {
  std::string workspace = ".";
  std::string config;  // an explicit devcontainer.json; "" to find it
};

struct SshConfigResult {
  std::string workspace;
  std::string host;                 // the Host alias: the container's name
  std::string host_name = "127.0.0.1";
  int port = 0;                     // the host port that reaches sshd
  std::string user;
  std::string identity_file;        // the workspace's private key on the host
  std::string known_hosts_file;     // holds the container's host key, pinned under the alias
  std::string container_id;
  bool recreated = false;           // the container was re-created to publish the SSH port
  std::string config_text;          // the Host entry
  std::string config_file;          // the same, kept in the state folder (for ssh -F or Include)
  // For a container on a remote engine (its published ports are on that engine's loopback): how ssh
  // reaches sshd instead of HostName and Port, `dlcontainer --host URL forward --stdio -w WS 2222`.
  std::string proxy_command;
};
void to_json(nlohmann::json& j, const SshConfigResult& r);

// Ensures the workspace is up with the SSH port published, its keys made, sshd configured and
// answering; returns the Host entry. Error{ConfigInvalid} when SSH is off for the workspace,
// Error{CommandFailed} when the image has no OpenSSH server.
SshConfigResult ssh_config(Workspaces& workspaces, const SshConfigParams& params, ProgressSink& progress = no_progress(),
                           const CancelToken& cancel = {});

// --- pure pieces, exposed for tests ---

// Where a workspace's keys live: $XDG_STATE_HOME/dlcontainer/ssh/<host>, else ~/.local/state/...
std::filesystem::path ssh_state_dir(const std::string& host);

// The sshd_config dlcontainer writes into the container for `user`, with `env` (the container's own
// environment and remoteEnv) set for sessions, which sshd would otherwise start with its own.
std::string sshd_config_text(const std::string& user, const std::map<std::string, std::string>& env);

// The ssh_config Host entry for a result's fields (ProxyCommand instead of HostName/Port when set).
std::string ssh_host_entry(const SshConfigResult& r);

// Where dlcontainer's sshd files are in the container.
inline constexpr const char* kSshdDir = "/etc/dlcontainer/ssh";

}  // namespace dlc::core
