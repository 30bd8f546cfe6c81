// HTTP/1.1 to the Docker daemon over its unix socket (Boost.Beast on Asio), one connection per call.
// Beast stays inside http.cpp: everything above this header sees strings and callbacks.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/cancel.h"

namespace dlc::engine {

// Where the daemon listens. DOCKER_HOST is honoured; only unix:// sockets so far.
struct Endpoint {
  std::string socket_path = "/var/run/docker.sock";

  static Endpoint from_env();
  static Endpoint parse(std::string_view docker_host);
};

struct Response {
  unsigned status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  std::string header(std::string_view name) const;  // case-insensitive; "" when absent
  bool ok() const { return status >= 200 && status < 300; }
};

using DataSink = std::function<void(std::string_view)>;
// Writes the request body in pieces by calling `write` as often as it likes.
using BodyProducer = std::function<void(const DataSink& write)>;

class Connection {
 public:
  // Connects now; throws Error{EngineUnavailable|EnginePermission} with a hint when it cannot.
  // Cancelling the token shuts the socket down, which ends any blocked read or write.
  explicit Connection(const Endpoint& endpoint, CancelToken cancel = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A request and its whole response.
  Response request(std::string_view method, std::string_view target, std::string_view body = {},
                   std::string_view content_type = "application/json");

  // A request whose response body arrives over time (progress, events, logs): each piece of a
  // successful response goes to on_data as it arrives; an error response is collected in body.
  Response stream(std::string_view method, std::string_view target, std::string_view body,
                  const DataSink& on_data);

  // Like stream, with a request body sent in chunks as `produce` makes it (a build context).
  Response upload(std::string_view method, std::string_view target, std::string_view content_type,
                  const BodyProducer& produce, const DataSink& on_data);

  // Sends a request asking to upgrade to a raw stream (exec start). On 101/200 the socket is
  // handed over: raw_fd() and the bytes already read past the header (take_leftover()).
  Response hijack(std::string_view target, std::string_view body);
  int raw_fd() const;
  std::string take_leftover();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  CancelToken cancel_;
  CancelToken::Registration registration_;
};

// Percent-encodes a query value.
std::string url_encode(std::string_view s);

}  // namespace dlc::engine
