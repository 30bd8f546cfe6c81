#include "engine/dial.h"

#include <pthread.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "engine/dial_ahead.h"
#include "engine/podman.h"
#include "engine/slurm.h"
#include "engine/ssh.h"
#include "support/error.h"

namespace dlc::engine {

namespace asio_error = boost::asio::error;

namespace {

std::chrono::milliseconds seconds_from_env(const char* name, std::chrono::milliseconds fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  double s = std::strtod(v, &end);
  if (end == v || *end != '\0' || !(s > 0) || s > 86400) {
    throw Error(ErrorCode::InvalidArgument, std::string(name) + "=" + v + " is not a number of seconds",
                std::string("write e.g. ") + name + "=30, or unset it");
  }
  return std::chrono::milliseconds(static_cast<long long>(s * 1000));
}

Error unix_connect_error(const Endpoint& e, const error_code& ec) {
  const auto& path = e.socket_path;
  std::string origin = e.origin == "the default socket" ? "" : " (" + e.origin + ")";
  if (podman_expected(path)) {
    if (ec == boost::system::errc::permission_denied) {
      return Error(ErrorCode::EnginePermission, "permission denied on Podman's socket " + path,
                   "use your own rootless Podman (--engine podman as your user), or run as root for " + path);
    }
    if (ec == boost::system::errc::no_such_file_or_directory || ec == boost::system::errc::connection_refused) {
      return Error(ErrorCode::EngineUnavailable, "Podman's API service is not running (nothing listens on " + path + ")",
                   podman_start_hint(path));
    }
  }
  if (ec == boost::system::errc::permission_denied) {
    return Error(ErrorCode::EnginePermission, "permission denied on the Docker socket " + path + origin,
                 "add your user to the docker group: sudo usermod -aG docker $USER, then log in again");
  }
  if (ec == boost::system::errc::no_such_file_or_directory || ec == boost::system::errc::connection_refused) {
    return Error(ErrorCode::EngineUnavailable, "the Docker daemon is not running (nothing listens on " + path + origin + ")",
                 "start it: sudo systemctl start docker (or run dockerd); set DOCKER_HOST or --host if it listens elsewhere, or "
                 "use Podman with --engine podman");
  }
  if (ec == asio_error::timed_out) {
    return Error(ErrorCode::EngineUnavailable, "the Docker daemon at " + path + origin + " does not accept connections",
                 "it may be frozen or overloaded: `docker info` shows whether it answers; restart it if not");
  }
  return Error(ErrorCode::EngineUnavailable, "cannot reach the Docker daemon at " + path + origin + ": " + ec.message(),
               "check that dockerd runs and DOCKER_HOST (or --host) points at its socket");
}

Error tcp_connect_error(const Endpoint& e, const error_code& ec) {
  std::string where = engine_name(e);
  if (ec == asio_error::host_not_found) {
    return Error(ErrorCode::EngineUnavailable, "cannot resolve the host name " + e.host + " of " + where,
                 "check the name in " + e.origin);
  }
  if (ec == boost::system::errc::connection_refused) {
    return Error(ErrorCode::EngineUnavailable, "nothing listens at " + e.url() + " (" + e.origin + ")",
                 "start dockerd there with -H tcp://0.0.0.0:" + std::to_string(e.port) + " --tlsverify, or fix the port");
  }
  if (ec == asio_error::timed_out) {
    return Error(ErrorCode::EngineUnavailable, "no answer from " + where + " within the connect timeout",
                 "check the network and the firewall on the way; DLC_ENGINE_CONNECT_TIMEOUT=SECONDS waits longer");
  }
  return Error(ErrorCode::EngineUnavailable, "cannot reach " + where + ": " + ec.message(), "check the host and port in " + e.origin);
}

// A slurm:// connection is a step launched by srun, ~1 s before its first byte however short the
// request (slurmstepd's start and Podman's `dial-stdio`, measured in bench/results/slurm.md), and an
// upgraded one (exec, attach) is not kept for reuse. So while a DialAhead holds the engine (an up, which
// makes a dozen), whenever one is taken the next one is started at once and waits as a spare: its
// launch overlaps the work in between. The spare left over is ended with the last DialAhead.
std::unique_ptr<ByteStream> dial_with_spare(const Endpoint& e, const Wait& wait) {
  auto taken = pool::take_spare(e.url(), [&] { return dial_slurm(e, Wait{}); });
  if (!taken) return dial_slurm(e, wait);
  taken->set_wait(wait);
  return taken;
}

}  // namespace

Timeouts Timeouts::from_env() {
  Timeouts t;
  t.connect = seconds_from_env("DLC_ENGINE_CONNECT_TIMEOUT", t.connect);
  t.reply = seconds_from_env("DLC_ENGINE_TIMEOUT", t.reply);
  return t;
}

std::string engine_name(const Endpoint& e) {
  std::string kind = e.kind == "docker" ? "Docker" : e.kind;
  std::string how = e.origin == "the default socket" ? "" : " (" + e.origin + ")";
  return "the " + kind + " engine at " + e.url() + how;
}

std::unique_ptr<ByteStream> dial(const Endpoint& e, const Timeouts& timeouts) {
  Wait wait{Clock::now() + timeouts.connect, std::nullopt};
  error_code ec;
  switch (e.transport) {
    case Transport::Unix: {
      auto s = connect_unix(e.socket_path, wait, ec);
      if (!s) throw unix_connect_error(e, ec);
      return s;
    }
    case Transport::Tcp: {
      auto s = connect_tcp(e.host, e.port, wait, ec);
      if (!s) throw tcp_connect_error(e, ec);
      if (!e.tls) return s;
      return start_tls(std::move(s), *e.tls, e.host, engine_name(e), wait);
    }
    case Transport::Ssh:
      return dial_ssh(e, wait);
    case Transport::Slurm:
      return dial_with_spare(e, wait);
  }
  throw Error(ErrorCode::Internal, "unknown transport");
}

namespace pool {

namespace {

constexpr std::size_t kIdlePerEngine = 4;

struct Pool {
  std::mutex mu;
  std::map<std::string, std::vector<std::unique_ptr<ByteStream>>> idle;
  std::map<std::string, std::unique_ptr<ByteStream>> spares;  // dialled ahead, nothing sent yet
  std::map<std::string, int> ahead;                           // DialAhead's alive, per engine
};

// A forked child (a detached forward) must not write into its parent's connections: it drops them
// (closing its copies of their descriptors; their processes are the parent's to end).
Pool& the_pool() {
  static Pool* p = [] {
    auto* made = new Pool;  // never destroyed: kept connections die with the process
    ::pthread_atfork([] { the_pool().mu.lock(); }, [] { the_pool().mu.unlock(); },
                     [] {
                       auto& q = the_pool();
                       q.mu.unlock();
                       q.idle.clear();
                       q.spares.clear();
                       q.ahead.clear();  // the parent's DialAheads end in the parent only
                     });
    return made;
  }();
  return *p;
}

}  // namespace

std::unique_ptr<ByteStream> take(const std::string& key) {
  std::vector<std::unique_ptr<ByteStream>> stale;  // closed outside the lock (an ssh child is waited for)
  std::unique_ptr<ByteStream> found;
  {
    auto& p = the_pool();
    std::lock_guard lock(p.mu);
    auto it = p.idle.find(key);
    if (it == p.idle.end()) return nullptr;
    auto& v = it->second;
    while (!v.empty() && !found) {
      auto s = std::move(v.back());
      v.pop_back();
      if (s->idle_and_open()) found = std::move(s);
      else stale.push_back(std::move(s));
    }
  }
  return found;
}

std::unique_ptr<ByteStream> take_spare(const std::string& key, const std::function<std::unique_ptr<ByteStream>()>& dial_next) {
  std::unique_ptr<ByteStream> taken;
  {
    auto& p = the_pool();
    std::lock_guard lock(p.mu);
    if (auto it = p.spares.find(key); it != p.spares.end()) taken = std::move(it->second), p.spares.erase(it);
  }
  if (taken && !taken->idle_and_open()) taken.reset();  // its command ended (the job did): dial anew
  bool wanted = false;
  {
    auto& p = the_pool();
    std::lock_guard lock(p.mu);
    wanted = p.ahead[key] > 0 && !p.spares.contains(key);
  }
  if (wanted) {
    auto next = dial_next();  // a fork and exec: the launch itself goes on without us
    auto& p = the_pool();
    std::lock_guard lock(p.mu);
    if (p.ahead[key] > 0 && !p.spares.contains(key)) p.spares[key] = std::move(next);
  }
  return taken;
}

void hold_ahead(const std::string& key, int delta) {
  std::unique_ptr<ByteStream> dropped;  // ended outside the lock
  auto& p = the_pool();
  std::lock_guard lock(p.mu);
  int& n = p.ahead[key];
  n += delta;
  if (n <= 0) {
    p.ahead.erase(key);
    if (auto it = p.spares.find(key); it != p.spares.end()) dropped = std::move(it->second), p.spares.erase(it);
  }
}

void put(const std::string& key, std::unique_ptr<ByteStream> stream) {
  auto& p = the_pool();
  std::unique_lock lock(p.mu);
  auto& v = p.idle[key];
  if (v.size() >= kIdlePerEngine) {
    lock.unlock();
    return;  // stream closes here
  }
  stream->set_wait({});
  v.push_back(std::move(stream));
}

}  // namespace pool

DialAhead::DialAhead(const Endpoint& endpoint) : key_(endpoint.transport == Transport::Slurm ? endpoint.url() : "") {
  if (!key_.empty()) pool::hold_ahead(key_, +1);
}

DialAhead::~DialAhead() {
  if (!key_.empty()) pool::hold_ahead(key_, -1);
}

}  // namespace dlc::engine
