// The one table of methods the server answers, with typed handlers (clangd's LSPBinder): a handler takes
// its params struct and returns its result struct, and the binding does the JSON on both sides with the
// structs' own to_json/from_json. Adding a method is one line in an add_<topic>_methods function:
//
//   table.add("workspace/status", &status);            // core::WorkspaceStatus status(const core::StatusParams&, Call&)
//   table.add<MyParams>("plan/show", [](const MyParams& p, Call& call) { return core::plan(p); });
//
// Params are checked against the method's schema (schemas/protocol/<method>.json, $defs.params) and then
// converted; either failing answers -32602 naming the field, without running the handler. What the
// handler throws is mapped to an error response (dlc::Error by its code, RpcError as given).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/forwards.h"
#include "core/workspace.h"
#include "rpc/message.h"
#include "rpc/schema.h"
#include "support/cancel.h"
#include "support/json_text.h"
#include "support/progress.h"

namespace dlc::rpc {

// Where a session's outgoing messages go: a channel in the server, a recorder in tests.
class Outbox {
 public:
  virtual ~Outbox() = default;
  // Queues one whole message (framing is the outbox's business). Never blocks. Thread-safe.
  virtual void send(std::string message) = 0;
  // Blocks while the client is slow to read what is queued. False when the client has gone away or
  // the token is cancelled. For handlers that stream (exec output, logs).
  virtual bool wait_for_room(const CancelToken& cancel) {
    (void)cancel;
    return true;
  }
  // Stops reading; closes once what is queued is written.
  virtual void close() = 0;
};

// What handlers reach beyond their params: the services of the layer below.
class Backend {
 public:
  virtual ~Backend() = default;
  // The workspace service of the engine `host` names ("" : the server's default engine), connected
  // when first needed. Throws Error{EngineUnavailable, EnginePermission} with a hint while the engine
  // cannot be reached, Error{InvalidArgument} for a host that is not an engine's URL.
  virtual core::Workspaces& workspaces(const std::string& host = {}) = 0;
  // The workspace service of `host` when it is connected already, without choosing an engine, reading
  // a file or connecting: null otherwise. For answers given without waiting (MethodTable::answer_at_once).
  virtual core::Workspaces* connected_workspaces(const std::string& host) {
    (void)host;
    return nullptr;
  }
  // Who keeps port forwards alive for services the handlers start: the server itself, for as long as
  // it runs (never a detached process that would outlive it). Error{Internal} in front ends without.
  virtual core::ForwardKeeper& forwards();
};

// One request being handled, as its handler sees it.
class Call {
 public:
  Call(std::string method, Backend& backend, std::shared_ptr<Outbox> out, CancelToken cancel, ProgressSink& progress)
      : method_(std::move(method)), backend_(backend), out_(std::move(out)), cancel_(std::move(cancel)), progress_(progress) {}

  const std::string& method() const { return method_; }
  // Cancelled by $/cancelRequest, or when the client goes away.
  const CancelToken& cancel() const { return cancel_; }
  // $/progress when the request carried a workDoneToken; output lines go out as window/logMessage.
  ProgressSink& progress() { return progress_; }
  core::Workspaces& workspaces(const std::string& host = {}) { return backend_.workspaces(host); }
  core::ForwardKeeper& forwards() { return backend_.forwards(); }
  Backend& backend() { return backend_; }

  // A notification to this request's client only.
  template <class Params>
  void notify(const Notification<Params>& kind, const Params& params) {
    out_->send(notification_message(kind, params));
  }
  // Waits until the client has read enough of what is queued to it; false when it is gone or the
  // request is cancelled. Call before each notification of a stream.
  bool wait_for_room() { return out_->wait_for_room(cancel_); }

 private:
  std::string method_;
  Backend& backend_;
  std::shared_ptr<Outbox> out_;
  CancelToken cancel_;
  ProgressSink& progress_;
};

// What a handler answers: a JSON value, or one already serialised (a cache's rendered text), which the
// response envelope writes as it is instead of building and printing a tree per call.
class Answer {
 public:
  Answer(nlohmann::json value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor): handlers return json
  Answer(JsonText text) : text_(std::move(text)) {}           // NOLINT(google-explicit-constructor)
  // The whole response message with this id (message.h's envelope).
  std::string response(const RequestId& id) const { return text_.text ? response_message(id, text_) : response_message(id, value_); }

 private:
  nlohmann::json value_;
  JsonText text_;
};

// Converts a request's params to P: absent params are an empty object; anything that does not
// convert is RpcError{InvalidParams} saying what.
template <class P>
P parse_params(const nlohmann::json& params);
[[noreturn]] void throw_invalid_params(const std::exception& e);

class MethodTable {
 public:
  using Handler = std::function<Answer(const nlohmann::json& params, Call& call)>;

  // Methods are checked against `schemas` (the compiled-in protocol's unless a test brings its own);
  // adding a method that has no params schema there is a bug: add() throws std::logic_error.
  explicit MethodTable(const SchemaSet& schemas = protocol_schemas()) : schemas_(&schemas) {}

  template <class Params, class Result>
  void add(std::string name, Result (*fn)(const Params&, Call&)) {
    add<Params>(std::move(name), [fn](const Params& p, Call& call) { return fn(p, call); });
  }

  template <class Params, class Fn>
  void add(std::string name, Fn fn) {
    add_raw(std::move(name), [fn = std::move(fn)](const nlohmann::json& params, Call& call) -> Answer {
      Params p = parse_params<Params>(params);
      using Result = std::invoke_result_t<Fn&, const Params&, Call&>;
      if constexpr (std::is_void_v<Result>) {
        fn(p, call);
        return nlohmann::json(nullptr);
      } else if constexpr (std::is_same_v<std::decay_t<Result>, JsonText>) {
        return fn(p, call);  // serialised already: written as it is
      } else {
        return nlohmann::json(fn(p, call));
      }
    });
  }

  // A handler that does its own JSON, called once params conform to the method's schema. Adding a
  // name twice, or one without a schema, is a bug: it throws std::logic_error.
  void add_raw(std::string name, Handler handler);
  // An answer given at once on the thread that reads the client's messages, when it needs no waiting
  // (a text the event-fed cache holds): no worker thread woken, no hop back. nullopt, or anything
  // thrown, sends the request to the method's handler on a worker as usual. Only for what touches
  // neither the engine nor a file (a stuck file system must not hold up every client): a status reads
  // the workspace's files (is its configuration out of date?), so it never comes here.
  using Quick = std::function<std::optional<Answer>(const nlohmann::json& params, Backend& backend)>;
  // The method must have been added first (std::logic_error otherwise).
  void answer_at_once(std::string_view name, Quick quick);
  const Quick* quick(std::string_view name) const;

  // Declares a notification that handlers send, so that initialize lists it (and a test checks that
  // schemas/protocol describes it).
  template <class Params>
  void emits(const Notification<Params>& kind) {
    emits(std::string(kind.method));
  }
  void emits(std::string notification);
  const SchemaSet& schemas() const { return *schemas_; }

  const Handler* find(std::string_view name) const;
  std::vector<std::string> methods() const;
  std::vector<std::string> notifications() const;

 private:

  const SchemaSet* schemas_;
  std::map<std::string, Handler, std::less<>> handlers_;
  std::map<std::string, Quick, std::less<>> quick_;
  std::vector<std::string> notifications_;
};

// RpcError{InvalidParams} naming what in params breaks the method's schema. Absent params are {}.
void check_params(const SchemaSet& schemas, std::string_view method, const nlohmann::json& params);

template <class P>
P parse_params(const nlohmann::json& params) {
  if (!params.is_null() && !params.is_object()) {
    throw RpcError(kInvalidParams, "params must be an object", "send params as {\"name\": value, ...}");
  }
  try {
    return (params.is_null() ? nlohmann::json::object() : params).get<P>();
  } catch (const nlohmann::json::exception& e) {
    throw_invalid_params(e);
  }
}

}  // namespace dlc::rpc
