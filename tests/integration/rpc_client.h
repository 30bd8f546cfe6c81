// A JSON-RPC client for the integration tests, the way an editor talks to `dlcontainer serve` (clangd's
// unittests/LSPClient.h): over a served process's stdio or over its unix socket, with raw bytes when a
// test needs to send something malformed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rpc/transport.h"

namespace dlc::testing {

using json = nlohmann::json;

// A `dlcontainer serve` process; killed (SIGKILL) if still running when destroyed.
class ServerProcess {
 public:
  // serve --socket PATH; waits until the socket accepts (at most 10 s).
  static std::unique_ptr<ServerProcess> socket(const std::string& path, std::vector<std::string> extra = {});
  ~ServerProcess();
  pid_t pid() const { return pid_; }
  // Sends sig and waits (at most `limit`) for the exit status; -1 when it did not exit.
  int stop(int sig, std::chrono::seconds limit = std::chrono::seconds(20));
  int wait(std::chrono::seconds limit);

 private:
  friend class RpcClient;
  pid_t pid_ = -1;
  int status_ = -1;
};

class RpcClient {
 public:
  // Starts `dlcontainer serve --stdio` and talks over its stdin/stdout.
  static std::unique_ptr<RpcClient> stdio(std::vector<std::string> extra = {});
  // Runs argv (a full path first; it ends in `serve --stdio`, e.g. as another user through runuser)
  // and talks over its stdin/stdout.
  static std::unique_ptr<RpcClient> command(const std::vector<std::string>& argv);
  // Connects to a serving socket.
  static std::unique_ptr<RpcClient> connect(const std::string& path);
  ~RpcClient();

  void send_raw(std::string_view bytes);
  void send(const json& message);
  // Sends a request and returns its id.
  json send_request(const std::string& method, json params = json::object());
  void notify(const std::string& method, json params = json::object());
  // Sends a request and waits for its response (the whole message: result or error).
  json call(const std::string& method, json params = json::object(), std::chrono::seconds limit = std::chrono::seconds(120));
  void initialize();

  // The next message of any kind, or nullopt after `limit` (or when the server closed).
  std::optional<json> next(std::chrono::milliseconds limit);
  json wait_response(const json& id, std::chrono::seconds limit = std::chrono::seconds(120));
  // The first notification (already seen or still to come) that matches.
  json wait_notification(const std::function<bool(const json&)>& match, std::chrono::seconds limit = std::chrono::seconds(30));
  const std::vector<json>& notifications() const { return notifications_; }

  // Waits until at least `bytes` sent by the server are waiting unread in our socket (FIONREAD).
  bool wait_unread(std::size_t bytes, std::chrono::seconds limit);
  // Closes our writing side: the server sees the end of its input.
  void close_input();
  // True when the server closed the connection (reads end) within `limit`.
  bool wait_closed(std::chrono::seconds limit);
  // For a stdio client: the server process's exit status.
  int wait_exit(std::chrono::seconds limit) { return process_->wait(limit); }
  ServerProcess* process() { return process_.get(); }

 private:
  RpcClient() = default;
  bool read_some(std::chrono::milliseconds limit);

  std::unique_ptr<ServerProcess> process_;
  int write_fd_ = -1;
  int read_fd_ = -1;
  bool eof_ = false;
  int next_id_ = 1;
  rpc::FrameReader frames_{rpc::FrameLimits{.max_header = 8192, .max_body = 256u << 20}};
  std::deque<json> inbox_;
  std::vector<json> responses_;
  std::vector<json> notifications_;
};

}  // namespace dlc::testing
