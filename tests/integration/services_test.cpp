// Ports, forwards through the agent, and Jupyter against the real engine, with Debian's own programs in
// dlc-test/services (tests/images/services) and the real dlcontainer binary (debuggers_test.cpp: the rest).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/services_support.h"
#include "services/probe.h"
#include "services/reverse.h"
#include "support/error.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// ---- ports and forwards --------------------------------------------------------------------------

TEST(Ports, PublishedPortsBindLoopbackAndATakenPortMovesToTheNextFreeOne) {
  DLC_REQUIRE_ENGINE();
  HeldPort taken;  // forwardPorts asks for this number, which another program holds
  int app_port = free_port();
  Workspace ws("ports");
  ws.write("hello.txt", "served from the container\n");
  ws.devcontainer(config_with(kPythonImage, "\"forwardPorts\": [" + std::to_string(taken.port()) +
                                                "], \"appPort\": " + std::to_string(app_port)));
  auto result = up(ws);
  ASSERT_EQ(result["ports"].size(), 2u) << result.dump();

  auto info = engine.inspect_container(result["containerId"]);
  ASSERT_TRUE(info);
  int moved = 0;
  for (const auto& p : info->ports) {
    EXPECT_EQ(p.host_ip, "127.0.0.1") << "published beyond loopback: container port " << p.container_port;
    if (p.container_port == taken.port()) moved = p.host_port;
    if (p.container_port == app_port) {
      EXPECT_EQ(p.host_port, app_port);
    }
  }
  EXPECT_GT(moved, taken.port()) << "the taken port did not move";

  // The moved port reaches the container's server, and `ports` says who serves there.
  start_in_container(ws, "python3 -m http.server " + std::to_string(taken.port()) + " --bind 0.0.0.0 --directory " +
                             result["remoteWorkspaceFolder"].get<std::string>());
  auto answer = services::wait_http("127.0.0.1", moved, "/hello.txt", {}, 200, 20s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->body, "served from the container\n");
  auto rows = json_of(dlc({"ports", ws.str(), "--json"}));
  bool listed = false;
  for (const auto& row : rows) {
    if (row["containerPort"] != taken.port()) continue;
    listed = true;
    EXPECT_EQ(row["via"], "published");
    EXPECT_EQ(row["hostIp"], "127.0.0.1");
    EXPECT_EQ(row["hostPort"], moved);
    EXPECT_EQ(row["process"], "python3");
  }
  EXPECT_TRUE(listed) << rows.dump();
}

TEST(Forward, AnUnpublishedLoopbackPortIsReachedThroughTheAgentAndItsProcessEndsWithTheContainer) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("fwd");
  ws.write("data.txt", "not published\n");
  ws.devcontainer(config_with(kPythonImage));
  auto result = up(ws);
  ASSERT_TRUE(result["ports"].empty());
  // Listens on the container's loopback only: no published port could reach it.
  start_in_container(ws, "python3 -m http.server 8765 --bind 127.0.0.1 --directory " +
                             result["remoteWorkspaceFolder"].get<std::string>());

  HeldPort taken;  // the forward asks for a host port that is taken: it moves
  auto first = json_of(dlc({"forward", "-w", ws.str(), "8765", "--host-port", std::to_string(taken.port()), "--detach", "--json"}));
  int host_port = first["hostPort"];
  EXPECT_EQ(first["hostIp"], "127.0.0.1");
  EXPECT_GT(host_port, taken.port());
  auto answer = services::wait_http("127.0.0.1", host_port, "/data.txt", {}, 200, 20s);
  ASSERT_TRUE(answer) << "no answer through the forward";
  EXPECT_EQ(answer->body, "not published\n");

  // Again: the same forward, not a second one.
  auto second = json_of(dlc({"forward", "-w", ws.str(), "8765", "--detach", "--json"}));
  EXPECT_EQ(second["hostPort"], host_port);
  EXPECT_EQ(second["pid"], first["pid"]);
  auto rows = json_of(dlc({"ports", ws.str(), "--json"}));
  ASSERT_EQ(rows.size(), 1u) << rows.dump();
  EXPECT_EQ(rows[0]["via"], "forwarded");
  EXPECT_EQ(rows[0]["hostPort"], host_port);
  EXPECT_EQ(rows[0]["process"], "python3");

  // Stopped on request: the process goes and the port closes.
  int pid = first["pid"];
  ASSERT_TRUE(process_runs(pid));
  auto stop = dlc({"forward", "-w", ws.str(), "8765", "--stop"});
  EXPECT_EQ(stop.status, 0) << stop.err;
  EXPECT_TRUE(eventually([&] { return !process_runs(pid); }, 10s));
  EXPECT_FALSE(services::http_get("127.0.0.1", host_port, "/data.txt", {}, 2s));

  // A forward ends by itself when its container stops.
  auto again = json_of(dlc({"forward", "-w", ws.str(), "8765", "--detach", "--json"}));
  int again_pid = again["pid"];
  ASSERT_TRUE(process_runs(again_pid));
  ASSERT_EQ(dlc({"down", ws.str()}).status, 0);
  EXPECT_TRUE(eventually([&] { return !process_runs(again_pid); }, 20s)) << "the forwarder outlived its container";
}

TEST(Forward, WhereUsrLocalIsReadOnlyTheAgentGoesToTmp) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("rolocal");
  fs::create_directories(ws.path().parent_path() / "usr-local");
  ws.devcontainer(config_with(kPythonImage, R"("mounts": ["source=)" + (ws.path().parent_path() / "usr-local").string() +
                                                ",target=/usr/local,type=bind,readonly\"]"));
  auto result = up(ws);
  start_in_container(ws, "python3 -m http.server 8766 --bind 127.0.0.1 --directory /etc");
  auto f = json_of(dlc({"forward", "-w", ws.str(), "8766", "--detach", "--json"}));
  auto answer = services::wait_http("127.0.0.1", f["hostPort"], "/hostname", {}, 200, 20s);
  ASSERT_TRUE(answer) << "no answer through the forward";
  EXPECT_TRUE(engine.path_exists(result["containerId"], "/tmp/.dlcontainer-agent/agent"));
  EXPECT_FALSE(engine.path_exists(result["containerId"], "/usr/local/lib/dlcontainer/agent"));
}

TEST(Forward, NothingListeningIsAClosedConnectionAndABadPortIsRefused) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("nothing");
  ws.devcontainer(config_with(kPythonImage));
  up(ws);
  auto f = json_of(dlc({"forward", "-w", ws.str(), "8799", "--detach", "--json"}));
  EXPECT_FALSE(services::http_get("127.0.0.1", f["hostPort"], "/", {}, 5s)) << "an answer from a port where nothing listens";
  auto bad = dlc({"forward", "-w", ws.str(), "70000"});
  EXPECT_NE(bad.status, 0);
  auto none = dlc({"forward", "-w", ws.str(), "8111", "--stop"});
  EXPECT_NE(none.status, 0);
  EXPECT_NE(none.err.find("no background forward"), std::string::npos) << none.err;
  ASSERT_EQ(dlc({"down", ws.str(), "--remove"}).status, 0);
  EXPECT_TRUE(eventually([&] { return !process_runs(f["pid"]); }, 20s));
}

// A host server that answers each connection with "echo:" and what it read, until it is destroyed.
class EchoServer {
 public:
  EchoServer() {
    thread_ = std::thread([this] {
      for (;;) {
        int c = ::accept(listener_.fd(), nullptr, nullptr);
        if (c < 0) return;  // shut down
        std::thread([c] {
          std::string got;
          char buf[4096];
          for (ssize_t n; (n = ::read(c, buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
          std::string reply = "echo:" + got;
          [[maybe_unused]] auto n = ::write(c, reply.data(), reply.size());
          ::close(c);
        }).detach();
      }
    });
  }
  ~EchoServer() {
    ::shutdown(listener_.fd(), SHUT_RDWR);
    thread_.join();
  }
  int port() const { return listener_.port(); }

 private:
  HeldPort listener_;
  std::thread thread_;
};

TEST(ReverseForward, ProgramsInTheContainerReachAHostServerThroughItsOwnLoopback) {
  DLC_REQUIRE_ENGINE();
  ::setenv("DLC_AGENT", (fs::path(DLC_BINARY).parent_path() / "dlcontainer-agent").c_str(), 1);
  Workspace ws("reverse");
  ws.devcontainer(config_with(kPythonImage));
  auto u = up(ws);
  EchoServer host;
  services::ReverseForwarder reverse(engine, {.container_id = u["containerId"], .container_port = 7010, .host_port = host.port()});
  // Three connections at once, each half-closed after its request, each answered on its own.
  const std::string client =
      "import socket, threading\n"
      "out = {}\n"
      "def one(i):\n"
      "    s = socket.create_connection(('127.0.0.1', 7010))\n"
      "    s.sendall(b'hello %d' % i)\n"
      "    s.shutdown(socket.SHUT_WR)\n"
      "    out[i] = s.makefile('rb').read().decode()\n"
      "ts = [threading.Thread(target=one, args=(i,)) for i in range(3)]\n"
      "[t.start() for t in ts]; [t.join() for t in ts]\n"
      "print(';'.join(out[i] for i in range(3)))\n";
  auto r = dlc({"exec", "-w", ws.str(), "-T", "--", "python3", "-c", client});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "echo:hello 0;echo:hello 1;echo:hello 2\n");
  EXPECT_EQ(reverse.connections(), 3);

  // The port is the agent's while it runs: a second one cannot have it.
  try {
    services::ReverseForwarder second(engine, {.container_id = u["containerId"], .container_port = 7010, .host_port = host.port()});
    ADD_FAILURE() << "a second listener on a taken container port";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::PortUnavailable) << e.what();
  }
  reverse.stop();
  auto closed = dlc({"exec", "-w", ws.str(), "-T", "--", "python3", "-c",
                     "import socket\ntry:\n socket.create_connection(('127.0.0.1', 7010))\nexcept ConnectionRefusedError:\n print('refused')"});
  EXPECT_EQ(closed.out, "refused\n") << closed.err;
}

// ---- Jupyter -------------------------------------------------------------------------------------

TEST(Jupyter, TheTokenGuardsItsApiAndASecondCallGivesTheSameUrl) {
  DLC_REQUIRE_SERVICES_IMAGE();
  Workspace ws("nb");
  ws.write("analysis.ipynb", R"({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})");
  ws.devcontainer(config_with(kServicesImage, R"("remoteUser": "dev")"));
  up(ws);
  auto first = json_of(dlc({"jupyter", ws.str(), "--json"}));
  ASSERT_EQ(first["kind"], "jupyter");
  EXPECT_EQ(first["detail"], "notebook");  // Debian has the classic notebook, not JupyterLab
  EXPECT_EQ(first["via"], "forwarded");
  EXPECT_FALSE(first["reused"].get<bool>());
  std::string url = first["url"];
  auto token_at = url.find("?token=");
  ASSERT_NE(token_at, std::string::npos) << url;
  std::string token = url.substr(token_at + 7);
  EXPECT_GE(token.size(), 32u);
  int port = first["hostPort"];
  EXPECT_EQ(url, "http://127.0.0.1:" + std::to_string(port) + "/tree?token=" + token);

  auto with = services::http_get("127.0.0.1", port, "/api/contents?token=" + token);
  ASSERT_TRUE(with);
  EXPECT_EQ(with->status, 200);
  EXPECT_NE(with->body.find("analysis.ipynb"), std::string::npos) << "not the workspace folder: " << with->body;
  auto without = services::http_get("127.0.0.1", port, "/api/contents");
  ASSERT_TRUE(without);
  EXPECT_TRUE(without->status == 403 || without->status == 401) << without->status;
  auto wrong = services::http_get("127.0.0.1", port, "/api/contents?token=" + std::string(token.size(), '0'));
  ASSERT_TRUE(wrong);
  EXPECT_NE(wrong->status, 200);

  // It runs as the remote user, listens on the container's loopback only, and its token is not on
  // a command line that every user can read.
  auto ps = dlc({"exec", "-w", ws.str(), "-T", "--", "sh", "-c",
                 "ps -o user=,args= -p " + std::to_string(first["pid"].get<int>())});
  EXPECT_EQ(ps.out.substr(0, 3), "dev") << ps.out;
  EXPECT_EQ(ps.out.find(token), std::string::npos) << "the token is on the command line: " << ps.out;
  auto rows = json_of(dlc({"ports", ws.str(), "--json"}));
  bool found = false;
  for (const auto& row : rows) {
    if (row["service"] != "jupyter") continue;
    found = true;
    EXPECT_EQ(row["via"], "forwarded");
    EXPECT_EQ(row["hostPort"], port);
  }
  EXPECT_TRUE(found) << rows.dump();

  auto second = json_of(dlc({"jupyter", ws.str(), "--json"}));
  EXPECT_EQ(second["url"], url);
  EXPECT_TRUE(second["reused"].get<bool>());
  EXPECT_EQ(second["pid"], first["pid"]);

  auto stop = dlc({"jupyter", ws.str(), "--stop"});
  EXPECT_EQ(stop.status, 0) << stop.err;
  EXPECT_NE(stop.out.find("stopped 1"), std::string::npos) << stop.out;
  EXPECT_TRUE(eventually([&] {
    auto a = services::http_get("127.0.0.1", port, "/api/contents?token=" + token, {}, 2s);
    return !a || a->status != 200;
  }));
}

// In a container on the host's network the host's programs share its ports: one may take Jupyter's
// port after the choice and before Jupyter binds it. Here a stand-in for jupyter-notebook (first on the
// PATH) does that on its first start: it leaves a listener on the port outside its own process tree and
// ends as Jupyter does on a taken port. That listener is not Jupyter coming up; Jupyter moves to the
// next free port, and the URL works.
TEST(Jupyter, APortTakenWhileItStartsMovesItToTheNextFreeOne) {
  DLC_REQUIRE_SERVICES_IMAGE();
  Workspace ws("nbtaken");
  ws.write("bin/jupyter-notebook", R"sh(#!/bin/sh
for a in "$@"; do case "$a" in --port=*) port=${a#--port=} ;; esac; done
if [ ! -e /tmp/taken-once ]; then
  touch /tmp/taken-once
  setsid sh -c "python3 -m http.server $port --bind 127.0.0.1 >/dev/null 2>&1 &"
  for i in $(seq 1 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2>/dev/null && break; sleep 0.1; done
  echo "The port $port is already in use, trying another port." >&2
  exit 1
fi
exec /usr/bin/jupyter-notebook "$@"
)sh");
  ws.devcontainer(config_with(kServicesImage, R"("remoteUser": "dev", "runArgs": ["--network", "host"])"));
  up(ws);
  // First on the PATH (/usr/local/bin comes before /usr/bin): what the server finds and starts.
  auto placed = dlc({"exec", "-w", ws.str(), "-u", "root", "--", "install", "-m", "755",
                     "/workspaces/" + ws.path().filename().string() + "/bin/jupyter-notebook", "/usr/local/bin/jupyter-notebook"});
  ASSERT_EQ(placed.status, 0) << placed.err;
  const int wanted = free_port();  // free on this machine: Jupyter is asked to start there
  auto run = dlc({"jupyter", ws.str(), "--port", std::to_string(wanted), "--json"});
  // --port is exact: a port taken meanwhile is an error that says so, and Jupyter is not left running.
  EXPECT_NE(run.status, 0) << run.out;
  EXPECT_NE(run.err.find("was taken by"), std::string::npos) << run.err;

  dlc({"exec", "-w", ws.str(), "--", "rm", "-f", "/tmp/taken-once"});
  auto moved = dlc({"jupyter", ws.str(), "--json"});
  ASSERT_EQ(moved.status, 0) << moved.err << moved.out;
  auto nb = json_of(moved);
  std::string url = nb["url"];
  std::string token = url.substr(url.find("?token=") + 7);
  auto with = services::http_get("127.0.0.1", nb["hostPort"].get<int>(), "/api/status?token=" + token);
  ASSERT_TRUE(with);
  EXPECT_EQ(with->status, 200) << with->body;
  EXPECT_NE(with->body.find("started"), std::string::npos) << "not Jupyter's API: " << with->body;
  EXPECT_EQ(dlc({"jupyter", ws.str(), "--stop"}).status, 0);
}

TEST(Jupyter, APublishedPortIsUsedAsPublished) {
  DLC_REQUIRE_SERVICES_IMAGE();
  int port = free_port();
  Workspace ws("nbpub");
  ws.devcontainer(config_with(kServicesImage, R"("remoteUser": "dev", "forwardPorts": [)" + std::to_string(port) +
                                                  R"(], "customizations": {"dlcontainer": {"jupyter": {"port": )" +
                                                  std::to_string(port) + "}}}"));
  up(ws);
  auto info = json_of(dlc({"jupyter", ws.str(), "--json"}));
  EXPECT_EQ(info["via"], "published");
  EXPECT_EQ(info["containerPort"], port);
  std::string url = info["url"];
  auto token = url.substr(url.find("?token=") + 7);
  auto answer = services::http_get("127.0.0.1", info["hostPort"], "/api/status?token=" + token);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
}

TEST(Jupyter, WithoutJupyterInTheImageItSaysHowToInstallAndStartsNothing) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("nonb");
  ws.devcontainer(config_with(kPythonImage));
  up(ws);
  auto r = dlc({"jupyter", ws.str()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("Jupyter is not installed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--install"), std::string::npos) << r.err;
  auto rows = json_of(dlc({"ports", ws.str(), "--json"}));
  EXPECT_TRUE(rows.empty()) << rows.dump();
  auto tb = dlc({"tensorboard", ws.str()});
  EXPECT_EQ(tb.status, 1);
  EXPECT_NE(tb.err.find("TensorBoard is not installed"), std::string::npos) << tb.err;
}

TEST(Services, WithoutARunningContainerTheyPointAtUp) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("down");
  ws.devcontainer(config_with(kPythonImage));
  for (auto args : std::vector<std::vector<std::string>>{{"jupyter", ws.str()}, {"ports", ws.str()}, {"forward", "-w", ws.str(), "80"}}) {
    auto r = dlc(args);
    EXPECT_EQ(r.status, 1) << args[0];
    EXPECT_NE(r.err.find("dlcontainer up"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace dlc::testing
