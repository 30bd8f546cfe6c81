#include "agent/mux.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "agent/mux_protocol.h"
#include "agent/common.h"
#include "agent/direct.h"
#include "agent/net.h"
#include "agent/protocol.h"

namespace dlc::agent {

namespace {

using namespace mux;

// Sockets are not read while this much waits for the host (its stream is slower than they are).
constexpr std::size_t kOutCap = 4u << 20;
// More connections than any editor opens at once; beyond it an Open is refused, not queued.
constexpr std::size_t kMaxChannels = 4096;

struct Chan {
  int fd = -1;
  bool connecting = true;
  bool read_open = true;     // the socket may still give bytes
  bool host_eof = false;     // the host sends no more: shut the socket's write side once to_sock is out
  bool shut_wr = false;
  bool host_closed = false;  // the host let go: close once to_sock is out
  Windows win;
  ByteQueue to_sock;
};

class Session {
 public:
  explicit Session(bool direct) : direct_(direct) {}
  int run();

 private:
  bool frame(const FrameView& f);  // false: the stream is not ours
  void open(std::uint32_t ch, std::string_view payload);
  void on_socket(std::uint32_t ch, short revents);
  void write_socket(std::uint32_t ch, Chan& c);
  void finish_if_done(std::uint32_t ch, Chan& c);
  void drop(std::uint32_t ch, std::string_view reason);  // tells the host, lets go
  void erase(std::uint32_t ch);
  bool flush_out();  // false: the host is gone

  std::map<std::uint32_t, Chan> chans_;
  ByteQueue out_;
  Decoder in_;
  bool direct_;  // whether it offers the direct lane (--no-direct: it answers as an agent before it did)
};

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

void Session::erase(std::uint32_t ch) {
  auto it = chans_.find(ch);
  if (it == chans_.end()) return;
  close(it->second.fd);
  chans_.erase(it);
}

void Session::drop(std::uint32_t ch, std::string_view reason) {
  append_frame(out_.tail(), Type::Close, ch, reason.substr(0, kMaxText));
  erase(ch);
}

void Session::open(std::uint32_t ch, std::string_view payload) {
  std::string host;
  int port = 0;
  if (!parse_open(payload, host, port)) return drop(ch, "not HOST PORT");
  if (chans_.size() >= kMaxChannels) return drop(ch, "too many connections at once");
  sockaddr_storage ss;
  socklen_t len;
  if (!make_addr(host.c_str(), port, ss, len)) return drop(ch, host + " is not a numeric address (nor localhost)");
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return drop(ch, std::string("socket: ") + strerror(errno));
  Chan& c = chans_[ch];
  c.fd = fd;
  int rc;
  while ((rc = connect(fd, reinterpret_cast<sockaddr*>(&ss), len)) != 0 && errno == EINTR) {
  }
  if (rc != 0 && errno != EINPROGRESS) return drop(ch, "connect " + host + ":" + std::to_string(port) + ": " + strerror(errno));
  if (rc == 0) c.connecting = false;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

bool Session::frame(const FrameView& f) {
  if (f.type == Type::Hello) return false;  // only the agent says hello
  if (f.type == Type::Listen) {
    if (!direct_) return false;  // as an agent that does not know the frame: not ours
    append_frame(out_.tail(), Type::Listen, 0, start_direct_lane(f.payload).substr(0, kMaxText));
    return true;
  }
  if (f.type == Type::Open) {
    if (chans_.count(f.channel)) return false;
    open(f.channel, f.payload);
    return true;
  }
  auto it = chans_.find(f.channel);
  if (it == chans_.end()) return true;  // let go of here already: what was in flight is dropped
  Chan& c = it->second;
  switch (f.type) {
    case Type::Data:
      if (c.host_eof || !c.win.received(f.payload.size())) return false;
      c.to_sock.append(f.payload);
      if (!c.connecting) write_socket(f.channel, c);
      return true;
    case Type::Window: return c.win.granted(get_u32(f.payload.data()));
    case Type::Eof:
      c.host_eof = true;
      if (!c.connecting) write_socket(f.channel, c);
      return true;
    case Type::Close:
      c.host_closed = true;
      c.read_open = false;
      if (c.connecting || c.to_sock.empty()) erase(f.channel);
      return true;
    default: return false;
  }
}

// Writes what the socket takes now; a socket that is done both ways is let go.
void Session::write_socket(std::uint32_t ch, Chan& c) {
  while (!c.to_sock.empty()) {
    ssize_t n = send(c.fd, c.to_sock.data(), c.to_sock.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      if (c.host_closed) return erase(ch);
      return drop(ch, std::string("write: ") + strerror(errno));
    }
    c.to_sock.consume(static_cast<std::size_t>(n));
    if (std::uint32_t grant = c.win.delivered(static_cast<std::size_t>(n)); grant > 0 && !c.host_closed) {
      append_window(out_.tail(), ch, grant);
    }
  }
  if (c.host_closed) return erase(ch);
  if (c.host_eof && !c.shut_wr) {
    shutdown(c.fd, SHUT_WR);
    c.shut_wr = true;
  }
  finish_if_done(ch, c);
}

void Session::finish_if_done(std::uint32_t ch, Chan& c) {
  if (c.read_open || !c.shut_wr) return;
  append_frame(out_.tail(), Type::Close, ch);
  erase(ch);
}

void Session::on_socket(std::uint32_t ch, short revents) {
  auto it = chans_.find(ch);
  if (it == chans_.end()) return;
  Chan& c = it->second;
  if (c.connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) return drop(ch, std::string("connect: ") + strerror(err));
    c.connecting = false;
    return write_socket(ch, c);
  }
  if (revents & POLLOUT) {
    write_socket(ch, c);
    it = chans_.find(ch);
    if (it == chans_.end()) return;
  }
  if (!(revents & (POLLIN | POLLHUP | POLLERR)) || !c.read_open || c.win.send_room() == 0) return;
  char buf[kMaxData];
  std::size_t want = c.win.send_room() < sizeof buf ? c.win.send_room() : sizeof buf;
  ssize_t n = recv(c.fd, buf, want, MSG_DONTWAIT);
  if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return;
  if (n < 0) return drop(ch, std::string("read: ") + strerror(errno));
  if (n == 0) {
    c.read_open = false;
    append_frame(out_.tail(), Type::Eof, ch);
    return finish_if_done(ch, c);
  }
  c.win.sent(static_cast<std::uint32_t>(n));
  append_frame(out_.tail(), Type::Data, ch, std::string_view(buf, static_cast<std::size_t>(n)));
}

bool Session::flush_out() {
  while (!out_.empty()) {
    ssize_t n = write(1, out_.data(), out_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n <= 0) return false;
    out_.consume(static_cast<std::size_t>(n));
  }
  return true;
}

int Session::run() {
  set_nonblocking(1);  // the host's stream may be slow: the sockets still move meanwhile
  fcntl(1, F_SETPIPE_SZ, 1 << 20);  // fewer, larger writes into the engine's pipe (where it is one)
  std::string hello = std::to_string(kProtocolVersion) + " " + std::to_string(getpid());
  if (direct_) hello += std::string(" ") + kDirectCapability;
  append_frame(out_.tail(), Type::Hello, 0, hello);
  std::vector<pollfd> fds;
  std::vector<std::uint32_t> order;
  static char buf[256 * 1024];
  for (;;) {
    fds.assign({{0, POLLIN, 0}, {1, static_cast<short>(out_.empty() ? 0 : POLLOUT), 0}});
    order.clear();
    for (auto& [ch, c] : chans_) {
      short ev = 0;
      if (c.connecting) ev = POLLOUT;
      else {
        if (c.read_open && c.win.send_room() > 0 && out_.size() < kOutCap) ev |= POLLIN;
        if (!c.to_sock.empty()) ev |= POLLOUT;
      }
      if (ev == 0) continue;  // nothing it could do now: polling it would only spin on a hang-up
      fds.push_back({c.fd, ev, 0});
      order.push_back(ch);
    }
    if (out_.empty()) fds[1].fd = -1;
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return fail(kExitFailure, "poll: %s", strerror(errno));
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n < 0 && errno != EINTR) return kExitOk;
      if (n == 0) return kExitOk;  // the host let go, and every connection with it
      if (n > 0) in_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
      FrameView f;
      Decoder::Result r;
      while ((r = in_.next(f)) == Decoder::Result::Frame) {
        if (!frame(f)) return fail(kExitFailure, "the host broke the session's rules (a different version?)");
      }
      if (r == Decoder::Result::Bad) return fail(kExitFailure, "the host sent %s", in_.error().c_str());
    }
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (fds[i + 2].revents != 0) on_socket(order[i], fds[i + 2].revents);
    }
    if (!flush_out()) return kExitOk;
  }
}

}  // namespace

int cmd_mux(int argc, char** argv) {
  bool direct = true;
  if (argc == 1 && std::string(argv[0]) == "--no-direct") direct = false;
  else if (argc != 0) return usage();
  return Session(direct).run();
}

}  // namespace dlc::agent
