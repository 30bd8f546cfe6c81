// debugpy, gdbserver and X11 against the real engine, with Debian's own programs in dlc-test/services
// (tests/images/services) and the real dlcontainer binary: what an editor's debugger and a GUI reach.
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
#include "support/error.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

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
