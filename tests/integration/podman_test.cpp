// dlcontainer against Podman's Docker-compatible API (DLC_ENGINE=podman): a service the test starts,
// rootful and rootless (a user it creates, with subordinate ids), the lifecycle, exec, a build, a port
// forwarded through the agent session, Jupyter and debugpy reached on this machine's loopback, and the
// owner of files written in the workspace from the container. One test per service, because starting one and loading an image into it is most of the time.
#include <sys/stat.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "integration/podman_support.h"
#include "services/probe.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

json parse(const RunResult& r) { return json::parse(r.out, nullptr, false); }

uid_t owner_of(const std::filesystem::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_uid : static_cast<uid_t>(-1);
}

// up, exec (exit status, stdin, streams), status, down, up again, down --remove, on one service.
void lifecycle(const PodmanService& podman, const Workspace& ws) {
  auto up = podman.dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(up.status, 0) << up.err;
  auto j = parse(up);
  EXPECT_EQ(j["action"], "created") << up.out;

  auto fail = podman.dlc({"exec", "-w", ws.str(), "--", "sh", "-c", "echo out; echo err >&2; exit 7"});
  EXPECT_EQ(fail.status, 7) << fail.err;
  EXPECT_EQ(fail.out, "out\n");
  EXPECT_EQ(fail.err, "err\n");
  RunOptions input;
  input.stdin_data = "one\ntwo\n";
  auto cat = podman.dlc({"exec", "-w", ws.str(), "--", "sh", "-c", "tr a-z A-Z"}, input);
  EXPECT_EQ(cat.out, "ONE\nTWO\n") << cat.err;

  auto status = podman.dlc({"status", ws.str(), "--json"});
  EXPECT_EQ(status.status, 0) << status.err;
  EXPECT_EQ(parse(status)["state"], "running") << status.out;

  auto down = podman.dlc({"down", ws.str()});
  EXPECT_EQ(down.status, 0) << down.err;
  auto again = podman.dlc({"up", ws.str(), "--json"});
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(parse(again)["action"], "started") << again.out;
  EXPECT_EQ(parse(again)["containerId"], j["containerId"]);
}

// Debian's Jupyter (classic notebook) in tests/images/services, FROM the Python image: its layers are the
// Python image's plus one, so loading it into Podman costs one copy for the lifecycle and the service.
constexpr const char* kServicesImage = "dlc-test/services:latest";

// `jupyter` through Podman: started in the container as the remote user, reached on this machine's
// 127.0.0.1 (the agent's forward over Podman's exec stream), its token guarding the API, then stopped.
void jupyter_answers(const PodmanService& podman, const Workspace& ws) {
  // Rootless Podman here shares the host's network (see below), so the container's ports are this
  // machine's, where the other test lane's forwards take 8888 and 5678 at any moment: a port nothing
  // holds now.
  auto started = podman.dlc({"jupyter", ws.str(), "--json", "--port", std::to_string(free_port())});
  ASSERT_EQ(started.status, 0) << started.err;
  auto j = parse(started);
  ASSERT_EQ(j["kind"], "jupyter") << started.out;
  std::string url = j["url"];
  auto at = url.find("?token=");
  ASSERT_NE(at, std::string::npos) << url;
  std::string token = url.substr(at + 7);
  int port = j["hostPort"];
  EXPECT_EQ(url, "http://127.0.0.1:" + std::to_string(port) + "/tree?token=" + token);
  auto with = services::wait_http("127.0.0.1", port, "/api/contents?token=" + token, {}, 200, 30s);
  ASSERT_TRUE(with) << started.out;
  EXPECT_EQ(with->status, 200);
  EXPECT_NE(with->body.find("analysis.ipynb"), std::string::npos) << "not the workspace folder: " << with->body;
  auto without = services::http_get("127.0.0.1", port, "/api/contents");
  ASSERT_TRUE(without);
  EXPECT_TRUE(without->status == 403 || without->status == 401) << without->status;
  auto ps = podman.dlc({"exec", "-w", ws.str(), "-T", "--", "sh", "-c", "ps -o user= -p " + std::to_string(j["pid"].get<int>())});
  EXPECT_EQ(ps.out, "dev\n") << ps.err;
  auto stop = podman.dlc({"jupyter", ws.str(), "--stop"});
  EXPECT_EQ(stop.status, 0) << stop.err;
  EXPECT_NE(stop.out.find("stopped 1"), std::string::npos) << stop.out;
}

// `debug python` in the foreground through Podman: debugpy's adapter in the container, reached through
// the agent, the script's output and exit status back here.
void debug_python_runs(const PodmanService& podman, const Workspace& ws) {
  RunOptions o;
  o.timeout_seconds = 120;
  auto r = podman.dlc({"debug", "python", "-w", ws.str(), "--port", std::to_string(free_port()), "--", "job.py", "podman"}, o);
  EXPECT_EQ(r.status, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("\"type\": \"debugpy\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hello from podman"), std::string::npos) << r.out;
}

TEST(Podman, RootlessKeepsTheUsersUidOnWorkspaceFilesThroughItsOwnSocket) {
  PodmanService podman(PodmanService::Mode::Rootless);
  DLC_REQUIRE_PODMAN(podman);
  ASSERT_TRUE(podman.load({kServicesImage})) << podman.why();
  auto ws = podman.workspace();
  ws->write("analysis.ipynb", R"({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})");
  ws->write("job.py", "import sys\nprint('hello from', sys.argv[1])\nsys.exit(3)\n");
  // dev (uid 1000 in the image) gets the user's uid through the uid layer (a build through Podman), and
  // keep-id maps that uid to the same one on the host.
  // The host network: these machines' /dev/net/tun is root's alone (0600), so rootless Podman's own
  // network (slirp4netns) cannot start, and Podman 4.3 has no pasta (4.4 brought it); the user namespace,
  // which this test is about, is unaffected, and Jupyter is still reached through the agent.
  ws->devcontainer(std::string(R"({"image": ")") + kServicesImage + R"(", "remoteUser": "dev", "runArgs": ["--network=host"]})");
  ASSERT_EQ(::chown(ws->path().c_str(), podman.uid(), podman.gid()), 0);
  for (const char* d : {".devcontainer", ".devcontainer/devcontainer.json"}) ::chown((ws->path() / d).c_str(), podman.uid(), podman.gid());
  lifecycle(podman, *ws);

  auto write = podman.dlc({"exec", "-w", ws->str(), "--", "sh", "-c", "id -un; echo made > from-container.txt"});
  EXPECT_EQ(write.status, 0) << write.err;
  EXPECT_EQ(write.out, "dev\n");
  EXPECT_EQ(owner_of(ws->path() / "from-container.txt"), podman.uid());
  EXPECT_EQ(ws->read("from-container.txt"), "made\n");
  jupyter_answers(podman, *ws);
  debug_python_runs(podman, *ws);

  // keep-id's mapping: the user's uid in the container is the user (uid 0 of the intermediate namespace).
  auto inspect = podman.podman({"inspect", "--format", "{{json .HostConfig.IDMappings}}", "--latest"});
  EXPECT_NE(inspect.out.find("\"" + std::to_string(podman.uid()) + ":0:1\""), std::string::npos) << inspect.out << inspect.err;
  auto gone = podman.dlc({"down", ws->str(), "--remove"});
  EXPECT_EQ(gone.status, 0) << gone.err;
  EXPECT_TRUE(std::filesystem::exists(ws->path() / "from-container.txt"));  // the user's files stay
}

TEST(Podman, RootfulBuildsFromTheWorkspaceDockerfileAndRunsTheLifecycle) {
  PodmanService podman(PodmanService::Mode::Rootful);
  DLC_REQUIRE_PODMAN(podman);
  ASSERT_TRUE(podman.load({kServicesImage})) << podman.why();
  auto ws = podman.workspace();
  ws->write("analysis.ipynb", R"({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})");
  ws->write("job.py", "import sys\nprint('hello from', sys.argv[1])\nsys.exit(3)\n");
  ws->write(".devcontainer/Dockerfile", std::string("FROM ") + kServicesImage + "\nARG GREETING=none\nRUN echo \"$GREETING\" > /greeting\n");
  ws->devcontainer(R"({"build": {"dockerfile": "Dockerfile", "args": {"GREETING": "hello from podman"}}, "remoteUser": "dev"})");
  lifecycle(podman, *ws);

  // The remote user is dev (Jupyter will not run as root); root in the container is root on the host.
  auto greeting = podman.dlc({"exec", "-w", ws->str(), "-u", "root", "--", "sh", "-c", "cat /greeting; touch made-by-root"});
  EXPECT_EQ(greeting.out, "hello from podman\n") << greeting.err;
  EXPECT_EQ(owner_of(ws->path() / "made-by-root"), 0u);
  auto inspect = podman.podman({"inspect", "--format", "{{json .HostConfig.IDMappings}}", "--latest"});
  EXPECT_EQ(inspect.status, 0) << inspect.err;
  EXPECT_EQ(inspect.out.find(":0:1\""), std::string::npos) << inspect.out;  // rootful: no user namespace asked for

  // A port nothing publishes, forwarded through the agent session over Podman's exec (its compat API's
  // exec stream and the injected agent, as on Docker), then stopped.
  podman.dlc({"exec", "-w", ws->str(), "-T", "--", "sh", "-c",
              "mkdir -p /tmp/site && echo through podman > /tmp/site/index.html && "
              "(cd /tmp/site && nohup python3 -m http.server 8765 --bind 127.0.0.1 >/dev/null 2>&1 &)"});
  auto forward = podman.dlc({"forward", "-w", ws->str(), "8765", "--detach", "--json"});
  ASSERT_EQ(forward.status, 0) << forward.err;
  auto page = services::wait_http("127.0.0.1", parse(forward)["hostPort"], "/index.html", {}, 200, 20s);
  ASSERT_TRUE(page) << forward.out;
  EXPECT_EQ(page->body, "through podman\n");
  EXPECT_EQ(podman.dlc({"forward", "-w", ws->str(), "8765", "--stop"}).status, 0);
  jupyter_answers(podman, *ws);
  debug_python_runs(podman, *ws);
  auto gone = podman.dlc({"down", ws->str(), "--remove"});
  EXPECT_EQ(gone.status, 0) << gone.err;
  auto left = podman.podman({"ps", "--all", "--quiet"});
  EXPECT_EQ(left.out, "");
}

TEST(Podman, ASocketNothingListensOnIsAClearErrorAndNothingIsMade) {
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kBaseImage + R"("})");
  auto before = snapshot(ws.path());
  RunOptions o;
  o.env = {{"DLC_ENGINE", "podman"}, {"XDG_RUNTIME_DIR", ws.path().parent_path().string()}};
  o.unset_env = {"DOCKER_HOST", "CONTAINER_HOST"};
  o.uid = 4321;  // a user without a Podman of their own
  o.gid = 4321;
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run the binary as another user";
  ::chmod(ws.path().parent_path().c_str(), 0755);
  auto r = dlc({"up", ws.str()}, o);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("Podman's API service is not running"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("systemctl --user enable --now podman.socket"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(ws.path()), before);
}

}  // namespace
}  // namespace dlc::testing
