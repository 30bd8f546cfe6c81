#include "rpc/session.h"

#include <algorithm>

#include "rpc/progress.h"

namespace dlc::rpc {

using json = nlohmann::json;

namespace {

std::string without_exception_prefix(std::string what) {
  if (auto close = what.find("] "); what.starts_with("[json.exception.") && close != std::string::npos) what.erase(0, close + 2);
  return what;
}

json cancelled_error() {
  return {{"code", kRequestCancelled}, {"message", "cancelled"}, {"data", {{"code", to_string(ErrorCode::Cancelled)}}}};
}

}  // namespace

Session::Session(SessionOptions options, std::shared_ptr<Outbox> out) : options_(std::move(options)), out_(std::move(out)) {}

Session::~Session() = default;

void Session::send(const json& message) { out_->send(serialize(message)); }

void Session::reply_error(const json& id, int code, std::string message, std::string hint) {
  json error = {{"code", code}, {"message", std::move(message)}};
  if (!hint.empty()) error["data"] = {{"hint", std::move(hint)}};
  send({{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}});
}

void Session::frame_error(const std::string& why) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
  }
  reply_error(nullptr, kParseError, "unreadable frame: " + why,
              "frame each message as `Content-Length: N\\r\\n\\r\\n` followed by N bytes of JSON");
}

void Session::receive(std::string_view body) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
  }
  json msg;
  try {
    msg = json::parse(body);
  } catch (const json::exception& e) {
    reply_error(nullptr, kParseError, "the message is not JSON: " + without_exception_prefix(e.what()),
                "send one JSON-RPC 2.0 object (UTF-8) per frame");
    return;
  }
  if (!msg.is_object()) {
    reply_error(nullptr, kInvalidRequest,
                msg.is_array() ? "batches are not supported" : "a message must be a JSON object",
                "send one JSON-RPC 2.0 object per frame: {\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ...}");
    return;
  }
  json id = nullptr;
  bool has_id = false;
  if (auto it = msg.find("id"); it != msg.end()) {
    if (!it->is_string() && !it->is_number()) {
      reply_error(nullptr, kInvalidRequest, "id must be a string or a number");
      return;
    }
    id = *it;
    has_id = true;
  }
  if (auto v = msg.find("jsonrpc"); v == msg.end() || *v != "2.0") {
    reply_error(id, kInvalidRequest, "jsonrpc must be \"2.0\"", "add \"jsonrpc\": \"2.0\" to every message");
    return;
  }
  auto m = msg.find("method");
  if (m == msg.end()) {
    if (has_id && (msg.contains("result") || msg.contains("error"))) {
      // A response to a request this server never sent: nothing to answer, but worth a word.
      notify("window/logMessage", {{"type", static_cast<int>(MessageType::Warning)},
                                   {"message", "ignored a response (id " + id.dump() + "): this server sends no requests"}});
      return;
    }
    reply_error(id, kInvalidRequest, "the message has no method", "a request needs \"method\" and \"id\"; a notification \"method\"");
    return;
  }
  if (!m->is_string()) {
    reply_error(id, kInvalidRequest, "method must be a string");
    return;
  }
  json params = nullptr;
  if (auto p = msg.find("params"); p != msg.end()) {
    if (!p->is_object() && !p->is_array() && !p->is_null()) {
      reply_error(id, kInvalidRequest, "params must be an object");
      return;
    }
    params = *p;
  }
  if (has_id) {
    handle_request(id, m->get<std::string>(), params);
  } else {
    handle_notification(m->get<std::string>(), params);
  }
}

void Session::handle_request(const json& id, const std::string& method, const json& params) {
  if (method == "initialize") {
    {
      std::lock_guard lock(mu_);
      if (initialized_) {
        reply_error(id, kInvalidRequest, "initialize was already received", "send initialize once per connection");
        return;
      }
    }
    InitializeParams p;
    try {
      p = parse_params<InitializeParams>(params);
    } catch (const RpcError& e) {
      send({{"jsonrpc", "2.0"}, {"id", id}, {"error", error_object(e)}});
      return;
    }
    InitializeResult result;
    result.server_version = options_.server_version;
    if (options_.methods) {
      result.methods = options_.methods->methods();
      result.notifications = options_.methods->notifications();
    }
    result.methods.insert(result.methods.begin(), {"initialize", "shutdown"});
    for (const char* n : {"$/progress", "window/logMessage"}) {
      if (std::find(result.notifications.begin(), result.notifications.end(), n) == result.notifications.end()) {
        result.notifications.push_back(n);
      }
    }
    {
      std::lock_guard lock(mu_);
      initialized_ = true;
    }
    send({{"jsonrpc", "2.0"}, {"id", id}, {"result", result}});
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (!initialized_) {
      reply_error(id, kServerNotInitialized, "the server is not initialized", "send initialize first");
      return;
    }
    if (shutdown_) {
      reply_error(id, kInvalidRequest, "the server is shutting down", "after shutdown only exit is accepted");
      return;
    }
    if (method == "shutdown") {
      shutdown_ = true;
    }
  }
  if (method == "shutdown") {
    send({{"jsonrpc", "2.0"}, {"id", id}, {"result", nullptr}});
    return;
  }

  const MethodTable::Handler* handler = options_.methods ? options_.methods->find(method) : nullptr;
  if (!handler) {
    reply_error(id, kMethodNotFound, "unknown method " + method, "initialize's result lists the methods (capabilities.methods)");
    return;
  }
  std::string key = id_key(id);
  auto token = CancelToken::make();
  {
    std::lock_guard lock(mu_);
    if (!in_flight_.emplace(key, token).second) {
      reply_error(id, kInvalidRequest, "a request with id " + key + " is still in flight", "give each request its own id");
      return;
    }
  }
  json work_done_token = nullptr;
  if (params.is_object()) {
    if (auto t = params.find("workDoneToken"); t != params.end() && (t->is_string() || t->is_number_integer())) {
      work_done_token = *t;
    }
  }
  auto run = [self = shared_from_this(), id, method, params, handler, token, key, work_done_token] {
    RequestProgress progress(self->out_, work_done_token, method);
    progress.start();
    json response = {{"jsonrpc", "2.0"}, {"id", id}};
    std::string outcome;
    try {
      Call call(method, *self->options_.backend, self->out_, token, progress);
      response["result"] = (*handler)(params, call);
    } catch (const RpcError& e) {
      response["error"] = error_object(e);
    } catch (const Error& e) {
      // Whatever a cancelled request failed with, it failed because it was cancelled.
      response["error"] = token.cancelled() ? cancelled_error() : error_object(e);
    } catch (const std::exception& e) {
      response["error"] = token.cancelled() ? cancelled_error()
                                            : json{{"code", kInternalError},
                                                   {"message", std::string("internal error: ") + e.what()},
                                                   {"data", {{"code", to_string(ErrorCode::Internal)},
                                                             {"hint", "this is a bug in dlcontainer; please report it"}}}};
    }
    if (response.contains("error")) outcome = response["error"].value("message", "");
    progress.finish(outcome);
    // Done before the answer leaves: a client may reuse the id as soon as it has the answer.
    self->request_done(key);
    self->send(response);
  };
  try {
    options_.spawn(std::move(run));
  } catch (const std::exception& e) {
    request_done(key);
    reply_error(id, kInternalError, std::string("cannot run the request: ") + e.what());
  }
}

void Session::handle_notification(const std::string& method, const json& params) {
  if (method == "exit") {
    {
      std::lock_guard lock(mu_);
      exited_ = true;
    }
    closed();
    return;
  }
  if (!initialized()) return;  // the LSP drops notifications before initialize
  if (method == "$/cancelRequest") {
    if (!params.is_object() || !params.contains("id")) return;
    CancelToken token;
    {
      std::lock_guard lock(mu_);
      auto it = in_flight_.find(id_key(params["id"]));
      if (it == in_flight_.end()) return;  // already answered: nothing to do
      token = it->second;
    }
    token.cancel();
  }
  // initialized, $/setTrace and notifications this server does not know need no answer.
}

void Session::request_done(const std::string& key) {
  bool close_now = false, resume = false;
  {
    std::lock_guard lock(mu_);
    resume = in_flight_.size() == options_.max_in_flight;
    in_flight_.erase(key);
    close_now = closed_ && in_flight_.empty();
    idle_cv_.notify_all();
  }
  if (close_now) out_->close();
  if (resume) out_->resume_reading();
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
    idle = in_flight_.empty();
  }
  if (idle) out_->close();
}

void Session::notify(std::string_view method, const json& params) {
  {
    std::lock_guard lock(mu_);
    if (!initialized_ || closed_) return;
  }
  send({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
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

bool Session::accepting() const {
  std::lock_guard lock(mu_);
  return !closed_ && in_flight_.size() < options_.max_in_flight;
}

std::size_t Session::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_.size();
}

bool Session::wait_idle(std::chrono::milliseconds limit) const {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, limit, [&] { return in_flight_.empty(); });
}

}  // namespace dlc::rpc
