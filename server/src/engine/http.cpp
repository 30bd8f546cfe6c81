#include "engine/http.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/system/system_error.hpp>
#include <cstdlib>
#include <limits>

#include "engine/dial.h"
#include "engine/stream.h"
#include "support/error.h"

namespace dlc::engine {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace asio_error = boost::asio::error;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kErrorBodyLimit = 1 << 20;

// Beast's synchronous reads and writes over a ByteStream.
class StreamAdapter {
 public:
  explicit StreamAdapter(ByteStream& s) : s_(s) {}

  template <class Buffers>
  std::size_t read_some(const Buffers& buffers, error_code& ec) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
      asio::mutable_buffer b = *it;
      if (b.size() > 0) return s_.read_some(b.data(), b.size(), ec);
    }
    ec = {};
    return 0;
  }
  template <class Buffers>
  std::size_t read_some(const Buffers& buffers) {
    error_code ec;
    auto n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  template <class Buffers>
  std::size_t write_some(const Buffers& buffers, error_code& ec) {
    // Beast hands a request over as many small pieces (the method, the target, each header, a small
    // body): gathered into one write, not a system call and a wake-up of the daemon for each.
    if (std::size_t total = asio::buffer_size(buffers); total > 0 && total <= kGather) {
      gather_.resize(total);
      asio::buffer_copy(asio::buffer(gather_), buffers);
      return s_.write_some(gather_.data(), total, ec);  // what was not taken comes again, as any short write
    }
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
      asio::const_buffer b = *it;
      if (b.size() > 0) return s_.write_some(b.data(), b.size(), ec);
    }
    ec = {};
    return 0;
  }
  template <class Buffers>
  std::size_t write_some(const Buffers& buffers) {
    error_code ec;
    auto n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  static constexpr std::size_t kGather = 64u << 10;
  ByteStream& s_;
  std::string gather_;
};

http::verb to_verb(std::string_view method) {
  auto v = http::string_to_verb(beast::string_view(method.data(), method.size()));
  if (v == http::verb::unknown) throw Error(ErrorCode::Internal, "unknown HTTP method " + std::string(method));
  return v;
}

template <class Message>
void copy_headers(const Message& m, Response& r) {
  for (const auto& f : m) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
}

http::request<http::string_body> make_request(std::string_view method, std::string_view target, std::string_view body,
                                              std::string_view content_type) {
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

bool lost(const error_code& ec) {
  return ec == asio_error::eof || ec == asio_error::connection_reset || ec == asio_error::broken_pipe ||
         ec == http::error::end_of_stream || ec == http::error::partial_message;
}

}  // namespace

struct Connection::Impl {
  Endpoint endpoint;
  Timeouts timeouts;
  bool reuse = false;
  bool from_pool = false;
  bool reusable = false;  // the last answer ended cleanly and the engine keeps the connection
  std::unique_ptr<ByteStream> stream;
  beast::flat_buffer buffer;
  std::string leftover;
};

Connection::Connection(const Endpoint& endpoint, CancelToken cancel, Reuse reuse)
    : impl_(std::make_unique<Impl>()), cancel_(std::move(cancel)) {
  cancel_.throw_if_cancelled();
  impl_->endpoint = endpoint;
  impl_->timeouts = Timeouts::from_env();
  // DLC_ENGINE_REUSE=0: a connection per request (for measuring what reuse saves, or a peer that
  // mishandles keep-alive).
  const char* reuse_env = std::getenv("DLC_ENGINE_REUSE");
  impl_->reuse = reuse == Reuse::Yes && !(reuse_env && std::string_view(reuse_env) == "0");
  if (impl_->reuse) impl_->stream = pool::take(endpoint.url());
  impl_->from_pool = impl_->stream != nullptr;
  if (!impl_->stream) impl_->stream = dial(endpoint, impl_->timeouts);
  ByteStream* s = impl_->stream.get();
  registration_ = cancel_.on_cancel([s] { s->interrupt(); });
}

Connection::Connection(std::unique_ptr<ByteStream> stream, const Endpoint& endpoint, Timeouts timeouts)
    : impl_(std::make_unique<Impl>()) {
  impl_->endpoint = endpoint;
  impl_->timeouts = timeouts;
  impl_->stream = std::move(stream);
}

Connection::~Connection() {
  registration_ = {};
  if (impl_ && impl_->reuse && impl_->reusable && impl_->buffer.size() == 0 && impl_->stream) {
    pool::put(impl_->endpoint.url(), std::move(impl_->stream));
  }
}

namespace {

std::string seconds(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms.count() % 1000 ? "%.1f s" : "%.0f s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

// The error for a failed exchange: who, doing what, and the fix.
[[noreturn]] void fail(ByteStream& stream, const Endpoint& e, const Timeouts& t, const CancelToken& cancel,
                       const error_code& ec, std::string_view method, std::string_view target) {
  if (cancel.cancelled() || ec == asio_error::operation_aborted) throw Error(ErrorCode::Cancelled, "cancelled");
  std::string doing = describe_request(method, target);
  if (ec == asio_error::timed_out) {
    throw Error(ErrorCode::EngineUnavailable,
                engine_name(e) + " did not answer within " + seconds(t.reply) + " while " + doing,
                "it may be frozen or overloaded: `docker info` against the same engine shows whether it answers; restart "
                "it if it does not (DLC_ENGINE_TIMEOUT=SECONDS waits longer)");
  }
  if (ec == http::error::body_limit || ec == http::error::buffer_overflow || ec == http::error::header_limit) {
    throw Error(ErrorCode::EngineError,
                engine_name(e) + " answered " + doing + " with more than dlcontainer reads (" + ec.message() + ")",
                "check that this is a Docker engine and that it is well: its answer was refused, nothing was changed by it");
  }
  if (lost(ec)) {
    if (auto why = stream.explain()) throw *why;
    throw Error(ErrorCode::EngineUnavailable, "lost the connection to " + engine_name(e) + " while " + doing + ": " + ec.message(),
                "check that the engine is still running (its log says why it stopped)");
  }
  if (ec.category() == error_code(http::error::bad_version).category()) {  // not HTTP
    if (auto why = stream.explain()) throw *why;
    throw Error(ErrorCode::EngineError, engine_name(e) + " did not answer " + doing + " in HTTP (" + ec.message() + ")",
                "check that " + e.url() + " is a Docker engine (" + e.origin + ")");
  }
  if (auto why = stream.explain()) throw *why;
  throw Error(ErrorCode::EngineUnavailable, "lost the connection to " + engine_name(e) + " while " + doing + ": " + ec.message(),
              "check that the engine is still running");
}

}  // namespace

#define DLC_IO(expr, method, target)                                                                      \
  do {                                                                                                    \
    error_code ec_;                                                                                       \
    expr;                                                                                                 \
    if (ec_) fail(*impl_->stream, impl_->endpoint, impl_->timeouts, cancel_, ec_, method, target);        \
  } while (0)

namespace {

// Waits for one exchange: the header within `reply` of now, then gaps in the body of at most `reply`
// (none for a followed stream) and, for an answer read whole, all of it within a few replies.
Wait header_wait(std::chrono::milliseconds reply) { return Wait{Clock::now() + reply, reply}; }

}  // namespace

Response Connection::request(std::string_view method, std::string_view target, std::string_view body,
                             std::string_view content_type) {
  auto req = make_request(method, target, body, content_type);
  auto reply = impl_->timeouts.reply + std::exchange(extra_reply_, 0ms);
  for (int attempt = 0;; ++attempt) {
    impl_->reusable = false;
    StreamAdapter io(*impl_->stream);
    impl_->stream->set_wait(Wait{std::nullopt, impl_->timeouts.reply});
    error_code ec;
    http::write(io, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(kReplyLimit);
    if (req.method() == http::verb::head) parser.skip(true);  // a HEAD response announces a body it does not send
    if (!ec) {
      impl_->stream->set_wait(header_wait(reply));
      http::read_header(io, impl_->buffer, parser, ec);
    }
    // A kept connection the engine closed in the meantime (a restart): once more on a new one, when
    // nothing of an answer arrived (so the request was not taken).
    if (ec && lost(ec) && impl_->from_pool && attempt == 0 && !parser.got_some() && !cancel_.cancelled()) {
      impl_->from_pool = false;
      impl_->buffer.clear();
      impl_->stream = dial(impl_->endpoint, impl_->timeouts);
      ByteStream* s = impl_->stream.get();
      registration_ = cancel_.on_cancel([s] { s->interrupt(); });
      continue;
    }
    if (ec) fail(*impl_->stream, impl_->endpoint, impl_->timeouts, cancel_, ec, method, target);
    if (!parser.is_done()) {
      impl_->stream->set_wait(Wait{Clock::now() + 4 * reply, impl_->timeouts.reply});
      DLC_IO(http::read(io, impl_->buffer, parser, ec_), method, target);
    }
    Response r;
    auto& msg = parser.get();
    r.status = msg.result_int();
    r.body = std::move(msg.body());
    copy_headers(msg, r);
    impl_->reusable = msg.keep_alive();
    return r;
  }
}

namespace {

// Reads the rest of a response whose header is already parsed, piece by piece.
template <class Sink, class Fail>
void read_body_pieces(StreamAdapter& io, beast::flat_buffer& buffer, http::response_parser<http::buffer_body>& parser,
                      const Sink& sink, const Fail& fail_with) {
  char chunk[64 * 1024];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    error_code ec;
    // read_some, not read: read returns only once the chunk is full, which holds back a stream's
    // pieces (events, followed logs) until 64 KiB of them have piled up.
    http::read_some(io, buffer, parser, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) fail_with(ec);
    std::size_t n = sizeof chunk - parser.get().body().size;
    if (n > 0) sink(std::string_view(chunk, n));
  }
}

}  // namespace

Response Connection::read_answer(std::string_view method, std::string_view target, const DataSink& on_data, bool follow,
                                 std::chrono::milliseconds reply) {
  StreamAdapter io(*impl_->stream);
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // boost::none trips Beast 1.81 on Content-Length
  impl_->stream->set_wait(header_wait(reply));
  DLC_IO(http::read_header(io, impl_->buffer, parser, ec_), method, target);
  Response r;
  r.status = parser.get().result_int();
  copy_headers(parser.get(), r);
  auto fail_with = [&](const error_code& ec) { DLC_IO(ec_ = ec, method, target); };
  // A followed stream may stay silent as long as the engine likes; an error answer may not.
  impl_->stream->set_wait(Wait{std::nullopt, follow && r.ok() ? std::nullopt : std::optional(impl_->timeouts.reply)});
  if (r.ok()) {
    read_body_pieces(io, impl_->buffer, parser, on_data, fail_with);
  } else {
    read_body_pieces(io, impl_->buffer, parser, [&](std::string_view s) {
      if (r.body.size() + s.size() > kErrorBodyLimit) fail_with(http::error::body_limit);
      r.body += s;
    }, fail_with);
  }
  impl_->reusable = parser.get().keep_alive();
  return r;
}

Response Connection::stream(std::string_view method, std::string_view target, std::string_view body,
                            const DataSink& on_data, bool follow) {
  auto req = make_request(method, target, body, "application/json");
  StreamAdapter io(*impl_->stream);
  impl_->stream->set_wait(Wait{std::nullopt, impl_->timeouts.reply});
  DLC_IO(http::write(io, req, ec_), method, target);
  return read_answer(method, target, on_data, follow, impl_->timeouts.reply + std::exchange(extra_reply_, 0ms));
}

Response Connection::upload(std::string_view method, std::string_view target, std::string_view content_type,
                            const BodyProducer& produce, const DataSink& on_data) {
  http::request<http::empty_body> req{to_verb(method), std::string(target), 11};
  req.set(http::field::host, "docker");
  req.set(http::field::user_agent, "dlcontainer");
  req.set(http::field::content_type, std::string(content_type));
  req.chunked(true);
  http::request_serializer<http::empty_body> sr{req};
  StreamAdapter io(*impl_->stream);
  impl_->stream->set_wait(Wait{std::nullopt, impl_->timeouts.reply});
  DLC_IO(http::write_header(io, sr, ec_), method, target);
  produce([&](std::string_view piece) {
    if (piece.empty()) return;
    DLC_IO(asio::write(io, http::make_chunk(asio::const_buffer(piece.data(), piece.size())), ec_), method, target);
  });
  DLC_IO(asio::write(io, http::make_chunk_last(), ec_), method, target);
  // The engine reads the whole body before it answers (a build unpacks its context first); a build
  // may then be silent for long between steps.
  return read_answer(method, target, on_data, true, impl_->timeouts.reply);
}

Response Connection::hijack(std::string_view target, std::string_view body) {
  auto req = make_request("POST", target, body, "application/json");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "tcp");
  StreamAdapter io(*impl_->stream);
  impl_->stream->set_wait(Wait{std::nullopt, impl_->timeouts.reply});
  DLC_IO(http::write(io, req, ec_), "POST", target);
  http::response_parser<http::empty_body> parser;
  impl_->stream->set_wait(header_wait(impl_->timeouts.reply));
  DLC_IO(http::read_header(io, impl_->buffer, parser, ec_), "POST", target);
  Response r;
  r.status = parser.get().result_int();
  copy_headers(parser.get(), r);
  if (r.status >= 400) {
    // An error is an ordinary response with a JSON body: read it as one.
    http::response_parser<http::string_body> error_parser{std::move(parser)};
    error_parser.body_limit(kErrorBodyLimit);
    DLC_IO(http::read(io, impl_->buffer, error_parser, ec_), "POST", target);
    r.body = std::move(error_parser.get().body());
    return r;
  }
  // Whatever Beast read past the header already belongs to the raw stream.
  auto data = impl_->buffer.data();
  impl_->leftover.assign(static_cast<const char*>(data.data()), data.size());
  impl_->buffer.consume(data.size());
  impl_->stream->set_wait({});  // a command may print nothing for hours
  return r;
}

ByteStream& Connection::raw() { return *impl_->stream; }

std::string Connection::take_leftover() { return std::exchange(impl_->leftover, {}); }

std::string Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() &&
        std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return v;
    }
  }
  return {};
}

std::string describe_request(std::string_view method, std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path.starts_with("/v1.")) path = path.substr(std::min(path.find('/', 1), path.size()));
  auto ends = [&](std::string_view suffix) { return path.ends_with(suffix); };
  auto starts = [&](std::string_view prefix) { return path.starts_with(prefix); };
  const char* words = nullptr;
  if (path == "/_ping") words = "answering a ping";
  else if (path == "/version") words = "telling its version";
  else if (path == "/info") words = "describing itself";
  else if (path == "/events") words = "streaming events";
  else if (path == "/build") words = "building an image";
  else if (path == "/containers/json") words = "listing containers";
  else if (path == "/containers/create") words = "creating a container";
  else if (path == "/images/json") words = "listing images";
  else if (path == "/images/create") words = method == "POST" ? "pulling or importing an image" : nullptr;
  else if (starts("/exec/")) words = ends("/start") ? "running a command" : ends("/json") ? "inspecting a command" : "resizing a command's terminal";
  else if (starts("/containers/")) {
    words = ends("/json") ? "inspecting a container" : ends("/start") ? "starting a container" : ends("/stop") ? "stopping a container"
          : ends("/wait") ? "waiting for a container" : ends("/logs") ? "reading a container's logs" : ends("/exec") ? "starting a command"
          : ends("/archive") ? "copying files in a container" : method == "DELETE" ? "removing a container" : nullptr;
  } else if (starts("/images/")) {
    words = ends("/json") ? "inspecting an image" : method == "DELETE" ? "removing an image" : nullptr;
  } else if (starts("/volumes")) {
    words = "working on volumes";
  }
  std::string request = std::string(method) + " " + std::string(path);
  return words ? std::string(words) + " (" + request + ")" : request;
}

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
