// One client's conversation (clangd's ClangdLSPServer, per connection): the initialize handshake, the
// dispatch of each message to the method table, requests in flight and their cancellation, and the
// answer to every malformed message. Knows nothing of sockets: bytes arrive through receive() and
// leave through an Outbox.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "rpc/binder.h"
#include "support/cancel.h"

namespace dlc::rpc {

struct SessionOptions {
  const MethodTable* methods = nullptr;
  Backend* backend = nullptr;
  // Runs a request's handler off the reading thread (a worker pool; inline in the fuzzer).
  std::function<void(std::function<void()>)> spawn;
  std::string server_version;
  // Called once, when the session closes (exit, or the client went away).
  std::function<void()> on_closed;
  // Requests in flight beyond which the session stops reading more (see accepting()).
  std::size_t max_in_flight = 64;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(SessionOptions options, std::shared_ptr<Outbox> out);
  ~Session();

  // One message body, in arrival order, from one thread at a time.
  void receive(std::string_view body);
  // A framing error: answered with a parse error (id null); reading goes on.
  void frame_error(const std::string& why);
  // The client is gone, or said `exit`: requests in flight are cancelled, and the outbox closes once
  // they have answered. Idempotent.
  void closed();

  // A notification to this client, once it has initialized (and until it exits).
  void notify(std::string_view method, const nlohmann::json& params);

  bool initialized() const;
  bool shutdown_requested() const;  // `shutdown` was received (the exit status for stdio depends on it)
  bool exited() const;              // `exit` was received
  // False while max_in_flight requests are being handled: the channel stops reading until one ends.
  bool accepting() const;
  std::size_t in_flight() const;
  // Waits until no request is in flight, at most `limit`; true when none is.
  bool wait_idle(std::chrono::milliseconds limit) const;

 private:
  void handle_request(const nlohmann::json& id, const std::string& method, const nlohmann::json& params);
  void handle_notification(const std::string& method, const nlohmann::json& params);
  void send(const nlohmann::json& message);
  void reply_error(const nlohmann::json& id, int code, std::string message, std::string hint = {});
  void request_done(const std::string& key);

  SessionOptions options_;
  std::shared_ptr<Outbox> out_;

  mutable std::mutex mu_;
  mutable std::condition_variable idle_cv_;
  bool initialized_ = false;
  bool shutdown_ = false;
  bool exited_ = false;
  bool closed_ = false;
  std::map<std::string, CancelToken> in_flight_;  // by id_key
};

}  // namespace dlc::rpc
