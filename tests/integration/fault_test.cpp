// The fault suite (issue 20): the engine stopped and restarted under a running server, and `up` and
// `serve` killed with SIGKILL at points across a workspace's life. Each test runs its own dockerd
// (private_engine.h), so stopping it disturbs no other test.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/private_engine.h"
#include "integration/rpc_client.h"
#include "integration/support.h"

namespace dlc::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kImage = "dlc-test/bookworm:latest";

// Create-time commands slow enough to be killed in, each leaving one line per run in /var/tmp/runs.
std::string slow_lifecycle_config() {
  return std::string(R"({"image": ")") + kImage + R"(",
    "onCreateCommand": "echo start >> /var/tmp/runs; sleep 3; echo end >> /var/tmp/runs",
    "postCreateCommand": "echo post-start >> /var/tmp/runs; sleep 3; echo post >> /var/tmp/runs"})";
}

std::string runs_in(const engine::Engine& engine, const std::string& container) {
  std::string out;
  engine::ExecIO io;
  io.on_stdout = [&](std::string_view d) { out.append(d); };
  engine.run_exec(container, engine::ExecSpec{.cmd = {"sh", "-c", "cat /var/tmp/runs 2>/dev/null; true"}}, io);
  return out;
}

// Waits (bounded) until the workspace has a running container whose runs file holds `line`.
bool wait_for_run(const engine::Engine& engine, const Workspace& ws, const std::string& line, int seconds) {
  for (int i = 0; i < seconds * 5; ++i) {
    for (const auto& c : ws.containers(engine)) {
      if (c.state == "running" && runs_in(engine, c.id).find(line + "\n") != std::string::npos) return true;
    }
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

// After any kill, one `up` to the end makes one working container whose create-time commands each ran
// exactly once, to completion.
void expect_one_container_and_each_command_once(const engine::Engine& engine, const Workspace& ws) {
  auto r = dlc({"up", ws.str()});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  auto containers = ws.containers(engine);
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(runs_in(engine, containers[0].id), "start\nend\npost-start\npost\n") << r.out << r.err;
}

TEST(Faults, AContainerStartedWhileTheEngineCameBackIsReportedToARunningServer) {
  PrivateEngine daemon;
  DLC_REQUIRE_PRIVATE_ENGINE(daemon);
  daemon.load_image(kImage);
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kImage + "\"}");
  auto client = RpcClient::stdio();
  client->initialize();
  // The next report of `state` for the workspace's container: those already received do not count.
  auto reported = [&](const std::string& state) {
    auto match = [&](const json& m) {
      return m["method"] == "workspace/didChangeStatus" && m["params"]["workspace"] == ws.str() &&
             m["params"]["status"]["state"] == state;
    };
    auto seen = std::count_if(client->notifications().begin(), client->notifications().end(), match);
    return client->wait_notification([&, skip = seen](const json& m) mutable { return match(m) && skip-- <= 0; }, 60s);
  };
  // The server follows the engine's events: what `up` and `down` do reaches it.
  ASSERT_EQ(dlc({"up", ws.str()}).status, 0);
  ASSERT_FALSE(reported("running").empty());
  ASSERT_EQ(dlc({"down", ws.str()}).status, 0);
  ASSERT_FALSE(reported("exited").empty());
  auto id = ws.containers(daemon.engine()).at(0).id;

  daemon.stop();
  // Long enough for the server's pause between attempts to grow past the engine's start and ours.
  std::this_thread::sleep_for(7s);
  daemon.start();
  ASSERT_TRUE(daemon.unavailable().empty()) << daemon.unavailable();
  daemon.engine().start_container(id);
  auto n = reported("running");
  ASSERT_FALSE(n.empty()) << "the start, made while the server was between attempts, was never reported";
  EXPECT_EQ(n["params"]["containerId"], id);
}

TEST(Faults, UpKilledAtEachPointLeavesOneContainerAndNoCommandRunTwice) {
  PrivateEngine daemon;
  DLC_REQUIRE_PRIVATE_ENGINE(daemon);
  daemon.load_image(kImage);
  auto engine = daemon.engine();
  struct Point {
    const char* name;
    std::function<bool(const Workspace&, Spawned&)> reached;
  };
  const Point points[] = {
      {"creating the container", [](const Workspace&, Spawned& up) { return up.wait_for("Creating", 120); }},
      {"in onCreateCommand", [&](const Workspace& ws, Spawned&) { return wait_for_run(engine, ws, "start", 120); }},
      {"in postCreateCommand", [&](const Workspace& ws, Spawned&) { return wait_for_run(engine, ws, "post-start", 120); }},
  };
  for (const auto& point : points) {
    SCOPED_TRACE(point.name);
    Workspace ws;
    ws.devcontainer(slow_lifecycle_config());
    Spawned up({dlc_binary(), "up", ws.str()}, {}, {{"XDG_CACHE_HOME", test_cache_dir()}});
    ASSERT_TRUE(point.reached(ws, up)) << up.output;
    ::kill(up.pid(), SIGKILL);
    up.wait_exit(10);
    // The killed `up`'s command runs on in the container; the next `up` neither starts a second copy
    // beside it nor runs it again once it has succeeded.
    expect_one_container_and_each_command_once(engine, ws);
  }
}

TEST(Faults, ServeKilledDuringUpLeavesOneContainerAndNoCommandRunTwice) {
  PrivateEngine daemon;
  DLC_REQUIRE_PRIVATE_ENGINE(daemon);
  daemon.load_image(kImage);
  auto engine = daemon.engine();
  Workspace ws;
  ws.devcontainer(slow_lifecycle_config());
  std::string socket = ws.str() + "/serve.sock";
  auto server = ServerProcess::socket(socket);
  auto client = RpcClient::connect(socket);
  client->initialize();
  client->send_request("workspace/up", {{"workspace", ws.str()}});
  ASSERT_TRUE(wait_for_run(engine, ws, "start", 120));
  server->stop(SIGKILL);
  // A new server, as an editor starts one, brings the same workspace up.
  auto again = ServerProcess::socket(socket);
  auto second = RpcClient::connect(socket);
  second->initialize();
  auto answer = second->call("workspace/up", {{"workspace", ws.str()}}, 180s);
  ASSERT_TRUE(answer.contains("result")) << answer.dump();
  auto containers = ws.containers(engine);
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(runs_in(engine, containers[0].id), "start\nend\npost-start\npost\n");
}

// The engine frozen (SIGSTOP: it accepts and never answers) must give a timeout error, not a hang. That
// test comes with the engine's I/O timeouts (issue 20, item 6); PrivateEngine::freeze() and thaw() are
// here for it.

}  // namespace
}  // namespace dlc::testing
