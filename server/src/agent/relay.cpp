#include "agent/relay.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "agent/common.h"
#include "agent/net.h"
#include "agent/protocol.h"

namespace dlc::agent {

namespace {

// ---- connect ---------------------------------------------------------------------------------

int connect_to(const char* host, int port, int& fd) {
  sockaddr_storage ss;
  socklen_t len;
  if (!make_addr(host, port, ss, len)) return fail(kExitUsage, "%s is not a numeric address (nor localhost)", host);
  fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(kExitFailure, "socket: %s", strerror(errno));
  while (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno == EINTR) continue;
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    return fail(kExitUnreachable, "connect %s:%s: %s", host, p, strerror(errno));
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return kExitOk;
}

// Relays until the container side has nothing more to say. stdin's end becomes a half close of the
// connection (a client that shuts its write side still gets its answer); the connection's end ends
// the relay, because the host learns a connection is over only when this process exits.
int relay(int sock) {
  bool in_open = true;
  char buf[64 * 1024];
  for (;;) {
    pollfd fds[2] = {{sock, POLLIN, 0}, {0, POLLIN, 0}};
    if (poll(fds, in_open ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      return fail(kExitFailure, "poll: %s", strerror(errno));
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(sock, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return kExitOk;
      if (!write_all(1, buf, static_cast<size_t>(n))) return kExitOk;  // the host went away
    }
    if (in_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        shutdown(sock, SHUT_WR);
        in_open = false;
      } else if (!write_all(sock, buf, static_cast<size_t>(n))) {
        return kExitOk;  // the program in the container closed the connection
      }
    }
  }
}

}  // namespace

int cmd_connect(int argc, char** argv) {
  int port;
  if (argc != 2 || !parse_port(argv[1], port)) return usage();
  int sock = -1;
  if (int rc = connect_to(argv[0], port, sock); rc != kExitOk) return rc;
  return relay(sock);
}

// ---- listen ----------------------------------------------------------------------------------

namespace {

struct Channel {
  int fd = -1;
  bool read_open = true;   // the local program may still send
  bool write_open = true;  // the host may still send
};

}  // namespace

int cmd_listen(int argc, char** argv) {
  const char* bind_addr = "127.0.0.1";
  int port = 0;
  for (int i = 0; i < argc; ++i) {
    if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc) {
      bind_addr = argv[++i];
    } else if (!parse_port(argv[i], port)) {
      return usage();
    }
  }
  if (port == 0) return usage();
  sockaddr_storage ss;
  socklen_t len;
  if (!make_addr(bind_addr, port, ss, len)) return fail(kExitUsage, "%s is not a numeric address", bind_addr);
  int lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(lfd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(lfd, 64) != 0) {
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    return fail(kExitUnreachable, "cannot listen on %s:%s: %s", bind_addr, p, strerror(errno));
  }
  if (!write_all(1, frame(Frame::Listening, 0, std::to_string(port)))) return kExitOk;

  std::map<uint32_t, Channel> channels;
  uint32_t next_channel = 1;
  FrameReader reader;
  char buf[kMaxPayload];
  auto close_channel = [&](uint32_t ch) {
    auto it = channels.find(ch);
    if (it == channels.end()) return;
    close(it->second.fd);
    channels.erase(it);
  };
  for (;;) {
    std::vector<pollfd> fds{{0, POLLIN, 0}, {lfd, POLLIN, 0}};
    std::vector<uint32_t> order;
    for (auto& [ch, c] : channels) {
      if (!c.read_open) continue;
      fds.push_back({c.fd, POLLIN, 0});
      order.push_back(ch);
    }
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return fail(kExitFailure, "poll: %s", strerror(errno));
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return kExitOk;  // the host is gone: every connection with it
      reader.feed(std::string_view(buf, static_cast<size_t>(n)));
      if (reader.corrupt()) return fail(kExitFailure, "the host sent a frame this agent cannot read (a different version?)");
      Frame type;
      uint32_t ch;
      std::string payload;
      while (reader.next(type, ch, payload)) {
        auto it = channels.find(ch);
        if (it == channels.end()) continue;  // closed here already
        Channel& c = it->second;
        if (type == Frame::Data && c.write_open) {
          if (!write_all(c.fd, payload)) {
            close_channel(ch);
            write_all(1, frame(Frame::Close, ch));
          }
        } else if (type == Frame::Eof) {
          shutdown(c.fd, SHUT_WR);
          c.write_open = false;
          if (!c.read_open) close_channel(ch);
        } else if (type == Frame::Close) {
          close_channel(ch);
        }
      }
    }
    if (fds[1].revents & POLLIN) {
      int cfd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
      if (cfd >= 0) {
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        uint32_t ch = next_channel++;
        channels[ch] = Channel{cfd};
        if (!write_all(1, frame(Frame::Open, ch))) return kExitOk;
      }
    }
    for (size_t i = 0; i < order.size(); ++i) {
      if (!(fds[i + 2].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      uint32_t ch = order[i];
      auto it = channels.find(ch);
      if (it == channels.end()) continue;
      ssize_t n = read(it->second.fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      bool ok;
      if (n > 0) {
        ok = write_all(1, frame(Frame::Data, ch, std::string_view(buf, static_cast<size_t>(n))));
      } else if (n == 0) {
        it->second.read_open = false;
        ok = write_all(1, frame(Frame::Eof, ch));
        if (!it->second.write_open) close_channel(ch);
      } else {
        close_channel(ch);
        ok = write_all(1, frame(Frame::Close, ch));
      }
      if (!ok) return kExitOk;
    }
  }
}

}  // namespace dlc::agent
