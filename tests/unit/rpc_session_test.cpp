// The protocol binding, in process: the handshake, every class of malformed message, error mapping,
// cancellation and progress, with handlers run by the real worker pool.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "rpc/methods.h"
#include "rpc/progress.h"
#include "rpc_test_support.h"

namespace dlc::rpc {
namespace {

using namespace dlc::rpc::testing;

TEST_F(SessionTest, ARequestBeforeInitializeIsRefusedAsNotInitialized) {
  auto r = call(1, "test/echo", {{"text", "x"}});
  EXPECT_EQ(r["error"]["code"], kServerNotInitialized);
  EXPECT_EQ(r["error"]["data"]["hint"], "send initialize first");
  initialize();
  expect_still_serving(2);
}

TEST_F(SessionTest, InitializeAnswersVersionMethodsAndNotifications) {
  methods_.emits("test/didSomething");
  auto r = call(1, "initialize", {{"processId", 12}, {"clientInfo", {{"name", "vscode"}, {"version", "1.90"}}}, {"capabilities", json::object()}});
  const auto& result = r["result"];
  EXPECT_EQ(result["serverInfo"]["name"], "dlcontainer");
  EXPECT_EQ(result["serverInfo"]["version"], "9.9.9");
  auto methods = result["capabilities"]["methods"].get<std::vector<std::string>>();
  for (const char* m : {"initialize", "shutdown", "test/echo", "test/wait"}) {
    EXPECT_NE(std::find(methods.begin(), methods.end(), m), methods.end()) << m;
  }
  auto notes = result["capabilities"]["notifications"].get<std::vector<std::string>>();
  for (const char* n : {"test/didSomething", "$/progress", "window/logMessage"}) {
    EXPECT_NE(std::find(notes.begin(), notes.end(), n), notes.end()) << n;
  }
  EXPECT_EQ(result["capabilities"]["workDoneProgress"], true);
  auto again = call(2, "initialize");
  EXPECT_EQ(again["error"]["code"], kInvalidRequest);
}

TEST_F(SessionTest, AnAnswerGivenAtOnceIsSentBeforeReceiveReturnsAndAMissGoesToTheHandler) {
  bool have = true;
  std::thread::id answered_on;
  methods_.answer_at_once("test/echo", [&](const json& params, Backend&) -> std::optional<Answer> {
    answered_on = std::this_thread::get_id();
    if (!have) return std::nullopt;
    return json{{"text", "at once: " + params.at("text").get<std::string>()}};
  });
  initialize();
  std::size_t before = out_->messages().size();
  send(request(1, "test/echo", {{"text", "x"}}));
  auto sent = out_->messages();  // no waiting: it is there already, answered on this thread
  ASSERT_EQ(sent.size(), before + 1);
  EXPECT_EQ(sent.back()["id"], 1);
  EXPECT_EQ(sent.back()["result"]["text"], "at once: x");
  EXPECT_EQ(answered_on, std::this_thread::get_id());
  have = false;
  EXPECT_EQ(call(2, "test/echo", {{"text", "y"}})["result"]["text"], "y");  // the handler's, on a worker
  have = true;
  // Params that break the schema never reach the quick answer: the handler answers the error.
  EXPECT_EQ(call(3, "test/echo", {{"text", 5}})["error"]["code"], kInvalidParams);
  // A workDoneToken asks for $/progress begin and end, which the worker's way sends.
  EXPECT_EQ(call(4, "test/echo", {{"text", "z"}, {"workDoneToken", "t"}})["result"]["text"], "z");
  EXPECT_THROW(methods_.answer_at_once("no/such", [](const json&, Backend&) { return std::optional<Answer>(); }), std::logic_error);
}

TEST_F(SessionTest, EachClassOfMalformedMessageIsAnsweredAndTheSessionKeepsServing) {
  initialize();
  struct Case {
    std::string body;
    int code;
  };
  const std::vector<Case> cases = {
      {"{not json", kParseError},
      {"\xff\xfe{}", kParseError},
      {"", kParseError},
      {"[1, 2]", kInvalidRequest},
      {"\"a string\"", kInvalidRequest},
      {"42", kInvalidRequest},
      {R"({"id": 1, "method": "test/echo"})", kInvalidRequest},              // no jsonrpc
      {R"({"jsonrpc": "1.0", "id": 1, "method": "test/echo"})", kInvalidRequest},
      {R"({"jsonrpc": "2.0", "id": 1})", kInvalidRequest},                   // no method
      {R"({"jsonrpc": "2.0", "id": {"x": 1}, "method": "test/echo"})", kInvalidRequest},
      {R"({"jsonrpc": "2.0", "id": 1, "method": 5})", kInvalidRequest},
      {R"({"jsonrpc": "2.0", "id": 1, "method": "test/echo", "params": 3})", kInvalidRequest},
      {R"({"jsonrpc": "2.0", "id": 1, "method": "no/such"})", kMethodNotFound},
      {R"({"jsonrpc": "2.0", "id": 1, "method": "test/echo", "params": {}})", kInvalidParams},
      {R"({"jsonrpc": "2.0", "id": 1, "method": "test/echo", "params": {"text": 5}})", kInvalidParams},
      {R"({"jsonrpc": "2.0", "id": 1, "method": "test/echo", "params": [1]})", kInvalidParams},
      {R"({"jsonrpc": "2.0", "id": 1, "method": "test/echo", "params": {"text": "x", "colour": 1}})", kInvalidParams},
      {R"({"jsonrpc": "2.0", "id": 1, "method": "test/echo", "params": {"text": null}})", kInvalidParams},
      {R"({"jsonrpc": "2.0", "id": 1.5, "method": "test/echo", "params": {"text": "x"}})", kInvalidRequest},
      {R"({"jsonrpc": "2.0", "id": null, "method": "test/echo", "params": {"text": "x"}})", kInvalidRequest},
      {R"({"jsonrpc": "2.0", "id": 1, "method": "test/echo", "params": {"text": "x"}, "extra": 1})", kInvalidRequest},
      {R"({"jsonrpc": "2.0", "id": 1, "method": "test/echo", "result": 1})", kInvalidRequest},
      {R"({"jsonrpc": "2.0", "id": 1, "method": "test/echo", "params": {"text": "x", "times": 1e999}})", kParseError},
  };
  int id = 100;
  for (const auto& c : cases) {
    std::size_t before = out_->messages().size();
    session_->receive(c.body);
    auto answer = out_->wait_for([](const json& m) { return m.contains("error"); }, before);
    EXPECT_EQ(answer["error"]["code"], c.code) << c.body << " -> " << answer;
    EXPECT_EQ(answer["jsonrpc"], "2.0");
    EXPECT_TRUE(answer["error"]["message"].is_string());
    expect_still_serving(++id);
  }
}

TEST_F(SessionTest, AnIdCanBeReusedAsSoonAsItsAnswerArrives) {
  // The in-flight entry goes before the answer is sent; a client that reuses the id at once is served.
  initialize();
  for (int i = 0; i < 300; ++i) {
    std::size_t before = out_->messages().size();
    send(request(7, "test/echo", {{"text", "x"}}));
    auto r = out_->wait_for([](const json& m) { return m.contains("id") && m["id"] == 7; }, before);
    ASSERT_EQ(r["result"]["text"], "x") << "round " << i << ": " << r;
  }
}

TEST_F(SessionTest, AFramingErrorIsAnsweredAsAParseErrorWithoutAnId) {
  initialize();
  session_->frame_error("the header has no Content-Length");
  auto answer = out_->wait_for([](const json& m) { return m.contains("error"); });
  EXPECT_EQ(answer["error"]["code"], kParseError);
  EXPECT_TRUE(answer["id"].is_null());
  EXPECT_NE(answer["error"]["message"].get<std::string>().find("no Content-Length"), std::string::npos);
  expect_still_serving(1);
}

TEST_F(SessionTest, ADlcErrorKeepsItsCodeNameAndHint) {
  initialize();
  auto r = call("s-1", "test/fail");
  EXPECT_EQ(r["id"], "s-1");
  EXPECT_EQ(r["error"]["code"], kErrorBase + static_cast<int>(ErrorCode::ContainerNotFound));
  EXPECT_EQ(r["error"]["message"], "no container for /w");
  EXPECT_EQ(r["error"]["data"]["code"], "containerNotFound");
  EXPECT_EQ(r["error"]["data"]["hint"], "run `dlcontainer up /w` first");
}

TEST_F(SessionTest, AnUnexpectedExceptionIsAnInternalErrorAndTheSessionGoesOn) {
  initialize();
  auto r = call(1, "test/crash");
  EXPECT_EQ(r["error"]["code"], kInternalError);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("boom"), std::string::npos);
  expect_still_serving(2);
}

TEST_F(SessionTest, AVoidHandlerAnswersNull) {
  initialize();
  auto r = call(1, "test/void");
  ASSERT_TRUE(r.contains("result"));
  EXPECT_TRUE(r["result"].is_null());
}

TEST_F(SessionTest, ARenderedResultIsSentAsItsTextInsideTheOneEnvelope) {
  initialize();
  auto r = call("r1", "test/rendered");
  // The same value a json result would give, in the same envelope, with the id as the client wrote it.
  EXPECT_EQ(r["result"], json::parse(*rendered_text().text)) << r;
  EXPECT_EQ(r["jsonrpc"], "2.0");
  EXPECT_EQ(r["id"], "r1");
  // ...and the text itself, unchanged, not a tree built again and printed per call.
  EXPECT_EQ(out_->texts().back(), R"({"jsonrpc":"2.0","id":"r1","result":)" + *rendered_text().text + "}");
  auto again = call(2, "test/rendered");
  EXPECT_EQ(again["result"], r["result"]);
}

TEST_F(SessionTest, CancelRequestStopsTheHandlerAndAnswersRequestCancelled) {
  initialize();
  send(request(7, "test/wait", {{"workDoneToken", "w7"}}));
  out_->wait_for([](const json& m) { return m.value("method", "") == "$/progress" && m["params"]["value"]["kind"] == "report"; });
  send(notification("$/cancelRequest", {{"id", 7}}));
  auto r = out_->response(7);
  // Uncancelled, test/wait would answer a result after a minute: this answer is the cancel's.
  EXPECT_EQ(r["error"]["code"], kRequestCancelled);
  // A cancel for a request already answered, or never made, changes nothing.
  send(notification("$/cancelRequest", {{"id", 7}}));
  send(notification("$/cancelRequest", {{"id", "nope"}}));
  expect_still_serving(8);
}

TEST_F(SessionTest, AWorkDoneTokenBracketsTheRequestWithBeginAndEndBeforeTheResponse) {
  initialize();
  auto r = call(3, "test/echo", {{"text", "a"}, {"workDoneToken", 41}});
  auto all = out_->messages();
  std::vector<std::string> kinds;
  for (const auto& m : all) {
    if (m.value("method", "") == "$/progress") {
      EXPECT_EQ(m["params"]["token"], 41);
      kinds.push_back(m["params"]["value"]["kind"]);
    }
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"begin", "end"}));
  // The end comes before the response.
  auto end_at = std::find_if(all.begin(), all.end(), [](const json& m) { return m.value("method", "") == "$/progress" && m["params"]["value"]["kind"] == "end"; });
  auto response_at = std::find_if(all.begin(), all.end(), [](const json& m) { return m.contains("id") && m["id"] == 3; });
  EXPECT_LT(end_at, response_at);
  // No token: no progress.
  std::size_t before = all.size();
  call(4, "test/echo", {{"text", "b"}});
  for (std::size_t i = before; i < out_->messages().size(); ++i) EXPECT_NE(out_->messages()[i].value("method", ""), "$/progress");
}

TEST_F(SessionTest, AnIdStillInFlightCannotBeReused) {
  initialize();
  send(request(5, "test/wait"));
  send(request(5, "test/echo", {{"text", "x"}}));
  auto refused = out_->response(5);
  EXPECT_EQ(refused["error"]["code"], kInvalidRequest);
  send(notification("$/cancelRequest", {{"id", 5}}));
  auto cancelled = out_->wait_for([](const json& m) { return m.contains("error") && m["error"]["code"] == kRequestCancelled; });
  EXPECT_EQ(cancelled["id"], 5);
}

TEST_F(SessionTest, AfterShutdownRequestsAreRefusedAndExitCloses) {
  initialize();
  auto r = call(1, "shutdown");
  ASSERT_TRUE(r.contains("result"));
  EXPECT_TRUE(session_->shutdown_requested());
  auto late = call(2, "test/echo", {{"text", "x"}});
  EXPECT_EQ(late["error"]["code"], kInvalidRequest);
  send(notification("exit"));
  EXPECT_TRUE(out_->wait_closed());
  EXPECT_TRUE(session_->exited());
}

TEST_F(SessionTest, AClientGoingAwayCancelsItsRequestsAndClosesOnceTheyAnswer) {
  initialize();
  send(request(1, "test/wait"));
  send(request(2, "test/wait"));
  session_->closed();
  EXPECT_TRUE(out_->wait_closed());
  EXPECT_EQ(session_->in_flight(), 0u);
  EXPECT_EQ(out_->closes(), 1);
}

TEST_F(SessionTest, AnUnknownNotificationIsIgnoredWithAWarningAndADollarOneSilently) {
  initialize();
  send(notification("$/setTrace", {{"value", "off"}}));
  send(notification("workspace/didSomething"));
  auto warning = out_->wait_for([](const json& m) { return m.value("method", "") == "window/logMessage"; });
  EXPECT_NE(warning["params"]["message"].get<std::string>().find("workspace/didSomething"), std::string::npos) << warning;
  expect_still_serving(1);
  for (const auto& m : out_->messages()) EXPECT_EQ(m.dump().find("setTrace"), std::string::npos) << m;
}

TEST_F(SessionTest, AResponseFromTheClientIsIgnoredWithAWarning) {
  initialize();
  session_->receive(R"({"jsonrpc": "2.0", "id": 99, "result": 1})");
  auto warning = out_->wait_for([](const json& m) { return m.value("method", "") == "window/logMessage"; });
  EXPECT_EQ(warning["params"]["type"], static_cast<int>(MessageType::Warning));
  expect_still_serving(1);
}

TEST(RpcErrors, DlcErrorCodesMapIntoTheDocumentedRange) {
  EXPECT_EQ(rpc_code(ErrorCode::Internal), kInternalError);
  EXPECT_EQ(rpc_code(ErrorCode::InvalidArgument), kInvalidParams);
  EXPECT_EQ(rpc_code(ErrorCode::Cancelled), kRequestCancelled);
  EXPECT_EQ(rpc_code(ErrorCode::PathNotFound), 1002);
  EXPECT_EQ(rpc_code(ErrorCode::EngineUnavailable), 1004);
  for (int c = 0; c <= static_cast<int>(ErrorCode::Conflict); ++c) {
    int code = rpc_code(static_cast<ErrorCode>(c));
    EXPECT_TRUE((code >= 1000 && code < 1100) || code == kInternalError || code == kInvalidParams || code == kRequestCancelled);
  }
}

TEST(RpcEnvelope, InvalidUtf8IsReplacedNotFatal) {
  json j = {{"data", std::string("ok \xff\xfe end")}};
  auto text = response_message(RequestId::string("r"), j);
  EXPECT_NE(text.find("ok "), std::string::npos);
  EXPECT_FALSE(json::parse(text)["result"]["data"].get<std::string>().empty());
}

TEST(RpcEnvelope, EveryKindOfMessageIsOneJsonRpcObject) {
  auto id = *RequestId::integer("18446744073709551616");
  EXPECT_EQ(response_message(id, {{"a", 1}}), R"({"jsonrpc":"2.0","id":18446744073709551616,"result":{"a":1}})");
  EXPECT_EQ(error_message(RequestId(), kParseError, "bad", "fix it"),
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"data":{"hint":"fix it"},"message":"bad"}})");
  EXPECT_EQ(notification_message(kLogMessage, LogMessageParams{MessageType::Warning, "w"}),
            R"({"jsonrpc":"2.0","method":"window/logMessage","params":{"message":"w","type":2}})");
  EXPECT_EQ(RequestId::string("a\"b").text(), R"("a\"b")");
  EXPECT_FALSE(RequestId::integer("1.5"));
  EXPECT_FALSE(RequestId::integer("1e3"));
  EXPECT_FALSE(RequestId::integer("-"));
}

TEST(MethodTable, AddingAMethodTwiceOrOneWithoutASchemaIsABug) {
  MethodTable t(test_schemas());
  t.add<Empty>("test/void", [](const Empty&, Call&) {});
  EXPECT_THROW(t.add<Empty>("test/void", [](const Empty&, Call&) {}), std::logic_error);
  EXPECT_THROW(t.add<Empty>("test/unknown", [](const Empty&, Call&) {}), std::logic_error);
  MethodTable real;
  EXPECT_THROW(real.add<Empty>("workspace/teleport", [](const Empty&, Call&) {}), std::logic_error);
}

// Every method and notification the server can send has a schema in schemas/protocol/, so that what
// a new method sends is checked by the schema tests from its first day.
TEST(ProtocolSchemas, EveryMethodAndNotificationHasOne) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(DLC_SOURCE_DIR) / "schemas" / "protocol";
  auto table = default_methods();
  auto file_for = [&](std::string name) {
    for (auto& c : name) if (c == '/') c = '.';
    return dir / (name + ".json");
  };
  auto load = [](const fs::path& p) {
    std::ifstream in(p);
    return json::parse(in, nullptr, false);
  };
  std::vector<std::string> requests = table.methods();
  requests.insert(requests.end(), {"initialize", "shutdown"});
  for (const auto& m : requests) {
    auto schema = load(file_for(m));
    ASSERT_FALSE(schema.is_discarded()) << "missing or broken: " << file_for(m);
    EXPECT_TRUE(schema["$defs"].contains("params")) << m;
    EXPECT_TRUE(schema["$defs"].contains("result")) << m;
    EXPECT_EQ(schema["title"], m);
  }
  std::vector<std::string> notes = table.notifications();
  notes.insert(notes.end(), {"$/progress", "window/logMessage", "$/cancelRequest", "initialized", "exit"});
  for (const auto& n : notes) {
    auto schema = load(file_for(n));
    ASSERT_FALSE(schema.is_discarded()) << "missing or broken: " << file_for(n);
    EXPECT_TRUE(schema["$defs"].contains("params")) << n;
    EXPECT_EQ(schema["title"], n);
  }
}

TEST(DidChangeStatus, AnEventWithoutAFolderToLookAtStillSaysTheState) {
  EXPECT_EQ(status_after({"/gone", "c1", "destroy", 0}).state, "none");
  EXPECT_EQ(status_after({"/gone", "c1", "die", 0}).state, "exited");
  EXPECT_EQ(status_after({"/gone", "c1", "start", 0}).state, "running");
  EXPECT_EQ(status_after({"/gone", "c1", "pause", 0}).state, "paused");
}

}  // namespace
}  // namespace dlc::rpc
