// `dlcontainer serve`: sessions over stdio or a unix socket, one I/O thread for all of them, a worker pool
// for their requests, and engine events turned into workspace/didChangeStatus for every client.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/event_batches.h"
#include "core/placement.h"
#include "rpc/binder.h"
#include "rpc/channel.h"
#include "rpc/session.h"
#include "rpc/workers.h"

namespace dlc::rpc {

struct ServerOptions {
  std::string version;
  ChannelLimits limits;
  // Follow engine events: workspace/didChangeStatus, and status answered from the cache they keep true;
  // and the Slurm jobs recorded for this user's workspaces, told when one ends.
  bool watch_events = true;
  // The engine of requests that name none (`serve --host`); "" : the CLI's choice (DOCKER_HOST, docker
  // context, user config, default socket). Events are followed on this one.
  std::string default_host;
  // Called once the socket listens (serve_socket), with its path.
  std::function<void(const std::string& path)> on_listening;
  // Handler threads, and how many each client may hold (workers.h).
  WorkerLimits workers;
  // Requests one client may have in flight; more are answered kTooManyRequests (session.h).
  std::size_t max_in_flight = 64;
};

class Server : public Backend {
 public:
  explicit Server(ServerOptions options, MethodTable methods);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // One session on stdin/stdout until the client sends exit or closes stdin, or SIGINT/SIGTERM.
  // Returns the exit status the LSP asks for: 0 when shutdown came first, else 1.
  int serve_stdio();
  // Sessions for every client of a unix socket at path (mode 0600; peers of another uid are refused)
  // until SIGINT or SIGTERM. Error{InvalidArgument} when the path is taken.
  int serve_socket(const std::string& path);
  // Stops serving as SIGTERM does, from any thread: clients' requests are cancelled, serve_* returns.
  void stop();

  core::Workspaces& workspaces(const std::string& host = {}) override;
  core::Workspaces* connected_workspaces(const std::string& host) override { return placements_.connected(host); }
  // Forwards live in this process: they end when their container stops and when the server does.
  core::ForwardKeeper& forwards() override { return forwards_; }

  // A notification to every initialized client.
  template <class Params>
  void broadcast(const Notification<Params>& kind, const Params& params) {
    broadcast_text(notification_message(kind, params));
  }

 private:
  // on_finished: the channel has closed. on_closed: the client has gone (its requests are cancelled).
  std::shared_ptr<Session> open_session(int in_fd, int out_fd, std::function<void()> on_finished,
                                        std::function<void()> on_closed = {});
  void start_watcher();
  void stop_watcher();
  void on_engine_event(const core::WorkspaceEvent& event);
  void on_engine_events(const std::vector<core::WorkspaceEvent>& batch);
  // A Slurm job recorded for a workspace ended (core/slurm_watch.h): its engine went with it, so no
  // engine event came; the status after it says Slurm's state and reason.
  void on_job_ended(const std::string& workspace);
  bool anyone_listening();
  // Stops waiting for handlers after this long when the server stops: one stuck in a call that cannot
  // be cancelled (a container that takes its time to stop) must not keep the process alive.
  bool drain(std::chrono::milliseconds limit);
  void broadcast_text(const std::string& message);

  ServerOptions options_;
  MethodTable methods_;
  boost::asio::io_context io_;
  WorkerPool pool_;

  std::mutex sessions_mu_;
  std::vector<std::weak_ptr<Session>> sessions_;

  core::Placements placements_;

  core::ForwardKeeper forwards_{core::ForwardKeeper::Mode::InProcess};

  CancelToken stop_ = CancelToken::make();
  std::thread watcher_;
  std::unique_ptr<core::EventBatches> batches_;  // what the watcher hands over to be told to clients
  std::thread jobs_watcher_;
  std::function<void()> on_stop_;  // what a signal or stop() does, set by serve_* (I/O thread)
  std::shared_ptr<void> log_sink_;  // forwards log lines to clients as window/logMessage
};

}  // namespace dlc::rpc
