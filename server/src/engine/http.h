// HTTP/1.1 to the engine (Boost.Beast) over whatever byte stream its endpoint needs: a unix socket, TCP
// with or without TLS, or an ssh command's stdio (engine/stream.h, engine/ssh.h). Beast and the
// streams stay inside engine/: everything above this header sees strings and callbacks.
//
// Every wait is bounded (Timeouts): a frozen or trickling engine is an error that names the engine,
// what it was asked and what to do, never a hang. Bodies read whole are bounded in size; streamed
// bodies (events, followed logs, exec, build) may stay silent as long as the engine likes, and their
// readers bound each message.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/endpoint.h"
#include "support/cancel.h"

namespace dlc::engine {

class ByteStream;

struct Response {
  unsigned status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  std::string header(std::string_view name) const;  // case-insensitive; "" when absent
  bool ok() const { return status >= 200 && status < 300; }
};

// How long the engine may take. The defaults suit a loaded engine across a slow link; the variables
// DLC_ENGINE_CONNECT_TIMEOUT and DLC_ENGINE_TIMEOUT (seconds) change them.
struct Timeouts {
  std::chrono::milliseconds connect{20000};  // a socket, TCP and TLS, or an ssh login
  std::chrono::milliseconds reply{120000};   // from a request to its answer's header; and the longest gap in a bounded body
  static Timeouts from_env();
};

// The largest answer read whole (a container list of thousands is a few MB).
inline constexpr std::size_t kReplyLimit = std::size_t{64} << 20;

using DataSink = std::function<void(std::string_view)>;
// Writes the request body in pieces by calling `write` as often as it likes.
using BodyProducer = std::function<void(const DataSink& write)>;

class Connection {
 public:
  enum class Reuse { No, Yes };
  // Connects now (Reuse::Yes: takes an idle connection to the same engine when one is kept, and
  // keeps this one after a complete answer). Throws Error{EngineUnavailable|EnginePermission} with a
  // hint when it cannot. Cancelling the token ends any wait with Error{Cancelled}.
  explicit Connection(const Endpoint& endpoint, CancelToken cancel = {}, Reuse reuse = Reuse::No);
  // Over a stream made elsewhere (tests, fuzzing).
  Connection(std::unique_ptr<ByteStream> stream, const Endpoint& endpoint, Timeouts timeouts = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Waits longer than Timeouts::reply for the next answer's header (a stop that grants its container
  // time to end).
  void extend_reply(std::chrono::milliseconds extra) { extra_reply_ = extra; }

  // A request and its whole response (at most kReplyLimit).
  Response request(std::string_view method, std::string_view target, std::string_view body = {},
                   std::string_view content_type = "application/json");

  // A request whose response body arrives over time (progress, events, logs): each piece of a
  // successful response goes to on_data as it arrives; an error response is collected in body.
  // follow: the engine may stay silent between pieces for as long as it likes (events, followed logs,
  // a wait); otherwise a gap longer than Timeouts::reply is an error.
  Response stream(std::string_view method, std::string_view target, std::string_view body, const DataSink& on_data,
                  bool follow = false);

  // Like stream with follow, with a request body sent in chunks as `produce` makes it (a build
  // context, an archive). The answer may take long (a build's silent steps).
  Response upload(std::string_view method, std::string_view target, std::string_view content_type,
                  const BodyProducer& produce, const DataSink& on_data);

  // Sends a request asking to upgrade to a raw stream (exec start). On 101/200 the stream is handed
  // over: raw() and the bytes already read past the header (take_leftover()). Its reads wait without
  // bound (a command may print nothing for hours); cancel ends them.
  Response hijack(std::string_view target, std::string_view body);
  ByteStream& raw();
  std::string take_leftover();

 private:
  struct Impl;
  // Reads an answer whose body is handed on in pieces (stream, upload).
  Response read_answer(std::string_view method, std::string_view target, const DataSink& on_data, bool follow,
                       std::chrono::milliseconds reply);
  std::unique_ptr<Impl> impl_;
  CancelToken cancel_;
  CancelToken::Registration registration_;
  std::chrono::milliseconds extra_reply_{0};
};

// Percent-encodes a query value.
std::string url_encode(std::string_view s);

// What a request does, in words, for messages: "listing containers (GET /containers/json)".
std::string describe_request(std::string_view method, std::string_view target);

}  // namespace dlc::engine
