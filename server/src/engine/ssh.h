// ssh:// endpoints: HTTP over `ssh HOST docker system dial-stdio`, the way the docker CLI reaches a
// remote daemon, through the system's OpenSSH client so that the user's ~/.ssh/config, ssh-agent,
// known_hosts and ProxyJump all apply. Internal to engine/.
//
// One master connection per endpoint (OpenSSH's ControlMaster, in a 0700 folder of this user's, kept
// ControlPersist minutes after its last use) carries every dial-stdio session: a new engine
// connection costs a channel on it, not a TCP and key exchange.
#pragma once

#include <memory>
#include <string>

#include "engine/endpoint.h"
#include "engine/stream.h"

namespace dlc::engine {

// A stream to the daemon behind e. The master is started first when none runs (within `wait`),
// and its failure is an Error that says what is wrong (unreachable, login refused, unknown host key).
std::unique_ptr<ByteStream> dial_ssh(const Endpoint& e, const Wait& wait);

// The folder of the control sockets ($XDG_RUNTIME_DIR/dlcontainer-UID/ssh, else under /tmp), made
// 0700 and checked to be this user's (another user's folder could take over the connections).
std::string ssh_control_dir();

// The words of ssh's own error output that say what went wrong, as an Error about `host` (exposed for
// tests). `remote_exit` is the exit status of the remote command, -1 when ssh itself failed.
Error ssh_failure(const Endpoint& e, const std::string& output, int exit_status);

}  // namespace dlc::engine
