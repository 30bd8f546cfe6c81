#include "services/forward.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <sstream>

#include "agent/protocol.h"
#include "services/agent_inject.h"
#include "services/agent_session.h"
#include "support/files.h"
#include "support/error.h"
#include "support/runtime_dir.h"

namespace dlc::services {

namespace fs = std::filesystem;
using json = nlohmann::json;

void to_json(json& j, const Forward& f) {
  j = {{"containerId", f.container_id}, {"containerPort", f.container_port}, {"hostIp", f.host_ip},
       {"hostPort", f.host_port},       {"pid", f.pid},                       {"started", f.started}};
}

void from_json(const json& j, Forward& f) {
  f.container_id = j.value("containerId", "");
  f.container_port = j.value("containerPort", 0);
  f.host_ip = j.value("hostIp", "127.0.0.1");
  f.host_port = j.value("hostPort", 0);
  f.pid = j.value("pid", 0);
  f.started = j.value("started", 0ull);
}

namespace {

// The start time of a process (in clock ticks since boot), 0 when it does not run.
unsigned long long process_start(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return 0;
  auto paren = line.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(line.substr(paren + 2));
  std::string field;
  // Fields from the third (state) on; the start time is the 22nd.
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3 && (field == "Z" || field == "X")) return 0;
    if (i == 22) return std::stoull(field);
  }
  return 0;
}

bool serving(const Forward& f) { return f.pid > 0 && process_start(f.pid) == f.started; }

fs::path forwards_dir() { return private_runtime_dir("forwards"); }

fs::path record_path(const std::string& container_id, int container_port) {
  return forwards_dir() / (container_id.substr(0, 12) + "-" + std::to_string(container_port) + ".json");
}

std::optional<Forward> read_record(const fs::path& p) {
  std::ifstream in(p);
  json j = json::parse(in, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return j.get<Forward>();
}

// Serialises the find-or-start of forwards across processes (two commands at once make one).
class RegistryLock {
 public:
  RegistryLock() : lock_(forwards_dir() / ".lock", LOCK_EX) {}
  int fd() const { return lock_.fd(); }

 private:
  FileLock lock_;
};

int bind_listener(const std::string& ip, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, ip == "localhost" ? "127.0.0.1" : ip.c_str(), &addr.sin_addr) != 1) {
    throw Error(ErrorCode::InvalidArgument, ip + " is not an IPv4 address to listen on", "use 127.0.0.1 (the default)");
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error(ErrorCode::Internal, std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(fd, 128) == 0) return fd;
  ::close(fd);
  return -1;
}

}  // namespace

// ---- PortForwarder ------------------------------------------------------------------------------

struct PortForwarder::State {
  engine::Engine engine;
  Options options;
  int owner = 0;  // tags this forward's channels in the container's session
  int listen_fd = -1;
  int wake[2] = {-1, -1};
  std::mutex mu;
  bool stopping = false;
  int total = 0;
  std::shared_ptr<AgentSession> session;  // the container's, shared with its other forwards

  State(engine::Engine e, Options o) : engine(std::move(e)), options(std::move(o)) {
    static std::atomic<int> owners{0};
    owner = ++owners;
  }
  ~State() {
    if (listen_fd >= 0) ::close(listen_fd);
    for (int fd : wake)
      if (fd >= 0) ::close(fd);
  }

  // One client connection becomes a channel of the container's agent session; a session that has
  // ended (the agent killed, the container restarted) is replaced by a new one here.
  void carry(int client) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (!session || !session->alive()) session = agent_session(engine, options.container_id);
      } catch (const Error& e) {
        spdlog::warn("forwarding to container port {}: {}", options.container_port, e.what());
        break;
      }
      if (session->open(client, options.container_host, options.container_port, owner)) return;
      session.reset();
    }
    ::close(client);
  }

  void accept_loop() {
    for (;;) {
      pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[1].revents) return;
      if (!(fds[0].revents & POLLIN)) continue;
      int client = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) {
        // Out of descriptors: the pending connection stays readable, so wait rather than spin.
        if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      int one = 1;
      ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard lock(mu);
      if (stopping) {
        ::close(client);
        return;
      }
      ++total;
      carry(client);
    }
  }
};

PortForwarder::PortForwarder(engine::Engine engine, Options options)
    : state_(std::make_shared<State>(std::move(engine), std::move(options))) {
  auto& o = state_->options;
  if (o.container_port < 1 || o.container_port > 65535) {
    throw Error(ErrorCode::InvalidArgument, "container port " + std::to_string(o.container_port) + " is not a port",
                "give a port from 1 to 65535");
  }
  // Started now, so that what keeps it from starting reaches the caller, and the first connection is fast.
  state_->session = agent_session(state_->engine, o.container_id);
  int first = o.host_port > 0 ? o.host_port : o.container_port;
  int last = o.exact ? first : std::min(first + 199, 65535);
  for (int port = first; port <= last && state_->listen_fd < 0; ++port) {
    state_->listen_fd = bind_listener(o.host_ip, port);
    if (state_->listen_fd >= 0) forward_.host_port = port;
  }
  if (state_->listen_fd < 0) {
    throw Error(ErrorCode::PortUnavailable,
                o.exact ? "host port " + std::to_string(first) + " on " + o.host_ip + " is taken"
                        : "no free host port from " + std::to_string(first) + " to " + std::to_string(last),
                "stop what holds the port, or ask for another one");
  }
  if (::pipe2(state_->wake, O_CLOEXEC) != 0) throw Error(ErrorCode::Internal, "pipe failed");
  forward_.container_id = o.container_id;
  forward_.container_port = o.container_port;
  forward_.host_ip = o.host_ip;
  acceptor_ = std::thread([s = state_] { s->accept_loop(); });
}

PortForwarder::~PortForwarder() { stop(); }

void PortForwarder::stop() {
  if (!acceptor_.joinable()) return;
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  [[maybe_unused]] auto n = ::write(state_->wake[1], "x", 1);
  acceptor_.join();
  std::lock_guard lock(state_->mu);
  if (state_->session) state_->session->close_owner(state_->owner);
  state_->session.reset();  // the last forward of a container ends its session
}

int PortForwarder::connections() const {
  std::lock_guard lock(state_->mu);
  return state_->total;
}

// ---- registry -----------------------------------------------------------------------------------

namespace registry {

void add(const Forward& f) {
  auto path = record_path(f.container_id, f.container_port);
  write_file_atomically(path.string(), json(f).dump(), 0600);  // a record not written: the forward is not found again
}

void remove(const Forward& f) {
  auto path = record_path(f.container_id, f.container_port);
  auto current = read_record(path);
  std::error_code ec;
  if (current && current->pid == f.pid && current->host_port == f.host_port) fs::remove(path, ec);
}

std::vector<Forward> list(const std::string& container_id) {
  std::vector<Forward> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(forwards_dir(), ec)) {
    if (entry.path().extension() != ".json") continue;
    auto f = read_record(entry.path());
    if (!f || !serving(*f)) {
      fs::remove(entry.path(), ec);  // its process is gone
      continue;
    }
    if (container_id.empty() || f->container_id == container_id) out.push_back(*f);
  }
  std::sort(out.begin(), out.end(), [](const Forward& a, const Forward& b) { return a.container_port < b.container_port; });
  return out;
}

std::optional<Forward> find(const std::string& container_id, int container_port) {
  auto path = record_path(container_id, container_port);
  auto f = read_record(path);
  if (!f) return std::nullopt;
  if (f->container_id != container_id || !serving(*f)) {
    std::error_code ec;
    fs::remove(path, ec);
    return std::nullopt;
  }
  return f;
}

}  // namespace registry

// ---- who keeps forwards alive -------------------------------------------------------------------

Forward InProcessForwarders::ensure(const engine::Engine& engine, const std::string& container_id, int container_port,
                                    int preferred_host_port) {
  std::lock_guard lock(mu_);
  RegistryLock across_processes;
  if (auto f = registry::find(container_id, container_port)) return *f;
  auto fwd = std::make_unique<PortForwarder>(
      engine, PortForwarder::Options{.container_id = container_id, .container_port = container_port, .host_port = preferred_host_port});
  Forward f = fwd->forward();
  f.pid = ::getpid();
  f.started = process_start(f.pid);
  registry::add(f);
  forwarders_[{container_id, container_port}] = std::move(fwd);
  return f;
}

InProcessForwarders::~InProcessForwarders() { stop_all(); }

int InProcessForwarders::stop(const std::string& container_id) {
  std::lock_guard lock(mu_);
  int stopped = 0;
  for (auto it = forwarders_.begin(); it != forwarders_.end();) {
    if (it->first.first != container_id) {
      ++it;
      continue;
    }
    Forward f = it->second->forward();
    f.pid = ::getpid();
    registry::remove(f);
    it->second->stop();
    it = forwarders_.erase(it);
    ++stopped;
  }
  return stopped;
}

void InProcessForwarders::stop_all() {
  std::lock_guard lock(mu_);
  for (auto& [key, fwd] : forwarders_) {
    Forward f = fwd->forward();
    f.pid = ::getpid();
    registry::remove(f);
    fwd->stop();
  }
  forwarders_.clear();
}

void serve_forward(const engine::Engine& engine, const PortForwarder::Options& options,
                   const std::function<void(const Forward&)>& on_ready, const CancelToken& cancel) {
  PortForwarder fwd(engine, options);
  Forward f = fwd.forward();
  f.pid = ::getpid();
  f.started = process_start(f.pid);
  registry::add(f);
  on_ready(f);
  try {
    engine.wait_container(options.container_id, cancel);  // returns when the container stops
  } catch (const Error& e) {
    if (e.code() != ErrorCode::Cancelled && !cancel.cancelled()) spdlog::warn("stopped forwarding: {}", e.what());
  }
  registry::remove(f);
  fwd.stop();
}

Forward DetachedForwarders::ensure(const engine::Engine& engine, const std::string& container_id, int container_port,
                                   int preferred_host_port) {
  RegistryLock across_processes;
  if (auto f = registry::find(container_id, container_port)) return *f;
  ensure_agent(engine, container_id);  // here, so that its errors reach the user
  fs::path log = forwards_dir() / (container_id.substr(0, 12) + "-" + std::to_string(container_port) + ".log");

  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) throw Error(ErrorCode::Internal, "pipe failed");
  std::fflush(nullptr);  // what stdio holds would otherwise be written twice
  pid_t middle = ::fork();
  if (middle < 0) throw Error(ErrorCode::Internal, std::string("fork: ") + std::strerror(errno));
  if (middle == 0) {
    // Twice forked and in a session of its own: no zombie for a long-lived parent, no signal from
    // the terminal, and no hold on the parent's pipes (a caller reading our output sees its end).
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    int null_fd = ::open("/dev/null", O_RDWR);
    int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(null_fd, 0);
    ::dup2(log_fd >= 0 ? log_fd : null_fd, 1);
    ::dup2(log_fd >= 0 ? log_fd : null_fd, 2);
    std::vector<int> inherited;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc/self/fd", ec)) inherited.push_back(std::atoi(entry.path().filename().c_str()));
    for (int fd : inherited)
      if (fd > 2 && fd != ready[1]) ::close(fd);  // the registry lock's descriptor among them
    std::string message;
    try {  // nothing may unwind into the caller's code: this process only serves the forward
      // SIGTERM (stop_forward, or the user) ends it cleanly: a thread waits for it and cancels.
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGTERM), sigaddset(&set, SIGINT), sigaddset(&set, SIGHUP);
      ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
      auto cancel = CancelToken::make();
      std::thread([set, cancel] {
        int sig = 0;
        ::sigwait(&set, &sig);
        cancel.cancel();
      }).detach();
      serve_forward(engine,
                    PortForwarder::Options{.container_id = container_id, .container_port = container_port,
                                           .host_port = preferred_host_port},
                    [&](const Forward& f) {
                      std::string text = "ok " + json(f).dump();
                      [[maybe_unused]] auto n = ::write(ready[1], text.data(), text.size());
                      ::close(ready[1]);
                      ready[1] = -1;
                    },
                    cancel);
    } catch (const Error& e) {
      message = "!" + std::to_string(static_cast<int>(e.code())) + " " + e.what();
    } catch (const std::exception& e) {
      message = "!0 " + std::string(e.what());
    } catch (...) {
      message = "!0 unknown failure";
    }
    if (ready[1] >= 0 && !message.empty()) [[maybe_unused]] auto n = ::write(ready[1], message.data(), message.size());
    std::fflush(nullptr);
    if (message.empty()) fs::remove(log, ec);  // a clean end leaves nothing behind; a failure leaves its log
    ::_exit(0);
  }
  ::close(ready[1]);
  ::waitpid(middle, nullptr, 0);
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = ::read(ready[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(ready[0]);
  if (answer.starts_with("ok ")) return json::parse(answer.substr(3)).get<Forward>();
  if (answer.starts_with("!")) {
    auto space = answer.find(' ');
    auto code = static_cast<ErrorCode>(std::atoi(answer.substr(1, space - 1).c_str()));
    throw Error(code, "cannot forward container port " + std::to_string(container_port) + ": " + answer.substr(space + 1),
                "its log: " + log.string());
  }
  throw Error(ErrorCode::Internal, "the forwarding process for port " + std::to_string(container_port) + " did not start",
              "its log: " + log.string());
}

bool stop_forward(const std::string& container_id, int container_port) {
  auto f = registry::find(container_id, container_port);
  if (!f) return false;
  if (f->pid == ::getpid()) return false;  // served in this process: its owner stops it
  ::kill(f->pid, SIGTERM);
  for (int i = 0; i < 200 && serving(*f); ++i) ::usleep(10 * 1000);
  return true;
}

}  // namespace dlc::services
