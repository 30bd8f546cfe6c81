// What `up`, `down` and a cancelled exec leave behind when the container or the image does not
// cooperate (issue 20): a container that dies at once (item 10), anonymous volumes (item 12), an image
// without /bin/kill (item 4).
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/rpc_client.h"
#include "integration/support.h"

namespace dlc::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Waits (bounded) until no process in the container holds `marker` in its command line.
bool gone_within(const engine::Engine& engine, const std::string& container, const std::string& marker, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (processes_with(engine, container, marker).empty()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

bool running_within(const engine::Engine& engine, const std::string& container, const std::string& marker, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (!processes_with(engine, container, marker).empty()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// Brings up a workspace on the minimal Debian image (no kill program); its container's id, "" on failure.
std::string up_bookworm(const engine::Engine& engine, Workspace& ws) {
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest"})");
  auto r = dlc({"up", ws.str()});
  EXPECT_EQ(r.status, 0) << r.err;
  auto containers = ws.containers(engine);
  return r.status == 0 && !containers.empty() ? containers[0].id : "";
}

TEST(ContainerFaults, AContainerThatDiesAtOnceFailsUpWithItsStatusAndLastOutput) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  // A 1 MB variable: the kernel refuses to exec the container's command with it (E2BIG).
  ws.devcontainer(std::string(R"({"image": "dlc-test/bookworm:latest", "containerEnv": {"BIG": ")") +
                  std::string(1 << 20, 'x') + "\"}}");
  auto r = dlc({"up", ws.str()});
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.err.find("stopped as soon as it started (exited, exit status"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("argument list too long"), std::string::npos) << r.err;
  // Made by this `up`, never usable: removed, its output kept in the error.
  EXPECT_TRUE(ws.containers(engine).empty());
}

TEST(ContainerFaults, DownRemoveTakesAnonymousVolumesAndKeepsNamedOnes) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  std::string named = "dlc-test-named-" + std::to_string(::getpid());
  ws.write(".devcontainer/Dockerfile", "FROM dlc-test/bookworm:latest\nVOLUME /anonymous\n");
  ws.devcontainer(R"({"build": {"dockerfile": "Dockerfile"}, "mounts": ["type=volume,source=)" + named + R"(,target=/named"]})");
  ASSERT_EQ(dlc({"up", ws.str()}).status, 0);
  auto containers = ws.containers(engine);
  ASSERT_EQ(containers.size(), 1u);
  auto info = engine.inspect_container(containers[0].id);
  ASSERT_TRUE(info);
  std::string anonymous;
  for (const auto& m : info->mounts)
    if (m.target == "/anonymous") anonymous = m.source;
  ASSERT_FALSE(anonymous.empty());
  auto r = dlc({"down", ws.str(), "--remove"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(run({"docker", "volume", "inspect", anonymous}).status, 0) << "the anonymous volume " << anonymous << " is left";
  EXPECT_EQ(run({"docker", "volume", "inspect", named}).status, 0) << "the named volume was removed";
  run({"docker", "volume", "rm", named});
  if (auto image = info->image; image.rfind("dlcontainer/", 0) == 0) run({"docker", "image", "rm", image});
}

TEST(ContainerFaults, CancellingAnExecStopsItOnAnImageWithoutKill) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  std::string id = up_bookworm(engine, ws);
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(dlc({"exec", "-w", ws.str(), "--", "sh", "-c", "test ! -e /bin/kill && test ! -e /usr/bin/kill"}).status, 0)
      << "the image has a kill program: this test would not show anything";
  auto client = RpcClient::stdio();
  client->initialize();
  auto request = client->send_request("workspace/exec", {{"workspace", ws.str()}, {"command", {"sleep", "313"}}});
  ASSERT_TRUE(running_within(engine, id, "sleep 313", 30));
  client->notify("$/cancelRequest", {{"id", request}});
  auto answer = client->wait_response(request, 60s);
  ASSERT_TRUE(answer.contains("error")) << answer.dump();
  EXPECT_EQ(answer["error"]["code"], -32800) << answer.dump();
  EXPECT_TRUE(gone_within(engine, id, "sleep 313", 10)) << "the cancelled command still runs";
}

TEST(ContainerFaults, InterruptingExecPassesTheSignalOnAnImageWithoutKill) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  std::string id = up_bookworm(engine, ws);
  ASSERT_FALSE(id.empty());
  Spawned exec({dlc_binary(), "exec", "-w", ws.str(), "--", "sleep", "314"});
  ASSERT_TRUE(running_within(engine, id, "sleep 314", 30));
  ::kill(exec.pid(), SIGINT);  // ^C without a TTY: passed on to the command
  auto status = exec.wait_exit(30);
  ASSERT_TRUE(status) << "exec did not end after SIGINT: " << exec.output;
  EXPECT_EQ(*status, 130) << exec.output;
  EXPECT_TRUE(gone_within(engine, id, "sleep 314", 10));
}

}  // namespace
}  // namespace dlc::testing
