#include "engine/http.h"

#include <limits>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>

#include "engine/podman.h"
#include "support/error.h"

namespace dlc::engine {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local_socket = asio::local::stream_protocol::socket;

namespace {

constexpr std::uint64_t kBodyLimit = 512ull << 20;

Error connect_error(const Endpoint& endpoint, const boost::system::error_code& ec) {
  const auto& path = endpoint.socket_path;
  if (podman_expected(path)) {
    if (ec == boost::system::errc::permission_denied) {
      return Error(ErrorCode::EnginePermission, "permission denied on Podman's socket " + path,
                   "use your own rootless Podman (--engine podman as your user), or run as root for " + path);
    }
    return Error(ErrorCode::EngineUnavailable, "Podman's API service is not running (nothing listens on " + path + ")",
                 podman_start_hint(path));
  }
  if (ec == boost::system::errc::permission_denied) {
    return Error(ErrorCode::EnginePermission, "permission denied on the Docker socket " + path,
                 "add your user to the docker group: sudo usermod -aG docker $USER, then log in again");
  }
  if (ec == boost::system::errc::no_such_file_or_directory || ec == boost::system::errc::connection_refused) {
    return Error(ErrorCode::EngineUnavailable, "the Docker daemon is not running (nothing listens on " + path + ")",
                 "start it: sudo systemctl start docker (or run dockerd); set DOCKER_HOST if it listens elsewhere, or use "
                 "Podman with --engine podman");
  }
  return Error(ErrorCode::EngineUnavailable, "cannot reach the Docker daemon at " + path + ": " + ec.message(),
               "check that dockerd runs and DOCKER_HOST points at its socket");
}

http::verb to_verb(std::string_view method) {
  auto v = http::string_to_verb(beast::string_view(method.data(), method.size()));
  if (v == http::verb::unknown) throw Error(ErrorCode::Internal, "unknown HTTP method " + std::string(method));
  return v;
}

template <class Message>
void copy_headers(const Message& m, Response& r) {
  for (const auto& f : m) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
}

}  // namespace

// DLC_ENGINE, CONTAINER_HOST and the sockets that exist join DOCKER_HOST here (engine/podman.h).
Endpoint Endpoint::from_env() { return choose_local_endpoint(local_engine_env()).endpoint; }

Endpoint Endpoint::parse(std::string_view docker_host) {
  constexpr std::string_view unix_scheme = "unix://";
  if (docker_host.starts_with(unix_scheme)) {
    Endpoint e;
    e.socket_path = std::string(docker_host.substr(unix_scheme.size()));
    if (e.socket_path.empty()) throw Error(ErrorCode::InvalidArgument, "DOCKER_HOST=unix:// names no socket", "write unix:///var/run/docker.sock");
    return e;
  }
  if (docker_host.starts_with("/")) return Endpoint{std::string(docker_host)};
  throw Error(ErrorCode::InvalidArgument,
              "DOCKER_HOST=" + std::string(docker_host) + " is not supported: only unix:// sockets are, so far",
              "unset DOCKER_HOST, or point it at a local socket: unix:///var/run/docker.sock");
}

std::string Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() &&
        std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return v;
    }
  }
  return {};
}

struct Connection::Impl {
  asio::io_context io;
  local_socket socket{io};
  beast::flat_buffer buffer;
  std::string leftover;
};

Connection::Connection(const Endpoint& endpoint, CancelToken cancel)
    : impl_(std::make_unique<Impl>()), cancel_(std::move(cancel)) {
  cancel_.throw_if_cancelled();
  boost::system::error_code ec;
  impl_->socket.connect(asio::local::stream_protocol::endpoint(endpoint.socket_path), ec);
  if (ec) throw connect_error(endpoint, ec);
  // shutdown(2) on the descriptor is safe from another thread and wakes a blocked read or write.
  int fd = impl_->socket.native_handle();
  registration_ = cancel_.on_cancel([fd] { ::shutdown(fd, SHUT_RDWR); });
}

Connection::~Connection() = default;

namespace {

http::request<http::string_body> make_request(std::string_view method, std::string_view target,
                                              std::string_view body, std::string_view content_type) {
  http::request<http::string_body> req{to_verb(method), std::string(target), 11};
  req.set(http::field::host, "docker");
  req.set(http::field::user_agent, "dlcontainer");
  if (!body.empty()) {
    req.set(http::field::content_type, std::string(content_type));
    req.body() = std::string(body);
  }
  req.prepare_payload();
  return req;
}

}  // namespace

#define DLC_IO(expr)                                                              \
  do {                                                                            \
    boost::system::error_code ec_;                                                \
    expr;                                                                         \
    if (ec_) {                                                                    \
      cancel_.throw_if_cancelled();                                               \
      throw Error(ErrorCode::EngineUnavailable,                                   \
                  "lost the connection to the Docker daemon: " + ec_.message(),   \
                  "check that dockerd is still running (its log says why it stopped)"); \
    }                                                                             \
  } while (0)

Response Connection::request(std::string_view method, std::string_view target, std::string_view body,
                             std::string_view content_type) {
  auto req = make_request(method, target, body, content_type);
  DLC_IO(http::write(impl_->socket, req, ec_));
  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  if (req.method() == http::verb::head) parser.skip(true);  // a HEAD response announces a body it does not send
  DLC_IO(http::read(impl_->socket, impl_->buffer, parser, ec_));
  Response r;
  auto& msg = parser.get();
  r.status = msg.result_int();
  r.body = std::move(msg.body());
  copy_headers(msg, r);
  return r;
}

namespace {

// Reads the rest of a response whose header is already parsed, piece by piece.
template <class Stream, class Buffer, class Sink, class Check>
void read_body_pieces(Stream& stream, Buffer& buffer, http::response_parser<http::buffer_body>& parser,
                      const Sink& sink, const Check& check_error) {
  char chunk[64 * 1024];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    boost::system::error_code ec;
    // read_some, not read: read returns only once the chunk is full, which holds back a stream's
    // pieces (events, followed logs) until 64 KiB of them have piled up.
    http::read_some(stream, buffer, parser, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) check_error(ec);
    std::size_t n = sizeof chunk - parser.get().body().size;
    if (n > 0) sink(std::string_view(chunk, n));
  }
}

}  // namespace

Response Connection::stream(std::string_view method, std::string_view target, std::string_view body,
                            const DataSink& on_data) {
  auto req = make_request(method, target, body, "application/json");
  DLC_IO(http::write(impl_->socket, req, ec_));
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // boost::none trips Beast 1.81 on Content-Length
  DLC_IO(http::read_header(impl_->socket, impl_->buffer, parser, ec_));
  Response r;
  r.status = parser.get().result_int();
  copy_headers(parser.get(), r);
  auto fail = [this](const boost::system::error_code& ec) { DLC_IO(ec_ = ec); };
  if (r.ok()) {
    read_body_pieces(impl_->socket, impl_->buffer, parser, on_data, fail);
  } else {
    read_body_pieces(impl_->socket, impl_->buffer, parser, [&](std::string_view s) { r.body += s; }, fail);
  }
  return r;
}

Response Connection::upload(std::string_view method, std::string_view target, std::string_view content_type,
                            const BodyProducer& produce, const DataSink& on_data) {
  http::request<http::empty_body> req{to_verb(method), std::string(target), 11};
  req.set(http::field::host, "docker");
  req.set(http::field::user_agent, "dlcontainer");
  req.set(http::field::content_type, std::string(content_type));
  req.chunked(true);
  http::request_serializer<http::empty_body> sr{req};
  DLC_IO(http::write_header(impl_->socket, sr, ec_));
  produce([this](std::string_view piece) {
    if (piece.empty()) return;
    DLC_IO(asio::write(impl_->socket, http::make_chunk(asio::const_buffer(piece.data(), piece.size())), ec_));
  });
  DLC_IO(asio::write(impl_->socket, http::make_chunk_last(), ec_));

  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // boost::none trips Beast 1.81 on Content-Length
  DLC_IO(http::read_header(impl_->socket, impl_->buffer, parser, ec_));
  Response r;
  r.status = parser.get().result_int();
  copy_headers(parser.get(), r);
  auto fail = [this](const boost::system::error_code& ec) { DLC_IO(ec_ = ec); };
  if (r.ok()) {
    read_body_pieces(impl_->socket, impl_->buffer, parser, on_data, fail);
  } else {
    read_body_pieces(impl_->socket, impl_->buffer, parser, [&](std::string_view s) { r.body += s; }, fail);
  }
  return r;
}

Response Connection::hijack(std::string_view target, std::string_view body) {
  auto req = make_request("POST", target, body, "application/json");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "tcp");
  DLC_IO(http::write(impl_->socket, req, ec_));
  http::response_parser<http::empty_body> parser;
  DLC_IO(http::read_header(impl_->socket, impl_->buffer, parser, ec_));
  Response r;
  r.status = parser.get().result_int();
  copy_headers(parser.get(), r);
  if (r.status >= 400) {
    // An error is an ordinary response with a JSON body: read it as one.
    http::response_parser<http::string_body> error_parser{std::move(parser)};
    error_parser.body_limit(kBodyLimit);
    DLC_IO(http::read(impl_->socket, impl_->buffer, error_parser, ec_));
    r.body = std::move(error_parser.get().body());
    return r;
  }
  // Whatever Beast read past the header already belongs to the raw stream.
  auto data = impl_->buffer.data();
  impl_->leftover.assign(static_cast<const char*>(data.data()), data.size());
  impl_->buffer.consume(data.size());
  return r;
}

int Connection::raw_fd() const { return impl_->socket.native_handle(); }

std::string Connection::take_leftover() { return std::exchange(impl_->leftover, {}); }

std::string url_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace dlc::engine
