#include "agent/direct.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>

#include "agent/common.h"
#include "agent/mux_protocol.h"
#include "agent/net.h"
#include "agent/protocol.h"
#include "agent/splice_relay.h"

namespace dlc::agent {

namespace {

using namespace mux;

std::string lane_secret;  // set once, before the listener's thread starts; read-only after
int listen_fd = -1;
std::atomic<int> pending{0};  // connections that have not presented the secret yet

bool spawn(void* (*fn)(void*), void* arg) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 128 * 1024);
  pthread_t t;
  bool ok = pthread_create(&t, &attr, fn, arg) == 0;
  pthread_attr_destroy(&attr);
  return ok;
}

// The container's own address, where the host (and only peers on its network) can reach it.
bool first_address(in_addr& out) {
  ifaddrs* all = nullptr;
  if (getifaddrs(&all) != 0) return false;
  bool found = false;
  for (ifaddrs* i = all; i != nullptr && !found; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    if ((i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP)) continue;
    out = reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr;
    found = true;
  }
  freeifaddrs(all);
  return found;
}

// The first line, "SECRET HOST PORT", within kDirectAuthMs of the connect; what came after it is
// the client's first bytes. False: too late, too long, or the connection ended.
bool read_line(int fd, std::string& line, std::string& after) {
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  char buf[kMaxDirectLine];
  size_t have = 0;
  for (;;) {
    long left = kDirectAuthMs - static_cast<long>(seconds_since(start) * 1000);
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    ssize_t n = recv(fd, buf + have, sizeof buf - have, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;
    have += static_cast<size_t>(n);
    if (auto* nl = static_cast<char*>(memchr(buf, '\n', have))) {
      line.assign(buf, static_cast<size_t>(nl - buf));
      after.assign(nl + 1, static_cast<size_t>(buf + have - (nl + 1)));
      return true;
    }
    if (have == sizeof buf) return false;
  }
}

// A blocking connection to the target in the container; -1 when there is none.
int connect_target(const std::string& host, int port) {
  sockaddr_storage ss;
  socklen_t len;
  if (!make_addr(host.c_str(), port, ss, len)) return -1;
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval limit{10, 0};  // bounds the connect; cleared after, or a slow reader's writes would time out
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  int rc;
  while ((rc = connect(fd, reinterpret_cast<sockaddr*>(&ss), len)) != 0 && errno == EINTR) {
  }
  if (rc != 0) {
    close(fd);
    return -1;
  }
  timeval none{0, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void* serve(void* arg) {
  int fd = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  std::string line, after, host;
  int port = 0;
  bool ok = read_line(fd, line, after);
  pending.fetch_sub(1);
  int target = ok && check_direct_line(line, lane_secret, host, port) ? connect_target(host, port) : -1;
  if (target >= 0 && write_all(target, after)) relay_pair(fd, target);
  if (target >= 0) close(target);
  close(fd);  // without the secret: closed with nothing read from the container, nothing relayed
  return nullptr;
}

void* accept_loop(void*) {
  for (;;) {
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS) pause_ms(100);
      if (errno == EBADF || errno == EINVAL) return nullptr;
      continue;
    }
    // Beyond the bound, a connection is not even read: a flood costs threads only up to it.
    if (pending.fetch_add(1) >= kMaxPendingDirect) {
      pending.fetch_sub(1);
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!spawn(serve, reinterpret_cast<void*>(static_cast<intptr_t>(fd)))) {
      pending.fetch_sub(1);
      close(fd);
    }
  }
}

}  // namespace

bool is_agent_session(int pid) {
  FILE* f = fopen(("/proc/" + std::to_string(pid) + "/cmdline").c_str(), "r");
  if (f == nullptr) return false;
  char buf[512];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  std::string argv0 = buf;  // NUL-separated: the first word, then the second after it
  const char* argv1 = argv0.size() + 1 < n ? buf + argv0.size() + 1 : "";
  return (argv0 == kAgentPath || argv0 == kFallbackAgentPath) && strcmp(argv1, "mux") == 0;
}

std::string start_direct_lane(std::string_view secret) {
  if (listen_fd >= 0) return "! the direct lane is already open";
  if (!is_secret(secret)) return "! not a secret of " + std::to_string(kSecretBytes) + " bytes";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (!first_address(addr.sin_addr)) return "! the container has no address but loopback";
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("! socket: ") + strerror(errno);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 128) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::string why = std::string("! listen: ") + strerror(errno);
    close(fd);
    return why;
  }
  lane_secret.assign(secret);
  listen_fd = fd;
  if (!spawn(accept_loop, nullptr)) {
    close(fd);
    listen_fd = -1;
    return "! cannot start a thread";
  }
  char ip[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
  return std::string(ip) + " " + std::to_string(ntohs(addr.sin_port));
}

}  // namespace dlc::agent
