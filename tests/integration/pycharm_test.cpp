// The container's Python as PyCharm uses it: `dlcontainer interpreter` and the wrapper it writes, run
// the way an IDE runs a local interpreter, against the real engine.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/support.h"

namespace dlc::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::HasSubstr;

// Debian's python3-debugpy (in dlc-test/services) carries pydevd, the debugger PyCharm starts.
constexpr const char* kServicesImage = "dlc-test/services:latest";
constexpr const char* kPydevd = "/usr/lib/python3/dist-packages/debugpy/_vendored/pydevd/pydevd.py";

std::string image_config(const std::string& dlcontainer = "") {
  std::string c = std::string("{\"image\": \"") + kPythonImage + "\"";
  if (!dlcontainer.empty()) c += ", \"customizations\": {\"dlcontainer\": " + dlcontainer + "}";
  return c + "}";
}

json interpreter(const Workspace& ws, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"interpreter", ws.str(), "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = dlc(args);
  EXPECT_EQ(r.status, 0) << r.err;
  return json::parse(r.out, nullptr, false);
}

std::string wrapper(const Workspace& ws) { return (ws.path() / ".dlcontainer" / "bin" / "python").string(); }

// Stands for PyCharm's debug server: a listener on the host's loopback at a port of its own choosing.
class IdeDebugServer {
 public:
  IdeDebugServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 4), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
  }
  ~IdeDebugServer() {
    if (conn_ >= 0) ::close(conn_);
    ::close(fd_);
  }
  int port() const { return port_; }
  // The first connection, waited for at most `seconds`.
  bool accept(int seconds) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, seconds * 1000) != 1) return false;
    conn_ = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    return conn_ >= 0;
  }
  void send(const std::string& text) { EXPECT_EQ(::send(conn_, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size())); }
  // One pydevd message (a line), waited for at most `seconds`; "" when none came.
  std::string read_line(int seconds) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (buffer_.find('\n') == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      pollfd p{conn_, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) != 1) return "";
      char buf[4096];
      ssize_t n = ::read(conn_, buf, sizeof buf);
      if (n <= 0) return "";
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
    auto end = buffer_.find('\n');
    std::string line = buffer_.substr(0, end);
    buffer_.erase(0, end + 1);
    return line;
  }

 private:
  int fd_ = -1, conn_ = -1, port_ = 0;
  std::string buffer_;
};

TEST(Interpreter, WritesAGitIgnoredWrapperAndMirrorsTheWorkspace) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("paper");
  ws.devcontainer(image_config());
  auto r = interpreter(ws);
  EXPECT_EQ(r["interpreter"], wrapper(ws));
  EXPECT_EQ(r["python"], "python3");
  EXPECT_THAT(r["pythonVersion"].get<std::string>(), ::testing::StartsWith("3."));
  EXPECT_EQ(r["mirrorHostPath"], true);
  EXPECT_EQ(r["recreated"], false);
  EXPECT_EQ(::access(wrapper(ws).c_str(), X_OK), 0);
  EXPECT_THAT(ws.read(".dlcontainer/.gitignore"), HasSubstr("\n*\n"));

  auto info = engine.inspect_container(r["containerId"]);
  ASSERT_TRUE(info);
  bool mirrored = false, spec_folder = false;
  for (const auto& m : info->mounts) {
    mirrored |= m.source == ws.str() && m.target == ws.str();
    spec_folder |= m.target == "/workspaces/paper";
  }
  EXPECT_TRUE(mirrored);
  EXPECT_TRUE(spec_folder);  // the devcontainer folder is still there for other tools

  // Again: the same container, nothing re-created.
  auto again = interpreter(ws);
  EXPECT_EQ(again["containerId"], r["containerId"]);
  EXPECT_EQ(again["recreated"], false);
}

TEST(Interpreter, WrapperPassesTheExitStatusAndKeepsStdoutAndStderrApart) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  interpreter(ws);
  auto r = run({wrapper(ws), "-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(42)"});
  EXPECT_EQ(r.status, 42);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(run({wrapper(ws), "-c", "pass"}).status, 0);
}

TEST(Interpreter, WrapperPassesStdinThrough) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  interpreter(ws);
  std::string big(200000, 'x');  // more than one pipe buffer
  auto r = run({wrapper(ws), "-c", "import sys; d = sys.stdin.read(); print(len(d), d[:5].upper(), d.count('x'))"},
               RunOptions{.stdin_data = "hello" + big});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "200005 HELLO 200000\n");
}

TEST(Interpreter, SigintStopsTheScriptInTheContainer) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  auto r = interpreter(ws);
  ws.write("loop.py",
           "import time\nprint('ready', flush=True)\n"
           "try:\n    time.sleep(120)\nexcept KeyboardInterrupt:\n    print('interrupted', flush=True)\n    raise\n");
  Spawned p({wrapper(ws), (ws.path() / "loop.py").string(), "dlc-sigint-marker"});
  ASSERT_TRUE(p.wait_for("ready", 60)) << p.output;
  EXPECT_EQ(processes_with(engine, r["containerId"], "dlc-sigint-marker").size(), 1u);

  ::kill(p.pid(), SIGINT);  // what the IDE's Stop button and a terminal's ^C send
  auto status = p.wait_exit(30);
  ASSERT_TRUE(status) << "the wrapper did not end after SIGINT";
  EXPECT_EQ(*status, 130);  // Python re-raises the interrupt as death by SIGINT
  p.wait_for("interrupted", 5);
  EXPECT_THAT(p.output, HasSubstr("interrupted"));
  EXPECT_TRUE(processes_with(engine, r["containerId"], "dlc-sigint-marker").empty());
}

TEST(Interpreter, SigtermStopsTheScriptInTheContainer) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  auto r = interpreter(ws);
  Spawned p({wrapper(ws), "-c", "import time; print('ready', flush=True); time.sleep(120)", "dlc-sigterm-marker"});
  ASSERT_TRUE(p.wait_for("ready", 60)) << p.output;
  ::kill(p.pid(), SIGTERM);
  auto status = p.wait_exit(30);
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, 128 + SIGTERM);
  EXPECT_TRUE(processes_with(engine, r["containerId"], "dlc-sigterm-marker").empty());
}

TEST(Interpreter, WorkspacePathWithSpacesRunsScriptsByTheirHostPaths) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("my paper 'v2'");
  ws.devcontainer(image_config());
  ws.write("sub dir/show.py", "import os, sys\nprint(os.getcwd())\nprint(os.path.abspath(__file__))\nprint(sys.argv[1])\n");
  auto r = interpreter(ws);
  EXPECT_EQ(r["mirrorHostPath"], true);
  fs::path script = ws.path() / "sub dir" / "show.py";
  auto out = run({wrapper(ws), script.string(), "an arg with spaces"}, RunOptions{.cwd = ws.path() / "sub dir"});
  EXPECT_EQ(out.status, 0) << out.err;
  EXPECT_EQ(out.out, (ws.path() / "sub dir").string() + "\n" + script.string() + "\nan arg with spaces\n");
}

TEST(Interpreter, WithoutTheMirrorHostPathsAreMappedToTheContainerFolder) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("paper");
  ws.devcontainer(image_config(R"({"mirrorHostPath": false})"));
  ws.write("show.py", "import os\nprint(os.getcwd())\nprint(os.path.abspath(__file__))\n");
  auto r = interpreter(ws);
  EXPECT_EQ(r["mirrorHostPath"], false);
  auto out = run({wrapper(ws), (ws.path() / "show.py").string()}, RunOptions{.cwd = ws.path()});
  EXPECT_EQ(out.status, 0) << out.err;
  EXPECT_EQ(out.out, "/workspaces/paper\n/workspaces/paper/show.py\n");
}

TEST(Interpreter, HelperScriptFolderIsMountedReadOnlyAtItsHostPathWhenUsed) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  auto first = interpreter(ws);
  Workspace ide("pycharm-community-2024.1");  // stands for the IDE's install folder
  fs::path helpers = ide.path() / "plugins" / "python-ce" / "helpers";
  ide.write("plugins/python-ce/helpers/packaging_tool.py",
            "import sys, os\nprint('helper', os.path.abspath(__file__), sys.argv[1:])\n"
            "try:\n    open(os.path.join(os.path.dirname(__file__), 'written'), 'w')\n    print('writable')\n"
            "except OSError:\n    print('read-only')\n");
  ide.write("plugins/python-ce/helpers/pydev/helpermod.py", "VALUE = 'from PYTHONPATH'\n");

  fs::path tool = helpers / "packaging_tool.py";
  auto r = run({wrapper(ws), tool.string(), "list"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "helper " + tool.string() + " ['list']\nread-only\n");
  EXPECT_FALSE(fs::exists(helpers / "written"));

  auto info = ws.containers(engine);
  ASSERT_EQ(info.size(), 1u);
  EXPECT_NE(info[0].id, first["containerId"]);  // made anew with the mount, as nothing ran in it
  auto inspected = engine.inspect_container(info[0].id);
  ASSERT_TRUE(inspected);
  bool mounted = false;
  for (const auto& m : inspected->mounts) mounted |= m.target == helpers.string() && m.source == helpers.string() && m.read_only;
  EXPECT_TRUE(mounted);

  // Known now: the next run uses the same container, and PYTHONPATH entries reach the helpers too.
  auto again = run({wrapper(ws), "-c", "import helpermod; print(helpermod.VALUE)"},
                   RunOptions{.env = {{"PYTHONPATH", (helpers / "pydev").string()}}});
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, "from PYTHONPATH\n");
  EXPECT_EQ(ws.containers(engine).at(0).id, info[0].id);
  EXPECT_THAT(ws.read(".dlcontainer/ide.json"), HasSubstr(helpers.string()));
}

TEST(Interpreter, ANewHelpersFolderNeverRecreatesTheContainerUnderARunningCommand) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  auto first = interpreter(ws);
  Spawned busy({DLC_BINARY, "exec", "-w", ws.str(), "--", "python3", "-c",
                "import time; print('ready', flush=True); time.sleep(60)"});
  ASSERT_TRUE(busy.wait_for("ready", 60));

  Workspace ide("JetBrains");
  ide.write("PyCharm/helpers/tool.py", "print('ran')\n");
  auto r = run({wrapper(ws), (ide.path() / "PyCharm" / "helpers" / "tool.py").string()});
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("re-created"));
  EXPECT_THAT(r.err, HasSubstr("hint:"));
  auto now = ws.containers(engine);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].id, first["containerId"]);
  EXPECT_EQ(now[0].state, "running");
}

TEST(Interpreter, PyCharmsDebuggerInTheContainerReachesTheIdesDebugServerOnTheHost) {
  DLC_REQUIRE_ENGINE();
  ASSERT_TRUE(engine.inspect_image(kServicesImage)) << kServicesImage << " is missing: tests/images/build.sh services builds it";
  Workspace ws("debug me");
  ws.devcontainer(std::string("{\"image\": \"") + kServicesImage + "\"}");
  auto r = interpreter(ws);
  ws.write("script.py", "import sys\nprint('script ran', sys.argv[1:], flush=True)\n");

  // What PyCharm runs for Debug: pydevd told to connect back to the IDE at 127.0.0.1:PORT, which in
  // the container is the container itself. No --network host: only the agent's relay gets it out.
  IdeDebugServer ide;
  std::string port = std::to_string(ide.port());
  Spawned p({wrapper(ws), "-u", kPydevd, "--multiprocess", "--client", "127.0.0.1", "--port", port, "--file",
             (ws.path() / "script.py").string(), "an arg"});
  ASSERT_TRUE(ide.accept(90)) << "pydevd never reached the host listener; wrapper output: " << p.output;
  // The relay is the agent, listening on the container's loopback at the IDE's port.
  EXPECT_EQ(processes_with(engine, r["containerId"], "/agent listen " + port).size(), 1u);

  // The IDE speaks first (CMD_VERSION, 501); pydevd's first message is its answer, with the same seq.
  ide.send("501\t1\t1.1\tUNIX\tID\n");
  EXPECT_THAT(ide.read_line(30), ::testing::StartsWith("501\t1\t"));
  // CMD_RUN: the script runs under the debugger, reports its main thread, and the run ends as usual.
  ide.send("101\t3\t\n");
  EXPECT_THAT(ide.read_line(30), ::testing::StartsWith("103\t"));
  ASSERT_TRUE(p.wait_for("script ran ['an arg']", 60)) << p.output;
  auto status = p.wait_exit(60);
  ASSERT_TRUE(status) << "the wrapper did not end after the debugged script";
  EXPECT_EQ(*status, 0);
  // The relay ends with the run: nothing listens on the IDE's port in the container any more.
  EXPECT_TRUE(processes_with(engine, r["containerId"], "/agent listen " + port).empty());
}

TEST(Interpreter, BadInputIsRefusedAndChangesNothing) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  auto before = snapshot(ws.path());
  auto r = dlc({"interpreter", ws.str(), "--helpers", "/nonexistent/pycharm/helpers"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("does not exist"));
  EXPECT_THAT(r.err, HasSubstr("hint:"));
  EXPECT_EQ(snapshot(ws.path()), before);
  EXPECT_TRUE(ws.containers(engine).empty());

  ws.devcontainer(image_config(R"({"mirrorHostPath": "yes"})"));
  before = snapshot(ws.path());
  r = dlc({"interpreter", ws.str()});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("mirrorHostPath"));
  EXPECT_EQ(snapshot(ws.path()), before);
  EXPECT_TRUE(ws.containers(engine).empty());

  ws.devcontainer(image_config(R"({"python": "/no/such/python"})"));
  r = dlc({"interpreter", ws.str()});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("does not run in the container"));
  EXPECT_FALSE(fs::exists(wrapper(ws)));
}

}  // namespace
}  // namespace dlc::testing
