#include "services/reverse.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>

#include "agent/protocol.h"
#include "services/agent_inject.h"
#include "support/cancel.h"
#include "support/error.h"

namespace dlc::services {

namespace {

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

int connect_host(const std::string& ip, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, ip == "localhost" ? "127.0.0.1" : ip.c_str(), &addr.sin_addr) != 1) return -1;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

struct ReverseForwarder::State {
  engine::Engine engine;
  Options options;
  std::string agent;  // its path in the container
  int feed[2] = {-1, -1};  // [0]: the exec's stdin; [1]: where frames for the agent are written
  CancelToken cancel = CancelToken::make();

  std::mutex mu;
  std::condition_variable changed;
  enum class Phase { Starting, Listening, Ended } phase = Phase::Starting;
  std::string agent_errors;
  int exit_code = -1;
  int total = 0;
  int readers = 0;

  // A connection's socket is closed once both of its directions are over.
  struct Channel {
    int fd = -1;
    bool read_done = false;   // the host side sent EOF (or failed)
    bool write_done = false;  // the container side sent EOF
  };
  std::map<std::uint32_t, Channel> channels;
  std::mutex write_mu;  // frames to the agent come from several threads

  State(engine::Engine e, Options o) : engine(std::move(e)), options(std::move(o)) {}
  ~State() {
    for (int fd : feed)
      if (fd >= 0) ::close(fd);
  }

  void send_frame(agent::Frame type, std::uint32_t ch, std::string_view payload = {}) {
    std::lock_guard lock(write_mu);
    send_all(feed[1], agent::frame(type, ch, payload));
  }

  // Under mu: closes the socket when nothing more will pass in either direction.
  void settle(std::uint32_t ch) {
    auto it = channels.find(ch);
    if (it == channels.end() || !it->second.read_done || !it->second.write_done) return;
    ::close(it->second.fd);
    channels.erase(it);
  }

  void read_host(const std::shared_ptr<State>& self, std::uint32_t ch, int fd) {
    char buf[agent::kMaxPayload];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        send_frame(agent::Frame::Data, ch, std::string_view(buf, static_cast<std::size_t>(n)));
        continue;
      }
      send_frame(n == 0 ? agent::Frame::Eof : agent::Frame::Close, ch);
      std::lock_guard lock(mu);
      if (auto it = channels.find(ch); it != channels.end()) {
        it->second.read_done = true;
        if (n < 0) it->second.write_done = true;
        settle(ch);
      }
      break;
    }
    std::lock_guard lock(mu);
    --readers;
    changed.notify_all();
    (void)self;
  }

  void on_frame(const std::shared_ptr<State>& self, agent::Frame type, std::uint32_t ch, const std::string& payload) {
    switch (type) {
      case agent::Frame::Listening: {
        std::lock_guard lock(mu);
        phase = Phase::Listening;
        changed.notify_all();
        return;
      }
      case agent::Frame::Open: {
        int port = options.host_port > 0 ? options.host_port : options.container_port;
        int fd = connect_host(options.host_ip, port);
        if (fd < 0) {
          spdlog::info("reverse forward: nothing listens on {}:{} on the host", options.host_ip, port);
          send_frame(agent::Frame::Close, ch);
          return;
        }
        {
          std::lock_guard lock(mu);
          channels[ch] = Channel{fd};
          ++readers, ++total;
        }
        std::thread([self, ch, fd] { self->read_host(self, ch, fd); }).detach();
        return;
      }
      case agent::Frame::Data: {
        std::lock_guard lock(mu);
        auto it = channels.find(ch);
        if (it == channels.end() || it->second.write_done) return;
        if (!send_all(it->second.fd, payload)) {
          ::shutdown(it->second.fd, SHUT_RDWR);  // the reader thread sees it and reports Close
          it->second.write_done = true;
        }
        return;
      }
      case agent::Frame::Eof: {
        std::lock_guard lock(mu);
        auto it = channels.find(ch);
        if (it == channels.end()) return;
        ::shutdown(it->second.fd, SHUT_WR);
        it->second.write_done = true;
        settle(ch);
        return;
      }
      case agent::Frame::Close: {
        std::lock_guard lock(mu);
        auto it = channels.find(ch);
        if (it == channels.end()) return;
        ::shutdown(it->second.fd, SHUT_RDWR);  // wakes its reader, which finishes it
        it->second.write_done = true;
        return;
      }
    }
  }

  void run(const std::shared_ptr<State>& self) {
    engine::ExecSpec spec;
    spec.cmd = agent_command(agent, {"listen", std::to_string(options.container_port)});
    spec.user = options.user;
    spec.attach_stdin = true;
    engine::ExecIO io;
    io.stdin_fd = feed[0];
    agent::FrameReader reader;
    io.on_stdout = [&](std::string_view data) {
      reader.feed(data);
      agent::Frame type;
      std::uint32_t ch;
      std::string payload;
      while (reader.next(type, ch, payload)) on_frame(self, type, ch, payload);
    };
    std::string errors;
    io.on_stderr = [&](std::string_view d) { errors.append(d); };
    int code = -1;
    try {
      code = engine.run_exec(options.container_id, spec, io, cancel);
    } catch (const Error& e) {
      if (e.code() != ErrorCode::Cancelled) errors += e.what();
    }
    std::lock_guard lock(mu);
    agent_errors = errors;
    exit_code = code;
    phase = Phase::Ended;
    for (auto& [ch, c] : channels) ::shutdown(c.fd, SHUT_RDWR);  // the agent is gone: so are its connections
    changed.notify_all();
  }
};

ReverseForwarder::ReverseForwarder(engine::Engine engine, Options options)
    : state_(std::make_shared<State>(std::move(engine), std::move(options))) {
  auto& s = *state_;
  if (s.options.container_port < 1 || s.options.container_port > 65535) {
    throw Error(ErrorCode::InvalidArgument, "container port " + std::to_string(s.options.container_port) + " is not a port",
                "give a port from 1 to 65535");
  }
  s.agent = ensure_agent(s.engine, s.options.container_id);
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s.feed) != 0) {
    throw Error(ErrorCode::Internal, std::string("socketpair: ") + std::strerror(errno));
  }
  exec_ = std::thread([st = state_] { st->run(st); });
  std::unique_lock lock(s.mu);
  s.changed.wait(lock, [&] { return s.phase != State::Phase::Starting; });
  if (s.phase == State::Phase::Ended) {
    std::string why = s.agent_errors;
    int code = s.exit_code;
    lock.unlock();
    exec_.join();
    throw Error(code == agent::kExitUnreachable ? ErrorCode::PortUnavailable : ErrorCode::CommandFailed,
                "cannot listen on container port " + std::to_string(state_->options.container_port) +
                    (why.empty() ? "" : ": " + why.substr(0, why.find_last_not_of("\n") + 1)),
                code == agent::kExitUnreachable ? "something in the container holds that port already" : "");
  }
}

ReverseForwarder::~ReverseForwarder() { stop(); }

void ReverseForwarder::stop() {
  if (!exec_.joinable()) return;
  auto& s = *state_;
  ::shutdown(s.feed[1], SHUT_WR);  // the agent's stdin ends: it stops listening and exits
  {
    std::unique_lock lock(s.mu);
    if (!s.changed.wait_for(lock, std::chrono::seconds(5), [&] { return s.phase == State::Phase::Ended; })) {
      lock.unlock();
      s.cancel.cancel();
    }
  }
  exec_.join();
  std::unique_lock lock(s.mu);
  for (auto& [ch, c] : s.channels) ::shutdown(c.fd, SHUT_RDWR);
  s.changed.wait(lock, [&] { return s.readers == 0; });
}

bool ReverseForwarder::running() const {
  std::lock_guard lock(state_->mu);
  return state_->phase == State::Phase::Listening;
}

int ReverseForwarder::connections() const {
  std::lock_guard lock(state_->mu);
  return state_->total;
}

const ReverseForwarder::Options& ReverseForwarder::options() const { return state_->options; }

}  // namespace dlc::services
