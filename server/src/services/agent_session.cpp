#include "services/agent_session.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "agent/mux_protocol.h"
#include "services/agent_inject.h"
#include "services/direct_lane.h"
#include "support/cancel.h"
#include "support/error.h"

namespace dlc::services {

namespace mux = agent::mux;

namespace {

// Clients are not read while this much waits for the exec stream.
constexpr std::size_t kOutCap = 4u << 20;
constexpr std::size_t kMaxAgentErrors = 4096;
std::atomic<int> sessions_started{0};

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

// Two threads share it under mu: the exec's (frames from the agent, through run_exec's callback) and
// the loop's (the clients' sockets and the frames to the agent). Neither blocks on a socket: a client
// that does not read only fills its own channel's buffer, which its window bounds.
struct AgentSession::State {
  struct Chan {
    int fd = -1;
    int owner = 0;
    bool read_open = true;     // the client may still send
    bool agent_eof = false;    // the agent sends no more: shut the client's write side once to_client is out
    bool shut_wr = false;
    bool agent_closed = false;  // the agent let go: close once to_client is out
    mux::Windows win;
    mux::ByteQueue to_client;
  };
  enum class Phase { Starting, Running, Ended };
  // The direct lane: not asked for (an old agent, a remote engine, the knob), asked, listening
  // (connections try it first), or not to be tried again in this session (it failed once).
  enum class Lane { Off, Asked, Up, Down };

  engine::Engine engine;
  std::string container_id;
  int feed[2] = {-1, -1};  // [0]: the exec's stdin; [1]: ours (non-blocking), frames for the agent
  int wake[2] = {-1, -1};  // wakes the loop when the exec's thread changed what it must poll
  CancelToken cancel = CancelToken::make();

  mutable std::mutex mu;
  std::condition_variable changed;
  Phase phase = Phase::Starting;
  bool stopping = false;  // stop() ends it: no news
  bool repoll = false;    // the exec's thread changed what the loop must poll for
  int pid = 0;
  std::string agent_errors;
  std::map<std::uint32_t, Chan> chans;
  std::uint32_t next_channel = 1;
  mux::ByteQueue out;
  mux::Decoder in;
  bool want_direct = false;
  Lane lane = Lane::Off;
  DirectLane direct;
  int direct_carried = 0;
  std::shared_ptr<DirectRelays> relays = std::make_shared<DirectRelays>();

  State(engine::Engine e, std::string id) : engine(std::move(e)), container_id(std::move(id)) {
    want_direct = direct_lane_wanted(engine.endpoint().local());
  }
  ~State() {
    for (int fd : {feed[0], feed[1], wake[0], wake[1]})
      if (fd >= 0) ::close(fd);
    for (auto& [ch, c] : chans) ::close(c.fd);
  }

  void poke() { [[maybe_unused]] auto n = ::write(wake[1], "x", 1); }

  // ---- under mu ----
  void release(std::uint32_t ch) {
    auto it = chans.find(ch);
    if (it == chans.end()) return;
    // The loop may be polling it: a poll holds the socket open past close(), so the client would see
    // its end only when the loop wakes. shutdown() ends the connection now; the loop then lets go.
    ::shutdown(it->second.fd, SHUT_RDWR);
    ::close(it->second.fd);
    chans.erase(it);
    repoll = true;
  }
  void drop(std::uint32_t ch) {
    mux::append_frame(out.tail(), mux::Type::Close, ch);
    release(ch);
  }
  void flush_out() {
    while (!out.empty()) {
      ssize_t n = ::send(feed[1], out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // full (the loop polls for room), or the exec is gone (its thread sees it)
      out.consume(static_cast<std::size_t>(n));
    }
  }
  void finish_if_done(std::uint32_t ch, Chan& c) {
    if (c.read_open || !c.shut_wr) return;
    drop(ch);
  }
  void write_client(std::uint32_t ch, Chan& c) {
    while (!c.to_client.empty()) {
      ssize_t n = ::send(c.fd, c.to_client.data(), c.to_client.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        repoll = true;  // the rest waits for room: the loop polls for it
        return;
      }
      if (n <= 0) return c.agent_closed ? release(ch) : drop(ch);  // the client went away
      c.to_client.consume(static_cast<std::size_t>(n));
      if (auto grant = c.win.delivered(static_cast<std::size_t>(n)); grant > 0 && !c.agent_closed) {
        mux::append_window(out.tail(), ch, grant);
      }
    }
    if (c.agent_closed) return release(ch);
    if (c.agent_eof && !c.shut_wr) {
      ::shutdown(c.fd, SHUT_WR);
      c.shut_wr = true;
    }
    finish_if_done(ch, c);
  }
  void read_client(std::uint32_t ch, Chan& c) {
    char buf[mux::kMaxData];
    std::size_t want = std::min<std::size_t>(c.win.send_room(), sizeof buf);
    ssize_t n = ::recv(c.fd, buf, want, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) return drop(ch);
    if (n == 0) {
      c.read_open = false;
      mux::append_frame(out.tail(), mux::Type::Eof, ch);
      return finish_if_done(ch, c);
    }
    c.win.sent(static_cast<std::uint32_t>(n));
    mux::append_frame(out.tail(), mux::Type::Data, ch, std::string_view(buf, static_cast<std::size_t>(n)));
  }
  // False: the agent broke the session's rules.
  bool on_frame(const mux::FrameView& f) {
    if (f.type == mux::Type::Hello) {
      if (phase != Phase::Starting) return false;
      auto space = f.payload.find(' ');
      pid = space == std::string_view::npos ? 0 : std::atoi(std::string(f.payload.substr(space + 1)).c_str());
      phase = Phase::Running;
      // Only an agent that names the lane is asked: an older one would end the session at the frame.
      if (want_direct && mux::has_capability(f.payload, mux::kDirectCapability)) {
        direct.secret = new_lane_secret();
        mux::append_frame(out.tail(), mux::Type::Listen, 0, direct.secret);
        lane = Lane::Asked;
      }
      changed.notify_all();
      return true;
    }
    if (f.type == mux::Type::Listen) return on_listening(f.payload);
    if (f.type == mux::Type::Open) return false;  // the host opens channels, never the agent
    auto it = chans.find(f.channel);
    if (it == chans.end()) return true;  // let go of here already
    Chan& c = it->second;
    switch (f.type) {
      case mux::Type::Data:
        if (c.agent_eof || !c.win.received(f.payload.size())) return false;
        c.to_client.append(f.payload);
        write_client(f.channel, c);
        return true;
      case mux::Type::Window:
        repoll = true;  // the client may be read again
        return c.win.granted(agent::get_u32(f.payload.data()));
      case mux::Type::Eof:
        c.agent_eof = true;
        write_client(f.channel, c);
        return true;
      case mux::Type::Close:
        if (!f.payload.empty()) spdlog::info("forwarded connection {}: {}", f.channel, f.payload);
        c.agent_closed = true;
        c.read_open = false;
        write_client(f.channel, c);
        return true;
      default: return false;
    }
  }
  bool on_listening(std::string_view answer) {
    if (lane == Lane::Off) return false;  // never asked for
    if (lane != Lane::Asked) return true;  // an answer after the wait for it gave up: too late
    auto space = answer.find(' ');
    int port = space == std::string_view::npos ? 0 : std::atoi(std::string(answer.substr(space + 1)).c_str());
    if (answer.starts_with('!') || port <= 0 || port > 65535) {
      spdlog::info("agent session in {}: no direct lane ({}); connections go over the exec stream",
                   container_id.substr(0, 12), answer);
      lane = Lane::Down;
    } else {
      direct.address = std::string(answer.substr(0, space));
      direct.port = port;
      lane = Lane::Up;
    }
    changed.notify_all();
    return true;
  }
  // The session is over: every client's connection ends with it.
  void end() {
    relays->close_all();
    phase = Phase::Ended;
    for (auto& [ch, c] : chans) ::shutdown(c.fd, SHUT_RDWR), ::close(c.fd);
    chans.clear();
    changed.notify_all();
    poke();
  }

  // ---- the two threads ----
  void run_exec(const std::vector<std::string>& command) {
    engine::ExecSpec spec;
    spec.cmd = command;
    spec.attach_stdin = true;
    engine::ExecIO io;
    io.stdin_fd = feed[0];
    io.on_stdout = [&](std::string_view data) {
      std::lock_guard lock(mu);
      if (phase == Phase::Ended) return;
      in.feed(data);
      mux::FrameView f;
      mux::Decoder::Result r;
      while ((r = in.next(f)) == mux::Decoder::Result::Frame) {
        if (!on_frame(f)) {
          spdlog::warn("the agent in {} broke the session's rules; starting another", container_id.substr(0, 12));
          ::shutdown(feed[1], SHUT_WR);  // its stdin ends: it exits
          return end();
        }
      }
      if (r == mux::Decoder::Result::Bad) {
        spdlog::warn("the agent in {} sent {}", container_id.substr(0, 12), in.error());
        ::shutdown(feed[1], SHUT_WR);
        return end();
      }
      flush_out();
      // Most data goes straight through to its client; the loop is woken only when it has work.
      if (repoll || !out.empty()) poke();
      repoll = false;
    };
    io.on_stderr = [&](std::string_view d) {
      std::lock_guard lock(mu);
      if (agent_errors.size() < kMaxAgentErrors) agent_errors.append(d.substr(0, kMaxAgentErrors - agent_errors.size()));
    };
    std::string why;
    try {
      int code = engine.run_exec(container_id, spec, io, cancel);
      why = "the agent exited with status " + std::to_string(code);
    } catch (const Error& e) {
      why = e.what();
    }
    std::lock_guard lock(mu);
    if (phase == Phase::Running && !stopping) spdlog::info("agent session in {} ended: {}", container_id.substr(0, 12), why);
    if (phase == Phase::Starting) agent_errors = why + (agent_errors.empty() ? "" : ": " + agent_errors);
    end();
  }

  void loop() {
    std::vector<pollfd> fds;
    std::vector<std::uint32_t> order;
    std::unique_lock lock(mu);
    for (;;) {
      if (phase == Phase::Ended) return;
      fds.assign({{wake[0], POLLIN, 0}, {out.empty() ? -1 : feed[1], POLLOUT, 0}});
      order.clear();
      for (auto& [ch, c] : chans) {
        short ev = 0;
        if (c.read_open && c.win.send_room() > 0 && out.size() < kOutCap) ev |= POLLIN;
        if (!c.to_client.empty()) ev |= POLLOUT;
        if (ev == 0) continue;  // nothing it could do now: polling it would only spin on a hang-up
        fds.push_back({c.fd, ev, 0});
        order.push_back(ch);
      }
      lock.unlock();
      int ready = ::poll(fds.data(), fds.size(), -1);
      lock.lock();
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) {  // out of memory, say: nothing here would improve by trying again at once
        spdlog::warn("agent session in {}: poll: {}", container_id.substr(0, 12), std::strerror(errno));
        ::shutdown(feed[1], SHUT_WR);
        return end();
      }
      if (fds[0].revents) {
        char drain[256];
        while (::read(wake[0], drain, sizeof drain) > 0) {
        }
      }
      for (std::size_t i = 0; i < order.size() && phase != Phase::Ended; ++i) {
        short rev = fds[i + 2].revents;
        auto it = chans.find(order[i]);
        if (rev == 0 || it == chans.end() || it->second.fd != fds[i + 2].fd) continue;
        if (rev & (POLLOUT | POLLERR)) write_client(order[i], it->second);
        it = chans.find(order[i]);
        if (it != chans.end() && (rev & (POLLIN | POLLHUP | POLLERR)) && it->second.read_open &&
            it->second.win.send_room() > 0) {
          read_client(order[i], it->second);
        }
      }
      if (phase != Phase::Ended) flush_out();
    }
  }
};

AgentSession::AgentSession(engine::Engine engine, std::string container_id, std::vector<std::string> mux_args)
    : state_(std::make_unique<State>(std::move(engine), std::move(container_id))) {
  auto& s = *state_;
  std::string agent_path = ensure_agent(s.engine, s.container_id);
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s.feed) != 0 || ::pipe2(s.wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw Error(ErrorCode::Internal, std::string("socketpair: ") + std::strerror(errno));
  }
  set_nonblocking(s.feed[1]);
  ++sessions_started;
  mux_args.insert(mux_args.begin(), "mux");
  exec_ = std::thread([&s, command = agent_command(agent_path, std::move(mux_args))] { s.run_exec(command); });
  std::unique_lock lock(s.mu);
  if (!s.changed.wait_for(lock, std::chrono::seconds(30), [&] { return s.phase != State::Phase::Starting; })) {
    s.agent_errors = "no hello from the agent in 30 s";
    lock.unlock();
    s.cancel.cancel();  // the exec's stream closes and its thread ends the session
    lock.lock();
    s.changed.wait(lock, [&] { return s.phase == State::Phase::Ended; });
  }
  if (s.phase == State::Phase::Ended) {
    std::string why = s.agent_errors;
    lock.unlock();
    exec_.join();
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw Error(ErrorCode::CommandFailed, "cannot start dlcontainer's agent in the container: " + why,
                "check that the container runs (dlcontainer status)");
  }
  // The lane's answer is one round trip behind the hello; the first connection should find it.
  if (!s.changed.wait_for(lock, std::chrono::seconds(5), [&] { return s.lane != State::Lane::Asked || s.phase == State::Phase::Ended; })) {
    spdlog::info("agent session in {}: no answer about the direct lane in 5 s", s.container_id.substr(0, 12));
    s.lane = State::Lane::Down;
  }
  lock.unlock();
  loop_ = std::thread([&s] { s.loop(); });
}

AgentSession::~AgentSession() { stop(); }

void AgentSession::stop() {
  if (!exec_.joinable()) return;
  auto& s = *state_;
  {
    std::unique_lock lock(s.mu);
    s.stopping = true;
    ::shutdown(s.feed[1], SHUT_WR);  // the agent's stdin ends: it exits, and the exec stream with it
    if (!s.changed.wait_for(lock, std::chrono::seconds(5), [&] { return s.phase == State::Phase::Ended; })) {
      lock.unlock();
      s.cancel.cancel();
    }
  }
  exec_.join();
  s.poke();
  if (loop_.joinable()) loop_.join();
  s.relays->close_all();
}

bool AgentSession::open(int client_fd, const std::string& host, int port, int owner) {
  auto& s = *state_;
  if (open_direct(client_fd, host, port, owner)) return true;
  std::lock_guard lock(s.mu);
  if (s.phase != State::Phase::Running) return false;
  set_nonblocking(client_fd);
  std::uint32_t ch = s.next_channel++;
  auto& c = s.chans[ch];
  c.fd = client_fd;
  c.owner = owner;
  mux::append_frame(s.out.tail(), mux::Type::Open, ch, host + " " + std::to_string(port));
  s.flush_out();
  s.poke();
  return true;
}

bool AgentSession::open_direct(int client_fd, const std::string& host, int port, int owner) {
  auto& s = *state_;
  DirectLane lane;
  {
    std::lock_guard lock(s.mu);
    if (s.phase != State::Phase::Running || s.lane != State::Lane::Up) return false;
    lane = s.direct;
  }
  int direct = dial_direct(lane, host, port);  // unlocked: the exec's thread goes on meanwhile
  std::lock_guard lock(s.mu);
  if (direct < 0) {
    // Once: a lane that cannot be reached (no route from here, a firewall) is not tried again, so
    // that later connections do not each wait for the timeout.
    if (s.lane == State::Lane::Up) {
      spdlog::info("agent session in {}: the direct lane at {}:{} cannot be reached; connections go over the exec stream",
                   s.container_id.substr(0, 12), lane.address, lane.port);
    }
    s.lane = State::Lane::Down;
    return false;
  }
  s.relays->start(client_fd, direct, owner);
  ++s.direct_carried;
  return true;
}

void AgentSession::close_owner(int owner) {
  auto& s = *state_;
  s.relays->close_owner(owner);
  std::lock_guard lock(s.mu);
  std::vector<std::uint32_t> mine;
  for (auto& [ch, c] : s.chans)
    if (c.owner == owner) mine.push_back(ch);
  for (auto ch : mine) s.drop(ch);
  s.flush_out();
  s.poke();
}

bool AgentSession::alive() const {
  std::lock_guard lock(state_->mu);
  return state_->phase == State::Phase::Running;
}

int AgentSession::agent_pid() const {
  std::lock_guard lock(state_->mu);
  return state_->pid;
}

int AgentSession::open_channels() const {
  std::lock_guard lock(state_->mu);
  return static_cast<int>(state_->chans.size()) + state_->relays->live();
}

std::optional<std::pair<std::string, int>> AgentSession::direct_lane() const {
  std::lock_guard lock(state_->mu);
  if (state_->lane != State::Lane::Up) return std::nullopt;
  return std::make_pair(state_->direct.address, state_->direct.port);
}

int AgentSession::direct_connections() const {
  std::lock_guard lock(state_->mu);
  return state_->direct_carried;
}

std::shared_ptr<AgentSession> agent_session(const engine::Engine& engine, const std::string& container_id) {
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<AgentSession>> sessions;
  static pid_t owner = ::getpid();
  std::lock_guard lock(mu);  // held while one starts: two connections at once make one session
  if (owner != ::getpid()) {
    // A forked child (a detached forward) has copies of the parent's sessions, not their threads:
    // it starts its own.
    sessions.clear();
    owner = ::getpid();
  }
  auto& slot = sessions[container_id];
  if (auto live = slot.lock(); live && live->alive()) return live;
  for (auto it = sessions.begin(); it != sessions.end();) {
    it = it->second.expired() && it->first != container_id ? sessions.erase(it) : std::next(it);
  }
  auto fresh = std::make_shared<AgentSession>(engine, container_id);
  sessions[container_id] = fresh;
  return fresh;
}

int agent_sessions_started() { return sessions_started.load(); }

}  // namespace dlc::services
