// The agent session's wire format (`agent mux`): one exec stream carries every forwarded connection
// of a container as a channel, in the shape of SSH's channels (RFC 4254 §5): each side may send a
// channel's bytes only while the other has granted room for them (its window), so one slow reader
// holds back its own channel and no other, and neither side ever buffers more than it granted.
// Shared by the agent (static, libc only) and services/agent_session.cpp, so it is plain byte code.
//
// A frame: type (1 byte), channel (big-endian u32), payload length (big-endian u32), payload.
//   agent -> host  Hello(0, "VERSION PID [CAPS]")  once, first: the session runs; CAPS, space-separated,
//                                            says which optional frames it knows ("direct": Listen)
//   host -> agent  Listen(0, SECRET)         open the direct lane (below); sent only to an agent
//                                            whose Hello says "direct"
//   agent -> host  Listen(0, "ADDR PORT")    the lane listens there; Listen(0, "! why") when it cannot
//   host -> agent  Open(ch, "HOST PORT")     connect to HOST:PORT in the container as channel ch; the
//                                            host may send Data at once, within the initial window
//   both ways      Data(ch, bytes)           at most the receiver's remaining window
//   both ways      Window(ch, u32 n)         the sender took n more bytes off its buffer: n more may come
//   both ways      Eof(ch)                   the sender will send no more on ch (a half close)
//   both ways      Close(ch, [reason])       the sender has let go of ch (done, refused or failed); the
//                                            receiver writes out what it holds for ch, then lets go too,
//                                            and never answers. Channel numbers are not reused.
// Every channel starts with kInitialWindow in each direction. A frame that breaks a rule (an unknown
// type, a payload too long for its type, Data beyond the window) ends the session: it is not ours.
// That is also how an agent older than a frame treats it, so the host sends an optional frame only to
// an agent whose Hello names it; an older host reads "VERSION PID CAPS" as before (atoi of the pid).
//
// The direct lane. An exec stream moves some 80-150 MB/s, far below a socket's speed; where the host
// can reach the container's own address (a local engine, a bridge network), the host asks for a
// listener there (Listen), guarded by a random secret of kSecretBytes (hex) that travels only over
// this stream. Each forwarded connection then connects straight to ADDR:PORT and writes the line
// "SECRET HOST PORT\n"; the agent checks it (in constant time, within kDirectAuthMs, at most
// kMaxPendingDirect unchecked at once: else the connection is closed with nothing relayed), connects
// to HOST:PORT in the container and copies both ways (agent/splice_relay.h). A connection whose
// target cannot be reached is closed, as a refused channel is. Channels over the stream stay the
// fallback: a host that cannot reach ADDR:PORT carries every connection of the session as before.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/protocol.h"  // put_u32, get_u32

namespace dlc::agent::mux {

enum class Type : char { Hello = 'H', Open = 'O', Data = 'D', Window = 'W', Eof = 'E', Close = 'C', Listen = 'L' };

inline constexpr std::size_t kHeaderSize = 9;
inline constexpr std::uint32_t kMaxData = 64 * 1024;      // one Data frame's payload
inline constexpr std::uint32_t kMaxText = 512;            // Hello, Open and Close payloads
inline constexpr std::uint32_t kInitialWindow = 1 << 20;  // and the most a receiver ever grants
inline constexpr std::uint32_t kMaxFrame = kHeaderSize + kMaxData;
inline constexpr std::size_t kSecretBytes = 32;              // 256 bits, sent as 64 hex digits
inline constexpr std::size_t kMaxDirectLine = 2 * kSecretBytes + 1 + 64;  // "SECRET HOST PORT\n"
inline constexpr int kDirectAuthMs = 2000;                   // to present it, from the connect on
inline constexpr int kMaxPendingDirect = 32;                 // connections that have not presented it yet
inline constexpr const char* kDirectCapability = "direct";

// Appends one frame to out (the caller keeps payloads within the limits above).
inline void append_frame(std::string& out, Type type, std::uint32_t channel, std::string_view payload = {}) {
  char header[kHeaderSize];
  header[0] = static_cast<char>(type);
  put_u32(header + 1, channel);
  put_u32(header + 5, static_cast<std::uint32_t>(payload.size()));
  out.append(header, kHeaderSize);
  out.append(payload);
}
inline void append_window(std::string& out, std::uint32_t channel, std::uint32_t increment) {
  char n[4];
  put_u32(n, increment);
  append_frame(out, Type::Window, channel, std::string_view(n, 4));
}

// The most a payload of this type may hold; 0 for a type that is not one of ours.
inline std::uint32_t max_payload(char type) {
  switch (static_cast<Type>(type)) {
    case Type::Data: return kMaxData;
    case Type::Hello: case Type::Open: case Type::Close: case Type::Listen: return kMaxText;
    case Type::Window: return 4;
    case Type::Eof: return 0;
  }
  return 0;
}
inline bool known_type(char type) {
  switch (static_cast<Type>(type)) {
    case Type::Hello: case Type::Open: case Type::Data: case Type::Window: case Type::Eof: case Type::Close:
    case Type::Listen: return true;
  }
  return false;
}

struct FrameView {
  Type type = Type::Data;
  std::uint32_t channel = 0;
  std::string_view payload;  // valid until the next feed()
};

// Splits a byte stream into checked frames. feed() what arrives, then next() until it says NeedMore;
// it holds at most one frame's bytes beyond what was fed. Bad is final: error() says why.
class Decoder {
 public:
  enum class Result { Frame, NeedMore, Bad };

  void feed(std::string_view data) {
    if (pos_ > 0) buf_.erase(0, pos_), pos_ = 0;
    buf_.append(data);
  }

  Result next(FrameView& f) {
    if (!error_.empty()) return Result::Bad;
    std::size_t left = buf_.size() - pos_;
    if (left < kHeaderSize) return Result::NeedMore;
    const char* h = buf_.data() + pos_;
    if (!known_type(h[0])) return fail("a frame of unknown type " + std::to_string(static_cast<unsigned char>(h[0])));
    std::uint32_t channel = get_u32(h + 1), length = get_u32(h + 5);
    Type type = static_cast<Type>(h[0]);
    if (length > max_payload(h[0])) return fail("a frame longer than its type allows (" + std::to_string(length) + " bytes)");
    if (type == Type::Window && length != 4) return fail("a window frame without its 4-byte increment");
    if ((type == Type::Hello || type == Type::Listen) != (channel == 0)) return fail("a frame on the wrong channel (" + std::to_string(channel) + ")");
    if (left < kHeaderSize + length) return Result::NeedMore;
    f.type = type;
    f.channel = channel;
    f.payload = std::string_view(h + kHeaderSize, length);
    pos_ += kHeaderSize + length;
    return Result::Frame;
  }
  const std::string& error() const { return error_; }

 private:
  Result fail(std::string why) {
    error_ = std::move(why);
    return Result::Bad;
  }
  std::string buf_;
  std::size_t pos_ = 0;
  std::string error_;
};

// One channel's flow control, the same on both sides.
class Windows {
 public:
  // Room the peer has granted us: how much Data we may send now.
  std::uint32_t send_room() const { return send_; }
  void sent(std::uint32_t n) { send_ -= n; }
  // Window(n) arrived; false when it grants more than a receiver may (the peer is broken).
  bool granted(std::uint32_t n) {
    if (n == 0 || n > kInitialWindow - send_) return false;
    send_ += n;
    return true;
  }
  // Data of n bytes arrived; false when it is more than we granted.
  bool received(std::size_t n) {
    if (n > recv_) return false;
    recv_ -= static_cast<std::uint32_t>(n);
    return true;
  }
  // n bytes were written out of our buffer: the increment to announce now (0: wait for more, so
  // that small writes do not each cost a frame), which is granted again at once.
  std::uint32_t delivered(std::size_t n) {
    consumed_ += static_cast<std::uint32_t>(n);
    if (consumed_ < kInitialWindow / 4) return 0;
    std::uint32_t grant = consumed_;
    recv_ += grant;
    consumed_ = 0;
    return grant;
  }

 private:
  std::uint32_t send_ = kInitialWindow;
  std::uint32_t recv_ = kInitialWindow;
  std::uint32_t consumed_ = 0;
};

// Bytes waiting to be written: appended at the back, taken from the front without moving the rest
// each time (a slow socket takes a large buffer a little at a time).
class ByteQueue {
 public:
  void append(std::string_view d) {
    if (pos_ == buf_.size()) buf_.clear(), pos_ = 0;
    buf_.append(d);
  }
  std::string& tail() {  // for append_frame; call compact_if_drained() first
    if (pos_ == buf_.size()) buf_.clear(), pos_ = 0;
    return buf_;
  }
  const char* data() const { return buf_.data() + pos_; }
  std::size_t size() const { return buf_.size() - pos_; }
  bool empty() const { return size() == 0; }
  void consume(std::size_t n) {
    pos_ += n;
    if (pos_ == buf_.size()) buf_.clear(), pos_ = 0;
    else if (pos_ > (1u << 16) && pos_ > buf_.size() / 2) buf_.erase(0, pos_), pos_ = 0;
  }

 private:
  std::string buf_;
  std::size_t pos_ = 0;
};

// "HOST PORT" of an Open frame; false when it is not that.
inline bool parse_open(std::string_view payload, std::string& host, int& port) {
  auto space = payload.rfind(' ');
  if (space == std::string_view::npos || space == 0 || space + 1 >= payload.size() || payload.size() - space > 6) return false;
  int p = 0;
  for (char c : payload.substr(space + 1)) {
    if (c < '0' || c > '9') return false;
    p = p * 10 + (c - '0');
  }
  if (p < 1 || p > 65535) return false;
  host.assign(payload.substr(0, space));
  port = p;
  return true;
}

// Whether a Hello's payload ("VERSION PID CAPS...") names a capability.
inline bool has_capability(std::string_view hello, std::string_view cap) {
  std::size_t field = 0;
  while (!hello.empty()) {
    auto space = hello.find(' ');
    std::string_view word = hello.substr(0, space);
    if (field++ >= 2 && word == cap) return true;
    if (space == std::string_view::npos) break;
    hello.remove_prefix(space + 1);
  }
  return false;
}

// Compares in a time that depends on the length only, so that a guesser learns nothing from when
// the answer comes.
inline bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

inline bool is_secret(std::string_view s) {
  if (s.size() != 2 * kSecretBytes) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// A direct connection's first line, without its newline: "SECRET HOST PORT". False (nothing to
// relay) unless it starts with `secret` and names a target.
inline bool check_direct_line(std::string_view line, std::string_view secret, std::string& host, int& port) {
  if (line.size() <= secret.size() || line[secret.size()] != ' ') return false;
  bool same = same_secret(line.substr(0, secret.size()), secret);
  return parse_open(line.substr(secret.size() + 1), host, port) && same;
}

}  // namespace dlc::agent::mux
