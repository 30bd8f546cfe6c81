// JSON-RPC 2.0 as dlcontainer speaks it: error codes, how a dlc::Error becomes an error object, the
// notifications the server sends with their typed params, and the initialize handshake. Messages
// themselves (ids, reading a body, every envelope the server writes) are rpc/message.h's.
// docs/protocol.md is the prose version; schemas/protocol/ the formal one.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/workspace.h"
#include "support/error.h"

namespace dlc::rpc {

using json = nlohmann::json;

// The standard codes (JSON-RPC 2.0 and the LSP's additions).
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kServerNotInitialized = -32002;
inline constexpr int kRequestCancelled = -32800;
// dlcontainer's own, in JSON-RPC's range for server errors (unused by the LSP): a connection already has
// SessionOptions::max_in_flight requests in flight. The request is not run; the client may send it again
// once an answer has come.
inline constexpr int kTooManyRequests = -32003;

// dlcontainer's own codes: kErrorBase + the dlc::ErrorCode's number, 1000..1099 (outside both the
// JSON-RPC and the LSP reserved ranges). Three codes map to standard ones instead: Internal to
// -32603, InvalidArgument to -32602 and Cancelled to -32800. error.data.code always carries the
// ErrorCode's name ("containerNotFound"), and error.data.hint what to do about it.
inline constexpr int kErrorBase = 1000;
int rpc_code(ErrorCode code);

// Thrown by handlers and the binding to answer with a specific code (bad params, unknown method).
class RpcError : public std::runtime_error {
 public:
  RpcError(int code, std::string message, std::string hint = {})
      : std::runtime_error(std::move(message)), code_(code), hint_(std::move(hint)) {}
  int code() const { return code_; }
  const std::string& hint() const { return hint_; }

 private:
  int code_;
  std::string hint_;
};

// The `error` member of a response.
json error_object(const Error& e);
json error_object(const RpcError& e);
json cancelled_error();

// A notification the server sends, with the type of its params (clangd's OutgoingNotification); its
// envelope is made by message.h's notification_message(kind, params):
//   call.notify(kOutput, OutputParams{...})   or   server.broadcast(kLogMessage, LogMessageParams{...})
template <class Params>
struct Notification {
  std::string_view method;
};

// window/logMessage's type numbers.
enum class MessageType { Error = 1, Warning = 2, Info = 3, Log = 4 };

struct LogMessageParams {
  MessageType type = MessageType::Log;
  std::string message;
};
void to_json(json& j, const LogMessageParams& p);
inline constexpr Notification<LogMessageParams> kLogMessage{"window/logMessage"};

// $/progress: value is {kind: begin|report|end, ...} (LSP work-done progress).
struct ProgressParams {
  json token;  // the request's workDoneToken: a string or an integer
  json value;
};
void to_json(json& j, const ProgressParams& p);
inline constexpr Notification<ProgressParams> kProgress{"$/progress"};

// workspace/output: a piece of a command's output, for the request that gave `token`.
struct OutputParams {
  json token;  // the request's outputToken
  bool is_stdout = true;
  std::string data;
};
void to_json(json& j, const OutputParams& p);
inline constexpr Notification<OutputParams> kOutput{"workspace/output"};

// workspace/didChangeStatus: an engine event changed a workspace's container.
struct DidChangeStatusParams {
  std::string workspace;
  std::string event;         // the engine's action: start, die, stop, destroy, ...
  std::string container_id;
  core::WorkspaceStatus status;  // the status after the event
};
void to_json(json& j, const DidChangeStatusParams& p);
inline constexpr Notification<DidChangeStatusParams> kDidChangeStatus{"workspace/didChangeStatus"};

// The handshake.
struct ClientInfo {
  std::string name;
  std::string version;
};

struct InitializeParams {
  std::optional<long long> process_id;
  ClientInfo client_info;
  json capabilities = json::object();
};

struct InitializeResult {
  std::string server_name = "dlcontainer";
  std::string server_version;
  std::vector<std::string> methods;        // requests this server answers
  std::vector<std::string> notifications;  // notifications it may send
};

void from_json(const json& j, InitializeParams& p);
void to_json(json& j, const InitializeResult& r);

}  // namespace dlc::rpc
