// engine/podman: which local engine is taken (Docker's socket, Podman's rootless or rootful one), from
// DLC_ENGINE, DOCKER_HOST, CONTAINER_HOST and the sockets that exist; and what a dead Podman socket says.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>

#include "engine/http.h"
#include "engine/podman.h"
#include "support/error.h"

namespace dlc::engine {
namespace {

namespace fs = std::filesystem;

// Sockets that exist (bound, not listening) in a temporary folder laid out like the host's.
class Sockets {
 public:
  Sockets() {
    char tmpl[] = "/tmp/dlc-sockets-XXXXXX";
    root_ = ::mkdtemp(tmpl);
  }
  ~Sockets() {
    for (int fd : fds_) ::close(fd);
    fs::remove_all(root_);
  }
  std::string path(const std::string& rel) const { return (root_ / rel).string(); }
  std::string make(const std::string& rel) {
    auto p = root_ / rel;
    fs::create_directories(p.parent_path());
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", p.c_str());
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << p;
    fds_.push_back(fd);
    return p.string();
  }
  LocalEngineEnv env(uid_t uid = 1000) const {
    return LocalEngineEnv{.xdg_runtime_dir = path("run/user/1000"), .uid = uid, .docker_socket = path("var/run/docker.sock"),
                          .podman_rootful_socket = path("run/podman/podman.sock")};
  }

 private:
  fs::path root_;
  std::vector<int> fds_;
};

TEST(LocalEngine, DockersSocketWinsWhenItIsThere) {
  Sockets s;
  s.make("var/run/docker.sock");
  s.make("run/user/1000/podman/podman.sock");
  auto e = choose_local_endpoint(s.env());
  EXPECT_EQ(e.kind, "docker");
  EXPECT_EQ(e.endpoint.socket_path, s.path("var/run/docker.sock"));
}

TEST(LocalEngine, WithoutDockersSocketAUsersRootlessPodmanIsFoundThenTheRootfulOne) {
  Sockets s;
  s.make("run/podman/podman.sock");
  auto e = choose_local_endpoint(s.env());
  EXPECT_EQ(e.kind, "podman");
  EXPECT_EQ(e.endpoint.socket_path, s.path("run/podman/podman.sock"));

  s.make("run/user/1000/podman/podman.sock");
  e = choose_local_endpoint(s.env());
  EXPECT_EQ(e.endpoint.socket_path, s.path("run/user/1000/podman/podman.sock"));
  // root has no rootless socket of its own
  e = choose_local_endpoint(s.env(0));
  EXPECT_EQ(e.endpoint.socket_path, s.path("run/podman/podman.sock"));
}

TEST(LocalEngine, NothingRunningLeavesDockersDefaultSoItsErrorIsShown) {
  Sockets s;
  auto e = choose_local_endpoint(s.env());
  EXPECT_EQ(e.kind, "docker");
  EXPECT_EQ(e.endpoint.socket_path, s.path("var/run/docker.sock"));
}

TEST(LocalEngine, AskingForPodmanTakesItsSocketEvenBesideDockers) {
  Sockets s;
  s.make("var/run/docker.sock");
  auto env = s.env();
  env.engine = "podman";
  env.docker_host = "unix://" + s.path("var/run/docker.sock");  // DOCKER_HOST is Docker's, not Podman's
  auto e = choose_local_endpoint(env);
  EXPECT_EQ(e.kind, "podman");
  // None runs: the rootless one it would use, so that connecting says how to start it.
  EXPECT_EQ(e.endpoint.socket_path, s.path("run/user/1000/podman/podman.sock"));

  env.container_host = "unix:///somewhere/podman.sock";
  e = choose_local_endpoint(env);
  EXPECT_EQ(e.kind, "podman");
  EXPECT_EQ(e.endpoint.socket_path, "/somewhere/podman.sock");
}

TEST(LocalEngine, XdgRuntimeDirUnsetFallsBackToRunUser) {
  LocalEngineEnv env{.engine = "podman", .uid = 4242};
  EXPECT_EQ(podman_sockets(env), (std::vector<std::string>{"/run/user/4242/podman/podman.sock", "/run/podman/podman.sock"}));
}

TEST(LocalEngine, ASocketIsExplainedAsPodmansWhenNamedSoOrAskedFor) {
  ::unsetenv("DLC_ENGINE");
  EXPECT_TRUE(podman_expected("/run/podman/podman.sock"));
  EXPECT_TRUE(podman_expected("/tmp/x/podman.sock"));
  EXPECT_FALSE(podman_expected("/var/run/docker.sock"));
  ::setenv("DLC_ENGINE", "podman", 1);
  EXPECT_TRUE(podman_expected("/tmp/engine.sock"));
  ::unsetenv("DLC_ENGINE");
}

TEST(LocalEngine, AnUnknownEngineIsAnError) {
  Sockets s;
  auto env = s.env();
  env.engine = "containerd";
  try {
    choose_local_endpoint(env);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("containerd"), std::string::npos);
    EXPECT_NE(e.hint().find("docker or podman"), std::string::npos);
  }
}

TEST(LocalEngine, ADeadPodmanSocketSaysHowToStartPodmansService) {
  Sockets s;
  Endpoint e;
  e.socket_path = s.make("run/user/1000/podman/podman.sock");  // bound but nobody listens: refused
  try {
    Connection c(e);
    FAIL() << "connected";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::EngineUnavailable);
    EXPECT_NE(std::string(err.what()).find("Podman's API service is not running"), std::string::npos);
    EXPECT_NE(err.hint().find("systemctl --user enable --now podman.socket"), std::string::npos);
    EXPECT_NE(err.hint().find("podman system service --time=0 unix://" + e.socket_path), std::string::npos);
  }
  EXPECT_NE(podman_start_hint("/run/podman/podman.sock").find("sudo systemctl enable --now podman.socket"), std::string::npos);
}

}  // namespace
}  // namespace dlc::engine
