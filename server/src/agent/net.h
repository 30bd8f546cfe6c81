// Small pieces the agent's commands share: messages, ports, numeric addresses, whole writes.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <string>

namespace dlc::agent {

// Prints "dlcontainer-agent: " and the message to stderr; returns status.
int fail(int status, const char* fmt, const char* a = "", const char* b = "", const char* c = "");
// Prints the usage (agent.cpp); returns kExitUsage.
int usage();
bool parse_port(const char* text, int& port);
// A numeric address (or "localhost") and a port as a socket address. Static glibc cannot load NSS,
// so no name is looked up.
bool make_addr(const char* host, int port, sockaddr_storage& ss, socklen_t& len);
// Writes all of it to a blocking descriptor; false when the other end has gone.
bool write_all(int fd, const char* data, std::size_t size);
bool write_all(int fd, const std::string& s);

}  // namespace dlc::agent
