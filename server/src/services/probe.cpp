#include "services/probe.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace dlc::services {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::optional<HttpAnswer> http_get(const std::string& host, int port, const std::string& target,
                                   const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
  // Asynchronous operations under one deadline: a service that accepts and never answers cannot
  // hold the caller (synchronous reads in Asio have no timeout).
  asio::io_context io;
  beast::tcp_stream stream(io);
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, host + ":" + std::to_string(port));
  req.set(http::field::user_agent, "dlcontainer");
  req.set(http::field::connection, "close");
  for (const auto& [k, v] : headers) req.set(k, v);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(8u << 20);
  std::optional<HttpAnswer> answer;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return std::nullopt;
  stream.expires_after(timeout);
  stream.async_connect(asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port)), [&](beast::error_code e) {
    if (e) return;
    http::async_write(stream, req, [&](beast::error_code e2, std::size_t) {
      if (e2) return;
      http::async_read(stream, buffer, parser, [&](beast::error_code e3, std::size_t) {
        if (e3) return;
        answer = HttpAnswer{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
      });
    });
  });
  io.run();
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return answer;
}

std::optional<HttpAnswer> wait_http(const std::string& host, int port, const std::string& target,
                                    const std::map<std::string, std::string>& headers, int want,
                                    std::chrono::milliseconds deadline, const CancelToken& cancel) {
  auto end = std::chrono::steady_clock::now() + deadline;
  std::optional<HttpAnswer> last;
  for (int attempt = 0;; ++attempt) {
    cancel.throw_if_cancelled();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return last;
    auto answer = http_get(host, port, target, headers, std::min(left, std::chrono::milliseconds(5000)));
    if (answer) last = answer;
    if (answer && answer->status == want) return answer;
    std::this_thread::sleep_for(std::chrono::milliseconds(attempt < 10 ? 100 : 300));
  }
}

}  // namespace dlc::services
