// Each failure gets one clear line, a hint, a non-zero exit status, and changes nothing.
#include <grp.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "integration/support.h"

namespace dlc::testing {
namespace {

void expect_error(const RunResult& r, const std::string& message, const std::string& hint) {
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << "stderr was: " << r.err;
  EXPECT_NE(r.err.find("hint: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(hint), std::string::npos) << "stderr was: " << r.err;
}

TEST(Errors, DaemonNotRunning) {
  Workspace ws;
  ws.devcontainer(R"({"image": "dlc-test/python:latest"})");
  RunOptions o;
  o.env["DOCKER_HOST"] = "unix://" + ws.str() + "/no-daemon.sock";
  auto r = dlc({"up", ws.str()}, o);
  expect_error(r, "the Docker daemon is not running", "start it");
}

TEST(Errors, SocketNotPermittedSaysToJoinTheDockerGroup) {
  DLC_REQUIRE_ENGINE();
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run the binary as another user";
  Workspace ws;
  ws.devcontainer(R"({"image": "dlc-test/python:latest"})");
  // A socket only root may use: the real daemon's, reached as an ordinary user without the docker group.
  struct stat st {};
  ASSERT_EQ(::stat("/var/run/docker.sock", &st), 0);
  RunOptions o;
  o.uid = 4321;
  o.gid = 4321;
  o.unset_env = {"DOCKER_HOST"};
  if ((st.st_mode & 0006) != 0) GTEST_SKIP() << "the socket is open to everyone here";
  auto r = dlc({"up", ws.str()}, o);
  expect_error(r, "permission denied on the Docker socket", "usermod -aG docker");
  EXPECT_TRUE(ws.containers(engine).empty());
}

TEST(Errors, ImageMissingAndNotPullable) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(R"({"image": "dlc-test/does-not-exist:never"})");
  auto r = dlc({"up", ws.str()});
  expect_error(r, "image dlc-test/does-not-exist:never is not here and cannot be pulled", "registry");
  EXPECT_TRUE(ws.containers(engine).empty());
}

TEST(Errors, BrokenJsoncNamesFileLineAndColumn) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer("{\n  \"image\": \"dlc-test/python:latest\"\n  \"init\": true\n}\n");
  auto before = snapshot(ws.path());
  auto r = dlc({"up", ws.str()});
  expect_error(r, ws.str() + "/.devcontainer/devcontainer.json:3:3", "");
  EXPECT_TRUE(ws.containers(engine).empty());
  EXPECT_EQ(snapshot(ws.path()), before);
}

TEST(Errors, UnknownRunArgIsRefusedNotIgnored) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(R"({"image": "dlc-test/python:latest", "runArgs": ["--pid=host"]})");
  auto r = dlc({"up", ws.str()});
  expect_error(r, "--pid", "");
  EXPECT_TRUE(ws.containers(engine).empty());
}

TEST(Errors, WorkspacePathThatDoesNotExist) {
  auto r = dlc({"up", "/nonexistent/paper-repo"});
  expect_error(r, "the workspace folder /nonexistent/paper-repo does not exist", "path of the repository");
}

TEST(Errors, ExecWithoutAContainer) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  auto r = dlc({"exec", "-w", ws.str(), "--", "true"});
  expect_error(r, "no container for", "dlcontainer up");
}

TEST(Errors, ABuildThatFailsSaysSoAndLeavesNoContainer) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.write(".devcontainer/Dockerfile", "FROM dlc-test/python:latest\nRUN exit 3\n");
  ws.devcontainer(R"({"build": {"dockerfile": "Dockerfile"}})");
  auto r = dlc({"up", ws.str()});
  expect_error(r, "the image build failed", "Dockerfile");
  EXPECT_TRUE(ws.containers(engine).empty());
}

}  // namespace
}  // namespace dlc::testing
