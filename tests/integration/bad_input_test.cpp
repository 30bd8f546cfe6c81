// Bad input of every kind: each is an error that says what and where, with a hint, and changes nothing
// (issue 20: numbers too large, a devcontainer.json that is not a file, an empty workspace argument, an
// engine that does not answer JSON, mounts that hand the container the host, a runtime folder that is
// not the user's).
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "integration/support.h"

namespace dlc::testing {
namespace {

namespace fs = std::filesystem;

void expect_error(const RunResult& r, const std::string& message) {
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << "stderr was: " << r.err;
  EXPECT_NE(r.err.find("hint: "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("a bug in dlcontainer"), std::string::npos) << r.err;
}

TEST(BadInput, ANumberTooLargeIsAConfigErrorAtItsPlaceNotABug) {
  Workspace ws;
  ws.devcontainer("{\n  \"image\": \"dlc-test/bookworm:latest\",\n  \"x\": 1e999\n}\n");
  expect_error(dlc({"up", ws.str()}), "devcontainer.json:3:8: the number 1e999 is too large");
}

TEST(BadInput, ADevcontainerJsonThatIsAFolderIsAnErrorNotAnInferredPlan) {
  Workspace ws;
  fs::create_directories(ws.path() / ".devcontainer" / "devcontainer.json");
  expect_error(dlc({"plan", ws.str()}), "devcontainer.json is not a file (a folder)");
}

TEST(BadInput, ADevcontainerJsonThatIsAFifoIsAnErrorAndNeverOpened) {
  Workspace ws;
  ASSERT_EQ(::mkfifo((ws.path() / ".devcontainer.json").c_str(), 0600), 0);
  RunOptions o;
  o.timeout_seconds = 60;  // opening a FIFO for reading would block until the test's timeout
  expect_error(dlc({"plan", ws.str()}, o), ".devcontainer.json is not a file (a FIFO, socket or device)");
}

TEST(BadInput, AnEmptyWorkspaceArgumentIsNotTheCurrentFolder) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest"})");
  RunOptions o;
  o.cwd = ws.path();
  expect_error(dlc({"up", ""}, o), "the workspace folder is empty");
  EXPECT_TRUE(ws.containers(engine).empty());
}

TEST(BadInput, AConfigThatIsAFolderSaysSoNotThatTheJsonEndsEarly) {
  Workspace ws;
  expect_error(dlc({"up", ws.str(), "--config", "/etc"}), "/etc is a folder, not a configuration file");
}

// A unix socket that answers the Engine API's ping as a daemon does, and every other request with a
// page that is not JSON (a proxy's error page, say).
class NotAnEngine {
 public:
  explicit NotAnEngine(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    thread_ = std::thread([this] {
      for (;;) {
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) return;
        std::string request;
        char buf[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = ::read(c, buf, sizeof buf);
          if (n <= 0) break;
          request.append(buf, static_cast<std::size_t>(n));
        }
        bool ping = request.find(" /_ping ") != std::string::npos;
        std::string body = ping ? "OK" : "<html><body>502 Bad Gateway</body></html>";
        std::string reply = "HTTP/1.1 200 OK\r\nAPI-Version: 1.43\r\nContent-Type: text/plain\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        [[maybe_unused]] auto w = ::write(c, reply.data(), reply.size());
        ::close(c);
      }
    });
  }
  ~NotAnEngine() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    fs::remove(path_);
  }

 private:
  fs::path path_;
  int fd_ = -1;
  std::thread thread_;
};

TEST(BadInput, AnEngineReplyThatIsNotJsonIsAnEngineErrorNotABug) {
  Workspace ws;
  NotAnEngine fake(ws.path() / "engine.sock");
  RunOptions o;
  o.env["DOCKER_HOST"] = "unix://" + ws.str() + "/engine.sock";
  expect_error(dlc({"status", ws.str()}, o), "is not the JSON the Docker Engine API sends: <html>");
}

// A CDI spec describes the GPUs of the machine it is made on: for a remote engine it is refused, not
// written for this machine as if --host had not been given.
TEST(BadInput, GpusCdiForARemoteEngineIsRefusedWithWhereToRunIt) {
  auto r = dlc({"gpus", "--cdi", "--host", "ssh://alice@gpu1.invalid", "--output", "/nonexistent/nvidia.yaml"});
  expect_error(r, "ssh://alice@gpu1.invalid, on another machine");
  EXPECT_NE(r.err.find("ssh alice@gpu1.invalid sudo dlcontainer gpus --cdi"), std::string::npos) << r.err;
  RunOptions remote_env;
  remote_env.env.emplace("DOCKER_HOST", "tcp://127.0.0.1:9");
  expect_error(dlc({"gpus", "--cdi"}, remote_env), "the engine (DOCKER_HOST) is tcp://127.0.0.1:9");
}

// Commands that take a command line (`exec`, `python`, `debug python`): --host is read before the
// command's words and honoured; the command's own options (`python3 -c`) are never dlcontainer's.
TEST(BadInput, HostBeforeACommandLineIsHonouredAndItsOptionsAreNotOurs) {
  Workspace ws;
  for (std::vector<std::string> args : {std::vector<std::string>{"exec", "--host", "unix:///nonexistent/d.sock", "-w", ws.str()},
                                        std::vector<std::string>{"python", "--host", "unix:///nonexistent/d.sock", "-w", ws.str()}}) {
    if (args.front() == "exec") args.push_back("python3");
    args.insert(args.end(), {"-c", "print(1)"});
    expect_error(dlc(args), "nothing listens on /nonexistent/d.sock (--host)");
  }
}

TEST(BadInput, MountingTheHostsRootReadWriteIsRefusedUnlessDevcontainerJsonAllowsIt) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest", "mounts": ["type=bind,source=/,target=/host"]})");
  expect_error(dlc({"up", ws.str()}), "/ -> /host: the host's root folder, writable");
  EXPECT_TRUE(ws.containers(engine).empty());
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest", "mounts": ["type=bind,source=/,target=/host"],
                      "customizations": {"dlcontainer": {"allowDangerousMounts": true}}})");
  auto r = dlc({"up", ws.str()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE((r.out + r.err).find("warning: dangerous mounts, allowed"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(ws.containers(engine).size(), 1u);
}

TEST(BadInput, TheEnginesSocketAndDotDotEscapesAreRefusedWherePathsLead) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest", "mounts": ["type=bind,source=/var/run/docker.sock,target=/d.sock,readonly"]})");
  expect_error(dlc({"up", ws.str()}), "the container engine's socket");
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest",
                      "mounts": ["type=bind,source=${localWorkspaceFolder}/../../../../../../../../../etc,target=/e"]})");
  expect_error(dlc({"up", ws.str()}), "(/etc) -> /e: a system folder of the host, writable");
  EXPECT_TRUE(ws.containers(engine).empty());
}

TEST(BadInput, ACommaInALocalEnvValueCannotMountTheHostsRoot) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.write("data/x", "x");
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest", "mounts": ["type=bind,source=${localEnv:DLC_TEST_DATA},target=/data"]})");
  RunOptions o;
  o.env["DLC_TEST_DATA"] = ws.str() + "/data,source=/";
  auto r = dlc({"up", ws.str()}, o);
  // The value is one path (which does not exist), never a second source.
  EXPECT_NE(r.status, 0) << r.out;
  for (const auto& c : ws.containers(engine)) {
    auto info = engine.inspect_container(c.id);
    ASSERT_TRUE(info);
    for (const auto& m : info->mounts) EXPECT_NE(m.source, "/") << "the host's root is mounted at " << m.target;
  }
}

// The runtime folder lives in XDG_RUNTIME_DIR (else the shared /tmp, where another user may make it).
struct RuntimeBase {
  fs::path path = fs::temp_directory_path() / ("dlc-runtime-" + std::to_string(::getpid()));
  fs::path ours = path / ("dlcontainer-" + std::to_string(::geteuid()));
  RuntimeBase() { fs::create_directories(path); }
  ~RuntimeBase() { fs::remove_all(path); }
};

TEST(BadInput, ARuntimeFolderThatIsALinkIsRefusedAndNothingIsWrittenThroughIt) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest"})");
  RuntimeBase runtime;
  fs::create_directory(runtime.path / "elsewhere");
  fs::create_directory_symlink(runtime.path / "elsewhere", runtime.ours);
  RunOptions o;
  o.env["XDG_RUNTIME_DIR"] = runtime.path.string();
  expect_error(dlc({"up", ws.str()}, o), runtime.ours.string() + " is not a folder (a link or a file)");
  EXPECT_TRUE(fs::is_empty(runtime.path / "elsewhere"));
  EXPECT_TRUE(ws.containers(engine).empty());
}

TEST(BadInput, ARuntimeFolderMadeByAnotherUserIsRefused) {
  DLC_REQUIRE_ENGINE();
  if (::geteuid() != 0) {
    if (in_ci()) FAIL() << "CI=true and not root: cannot make a folder of another user's";
    GTEST_SKIP() << "needs root to make a folder of another user's";
  }
  Workspace ws;
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest"})");
  RuntimeBase runtime;
  fs::create_directory(runtime.ours);
  fs::permissions(runtime.ours, fs::perms::all);
  ASSERT_EQ(::chown(runtime.ours.c_str(), 4321, 4321), 0);
  RunOptions o;
  o.env["XDG_RUNTIME_DIR"] = runtime.path.string();
  expect_error(dlc({"up", ws.str()}, o), runtime.ours.string() + " belongs to uid 4321");
  EXPECT_TRUE(fs::is_empty(runtime.ours));
  EXPECT_TRUE(ws.containers(engine).empty());
}

}  // namespace
}  // namespace dlc::testing
