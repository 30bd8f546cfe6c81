// The server as clients meet it, in process and without an engine: Server::serve_socket with the test
// methods, clients on its unix socket. What issue 20 found: a client at its cap on requests in flight
// was no longer read (its cancel and its end went unseen), two such clients starved a third, one lying
// Content-Length silenced the connection, and one deep frame killed the server.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <future>
#include <thread>

#include "rpc/server.h"
#include "rpc_test_support.h"

namespace dlc::rpc {
namespace {

using namespace dlc::rpc::testing;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // As `dlcontainer serve` does: a client that goes away is an EPIPE, not the end of the process.
    ::signal(SIGPIPE, SIG_IGN);
    char tmpl[] = "/tmp/dlc-rpc-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "s.sock").string();
    ServerOptions o;
    o.version = "test";
    o.watch_events = false;
    std::promise<void> listening;
    auto ready = listening.get_future();
    o.on_listening = [&listening](const std::string&) { listening.set_value(); };
    server_ = std::make_unique<Server>(std::move(o), test_methods());
    serving_ = std::async(std::launch::async, [this] { return server_->serve_socket(path_); });
    ASSERT_EQ(ready.wait_for(std::chrono::seconds(10)), std::future_status::ready) << "the server never listened";
  }
  void TearDown() override {
    server_->stop();
    EXPECT_EQ(serving_.wait_for(std::chrono::seconds(30)), std::future_status::ready) << "the server did not stop";
    if (serving_.valid() && serving_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) serving_.get();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<SocketClient> client() {
    auto c = std::make_unique<SocketClient>(path_);
    c->initialize();
    return c;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<Server> server_;
  std::future<int> serving_;
};

TEST_F(ServerTest, AClientAtItsCapIsStillReadItsCancelWorksAndItsEndCancelsTheRest) {
  auto c = client();
  for (int i = 0; i < 64; ++i) c->send(request(i, "test/wait"));
  // More is answered at once, not left unread.
  auto over = c->call(100, "test/echo", {{"text", "x"}});
  EXPECT_EQ(over["error"]["code"], kTooManyRequests) << over;
  c->send(notification("$/cancelRequest", {{"id", 7}}));
  EXPECT_EQ(c->response(7)["error"]["code"], kRequestCancelled);
  // The end of the client's input is seen: every request still in flight is cancelled and answered,
  // then the server closes the connection.
  c->close_input();
  for (int i = 0; i < 64; ++i) {
    if (i == 7) continue;
    auto r = c->response(i);
    ASSERT_EQ(r["error"]["code"], kRequestCancelled) << "request " << i << ": " << r;
  }
  EXPECT_TRUE(c->wait_closed());
}

TEST_F(ServerTest, TwoClientsAtTheirCapDoNotKeepAThirdWaiting) {
  auto a = client();
  auto b = client();
  for (int i = 0; i < 64; ++i) {
    a->send(request(i, "test/wait"));
    b->send(request(i, "test/wait"));
  }
  // Both have their requests in flight (a 65th is refused), and hold threads for some of them.
  EXPECT_EQ(a->call(100, "test/echo", {{"text", "x"}})["error"]["code"], kTooManyRequests);
  EXPECT_EQ(b->call(100, "test/echo", {{"text", "x"}})["error"]["code"], kTooManyRequests);
  auto c = client();
  for (int i = 0; i < 20; ++i) {
    auto r = c->call(i, "test/echo", {{"text", "third"}});
    ASSERT_EQ(r["result"]["text"], "third") << "call " << i << ": " << r;
  }
}

TEST_F(ServerTest, ALyingContentLengthCostsOneMessageNotTheConnection) {
  auto c = client();
  c->send_raw("Content-Length: 1099511627776\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test/echo\"}");
  auto error = c->next();
  ASSERT_TRUE(error) << "the refused frame was not answered";
  EXPECT_EQ((*error)["error"]["code"], kParseError);
  EXPECT_EQ(c->call(2, "test/echo", {{"text", "after"}})["result"]["text"], "after");
  c->send_raw("Content-Length: 9000\r\n\r\n{}");
  EXPECT_EQ(c->call(3, "test/echo", {{"text", "again"}})["result"]["text"], "again");
}

TEST_F(ServerTest, AFrameNestedFarTooDeepIsRefusedAndTheServerServesEveryone) {
  auto other = client();
  SocketClient early(path_);  // not initialized: the frame comes first
  early.send_raw(frame(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":)" + std::string(100'000, '[') +
                       std::string(100'000, ']') + "}}"));
  EXPECT_EQ(early.response(1)["error"]["code"], kInvalidRequest);
  early.initialize();
  EXPECT_EQ(early.call(2, "test/echo", {{"text", "e"}})["result"]["text"], "e");
  EXPECT_EQ(other->call(1, "test/echo", {{"text", "o"}})["result"]["text"], "o");
}

}  // namespace
}  // namespace dlc::rpc
