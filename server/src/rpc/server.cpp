#include "rpc/server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "core/placed.h"
#include "core/slurm_watch.h"
#include "rpc/methods.h"
#include "support/error.h"

namespace dlc::rpc {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;
using json = nlohmann::json;

namespace {

// How long a stopping server waits for handlers that were told to stop.
constexpr auto kStopGrace = std::chrono::seconds(10);

// Log lines reach every client as window/logMessage (and stderr, through the logger's other sinks).
class ClientLogSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ClientLogSink(Server& server) : server_(server) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    MessageType type = msg.level >= spdlog::level::err    ? MessageType::Error
                       : msg.level == spdlog::level::warn ? MessageType::Warning
                       : msg.level == spdlog::level::info ? MessageType::Info
                                                          : MessageType::Log;
    server_.broadcast(kLogMessage, LogMessageParams{type, std::string(msg.payload.data(), msg.payload.size())});
  }
  void flush_() override {}

 private:
  Server& server_;
};

}  // namespace

Server::Server(ServerOptions options, MethodTable methods)
    : options_(std::move(options)), methods_(std::move(methods)), pool_(options_.workers), placements_(options_.default_host) {
  auto sink = std::make_shared<ClientLogSink>(*this);
  spdlog::default_logger()->sinks().push_back(sink);
  log_sink_ = sink;
}

Server::~Server() {
  stop_watcher();
  forwards_.stop_all();
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.erase(std::remove_if(sinks.begin(), sinks.end(), [&](const auto& s) { return s.get() == log_sink_.get(); }), sinks.end());
}

core::Workspaces& Server::workspaces(const std::string& host) { return placements_.at(host); }

void Server::broadcast_text(const std::string& message) {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mu_);
    for (const auto& weak : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (const auto& s : live) s->send_notification(message);
}

std::shared_ptr<Session> Server::open_session(int in_fd, int out_fd, std::function<void()> on_finished,
                                              std::function<void()> on_closed) {
  auto channel = std::make_shared<Channel>(io_, in_fd, out_fd, options_.limits);
  SessionOptions so;
  so.methods = &methods_;
  so.backend = this;
  // Each connection is one client of the pool: its requests take threads in turn with other clients'.
  so.spawn = [this, client = pool_.new_client()](std::function<void()> task) { pool_.post(client, std::move(task)); };
  so.server_version = options_.version;
  so.max_in_flight = options_.max_in_flight;
  so.on_closed = std::move(on_closed);
  auto session = std::make_shared<Session>(std::move(so), channel);
  {
    std::lock_guard lock(sessions_mu_);
    std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
    sessions_.push_back(session);
  }
  Channel::Handlers h;
  h.on_message = [session](std::string&& body) { session->receive(body); };
  h.on_frame_error = [session](const std::string& why) { session->frame_error(why); };
  h.on_closed = [session] { session->closed(); };
  h.on_finished = [this, session, on_finished = std::move(on_finished)] {
    {
      std::lock_guard lock(sessions_mu_);
      std::erase_if(sessions_, [&](const auto& w) { return w.expired() || w.lock() == session; });
    }
    if (on_finished) on_finished();
  };
  channel->start(std::move(h));
  return session;
}

int Server::serve_stdio() {
  // The protocol owns stdout: whatever else would print there (a library, a stray debug line) goes to
  // stderr instead.
  int in = ::fcntl(0, F_DUPFD_CLOEXEC, 3);
  int out = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
  if (in < 0 || out < 0 || ::dup2(2, 1) < 0) {
    throw Error(ErrorCode::Internal, "cannot take over stdin and stdout", "run `dlcontainer serve --stdio` with both open");
  }
  start_watcher();

  // Once the client is gone (exit, end of input, a signal), requests in flight are cancelled and the
  // channel finishes when they have answered; a handler that cannot stop gets kStopGrace.
  asio::steady_timer deadline(io_);
  auto stop_soon = [&] {
    asio::post(io_, [&] {
      deadline.expires_after(kStopGrace);
      deadline.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) io_.stop();
      });
    });
  };
  std::shared_ptr<Session> session = open_session(in, out, [&] { io_.stop(); }, stop_soon);
  on_stop_ = [&] { session->closed(); };
  asio::signal_set signals(io_, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) on_stop_();
  });
  io_.run();
  on_stop_ = nullptr;
  int status = session->shutdown_requested() ? 0 : 1;
  stop_watcher();
  bool drained = drain(std::chrono::seconds(2));
  // No client is left to use them: the ports close now, and no record of them outlives the server.
  forwards_.stop_all();
  if (!drained) {
    spdlog::warn("a request did not stop in time; exiting without it");
    std::fflush(nullptr);
    std::_Exit(status);
  }
  return status;
}

int Server::serve_socket(const std::string& path) {
  if (path.empty()) throw Error(ErrorCode::InvalidArgument, "--socket needs a path", "e.g. --socket $XDG_RUNTIME_DIR/dlcontainer.sock");
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    throw Error(ErrorCode::InvalidArgument, "the socket path is too long (" + std::to_string(path.size()) + " bytes; at most 107)",
                "choose a shorter path, e.g. $XDG_RUNTIME_DIR/dlcontainer.sock");
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      throw Error(ErrorCode::InvalidArgument, path + " exists and is not a socket",
                  "choose another --socket path: dlcontainer never removes a file it did not make");
    }
    local::socket probe(io_);
    boost::system::error_code ec;
    probe.connect(local::endpoint(path), ec);
    if (!ec) throw Error(ErrorCode::InvalidArgument, "another server already listens on " + path, "connect to that one, or stop it first");
    ::unlink(path.c_str());  // a socket that nobody listens on, left by a server that died
  }

  local::acceptor acceptor(io_);
  boost::system::error_code ec;
  acceptor.open(local(), ec);
  if (!ec) {
    // Never readable by others, not even for the moment between bind and chmod.
    mode_t old = ::umask(0177);
    acceptor.bind(local::endpoint(path), ec);
    ::umask(old);
  }
  if (!ec && ::chmod(path.c_str(), 0600) != 0) ec = boost::system::error_code(errno, boost::system::system_category());
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw Error(ErrorCode::InvalidArgument, "cannot listen on " + path + ": " + ec.message(),
                "check that its folder exists and that you may write there");
  }
  ::lstat(path.c_str(), &st);
  const ino_t our_inode = st.st_ino;
  start_watcher();
  if (options_.on_listening) options_.on_listening(path);

  bool stopping = false;
  std::size_t open = 0;
  asio::steady_timer retry(io_), deadline(io_);
  std::function<void()> accept_next = [&] {
    acceptor.async_accept([&](const boost::system::error_code& aec, local::socket socket) {
      if (aec == asio::error::operation_aborted || stopping) return;
      if (aec) {
        // Out of descriptors, most likely: try again shortly rather than spin.
        spdlog::warn("accepting a client failed: {}", aec.message());
        retry.expires_after(std::chrono::milliseconds(100));
        retry.async_wait([&](const boost::system::error_code& e) { if (!e) accept_next(); });
        return;
      }
      ucred cred{};
      socklen_t len = sizeof cred;
      if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
          (cred.uid != ::geteuid() && cred.uid != 0)) {
        spdlog::warn("refused a client running as uid {}: this server answers uid {} only", cred.uid, ::geteuid());
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        int fd = socket.release();
        ++open;
        open_session(fd, fd, [&] {
          if (--open == 0 && stopping) io_.stop();
        });
      }
      accept_next();
    });
  };
  accept_next();

  on_stop_ = [&] {
    if (stopping) return;
    stopping = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    retry.cancel();
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(sessions_mu_);
      for (const auto& w : sessions_) {
        if (auto s = w.lock()) live.push_back(std::move(s));
      }
    }
    for (const auto& s : live) s->closed();
    if (open == 0) {
      io_.stop();
      return;
    }
    deadline.expires_after(kStopGrace);
    deadline.async_wait([&](const boost::system::error_code& e) { if (!e) io_.stop(); });
  };
  asio::signal_set signals(io_, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& sec, int) {
    if (!sec) on_stop_();
  });
  io_.run();
  on_stop_ = nullptr;

  struct stat now {};
  if (::lstat(path.c_str(), &now) == 0 && now.st_ino == our_inode) ::unlink(path.c_str());
  stop_watcher();
  bool drained = drain(std::chrono::seconds(2));
  forwards_.stop_all();
  if (!drained) {
    spdlog::warn("a request did not stop in time; exiting without it");
    std::fflush(nullptr);
    std::_Exit(0);
  }
  return 0;
}

bool Server::drain(std::chrono::milliseconds limit) { return pool_.wait_idle(limit); }

void Server::stop() {
  asio::post(io_, [this] {
    if (on_stop_) on_stop_();
  });
}

void Server::start_watcher() {
  if (!options_.watch_events || watcher_.joinable()) return;
  batches_ = std::make_unique<core::EventBatches>([this](const auto& batch) { on_engine_events(batch); });
  watcher_ = std::thread([this] {
    auto pause = std::chrono::milliseconds(1000);
    while (!stop_.cancelled()) {
      try {
        workspaces().watch([this](const core::WorkspaceEvent& e) { on_engine_event(e); }, stop_,
                           [](const std::string& why) { spdlog::warn("lost the engine's events ({}); following them again shortly", why); });
      } catch (const Error& e) {
        // No daemon yet: requests say so with a hint; events follow once it answers.
        spdlog::debug("engine events unavailable: {}", e.what());
      }
      pause_unless_cancelled(pause, stop_);
      pause = std::min(pause * 2, std::chrono::milliseconds(30'000));
    }
  });
  jobs_watcher_ = std::thread([this] { core::watch_slurm_jobs([this](const std::string& ws) { on_job_ended(ws); }, stop_); });
}

void Server::stop_watcher() {
  stop_.cancel();
  if (watcher_.joinable()) watcher_.join();
  if (jobs_watcher_.joinable()) jobs_watcher_.join();
  batches_.reset();
}

void Server::on_engine_event(const core::WorkspaceEvent& event) {
  // A forward to a container that died ends now, not after the batch before it has been told.
  if (int n = forwards_.container_event(event)) {
    spdlog::debug("stopped {} forward(s) to {}: the container {}", n, event.container_id.substr(0, 12), event.action);
  }
  batches_->push(event);
}

void Server::on_engine_events(const std::vector<core::WorkspaceEvent>& batch) {
  if (!anyone_listening()) return;
  // Every event is told, in order, each with its workspace's status after the whole batch: one lookup
  // per workspace however many events a burst brought.
  std::map<std::string, core::WorkspaceStatus> after;
  for (const auto& event : batch) {
    if (after.count(event.workspace)) continue;
    try {
      after[event.workspace] = workspaces().status(core::StatusParams{.workspace = event.workspace});
    } catch (const Error&) {
      // The folder is gone, or the daemon with it: the batch's last event for it says what is known.
      auto last = std::find_if(batch.rbegin(), batch.rend(), [&](const auto& e) { return e.workspace == event.workspace; });
      after[event.workspace] = status_after(*last);
    }
  }
  for (const auto& event : batch) {
    broadcast(kDidChangeStatus, DidChangeStatusParams{event.workspace, event.action, event.container_id, after[event.workspace]});
  }
}

bool Server::anyone_listening() {
  std::lock_guard lock(sessions_mu_);
  return std::any_of(sessions_.begin(), sessions_.end(), [](const auto& w) {
    auto s = w.lock();
    return s && s->initialized();
  });
}

void Server::on_job_ended(const std::string& workspace) {
  if (!anyone_listening()) return;
  core::WorkspaceStatus status;
  try {
    status = core::status_placed(core::StatusParams{.workspace = workspace},
                                 [this](const std::string& url) -> core::Workspaces& { return workspaces(url); });
  } catch (const Error& e) {
    spdlog::debug("status after Slurm job of {} ended: {}", workspace, e.what());
    return;
  }
  // The container went with the job's engine (its id is not known here: that engine is gone).
  broadcast(kDidChangeStatus, DidChangeStatusParams{workspace, "die", "", status});
}

}  // namespace dlc::rpc
