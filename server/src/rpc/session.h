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
#include "rpc/message.h"
#include "support/cancel.h"

namespace dlc::rpc {

struct SessionOptions {
  const MethodTable* methods = nullptr;
  Backend* backend = nullptr;
  // Runs a request's handler off the reading thread (the server's worker pool, which takes each
  // client's tasks in turn; queued for later in the fuzzer).
  std::function<void(std::function<void()>)> spawn;
  std::string server_version;
  // Called once, when the session closes (exit, or the client went away).
  std::function<void()> on_closed;
  // Requests in flight (running or waiting for a worker) beyond which a request is answered
  // kTooManyRequests at once. Reading never stops: a cancel, `exit` or the end of input is always read.
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
  template <class Params>
  void notify(const Notification<Params>& kind, const Params& params) {
    if (open_for_notifications()) out_->send(notification_message(kind, params));
  }
  // The same with a notification_message() made once for many sessions (Server::broadcast).
  void send_notification(std::string message) {
    if (open_for_notifications()) out_->send(std::move(message));
  }

  bool initialized() const;
  bool shutdown_requested() const;  // `shutdown` was received (the exit status for stdio depends on it)
  bool exited() const;              // `exit` was received
  std::size_t in_flight() const;
  // Waits until no request is in flight, at most `limit`; true when none is.
  bool wait_idle(std::chrono::milliseconds limit) const;

 private:
  struct Running;  // one request on its way through a worker
  void handle_request(IncomingMessage&& m);
  // Answers m on this thread when its method's quick answer has one (MethodTable::answer_at_once).
  bool answered_at_once(const MethodTable::Quick& quick, const IncomingMessage& m);
  void initialize(const IncomingMessage& m);
  void handle_notification(IncomingMessage&& m);
  void cancel_request(const IncomingMessage& m);
  static void run(const std::shared_ptr<Running>& r);
  void warn(std::string message);
  bool open_for_notifications() const;
  void send(std::string text) { out_->send(std::move(text)); }
  // A request's id leaves the table before its answer is sent (the client may reuse it as soon as it
  // has the answer); the outbox closes only once that answer is out too.
  void request_done(const std::string& key);
  void answer_sent();

  SessionOptions options_;
  std::shared_ptr<Outbox> out_;

  mutable std::mutex mu_;
  mutable std::condition_variable idle_cv_;
  bool initialized_ = false;
  bool shutdown_ = false;
  bool exited_ = false;
  bool closed_ = false;
  std::map<std::string, CancelToken> in_flight_;  // by the id's text
  std::size_t answering_ = 0;  // requests out of the table whose answer is not yet sent
};

}  // namespace dlc::rpc
