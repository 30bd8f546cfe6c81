// The agent session's frames and windows (agent/mux_protocol.h): what is written is read back whole
// however the stream is cut, and anything outside the rules is refused with a reason, never walked.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "agent/mux_protocol.h"

namespace dlc::agent::mux {
namespace {

struct Got {
  Type type;
  std::uint32_t channel;
  std::string payload;
};

// Feeds the stream in pieces of `step` bytes; collects frames until NeedMore or Bad.
std::vector<Got> decode(const std::string& stream, std::size_t step, Decoder::Result* last = nullptr, Decoder* d = nullptr) {
  Decoder own;
  Decoder& dec = d ? *d : own;
  std::vector<Got> out;
  Decoder::Result r = Decoder::Result::NeedMore;
  for (std::size_t at = 0; at < stream.size() && r != Decoder::Result::Bad; at += step) {
    dec.feed(std::string_view(stream).substr(at, step));
    FrameView f;
    while ((r = dec.next(f)) == Decoder::Result::Frame) out.push_back({f.type, f.channel, std::string(f.payload)});
  }
  if (last) *last = r;
  return out;
}

std::string raw_header(char type, std::uint32_t channel, std::uint32_t length) {
  std::string h(kHeaderSize, '\0');
  h[0] = type;
  put_u32(h.data() + 1, channel);
  put_u32(h.data() + 5, length);
  return h;
}

TEST(MuxFrames, EveryTypeRoundTripsWhateverSizeThePiecesArriveIn) {
  std::string stream;
  append_frame(stream, Type::Hello, 0, "3 42");
  append_frame(stream, Type::Open, 7, "127.0.0.1 8888");
  append_frame(stream, Type::Data, 7, std::string(kMaxData, 'x'));
  append_frame(stream, Type::Data, 7, std::string("\0\x01\xff", 3));
  append_window(stream, 7, 123456);
  append_frame(stream, Type::Eof, 7);
  append_frame(stream, Type::Close, 7, "connect: refused");
  for (std::size_t step : {1ul, 2ul, 9ul, 10ul, 4096ul, stream.size()}) {
    Decoder::Result last;
    auto got = decode(stream, step, &last);
    ASSERT_EQ(got.size(), 7u) << "pieces of " << step;
    EXPECT_EQ(last, Decoder::Result::NeedMore);
    EXPECT_EQ(got[0].type, Type::Hello);
    EXPECT_EQ(got[0].payload, "3 42");
    EXPECT_EQ(got[1].channel, 7u);
    EXPECT_EQ(got[2].payload.size(), kMaxData);
    EXPECT_EQ(got[3].payload, std::string("\0\x01\xff", 3));
    EXPECT_EQ(get_u32(got[4].payload.data()), 123456u);
    EXPECT_EQ(got[5].type, Type::Eof);
    EXPECT_EQ(got[6].payload, "connect: refused");
  }
}

TEST(MuxFrames, AnUnknownTypeIsRefusedWithItsNumber) {
  Decoder::Result r;
  Decoder d;
  auto got = decode(raw_header('Z', 1, 0), 100, &r, &d);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(r, Decoder::Result::Bad);
  EXPECT_NE(d.error().find("unknown type 90"), std::string::npos) << d.error();
}

TEST(MuxFrames, ALengthBeyondItsTypesLimitIsRefusedBeforeAnyPayloadIsWaitedFor) {
  // Only the header arrives: a reader that trusted the length would wait for 4 GiB.
  for (auto [type, length] : std::vector<std::pair<char, std::uint32_t>>{
           {'D', kMaxData + 1}, {'D', 0xffffffffu}, {'O', kMaxText + 1}, {'C', kMaxText + 1}, {'E', 1}, {'W', 5}}) {
    Decoder d;
    Decoder::Result r;
    decode(raw_header(type, 1, length), 100, &r, &d);
    EXPECT_EQ(r, Decoder::Result::Bad) << type << " " << length;
    EXPECT_FALSE(d.error().empty());
  }
}

TEST(MuxFrames, AWindowWithoutItsIncrementAndHelloOrListenOffChannelZeroAreRefused) {
  for (const std::string& bad : {raw_header('W', 1, 3) + "abc", raw_header('H', 1, 0), raw_header('D', 0, 1) + "x",
                                 raw_header('L', 1, 0), raw_header('L', 0, kMaxText + 1)}) {
    Decoder::Result r;
    decode(bad, 100, &r);
    EXPECT_EQ(r, Decoder::Result::Bad) << bad[0];
  }
}

TEST(MuxFrames, ARefusedStreamStaysRefusedAndFramesBeforeTheBadOneAreStillRead) {
  std::string stream;
  append_frame(stream, Type::Data, 3, "ok");
  stream += raw_header('?', 3, 0);
  append_frame(stream, Type::Data, 3, "after");
  Decoder d;
  Decoder::Result r;
  auto got = decode(stream, stream.size(), &r, &d);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "ok");
  EXPECT_EQ(r, Decoder::Result::Bad);
  d.feed("more");
  FrameView f;
  EXPECT_EQ(d.next(f), Decoder::Result::Bad);
}

TEST(MuxWindows, DataBeyondTheGrantedWindowIsRefused) {
  Windows w;
  EXPECT_TRUE(w.received(kInitialWindow - 10));
  EXPECT_TRUE(w.received(10));
  EXPECT_FALSE(w.received(1));
}

TEST(MuxWindows, DeliveredBytesAreGrantedBackInBatchesAndNeverBeyondTheInitialWindow) {
  Windows receiver, sender;
  // The sender fills the window; the receiver writes it out in small pieces.
  sender.sent(sender.send_room());
  EXPECT_EQ(sender.send_room(), 0u);
  ASSERT_TRUE(receiver.received(kInitialWindow));
  std::uint32_t granted = 0;
  for (std::uint32_t i = 0; i < kInitialWindow / 1024; ++i) {
    if (auto g = receiver.delivered(1024)) {
      EXPECT_GE(g, kInitialWindow / 4);  // not a frame per small write
      EXPECT_TRUE(sender.granted(g));
      granted += g;
    }
  }
  EXPECT_EQ(granted, kInitialWindow);
  EXPECT_EQ(sender.send_room(), kInitialWindow);
  EXPECT_FALSE(sender.granted(1)) << "a grant beyond the initial window";
  EXPECT_FALSE(sender.granted(0)) << "an empty grant";
}

TEST(MuxOpen, HostAndPortAreReadAndAnythingElseIsRefused) {
  std::string host;
  int port = 0;
  EXPECT_TRUE(parse_open("127.0.0.1 8888", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8888);
  EXPECT_TRUE(parse_open("::1 1", host, port));
  EXPECT_EQ(host, "::1");
  for (const char* bad : {"", "8888", " 8888", "h ", "h 0", "h 65536", "h 12a", "h -1", "h 1234567"}) {
    EXPECT_FALSE(parse_open(bad, host, port)) << bad;
  }
}

TEST(MuxByteQueue, WhatIsTakenFromTheFrontLeavesTheRestInOrder) {
  ByteQueue q;
  std::string all;
  for (int i = 0; i < 100; ++i) {
    std::string piece(3000, static_cast<char>('a' + i % 26));
    q.append(piece);
    all += piece;
    std::size_t take = std::min<std::size_t>(q.size(), 2000);
    EXPECT_EQ(std::string(q.data(), take), all.substr(0, take));
    q.consume(take);
    all.erase(0, take);
    EXPECT_EQ(q.size(), all.size());
  }
}

TEST(MuxDirect, ListenRoundTripsOnChannelZero) {
  std::string stream;
  append_frame(stream, Type::Listen, 0, std::string(64, 'a'));
  append_frame(stream, Type::Listen, 0, "172.17.0.2 40123");
  auto got = decode(stream, 5);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, Type::Listen);
  EXPECT_EQ(got[1].payload, "172.17.0.2 40123");
}

TEST(MuxDirect, AHellosCapabilitiesAreTheWordsAfterVersionAndPid) {
  EXPECT_TRUE(has_capability("3 42 direct", kDirectCapability));
  EXPECT_TRUE(has_capability("3 42 other direct", "direct"));
  EXPECT_FALSE(has_capability("3 42", "direct")) << "an agent from before the lane";
  EXPECT_FALSE(has_capability("direct 42", "direct")) << "the version is not a capability";
  EXPECT_FALSE(has_capability("3 direct", "direct")) << "nor the pid";
  EXPECT_FALSE(has_capability("3 42 directly", "direct"));
  EXPECT_FALSE(has_capability("", "direct"));
  // What an older host reads from a newer agent's hello: the pid, as before.
  EXPECT_EQ(std::atoi(std::string("42 direct").c_str()), 42);
}

TEST(MuxDirect, AConnectionsFirstLineIsTakenOnlyWithTheSecretAndATarget) {
  std::string secret(64, '7'), host;
  int port = 0;
  EXPECT_TRUE(check_direct_line(secret + " 127.0.0.1 8888", secret, host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8888);
  std::string other = secret;
  other[63] = '8';
  EXPECT_FALSE(check_direct_line(other + " 127.0.0.1 8888", secret, host, port)) << "one digit off";
  EXPECT_FALSE(check_direct_line(secret.substr(1) + " 127.0.0.1 8888", secret, host, port)) << "one digit short";
  EXPECT_FALSE(check_direct_line(secret + "7 127.0.0.1 8888", secret, host, port)) << "one digit long";
  EXPECT_FALSE(check_direct_line(secret + " 127.0.0.1", secret, host, port)) << "no port";
  EXPECT_FALSE(check_direct_line(secret, secret, host, port));
  EXPECT_FALSE(check_direct_line("", secret, host, port));
}

TEST(MuxDirect, OnlyHexOfTheSecretsLengthIsASecret) {
  EXPECT_TRUE(is_secret(std::string(64, 'f')));
  EXPECT_FALSE(is_secret(std::string(63, 'f')));
  EXPECT_FALSE(is_secret(std::string(64, 'g')));
  EXPECT_FALSE(is_secret(""));
  EXPECT_TRUE(same_secret("abc", "abc"));
  EXPECT_FALSE(same_secret("abc", "abd"));
  EXPECT_FALSE(same_secret("abc", "ab"));
}

}  // namespace
}  // namespace dlc::agent::mux
