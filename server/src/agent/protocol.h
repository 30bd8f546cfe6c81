// What dlcontainer-agent and dlcontainer agree on. Shared by agent.cpp (built static, libc only) and
// by services/ on the host, so it holds constants and plain byte functions, nothing else.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace dlc::agent {

// Bumped whenever the agent's command line or its framing changes; `agent version` prints it, and
// the host injects a new agent when the one in the container says another number.
inline constexpr int kProtocolVersion = 3;

// Where the agent lives in a container (put there with the engine's archive call).
inline constexpr const char* kAgentPath = "/usr/local/lib/dlcontainer/agent";
// Where it goes when /usr/local cannot be written (a read-only mount of the host's /usr, say).
inline constexpr const char* kFallbackAgentPath = "/tmp/.dlcontainer-agent/agent";

// Exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;  // connect: nothing listens there; listen: the port is taken
inline constexpr int kExitTimeout = 4;      // ports --wait: the port did not start listening in time
inline constexpr int kExitGone = 5;         // ports --wait --pid: the process ended before it listened;
                                            // signal: no such process
inline constexpr int kExitNotFound = 127;   // spawn: the command cannot be run

// `listen` multiplexes many connections over the agent's one stdin/stdout. Each frame is a 9-byte
// header (type, channel as big-endian u32, payload length as big-endian u32) and the payload.
//   agent -> host  Listening(0, port as text)  once, when the port is bound
//   agent -> host  Open(ch)                    a program in the container connected
//   both ways      Data(ch, bytes)             bytes of that connection
//   both ways      Eof(ch)                     the sender's side will write no more (half close)
//   both ways      Close(ch)                   the connection is gone (or could not be made)
enum class Frame : char { Listening = 'L', Open = 'O', Data = 'D', Eof = 'E', Close = 'C' };
inline constexpr std::size_t kHeaderSize = 9;
inline constexpr std::size_t kMaxPayload = 64 * 1024;

inline void put_u32(char* p, std::uint32_t v) {
  p[0] = static_cast<char>(v >> 24), p[1] = static_cast<char>(v >> 16), p[2] = static_cast<char>(v >> 8),
  p[3] = static_cast<char>(v);
}
inline std::uint32_t get_u32(const char* p) {
  auto b = [&](int i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

inline std::string frame(Frame type, std::uint32_t channel, std::string_view payload = {}) {
  std::string out(kHeaderSize, '\0');
  out[0] = static_cast<char>(type);
  put_u32(out.data() + 1, channel);
  put_u32(out.data() + 5, static_cast<std::uint32_t>(payload.size()));
  out.append(payload);
  return out;
}

// Splits a byte stream into frames: feed() what arrives, next() hands out whole frames.
class FrameReader {
 public:
  void feed(std::string_view data) { buf_.append(data); }
  bool next(Frame& type, std::uint32_t& channel, std::string& payload) {
    if (buf_.size() - pos_ < kHeaderSize) return compact(), false;
    std::uint32_t len = get_u32(buf_.data() + pos_ + 5);
    if (buf_.size() - pos_ < kHeaderSize + len) return compact(), false;
    type = static_cast<Frame>(buf_[pos_]);
    channel = get_u32(buf_.data() + pos_ + 1);
    payload.assign(buf_, pos_ + kHeaderSize, len);
    pos_ += kHeaderSize + len;
    return true;
  }
  // A header that announces more than any sender writes means the stream is not ours.
  bool corrupt() const { return buf_.size() - pos_ >= kHeaderSize && get_u32(buf_.data() + pos_ + 5) > kMaxPayload; }

 private:
  void compact() {
    if (pos_ > 0) buf_.erase(0, pos_), pos_ = 0;
  }
  std::string buf_;
  std::size_t pos_ = 0;
};

}  // namespace dlc::agent
