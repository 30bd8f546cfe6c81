#include "rpc/session.h"

#include <algorithm>

#include "rpc/progress.h"

namespace dlc::rpc {

using json = nlohmann::json;

// What a worker needs to run one request and answer it.
struct Session::Running {
  std::shared_ptr<Session> session;
  RequestId id;
  std::string method;
  json params;
  const MethodTable::Handler* handler = nullptr;
  CancelToken token;
  json work_done_token;
};

Session::Session(SessionOptions options, std::shared_ptr<Outbox> out) : options_(std::move(options)), out_(std::move(out)) {}

Session::~Session() = default;

void Session::frame_error(const std::string& why) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
  }
  send(error_message(RequestId(), kParseError, "unreadable frame: " + why,
                     "frame each message as `Content-Length: N\\r\\n\\r\\n` followed by N bytes of JSON"));
}

void Session::receive(std::string_view body) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
  }
  IncomingMessage m = read_message(body);
  if (m.error) {
    send(error_message(m.id, error_object(*m.error)));
    return;
  }
  switch (m.kind) {
    case IncomingMessage::Kind::Response:
      // A response to a request this server never sent: nothing to answer, but worth a word.
      warn("ignored a response (id " + m.id.shown() + "): this server sends no requests");
      return;
    case IncomingMessage::Kind::Request: handle_request(std::move(m)); return;
    case IncomingMessage::Kind::Notification: handle_notification(std::move(m)); return;
  }
}

void Session::initialize(const IncomingMessage& m) {
  {
    std::lock_guard lock(mu_);
    if (initialized_) {
      send(error_message(m.id, kInvalidRequest, "initialize was already received", "send initialize once per connection"));
      return;
    }
  }
  InitializeParams p;
  try {
    check_params(options_.methods ? options_.methods->schemas() : protocol_schemas(), "initialize", m.params);
    p = parse_params<InitializeParams>(m.params);
  } catch (const RpcError& e) {
    send(error_message(m.id, error_object(e)));
    return;
  }
  InitializeResult result;
  result.server_version = options_.server_version;
  if (options_.methods) {
    result.methods = options_.methods->methods();
    result.notifications = options_.methods->notifications();
  }
  result.methods.insert(result.methods.begin(), {"initialize", "shutdown"});
  for (std::string_view n : {kProgress.method, kLogMessage.method}) {
    if (std::find(result.notifications.begin(), result.notifications.end(), n) == result.notifications.end()) {
      result.notifications.emplace_back(n);
    }
  }
  {
    std::lock_guard lock(mu_);
    initialized_ = true;
  }
  send(response_message(m.id, result));
}

void Session::handle_request(IncomingMessage&& m) {
  if (m.method == "initialize") {
    initialize(m);
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (!initialized_) {
      send(error_message(m.id, kServerNotInitialized, "the server is not initialized", "send initialize first"));
      return;
    }
    if (shutdown_) {
      send(error_message(m.id, kInvalidRequest, "the server is shutting down", "after shutdown only exit is accepted"));
      return;
    }
    if (m.method == "shutdown") shutdown_ = true;
  }
  if (m.method == "shutdown") {
    send(response_message(m.id, nullptr));
    return;
  }
  const MethodTable::Handler* handler = options_.methods ? options_.methods->find(m.method) : nullptr;
  if (!handler) {
    send(error_message(m.id, kMethodNotFound, "unknown method " + m.method.substr(0, 100),
                       "initialize's result lists the methods (capabilities.methods)"));
    return;
  }
  if (const auto* quick = options_.methods->quick(m.method); quick && options_.backend && answered_at_once(*quick, m)) return;
  auto token = CancelToken::make();
  {
    std::lock_guard lock(mu_);
    if (in_flight_.contains(m.id.text())) {
      send(error_message(m.id, kInvalidRequest, "a request with id " + m.id.shown() + " is still in flight", "give each request its own id"));
      return;
    }
    if (in_flight_.size() >= options_.max_in_flight) {
      send(error_message(m.id, kTooManyRequests,
                         std::to_string(options_.max_in_flight) + " requests are already in flight on this connection",
                         "wait for an answer before sending more; this request was not run"));
      return;
    }
    in_flight_.emplace(m.id.text(), token);
  }
  auto r = std::make_shared<Running>();
  r->session = shared_from_this();
  r->id = m.id;
  r->method = std::move(m.method);
  r->handler = handler;
  r->token = token;
  if (m.params.is_object()) {
    if (auto t = m.params.find("workDoneToken"); t != m.params.end() && (t->is_string() || t->is_number_integer())) {
      r->work_done_token = *t;
    }
  }
  r->params = std::move(m.params);
  try {
    options_.spawn([r] { run(r); });
  } catch (const std::exception& e) {
    request_done(r->id.text());
    send(error_message(r->id, kInternalError, std::string("cannot run the request: ") + e.what()));
    answer_sent();
  }
}

bool Session::answered_at_once(const MethodTable::Quick& quick, const IncomingMessage& m) {
  // A workDoneToken asks for $/progress begin and end: the worker's way sends them.
  if (m.params.is_object() && m.params.contains("workDoneToken")) return false;
  {
    std::lock_guard lock(mu_);
    if (in_flight_.contains(m.id.text())) return false;  // answered below as a duplicate id
  }
  std::optional<Answer> answer;
  try {
    check_params(options_.methods->schemas(), m.method, m.params);
    answer = quick(m.params, *options_.backend);
  } catch (const std::exception&) {
    return false;  // the handler on a worker answers it, its error included
  }
  if (!answer) return false;
  send(answer->response(m.id));
  return true;
}

void Session::run(const std::shared_ptr<Running>& r) {
  Session& self = *r->session;
  RequestProgress progress(self.out_, r->work_done_token, r->method);
  progress.start();
  std::string text;
  std::string failure;
  try {
    Call call(r->method, *self.options_.backend, self.out_, r->token, progress);
    text = (*r->handler)(r->params, call).response(r->id);
  } catch (const RpcError& e) {
    failure = e.what();
    text = error_message(r->id, error_object(e));
  } catch (const Error& e) {
    // Whatever a cancelled request failed with, it failed because it was cancelled.
    json error = r->token.cancelled() ? cancelled_error() : error_object(e);
    failure = error["message"].get<std::string>();
    text = error_message(r->id, error);
  } catch (const std::exception& e) {
    json error = r->token.cancelled()
                     ? cancelled_error()
                     : json{{"code", kInternalError},
                            {"message", std::string("internal error: ") + e.what()},
                            {"data", {{"code", to_string(ErrorCode::Internal)}, {"hint", "this is a bug in dlcontainer; please report it"}}}};
    failure = error["message"].get<std::string>();
    text = error_message(r->id, error);
  }
  progress.finish(failure);
  // Done before the answer leaves: a client may reuse the id as soon as it has the answer.
  self.request_done(r->id.text());
  self.send(std::move(text));
  self.answer_sent();
}

void Session::handle_notification(IncomingMessage&& m) {
  if (m.method == "exit") {
    {
      std::lock_guard lock(mu_);
      exited_ = true;
    }
    closed();
    return;
  }
  if (!initialized()) return;  // the LSP drops notifications before initialize
  if (m.method == "$/cancelRequest") {
    cancel_request(m);
  } else if (m.method != "initialized" && !m.method.starts_with("$/")) {
    // The LSP lets a server drop "$/" notifications it does not know; any other is worth a word.
    warn("ignored the notification " + m.method.substr(0, 100) + ": this server does not know it");
  }
}

void Session::cancel_request(const IncomingMessage& m) {
  // The id is matched as written (params_id), not as nlohmann read it: 2^64 is not 1.8446744073709552e+19.
  bool only_id = m.params.is_object() && m.params.size() == 1;
  if (!m.params_id || !only_id) {
    warn("ignored a $/cancelRequest: its params must be {\"id\": <the id of a request, a string or an integer>}");
    return;
  }
  CancelToken token;
  {
    std::lock_guard lock(mu_);
    auto it = in_flight_.find(m.params_id->text());
    if (it == in_flight_.end()) return;  // already answered: nothing to do
    token = it->second;
  }
  token.cancel();
}

void Session::warn(std::string message) { notify(kLogMessage, LogMessageParams{MessageType::Warning, std::move(message)}); }

void Session::request_done(const std::string& key) {
  std::lock_guard lock(mu_);
  in_flight_.erase(key);
  ++answering_;
}

void Session::answer_sent() {
  bool close_now = false;
  {
    std::lock_guard lock(mu_);
    --answering_;
    close_now = closed_ && in_flight_.empty() && answering_ == 0;
    idle_cv_.notify_all();
  }
  if (close_now) out_->close();
}

void Session::closed() {
  std::map<std::string, CancelToken> cancel;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    cancel = in_flight_;
  }
  for (auto& [_, token] : cancel) token.cancel();
  if (options_.on_closed) options_.on_closed();
  bool idle;
  {
    std::lock_guard lock(mu_);
    idle = in_flight_.empty() && answering_ == 0;
  }
  if (idle) out_->close();
}

bool Session::open_for_notifications() const {
  std::lock_guard lock(mu_);
  return initialized_ && !closed_;
}

bool Session::initialized() const {
  std::lock_guard lock(mu_);
  return initialized_;
}

bool Session::shutdown_requested() const {
  std::lock_guard lock(mu_);
  return shutdown_;
}

bool Session::exited() const {
  std::lock_guard lock(mu_);
  return exited_;
}

std::size_t Session::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_.size();
}

bool Session::wait_idle(std::chrono::milliseconds limit) const {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, limit, [&] { return in_flight_.empty() && answering_ == 0; });
}

}  // namespace dlc::rpc
