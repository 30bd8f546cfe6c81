// The services methods of `dlcontainer serve` against the real engine: the port forwards the server
// keeps for them live exactly as long as their container (and the server; tests/node/services.test.mjs
// checks that end), and a cancelled debugger start leaves nothing running.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "integration/rpc_client.h"
#include "integration/support.h"

namespace dlc::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kServicesImage = "dlc-test/services:latest";
constexpr int kRequestCancelled = -32800;

#define DLC_REQUIRE_SERVICES_IMAGE()                                \
  DLC_REQUIRE_ENGINE();                                             \
  ASSERT_TRUE(engine.inspect_image(kServicesImage))                 \
      << kServicesImage << " is missing: tests/images/build.sh services builds it"

// Whether something accepts on 127.0.0.1:port.
bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// slow_debugger: a debugpy server (a Python run with --listen) takes 8 s to start, through a
// sitecustomize on PYTHONPATH, so that a cancel sent as it starts always arrives before it listens.
void up_services_workspace(Workspace& ws, RpcClient& client, bool slow_debugger = false) {
  std::string env = slow_debugger ? R"(, "containerEnv": {"PYTHONPATH": "${containerWorkspaceFolder}/slowstart"})" : "";
  ws.devcontainer(std::string(R"({"image": ")") + kServicesImage + "\"" + env + "}");
  ws.write("slowstart/sitecustomize.py", "import sys, time\nif '--listen' in sys.argv:\n    time.sleep(8)\n");
  ws.write("held.py", "import time\nfor i in range(600):\n    time.sleep(0.5)\n");
  auto up = client.call("workspace/up", {{"workspace", ws.str()}});
  ASSERT_TRUE(up.contains("result")) << up;
}

TEST(RpcServices, AForwardTheServerKeepsClosesWhenItsContainerStops) {
  DLC_REQUIRE_SERVICES_IMAGE();
  Workspace ws("fwd");
  auto client = RpcClient::stdio();
  client->initialize();
  up_services_workspace(ws, *client);

  auto r = client->call("debug/python", {{"workspace", ws.str()}, {"command", {"held.py"}}, {"wait", true}});
  ASSERT_TRUE(r.contains("result")) << r;
  EXPECT_EQ(r["result"]["via"], "forwarded");
  int port = r["result"]["hostPort"];
  EXPECT_TRUE(accepts(port)) << "the forward accepts while the container runs";

  auto down = client->call("workspace/down", {{"workspace", ws.str()}});
  ASSERT_TRUE(down.contains("result")) << down;
  EXPECT_TRUE(eventually([&] { return !accepts(port); })) << "127.0.0.1:" << port << " still accepts after the container stopped";
  // The server itself runs on.
  auto status = client->call("workspace/status", {{"workspace", ws.str()}});
  EXPECT_EQ(status["result"]["state"], "exited") << status;
}

TEST(RpcServices, ACancelledDebuggerStartLeavesNoDebuggerRunning) {
  DLC_REQUIRE_SERVICES_IMAGE();
  Workspace ws("dbgcancel");
  auto client = RpcClient::stdio();
  client->initialize();
  up_services_workspace(ws, *client, /*slow_debugger=*/true);
  auto id = client->send_request("debug/python", {{"workspace", ws.str()}, {"command", {"held.py"}}, {"workDoneToken", "d"}});
  // The step before the spawn: the cancel arrives while debugpy starts (8 s: slow_debugger).
  client->wait_notification([](const json& n) {
    return n["method"] == "$/progress" && n["params"]["value"].value("message", "").starts_with("Starting debugpy");
  });
  auto pgrep = [&] {
    return client->call("workspace/exec", {{"workspace", ws.str()}, {"command", {"pgrep", "-f", "debugpy --listen"}}})["result"]["exitCode"];
  };
  client->notify("$/cancelRequest", {{"id", id}});
  auto answer = client->wait_response(id, 30s);
  ASSERT_TRUE(answer.contains("error")) << "debugpy listened before the cancel arrived: " << answer;
  EXPECT_EQ(answer["error"]["code"], kRequestCancelled) << answer;
  EXPECT_TRUE(eventually([&] { return pgrep() == 1; })) << "the cancelled debugpy still runs";
  auto list = client->call("services/list", {{"workspace", ws.str()}});
  EXPECT_EQ(list["result"], json::array()) << list;
}

}  // namespace
}  // namespace dlc::testing
