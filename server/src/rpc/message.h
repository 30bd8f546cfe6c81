// The JSON-RPC 2.0 envelope, both ways, in one place.
// In: one message body read as JSON with a bound on its nesting, checked before any tree deeper than the
// bound exists (nlohmann's SAX interface drives a builder that keeps its own stack: nothing here, nor
// anything that later copies or prints the tree, recurses deeper than the bound), then the envelope:
// what kind of message it is, its id exactly as written, its method and params.
// Out: every message the server writes (responses, errors, notifications) is made here; nothing else
// assembles {"jsonrpc": "2.0", ...}.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "rpc/protocol.h"
#include "support/json_text.h"

namespace dlc::rpc {

// A request's id exactly as the client wrote it, kept as JSON text: a string, or an integer of any size
// (nlohmann would read 2^64 as a double and answer 1.8446744073709552e+19, an id the client never
// sent). A default RequestId is null: the id of an answer to a message whose id could not be read.
class RequestId {
 public:
  RequestId() = default;
  // From a JSON string's value.
  static RequestId string(std::string_view value);
  // From an integer literal as written (-?[0-9]+); nullopt for anything else (1.5, 1e3).
  static std::optional<RequestId> integer(std::string_view literal);

  bool is_null() const { return text_ == "null"; }
  // The JSON text: "null", "42", "\"a\"". Also the key of the table of requests in flight.
  const std::string& text() const { return text_; }
  // For messages to people: at most 40 characters of the text.
  std::string shown() const;
  bool operator==(const RequestId&) const = default;

 private:
  std::string text_ = "null";
};

// Containers (objects and arrays) nested deeper than this are refused. The protocol's deepest params
// (initialize's capabilities from an LSP client) stay under 10.
inline constexpr std::size_t kMaxDepth = 64;

struct IncomingMessage {
  enum class Kind { Request, Notification, Response };
  Kind kind = Kind::Notification;
  RequestId id;        // requests and responses
  std::string method;  // requests and notifications
  nlohmann::json params;  // null when absent
  // $/cancelRequest's params.id as written, when it is a string or an integer.
  std::optional<RequestId> params_id;
  // Why the message cannot be handled (-32700 or -32600), answered with `id` (null when it had none
  // that could be read).
  std::optional<RpcError> error;
};

// Never throws: a body that is not a usable message comes back with `error` set.
IncomingMessage read_message(std::string_view body, std::size_t max_depth = kMaxDepth);

// The envelopes: every message the server writes is made by one of these, as its final text. Text that
// is not valid UTF-8 (a command's raw output) is replaced, never a reason to fail.
std::string response_message(const RequestId& id, const nlohmann::json& result);
// The same with a result serialised already (support/json_text.h): its text goes in unchanged.
std::string response_message(const RequestId& id, const JsonText& result);
std::string error_message(const RequestId& id, const nlohmann::json& error);
std::string error_message(const RequestId& id, int code, std::string message, std::string hint = {});
std::string notification_message(std::string_view method, const nlohmann::json& params);
template <class Params>
std::string notification_message(const Notification<Params>& kind, const Params& params) {
  return notification_message(kind.method, nlohmann::json(params));
}

}  // namespace dlc::rpc
