// Ports, forwards through the agent, Jupyter, debugpy, gdbserver and X11 against the real engine, with
// Debian's own programs in dlc-test/services (tests/images/services) and the real dlcontainer binary.
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

#include "integration/support.h"
#include "services/probe.h"
#include "services/reverse.h"
#include "support/error.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kServicesImage = "dlc-test/services:latest";

#define DLC_REQUIRE_SERVICES_IMAGE()                                                                    \
  DLC_REQUIRE_ENGINE();                                                                                 \
  ASSERT_TRUE(engine.inspect_image(kServicesImage))                                                     \
      << kServicesImage << " is missing: tests/images/build.sh services builds it"

std::string config_with(const std::string& image, const std::string& extra = "") {
  return R"({"image": ")" + image + "\"" + (extra.empty() ? "" : ", " + extra) + "}";
}

json up(const Workspace& ws) {
  auto r = dlc({"up", ws.str(), "--json"});
  EXPECT_EQ(r.status, 0) << r.err;
  return json::parse(r.out, nullptr, false);
}

json json_of(const RunResult& r) {
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  auto j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  return j;
}


// Something in the container that outlives the exec that starts it.
void start_in_container(const Workspace& ws, const std::string& command) {
  auto r = dlc({"exec", "-w", ws.str(), "-T", "--", "sh", "-c", "setsid " + command + " >/dev/null 2>&1 < /dev/null &"});
  ASSERT_EQ(r.status, 0) << r.err;
}

bool process_runs(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

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

// ---- debugpy -------------------------------------------------------------------------------------

// A Debug Adapter Protocol client: Content-Length framed JSON over TCP, as VS Code speaks it.
class DapClient {
 public:
  explicit DapClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~DapClient() { ::close(fd_); }
  bool connected() const { return connected_; }

  int request(const std::string& command, const json& arguments = json::object()) {
    int seq = next_seq_++;
    std::string body = json{{"seq", seq}, {"type", "request"}, {"command", command}, {"arguments", arguments}}.dump();
    std::string msg = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    EXPECT_EQ(::send(fd_, msg.data(), msg.size(), MSG_NOSIGNAL), static_cast<ssize_t>(msg.size()));
    return seq;
  }

  // The next message that matches, within the deadline (others are kept in `seen`).
  std::optional<json> wait_for(const std::function<bool(const json&)>& match, std::chrono::milliseconds limit = 30s) {
    auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      while (auto m = parse_one()) {
        seen.push_back(*m);
        if (match(*m)) return m;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buf[65536];
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) return std::nullopt;
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
  }
  std::optional<json> response(int seq) {
    return wait_for([seq](const json& m) { return m.value("type", "") == "response" && m.value("request_seq", -1) == seq; });
  }
  std::optional<json> event(const std::string& name) {
    return wait_for([name](const json& m) { return m.value("type", "") == "event" && m.value("event", "") == name; });
  }
  std::vector<json> seen;

 private:
  std::optional<json> parse_one() {
    auto header_end = buffer_.find("\r\n\r\n");
    if (header_end == std::string::npos) return std::nullopt;
    auto at = buffer_.find("Content-Length: ");
    if (at == std::string::npos || at > header_end) return std::nullopt;
    std::size_t length = std::stoul(buffer_.substr(at + 16, header_end - at - 16));
    if (buffer_.size() < header_end + 4 + length) return std::nullopt;
    json m = json::parse(buffer_.substr(header_end + 4, length));
    buffer_.erase(0, header_end + 4 + length);
    return m;
  }
  int fd_ = -1;
  bool connected_ = false;
  int next_seq_ = 1;
  std::string buffer_;
};

TEST(DebugPython, TheAdapterAnswersDapAndTheWaitingScriptRunsOnceAttached) {
  DLC_REQUIRE_SERVICES_IMAGE();
  Workspace ws("dbg");
  ws.write("train.py",
           "import sys, pathlib\n"
           "pathlib.Path('attached.txt').write_text(' '.join(sys.argv[1:]))\n"
           "print('training done')\n");
  ws.devcontainer(config_with(kServicesImage, R"("remoteUser": "dev")"));
  // The remote user (uid 1000) writes into the workspace, which the host user running the tests owns.
  fs::permissions(ws.path(), fs::perms::all);
  auto u = up(ws);
  auto session = json_of(dlc({"debug", "python", "-w", ws.str(), "--wait", "--detach", "--json", "--", "train.py", "--lr", "0.1"}));
  const auto& launch = session["launch"];
  EXPECT_EQ(launch["type"], "debugpy");
  EXPECT_EQ(launch["request"], "attach");
  EXPECT_EQ(launch["connect"]["host"], "127.0.0.1");
  EXPECT_EQ(launch["connect"]["port"], session["hostPort"]);
  ASSERT_EQ(launch["pathMappings"].size(), 1u);
  EXPECT_EQ(launch["pathMappings"][0]["localRoot"], fs::weakly_canonical(ws.path()).string());
  EXPECT_EQ(launch["pathMappings"][0]["remoteRoot"], u["remoteWorkspaceFolder"]);
  // --wait: nothing runs before a debugger attaches.
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(fs::exists(ws.path() / "attached.txt"));

  DapClient dap(session["hostPort"]);
  ASSERT_TRUE(dap.connected());
  auto init = dap.response(dap.request("initialize", {{"clientID", "dlcontainer-test"}, {"adapterID", "debugpy"},
                                                      {"linesStartAt1", true}, {"columnsStartAt1", true}, {"pathFormat", "path"}}));
  ASSERT_TRUE(init) << "no answer to initialize";
  EXPECT_TRUE((*init)["success"].get<bool>()) << init->dump();
  EXPECT_TRUE((*init)["body"].value("supportsConfigurationDoneRequest", false)) << init->dump();
  int attach = dap.request("attach", {{"justMyCode", false}, {"pathMappings", launch["pathMappings"]}});
  ASSERT_TRUE(dap.event("initialized")) << "no initialized event";
  auto done = dap.response(dap.request("configurationDone"));
  ASSERT_TRUE(done);
  EXPECT_TRUE((*done)["success"].get<bool>()) << done->dump();
  ASSERT_TRUE(dap.response(attach));
  EXPECT_TRUE(eventually([&] { return fs::exists(ws.path() / "attached.txt"); }, 20s)) << "the script did not run after attach";
  EXPECT_EQ(ws.read("attached.txt"), "--lr 0.1");
}

TEST(DebugPython, InTheForegroundTheScriptsOutputAndExitStatusComeBack) {
  DLC_REQUIRE_SERVICES_IMAGE();
  Workspace ws("dbgfg");
  ws.write("job.py", "import sys\nprint('hello from', sys.argv[1])\nsys.exit(3)\n");
  ws.devcontainer(config_with(kServicesImage, R"("remoteUser": "dev")"));
  up(ws);
  auto r = dlc({"debug", "python", "-w", ws.str(), "--", "job.py", "the-container"}, {.timeout_seconds = 120});
  EXPECT_EQ(r.status, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("\"type\": \"debugpy\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hello from the-container"), std::string::npos) << r.out;
  // Its in-process forward ended with it.
  auto rows = json_of(dlc({"ports", ws.str(), "--json"}));
  for (const auto& row : rows) EXPECT_NE(row["via"], "forwarded") << rows.dump();
}

TEST(DebugPython, CtrlCStopsTheScriptInTheContainer) {
  DLC_REQUIRE_SERVICES_IMAGE();
  Workspace ws("dbgint");
  ws.write("loop.py", "import time\nprint('looping', flush=True)\nwhile True:\n    time.sleep(0.1)\n");
  ws.devcontainer(config_with(kServicesImage, R"("remoteUser": "dev")"));
  up(ws);
  Spawned debug({dlc_binary(), "debug", "python", "-w", ws.str(), "--", "loop.py"}, {}, {{"NO_COLOR", "1"}});
  ASSERT_TRUE(debug.wait_for("looping", 60)) << debug.output;
  ::kill(debug.pid(), SIGINT);
  // The traceback is read to the end of the output before the exit status is taken.
  EXPECT_TRUE(debug.wait_for("KeyboardInterrupt", 30)) << debug.output;
  EXPECT_EQ(debug.wait_exit(30), 130) << debug.output;  // the script died of SIGINT (KeyboardInterrupt)
  auto ps = dlc({"exec", "-w", ws.str(), "-T", "--", "pgrep", "-f", "loop.py"});
  EXPECT_NE(ps.status, 0) << "still running in the container: " << ps.out;
}

TEST(DebugPython, InstallsDebugpyWhenTheImageHasNone) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("dbginst");
  ws.write("hello.py", "print('hi')\n");
  ws.devcontainer(config_with(kPythonImage));
  up(ws);
  ASSERT_NE(dlc({"exec", "-w", ws.str(), "-T", "--", "python3", "-c", "import debugpy"}).status, 0) << "debugpy is in the image already";
  auto session = json_of(dlc({"debug", "python", "-w", ws.str(), "--wait", "--detach", "--json", "--", "hello.py"}, {.timeout_seconds = 600}));
  EXPECT_EQ(session["launch"]["type"], "debugpy");
  EXPECT_EQ(dlc({"exec", "-w", ws.str(), "-T", "--", "python3", "-c", "import debugpy"}).status, 0);
  DapClient dap(session["hostPort"]);
  ASSERT_TRUE(dap.connected());
  auto init = dap.response(dap.request("initialize", {{"adapterID", "debugpy"}}));
  ASSERT_TRUE(init);
  EXPECT_TRUE((*init)["success"].get<bool>());
}

// ---- gdbserver -----------------------------------------------------------------------------------

void build_program(const Workspace& ws) {
  ws.write("prog.c",
           "#include <stdio.h>\n"
           "int inner(int x) { return x * 2; }\n"
           "int main(void) { printf(\"%d\\n\", inner(21)); return 0; }\n");
  auto cc = run({"gcc", "-g", "-O0", "-static", "-o", (ws.path() / "prog").string(), (ws.path() / "prog.c").string()});
  ASSERT_EQ(cc.status, 0) << cc.err;
}

TEST(DebugGdb, GdbOnTheHostReadsAStackThroughTheForwardedPort) {
  DLC_REQUIRE_SERVICES_IMAGE();
  Workspace ws("gdb");
  build_program(ws);
  ws.devcontainer(config_with(kServicesImage, R"("remoteUser": "dev", "customizations": {"dlcontainer": {"debug": true}})"));
  auto u = up(ws);
  auto info = engine.inspect_container(u["containerId"]);
  ASSERT_TRUE(info);
  EXPECT_NE(std::find(info->cap_add.begin(), info->cap_add.end(), "SYS_PTRACE"), info->cap_add.end());
  EXPECT_NE(std::find(info->security_opt.begin(), info->security_opt.end(), "seccomp=unconfined"), info->security_opt.end());

  auto session = json_of(dlc({"debug", "gdb", "-w", ws.str(), "--detach", "--json", "--", "./prog"}));
  EXPECT_TRUE(session["notes"].empty()) << session.dump();
  const auto& launch = session["launch"];
  EXPECT_EQ(launch["type"], "cppdbg");
  EXPECT_EQ(launch["program"], (fs::weakly_canonical(ws.path()) / "prog").string());
  std::string address = "127.0.0.1:" + std::to_string(session["hostPort"].get<int>());
  EXPECT_EQ(launch["miDebuggerServerAddress"], address);
  EXPECT_EQ(launch["sourceFileMap"][u["remoteWorkspaceFolder"].get<std::string>()], fs::weakly_canonical(ws.path()).string());

  auto gdb = run({"gdb", "--batch", "-nx", "-ex", "target remote " + address, "-ex", "break inner", "-ex", "continue", "-ex", "bt",
                  "-ex", "kill", (ws.path() / "prog").string()},
                 {.timeout_seconds = 60});
  EXPECT_NE(gdb.out.find("inner (x=21)"), std::string::npos) << gdb.out << gdb.err;
  EXPECT_NE(gdb.out.find("in main ()"), std::string::npos) << gdb.out << gdb.err;
}

TEST(DebugGdb, AttachesToARunningProcessByItsPid) {
  DLC_REQUIRE_SERVICES_IMAGE();
  Workspace ws("gdbpid");
  ws.write("spin.c",
           "#include <unistd.h>\n"
           "void waiting(void) { for (;;) pause(); }\n"
           "int main(void) { waiting(); }\n");
  auto cc = run({"gcc", "-g", "-O0", "-static", "-o", (ws.path() / "spin").string(), (ws.path() / "spin.c").string()});
  ASSERT_EQ(cc.status, 0) << cc.err;
  ws.devcontainer(config_with(kServicesImage, R"("remoteUser": "dev", "customizations": {"dlcontainer": {"debug": true}})"));
  up(ws);
  start_in_container(ws, "./spin");
  std::string pid;
  ASSERT_TRUE(eventually([&] {
    pid = dlc({"exec", "-w", ws.str(), "-T", "--", "pgrep", "-x", "spin"}).out;
    return !pid.empty();
  }));
  pid = pid.substr(0, pid.find('\n'));
  auto session = json_of(dlc({"debug", "gdb", "-w", ws.str(), "--pid", pid, "--json"}));
  EXPECT_EQ(session["detail"], "pid " + pid);
  EXPECT_EQ(session["launch"]["program"], (fs::weakly_canonical(ws.path()) / "spin").string());
  auto gdb = run({"gdb", "--batch", "-nx", "-ex", "target remote 127.0.0.1:" + std::to_string(session["hostPort"].get<int>()),
                  "-ex", "bt", "-ex", "detach", (ws.path() / "spin").string()},
                 {.timeout_seconds = 60});
  EXPECT_NE(gdb.out.find("waiting ()"), std::string::npos) << gdb.out << gdb.err;
  // Detached again, it runs on.
  EXPECT_EQ(dlc({"exec", "-w", ws.str(), "-T", "--", "kill", "-0", pid}).status, 0);
}

TEST(DebugGdb, AContainerMadeWithoutDebuggingSaysHowToGetIt) {
  DLC_REQUIRE_SERVICES_IMAGE();
  Workspace ws("gdbplain");
  build_program(ws);
  ws.devcontainer(config_with(kServicesImage, R"("remoteUser": "dev")"));
  auto u = up(ws);
  auto info = engine.inspect_container(u["containerId"]);
  ASSERT_TRUE(info);
  EXPECT_EQ(std::find(info->cap_add.begin(), info->cap_add.end(), "SYS_PTRACE"), info->cap_add.end());
  auto r = dlc({"debug", "gdb", "-w", ws.str(), "--detach", "--", "./prog"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("without SYS_PTRACE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"debug\": true"), std::string::npos) << r.out;
  auto missing = dlc({"debug", "gdb", "-w", ws.str(), "--detach"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("nothing to debug"), std::string::npos) << missing.err;
}

// ---- GUI -----------------------------------------------------------------------------------------

// A host X server for the test: Xvfb on a free display, with a cookie of its own.
class Xvfb {
 public:
  explicit Xvfb(const fs::path& dir) {
    for (display_ = 90; display_ < 140 && fs::exists("/tmp/.X11-unix/X" + std::to_string(display_)); ++display_) {
    }
    auth_ = (dir / "host.xauth").string();
    std::ofstream(auth_).close();
    auto cookie = run({"sh", "-c", "od -An -N16 -tx1 /dev/urandom | tr -d ' \\n'"});
    auto add = run({"xauth", "-f", auth_, "add", ":" + std::to_string(display_), ".", cookie.out});
    EXPECT_EQ(add.status, 0) << add.err;
    pid_ = ::fork();
    if (pid_ == 0) {
      int null_fd = ::open("/dev/null", O_RDWR);
      ::dup2(null_fd, 1), ::dup2(null_fd, 2);
      ::execlp("Xvfb", "Xvfb", (":" + std::to_string(display_)).c_str(), "-auth", auth_.c_str(), "-nolisten", "tcp",
               "-screen", "0", "640x480x24", nullptr);
      ::_exit(127);
    }
    ready_ = eventually([&] { return xdpyinfo_ok(); }, 20s);
  }
  ~Xvfb() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool ready() const { return ready_; }
  std::string display() const { return ":" + std::to_string(display_); }
  const std::string& auth() const { return auth_; }
  bool xdpyinfo_ok() const {
    return run({"xdpyinfo", "-display", display()}, {.env = {{"XAUTHORITY", auth_}}, .timeout_seconds = 10}).status == 0;
  }

 private:
  int display_ = 90;
  std::string auth_;
  pid_t pid_ = -1;
  bool ready_ = false;
};

bool have_program(const std::string& name) { return run({"sh", "-c", "command -v " + name}).status == 0; }

TEST(Gui, AnX11ClientInTheContainerOpensAWindowOnTheHostDisplay) {
  DLC_REQUIRE_SERVICES_IMAGE();
  for (const char* p : {"Xvfb", "xauth", "xwininfo", "xdpyinfo"}) {
    if (!have_program(p)) {
      if (in_ci()) FAIL() << p << " is missing (scripts/setup.sh installs xvfb, xauth, x11-utils)";
      GTEST_SKIP() << p << " is missing";
    }
  }
  Workspace ws("gui");
  Xvfb x(ws.path().parent_path());
  ASSERT_TRUE(x.ready()) << "Xvfb did not start";
  ws.devcontainer(config_with(kServicesImage, R"("remoteUser": "dev", "customizations": {"dlcontainer": {"gui": true}})"));
  RunOptions with_display{.env = {{"DISPLAY", x.display()}, {"XAUTHORITY", x.auth()}, {"XDG_CACHE_HOME", (ws.path().parent_path() / "cache").string()}}};
  auto r = dlc({"up", ws.str(), "--json"}, with_display);
  ASSERT_EQ(r.status, 0) << r.err;

  // The cookie is what lets it in: without it the server refuses the same client.
  auto info = dlc({"exec", "-w", ws.str(), "-T", "--", "xdpyinfo"});
  EXPECT_EQ(info.status, 0) << info.err;
  EXPECT_NE(info.out.find("name of display:"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find(x.display()), std::string::npos) << info.out;
  auto refused = dlc({"exec", "-w", ws.str(), "-T", "-e", "XAUTHORITY=/nonexistent", "--", "xdpyinfo"});
  EXPECT_NE(refused.status, 0) << "the X server let in a client without the cookie";

  start_in_container(ws, "xmessage -name dlcwindow 'hello from the container'");
  bool shown = eventually([&] {
    auto tree = run({"xwininfo", "-root", "-tree", "-display", x.display()}, {.env = {{"XAUTHORITY", x.auth()}}, .timeout_seconds = 10});
    return tree.out.find("dlcwindow") != std::string::npos;
  });
  EXPECT_TRUE(shown) << "no window of the container's client on the host display";
}

}  // namespace
}  // namespace dlc::testing
