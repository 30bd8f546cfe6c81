#include "services/direct_lane.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <thread>

#include "agent/mux_protocol.h"
#include "agent/splice_relay.h"
#include "support/error.h"

namespace dlc::services {

std::string new_lane_secret() {
  unsigned char raw[agent::mux::kSecretBytes];
  std::size_t have = 0;
  while (have < sizeof raw) {
    ssize_t n = ::getrandom(raw + have, sizeof raw - have, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(ErrorCode::Internal, std::string("getrandom: ") + std::strerror(errno));
    have += static_cast<std::size_t>(n);
  }
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : raw) hex += digits[b >> 4], hex += digits[b & 15];
  return hex;
}

bool direct_lane_wanted(bool engine_local) {
  const char* knob = std::getenv("DLC_FORWARD_LANE");
  std::string lane = knob ? knob : "";
  if (lane == "stream") return false;
  if (!lane.empty() && lane != "auto") {
    static std::once_flag told;
    std::call_once(told, [&] { spdlog::warn("DLC_FORWARD_LANE={} is neither auto nor stream: using auto", lane); });
  }
  return engine_local;
}

int dial_direct(const DirectLane& lane, const std::string& host, int port, int timeout_ms) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(lane.port));
  if (::inet_pton(AF_INET, lane.address.c_str(), &addr.sin_addr) != 1) return -1;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    rc = ::poll(&p, 1, timeout_ms) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0 ? 0 : -1;
  }
  // The line is small enough for an empty socket buffer: one send, still non-blocking, takes it all.
  std::string line = lane.secret + " " + host + " " + std::to_string(port) + "\n";
  if (rc != 0 || ::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void DirectRelays::shut(const Ends& e) {
  ::shutdown(e.client, SHUT_RDWR);
  ::shutdown(e.direct, SHUT_RDWR);
}

void DirectRelays::start(int client, int direct, int owner) {
  // Blocking sockets: each direction's thread waits in splice, and a client that does not read holds
  // back only its own connection.
  ::fcntl(client, F_SETFL, ::fcntl(client, F_GETFL) & ~O_NONBLOCK);
  long id;
  {
    std::lock_guard lock(mu_);
    id = ++next_;
    live_[id] = {client, direct, owner};
  }
  try {
    std::thread([self = shared_from_this(), id, client, direct] {
      agent::relay_pair(client, direct);
      {
        std::lock_guard lock(self->mu_);  // before the close: close_owner never shuts a reused number
        self->live_.erase(id);
      }
      ::close(client);
      ::close(direct);
    }).detach();
  } catch (const std::system_error& e) {
    spdlog::warn("cannot start a thread for a forwarded connection: {}", e.what());
    std::lock_guard lock(mu_);
    live_.erase(id);
    ::close(client);
    ::close(direct);
  }
}

void DirectRelays::close_owner(int owner) {
  std::lock_guard lock(mu_);
  for (auto& [id, e] : live_)
    if (e.owner == owner) shut(e);
}

void DirectRelays::close_all() {
  std::lock_guard lock(mu_);
  for (auto& [id, e] : live_) shut(e);
}

int DirectRelays::live() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(live_.size());
}

}  // namespace dlc::services
