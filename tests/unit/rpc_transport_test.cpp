// The LSP frame reader: what it accepts, what it refuses, and that it keeps reading after a refusal.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rpc/transport.h"

namespace dlc::rpc {
namespace {

struct Fed {
  std::vector<std::string> messages;
  std::vector<std::string> errors;
};

Fed feed(FrameReader& reader, std::string_view data) {
  Fed out;
  reader.feed(
      data, [&](std::string&& body) { out.messages.push_back(std::move(body)); },
      [&](const std::string& why) { out.errors.push_back(why); });
  return out;
}

Fed feed_all(std::string_view data, FrameLimits limits = {}) {
  FrameReader reader(limits);
  return feed(reader, data);
}

TEST(FrameReader, ReadsSeveralMessagesFromOneChunk) {
  auto fed = feed_all(frame(R"({"a":1})") + frame(R"({"b":2})") + frame("[]"));
  EXPECT_TRUE(fed.errors.empty());
  EXPECT_EQ(fed.messages, (std::vector<std::string>{R"({"a":1})", R"({"b":2})", "[]"}));
}

TEST(FrameReader, AssemblesAMessageFedOneByteAtATime) {
  std::string stream = frame(R"({"jsonrpc":"2.0","method":"x"})") + frame("{}");
  FrameReader reader;
  std::vector<std::string> got;
  for (char c : stream) {
    auto fed = feed(reader, std::string_view(&c, 1));
    EXPECT_TRUE(fed.errors.empty());
    got.insert(got.end(), fed.messages.begin(), fed.messages.end());
  }
  EXPECT_EQ(got, (std::vector<std::string>{R"({"jsonrpc":"2.0","method":"x"})", "{}"}));
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FrameReader, AcceptsContentTypeAndHeaderNamesInAnyCase) {
  auto fed = feed_all("content-type: application/vscode-jsonrpc; charset=utf-8\r\nCONTENT-LENGTH:  2 \r\n\r\n{}");
  EXPECT_TRUE(fed.errors.empty());
  EXPECT_EQ(fed.messages, std::vector<std::string>{"{}"});
}

TEST(FrameReader, AnEmptyBodyIsAMessage) {
  auto fed = feed_all("Content-Length: 0\r\n\r\n" + frame("{}"));
  EXPECT_TRUE(fed.errors.empty());
  EXPECT_EQ(fed.messages, (std::vector<std::string>{"", "{}"}));
}

TEST(FrameReader, AHeaderWithoutContentLengthIsRefusedAndTheNextMessageRead) {
  auto fed = feed_all("Content-Type: x\r\n\r\n" + frame("{}"));
  ASSERT_EQ(fed.errors.size(), 1u);
  EXPECT_NE(fed.errors[0].find("no Content-Length"), std::string::npos);
  EXPECT_EQ(fed.messages, std::vector<std::string>{"{}"});
}

TEST(FrameReader, ALineThatIsNotAHeaderIsRefused) {
  auto fed = feed_all("hello\r\n\r\n" + frame("{}"));
  ASSERT_EQ(fed.errors.size(), 1u);
  EXPECT_NE(fed.errors[0].find("Name: value"), std::string::npos);
  EXPECT_EQ(fed.messages, std::vector<std::string>{"{}"});
}

TEST(FrameReader, ALengthThatIsNotANumberIsRefused) {
  for (std::string bad : {"abc", "-5", "12x", "", "99999999999999999999999"}) {
    auto fed = feed_all("Content-Length: " + bad + "\r\n\r\n" + frame("{}"));
    ASSERT_FALSE(fed.errors.empty()) << bad;
    EXPECT_NE(fed.errors[0].find("Content-Length"), std::string::npos) << bad;
    EXPECT_EQ(fed.messages, std::vector<std::string>{"{}"}) << bad;
  }
}

TEST(FrameReader, TwoDifferentLengthsAreRefused) {
  auto fed = feed_all("Content-Length: 2\r\nContent-Length: 3\r\n\r\n" + frame("{}"));
  ASSERT_FALSE(fed.errors.empty());
  EXPECT_NE(fed.errors[0].find("two different"), std::string::npos);
}

TEST(FrameReader, AnOversizedBodyIsSkippedWithoutBeingHeld) {
  FrameReader reader(FrameLimits{.max_header = 1024, .max_body = 100});
  auto fed = feed(reader, "Content-Length: 1000\r\n\r\n");
  ASSERT_EQ(fed.errors.size(), 1u);
  EXPECT_NE(fed.errors[0].find("over the limit"), std::string::npos);
  for (int i = 0; i < 10; ++i) {
    fed = feed(reader, std::string(100, 'x'));
    EXPECT_TRUE(fed.messages.empty());
    // At most the last header's worth of it, where the next message's header might begin.
    EXPECT_LE(reader.buffered(), 1024u + 3u);
  }
  fed = feed(reader, frame("{}"));
  EXPECT_TRUE(fed.errors.empty());
  EXPECT_EQ(fed.messages, std::vector<std::string>{"{}"});
}

TEST(FrameReader, AnOverlongHeaderIsSkippedWithoutBeingHeld) {
  FrameReader reader(FrameLimits{.max_header = 64, .max_body = 100});
  auto fed = feed(reader, "X-Long: " + std::string(1000, 'y'));
  ASSERT_EQ(fed.errors.size(), 1u);
  EXPECT_NE(fed.errors[0].find("longer than 64"), std::string::npos);
  EXPECT_LE(reader.buffered(), 64u + 4u);
  fed = feed(reader, std::string(5000, 'z') + "\r\n\r");
  EXPECT_TRUE(fed.errors.empty());
  fed = feed(reader, "\n" + frame("{}"));  // the terminator, split across feeds
  EXPECT_TRUE(fed.errors.empty());
  EXPECT_EQ(fed.messages, std::vector<std::string>{"{}"});
}

TEST(FrameReader, ALengthOfATebibyteThatIsALieCostsOnlyThatMessage) {
  // 2^40: over the limit, refused at once; the bytes that follow are the next messages, not its body.
  FrameReader reader;
  auto fed = feed(reader, "Content-Length: 1099511627776\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1}");
  ASSERT_EQ(fed.errors.size(), 1u);
  EXPECT_NE(fed.errors[0].find("over the limit"), std::string::npos);
  fed = feed(reader, frame(R"({"ok":1})") + frame(R"({"ok":2})"));
  EXPECT_TRUE(fed.errors.empty());
  EXPECT_EQ(fed.messages, (std::vector<std::string>{R"({"ok":1})", R"({"ok":2})"}));
}

TEST(FrameReader, ALengthWithinTheLimitThatIsALieCostsOnlyThatMessage) {
  // The body is short: the next header, inside what would be the body, starts the next message.
  FrameReader reader;
  auto fed = feed(reader, "Content-Length: 100000\r\n\r\n{\"a\":1}");
  EXPECT_TRUE(fed.messages.empty());
  fed = feed(reader, frame(R"({"ok":1})"));
  EXPECT_EQ(fed.messages, std::vector<std::string>{R"({"ok":1})"});
  ASSERT_EQ(fed.errors.size(), 1u);
  EXPECT_NE(fed.errors[0].find("ended after 7 bytes"), std::string::npos) << fed.errors[0];
}

TEST(FrameReader, TheNextHeaderIsFoundWhereverTheFeedsSplitIt) {
  std::string stream = "Content-Length: 5000000000\r\n\r\nabc" + frame(R"({"ok":1})") + "Content-Length: 500\r\n\r\nxyz" +
                       frame(R"({"ok":2})");
  for (std::size_t piece : {1u, 2u, 3u, 7u, 64u}) {
    FrameReader reader;
    std::vector<std::string> got;
    for (std::size_t at = 0; at < stream.size(); at += piece) {
      auto fed = feed(reader, std::string_view(stream).substr(at, piece));
      got.insert(got.end(), fed.messages.begin(), fed.messages.end());
    }
    EXPECT_EQ(got, (std::vector<std::string>{R"({"ok":1})", R"({"ok":2})"})) << "fed " << piece << " bytes at a time";
  }
}

TEST(FrameReader, ABodyWithBlankLinesBetweenItsTokensIsReadWhole) {
  // JSON may put CR LF CR LF between tokens; only a header block before it starts a new message.
  std::string body = "{\r\n\r\n\"a\": \"Content-Length: 3\"\r\n\r\n}";
  auto fed = feed_all(frame(body) + frame("{}"));
  EXPECT_TRUE(fed.errors.empty());
  EXPECT_EQ(fed.messages, (std::vector<std::string>{body, "{}"}));
}

TEST(FrameReader, AnOversizedBodyIsSkippedWholeEvenWithBlankLinesInIt) {
  FrameReader reader(FrameLimits{.max_header = 1024, .max_body = 100});
  std::string body = "[" + std::string(300, ' ') + "\r\n\r\n" + std::string(300, ' ') + "]";
  auto fed = feed(reader, "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body + frame("{}"));
  EXPECT_EQ(fed.errors.size(), 1u);
  EXPECT_EQ(fed.messages, std::vector<std::string>{"{}"});
  EXPECT_LE(reader.buffered(), 1024u + 4u);
}

TEST(FrameReader, BytesLeftByABrokenMessageAreSkippedUpToTheNextHeader) {
  // A body longer than its Content-Length leaves its tail in front of the next header.
  auto fed = feed_all("Content-Length: 5\r\n\r\n{\"a\":1234}" + frame(R"({"ok":1})"));
  EXPECT_EQ(fed.messages, (std::vector<std::string>{"{\"a\":", R"({"ok":1})"}));
  ASSERT_EQ(fed.errors.size(), 1u);
  EXPECT_NE(fed.errors[0].find("skipped 5 bytes"), std::string::npos);
}

TEST(FrameReader, AMisspelledLengthCostsThatMessageOnly) {
  auto fed = feed_all("Content-Lenght: 7\r\n\r\n{\"a\":1}" + frame(R"({"ok":1})"));
  EXPECT_EQ(fed.messages, std::vector<std::string>{R"({"ok":1})"});
  EXPECT_EQ(fed.errors.size(), 2u);  // the header without a length, then the body it left behind
}

TEST(Frame, WritesTheLengthInBytes) {
  EXPECT_EQ(frame("é"), "Content-Length: 2\r\n\r\né");
}

}  // namespace
}  // namespace dlc::rpc
