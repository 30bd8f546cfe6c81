// What a hostile or broken client sends, in process (issue 20): nesting deep enough to overflow a
// recursive copy, ids beyond 64 bits, params that break their schema (unknown fields, nulls, NUL bytes,
// relative paths), and more requests than a connection may have in flight. Each is answered, and the
// session goes on serving.
#include <gtest/gtest.h>

#include "rpc/message.h"
#include "rpc/methods.h"
#include "rpc_test_support.h"

namespace dlc::rpc {
namespace {

using namespace dlc::rpc::testing;

// `[` n times, then `]` n times.
std::string nested_arrays(std::size_t n) { return std::string(n, '[') + std::string(n, ']'); }

std::string nested_objects(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += "{\"a\":";
  out += "1";
  out += std::string(n, '}');
  return out;
}

using HostileInput = SessionTest;

TEST_F(HostileInput, ParamsNestedAHundredThousandDeepAreRefusedBeforeInitializeAndTheSessionGoesOn) {
  session_->receive(R"({"jsonrpc": "2.0", "id": 1, "method": "test/echo", "params": )" + nested_arrays(100'000) + "}");
  auto r = out_->response(1);
  EXPECT_EQ(r["error"]["code"], kInvalidRequest) << r;
  EXPECT_NE(r["error"]["message"].get<std::string>().find("deeper than 64"), std::string::npos) << r;
  session_->receive(R"({"jsonrpc": "2.0", "id": 2, "method": "test/echo", "params": {"text": "x", "deep": )" + nested_objects(100'000) + "}}");
  EXPECT_EQ(out_->response(2)["error"]["code"], kInvalidRequest);
  initialize();
  expect_still_serving(3);
}

TEST_F(HostileInput, ACancelWithADeeplyNestedIdIsRefusedAndTheSessionGoesOn) {
  initialize();
  send(request(5, "test/wait"));
  std::size_t before = out_->messages().size();
  session_->receive(R"({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": )" + nested_arrays(100'000) + "}}");
  auto refused = out_->wait_for([](const json& m) { return m.contains("error"); }, before);
  EXPECT_EQ(refused["error"]["code"], kInvalidRequest);
  EXPECT_TRUE(refused["id"].is_null());
  // A cancel whose id is neither a string nor an integer is not acted on, and says why.
  send(notification("$/cancelRequest", {{"id", {{"nested", {1, 2}}}}}));
  out_->wait_for([](const json& m) { return m.value("method", "") == "window/logMessage"; }, before);
  expect_still_serving(6);
  send(notification("$/cancelRequest", {{"id", 5}}));
  EXPECT_EQ(out_->response(5)["error"]["code"], kRequestCancelled);
}

TEST_F(HostileInput, NestingUpToTheLimitIsReadAndOneLevelMoreIsRefused) {
  initialize();
  // The message is depth 1 and params depth 2: params may hold 62 more levels.
  session_->receive(R"({"jsonrpc": "2.0", "id": 1, "method": "test/any", "params": {"deep": )" + nested_arrays(62) + "}}");
  EXPECT_EQ(out_->response(1)["result"], 1);
  session_->receive(R"({"jsonrpc": "2.0", "id": 2, "method": "test/any", "params": {"deep": )" + nested_arrays(63) + "}}");
  EXPECT_EQ(out_->response(2)["error"]["code"], kInvalidRequest);
}

TEST_F(HostileInput, AnIdIsEchoedExactlyAsWrittenWhateverItsSize) {
  initialize();
  for (std::string id : {"18446744073709551616", "-9223372036854775809", "123456789012345678901234567890", "0", "\"007\""}) {
    std::size_t before = out_->messages().size();
    session_->receive(R"({"jsonrpc": "2.0", "id": )" + id + R"(, "method": "test/echo", "params": {"text": "x"}})");
    out_->wait_for([&](const json& m) { return m.contains("result"); }, before);
  }
  std::string all;
  for (const auto& t : out_->texts()) all += t + "\n";
  for (std::string id : {"18446744073709551616", "-9223372036854775809", "123456789012345678901234567890", "\"007\""}) {
    EXPECT_NE(all.find(R"("id":)" + id + R"(,"result":{"text":"x"})"), std::string::npos) << id << " in\n" << all;
  }
}

TEST_F(HostileInput, IdsBeyond64BitsThatADoubleCannotTellApartStayTwoRequests) {
  initialize();
  session_->receive(R"({"jsonrpc": "2.0", "id": 18446744073709551616, "method": "test/wait"})");
  session_->receive(R"({"jsonrpc": "2.0", "id": 18446744073709551617, "method": "test/wait"})");
  session_->receive(R"({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 18446744073709551617}})");
  out_->wait_for([](const json& m) { return m.contains("error"); });
  auto texts = out_->texts();
  std::string all;
  for (const auto& t : texts) all += t + "\n";
  EXPECT_NE(all.find(R"("id":18446744073709551617,"error":{"code":-32800)"), std::string::npos) << all;
  EXPECT_EQ(all.find("still in flight"), std::string::npos) << all;
  EXPECT_EQ(session_->in_flight(), 1u);
  session_->receive(R"({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 18446744073709551616}})");
  EXPECT_TRUE(session_->wait_idle(std::chrono::seconds(10)));
}

TEST_F(HostileInput, AtTheInFlightCapARequestIsAnsweredAtOnceAndACancelStillWorks) {
  initialize();
  for (int i = 0; i < 64; ++i) send(request(1000 + i, "test/wait"));
  auto over = call(2000, "test/echo", {{"text", "x"}});
  EXPECT_EQ(over["error"]["code"], kTooManyRequests) << over;
  EXPECT_NE(over["error"]["message"].get<std::string>().find("64 requests"), std::string::npos);
  send(notification("$/cancelRequest", {{"id", 1000}}));
  EXPECT_EQ(out_->response(1000)["error"]["code"], kRequestCancelled);
  // One answered: one more may start.
  send(request(3000, "test/echo", {{"text", "y"}}));
  EXPECT_EQ(out_->response(3000)["result"]["text"], "y");
}

class RealMethods : public SessionTest {
 protected:
  RealMethods() : SessionTest(default_methods()) {}
  // The answer to a request of the real method table, whose handlers would reach the engine (absent
  // here, 1004): an answer of -32602 shows the params were refused before any handler ran.
  json refused(const std::string& method, json params) {
    static int id = 100;
    return call(++id, method, std::move(params))["error"];
  }
};

TEST_F(RealMethods, UnknownAndNullFieldsAreRefusedNamingTheField) {
  initialize();
  auto unknown = refused("workspace/status", {{"workspace", "/w"}, {"folder", "/w"}});
  EXPECT_EQ(unknown["code"], kInvalidParams) << unknown;
  EXPECT_NE(unknown["message"].get<std::string>().find("params.folder is not a field"), std::string::npos) << unknown;
  auto null = refused("workspace/up", {{"workspace", "/w"}, {"config", nullptr}});
  EXPECT_EQ(null["code"], kInvalidParams) << null;
  EXPECT_NE(null["message"].get<std::string>().find("params.config must be a string, not null"), std::string::npos) << null;
  auto wrong = refused("workspace/exec", {{"workspace", "/w"}, {"command", {"ls", 3}}});
  EXPECT_NE(wrong["message"].get<std::string>().find("params.command[1] must be a string"), std::string::npos) << wrong;
  // The same params, conforming, reach the handler (which finds no engine here).
  EXPECT_EQ(refused("workspace/status", {{"workspace", "/w"}})["code"], 1004);
}

TEST_F(RealMethods, ANulByteInAPathIsRefusedNotTruncated) {
  initialize();
  for (const char* method : {"workspace/down", "workspace/status", "workspace/up", "services/list"}) {
    auto e = refused(method, {{"workspace", std::string("/tmp/a\0b", 8)}});
    EXPECT_EQ(e["code"], kInvalidParams) << method << ": " << e;
  }
  auto config = refused("workspace/up", {{"workspace", "/w"}, {"config", std::string("/w/x\0y", 6)}});
  EXPECT_EQ(config["code"], kInvalidParams) << config;
}

TEST_F(RealMethods, RelativePathsAreRefusedNotResolvedAgainstTheServersFolder) {
  initialize();
  EXPECT_EQ(refused("workspace/up", {{"workspace", "relative/folder"}})["code"], kInvalidParams);
  EXPECT_EQ(refused("workspace/up", {{"workspace", "/w"}, {"config", ".devcontainer/devcontainer.json"}})["code"], kInvalidParams);
  EXPECT_EQ(refused("ide/interpreter", {{"workspace", "/w"}, {"config", "devcontainer.json"}})["code"], kInvalidParams);
  EXPECT_EQ(refused("ide/interpreter", {{"workspace", "/w"}, {"helpers", {"rel"}}})["code"], kInvalidParams);
  EXPECT_EQ(refused("workspace/plan", {{"workspace", "rel"}})["code"], kInvalidParams);
  EXPECT_EQ(refused("workspace/plan", {{"workspace", "/w"}, {"catalog", "mine.json"}})["code"], kInvalidParams);
}

TEST_F(RealMethods, ATokenOrPortOutsideItsTypeIsRefused) {
  initialize();
  EXPECT_EQ(refused("workspace/exec", {{"workspace", "/w"}, {"command", {"ls"}}, {"outputToken", {{"a", 1}}}})["code"], kInvalidParams);
  EXPECT_EQ(refused("workspace/status", {{"workspace", "/w"}, {"workDoneToken", 1.5}})["code"], kInvalidParams);
  EXPECT_EQ(refused("services/jupyter", {{"workspace", "/w"}, {"port", 70000}})["code"], kInvalidParams);
  EXPECT_EQ(refused("services/stop", {{"workspace", "/w"}, {"kind", "vnc"}})["code"], kInvalidParams);
  EXPECT_EQ(refused("workspace/exec", {{"workspace", "/w"}, {"command", json::array()}})["code"], kInvalidParams);
}

TEST(ReadMessage, KeepsTheIdAsWrittenAndTheKindOfMessage) {
  auto r = read_message(R"({"jsonrpc":"2.0","id":18446744073709551616,"method":"m","params":{"a":[1]}})");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.kind, IncomingMessage::Kind::Request);
  EXPECT_EQ(r.id.text(), "18446744073709551616");
  EXPECT_EQ(r.params, json({{"a", {1}}}));
  auto n = read_message(R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"x"}})");
  EXPECT_EQ(n.kind, IncomingMessage::Kind::Notification);
  ASSERT_TRUE(n.params_id);
  EXPECT_EQ(n.params_id->text(), "\"x\"");
  auto resp = read_message(R"({"jsonrpc":"2.0","id":3,"result":null})");
  EXPECT_EQ(resp.kind, IncomingMessage::Kind::Response);
  // The id of a refused request is still read, so that its client is answered.
  auto deep = read_message(R"({"jsonrpc":"2.0","method":"m","params":)" + nested_arrays(70) + R"(,"id":"late"})");
  ASSERT_TRUE(deep.error);
  EXPECT_EQ(deep.id.text(), "\"late\"");
  // A syntax error after the depth is exceeded is still a parse error.
  auto broken = read_message(R"({"id":1,"params":)" + std::string(100, '[') + "}");
  ASSERT_TRUE(broken.error);
  EXPECT_EQ(broken.error->code(), kParseError);
  EXPECT_TRUE(broken.id.is_null());
}

}  // namespace
}  // namespace dlc::rpc
