// What the agent's network commands (relay.cpp, mux.cpp) share beyond common.h: ports and numeric
// addresses.
#pragma once

#include <sys/socket.h>

namespace dlc::agent {

bool parse_port(const char* text, int& port);
// A numeric address (or "localhost") and a port as a socket address. Static glibc cannot load NSS,
// so no name is looked up.
bool make_addr(const char* host, int port, sockaddr_storage& ss, socklen_t& len);

}  // namespace dlc::agent
