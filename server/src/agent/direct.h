// The agent's end of the direct lane (agent/mux_protocol.h): a listener on the container's own
// address for forwarded connections that come straight from the host instead of as channels of
// the exec stream, guarded by a secret the host sent over that stream.
#pragma once

#include <string>
#include <string_view>

namespace dlc::agent {

// Listens on the container's first non-loopback IPv4 address, on a port the system picks, and
// serves each connection that presents `secret` on a thread of its own, for as long as this process
// lives. Returns the Listen answer: "ADDR PORT", or "! why" (no such address, a bad secret, a
// second call).
std::string start_direct_lane(std::string_view secret);

// Whether process pid is an agent session (`agent mux`, from either place the agent is put), whose
// only listener is its direct lane: dlcontainer's own, not a port of the container's to list.
bool is_agent_session(int pid);

}  // namespace dlc::agent
