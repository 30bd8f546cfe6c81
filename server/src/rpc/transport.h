// The LSP base protocol: each message is a header block ("Content-Length: N\r\n", optionally
// "Content-Type: ...\r\n", then "\r\n") and N bytes of JSON. This file knows bytes and frames only;
// what the JSON means is the protocol binding's business (session.h), and where the bytes come from
// is the channel's (channel.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace dlc::rpc {

// Bounds that keep a misbehaving client from making the server buffer without end.
struct FrameLimits {
  std::size_t max_header = 8 * 1024;         // a header block longer than this is refused
  std::size_t max_body = 16 * 1024 * 1024;   // a body longer than this is refused (and skipped)
};

// Splits a byte stream into message bodies. A malformed header block is reported and skipped, and
// reading goes on at the next header: one bad message costs that message, not the connection.
//
// A Content-Length can lie. Past max_body the body is refused at once and its bytes skipped as they
// come; within it they are collected. Either way, a complete header block that turns up inside those
// bytes ("Content-Length: N", header lines, CR LF CR LF) starts the next message: JSON can never hold
// one (CR and LF are escaped inside strings, and no JSON token is a header), so a body that does was
// broken anyway, and a length of 2^40 costs its own message, not every message after it.
class FrameReader {
 public:
  using OnMessage = std::function<void(std::string&& body)>;
  using OnError = std::function<void(const std::string& why)>;

  explicit FrameReader(FrameLimits limits = {}) : limits_(limits) {}

  // Calls on_message for each complete body and on_error for each framing error, in stream order.
  void feed(std::string_view data, const OnMessage& on_message, const OnError& on_error);

  // Bytes held for an incomplete frame (never more than max_header + max_body).
  std::size_t buffered() const { return pending_.size() + window_.size(); }

 private:
  enum class State { Header, SkipHeader, Body, SkipBody };
  // Parses one header block (without its final blank line); on success sets want_ and returns "",
  // else returns why it is refused.
  std::string parse_header(std::string_view block);
  // Each state's share of `data`, which it shortens by what it used. Bytes to read again (after a
  // resynchronisation) go to replay_.
  void read_header(std::string_view& data, const OnMessage& on_message, const OnError& on_error);
  void read_body(std::string_view& data, const OnMessage& on_message, const OnError& on_error);
  void skip_body(std::string_view& data, const OnMessage& on_message, const OnError& on_error);
  void skip_header(std::string_view& data);
  // After a header block that parsed: the body comes next (or an empty message is complete).
  void start_body(const OnMessage& on_message);

  FrameLimits limits_;
  State state_ = State::Header;
  std::string pending_;
  std::string window_;          // the last bytes skipped (SkipBody): a header may begin among them
  std::string replay_;          // bytes already taken that belong to the next message
  std::size_t want_ = 0;        // the body's length (Body)
  std::uint64_t skip_ = 0;      // bytes still to drop (SkipBody)
  unsigned skip_match_ = 0;     // how much of "\r\n\r\n" the dropped bytes end with (SkipHeader)
};

// The frame for one message body.
std::string frame(std::string_view body);

}  // namespace dlc::rpc
