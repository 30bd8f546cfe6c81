// Remote engines, through the real binary: a second dockerd with --tlsverify on tcp://127.0.0.1 (in a
// mount namespace where the test's "laptop" folders do not exist), and the shared engine behind
// Debian's sshd on a loopback port, reached with `ssh ... docker system dial-stdio` (and through a
// docker context). Each: up, exec (exit status, stdin), logs, down, the GPU facts read by the probe on
// the right host, and the errors that must be clear and leave nothing behind. Everything the tests
// start ends with them (tests/integration/remote_support.h).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/features_support.h"
#include "integration/remote_support.h"
#include "integration/support.h"
#include "core/remote_workspace.h"
#include "services/probe.h"
#include "support/error.h"
#include "support/hash.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kServicesImage = "dlc-test/services:latest";
constexpr const char* kGitImage = "dlc-test/git:latest";  // git and a shell: the clone helper (tests/images/git)

// One TLS engine and one sshd for all the tests here: each takes seconds to start.
class Remote : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tls_ = new TlsEngine({kBaseImage, kGitImage});
    ssh_ = new SshServer();
  }
  static void TearDownTestSuite() {
    delete ssh_;
    delete tls_;
    // The probe's image on the shared engine (the TLS engine's went with its data-root).
    try {
      auto e = engine::Engine::connect();
      for (const auto& img : e.list_images()) {
        for (const auto& tag : img.repo_tags) {
          if (tag.rfind("dlcontainer/probe:", 0) == 0) e.remove_image(tag);
        }
      }
    } catch (const Error&) {
    }
  }
  void SetUp() override {
    std::string why;
    if (!test_engine(&why)) {
      if (in_ci()) FAIL() << "CI=true and no Docker engine: " << why;
      GTEST_SKIP() << "no Docker engine: " << why;
    }
    if (!tls_->running() || !ssh_->running()) {
      std::string reason = tls_->running() ? ssh_->why() : tls_->why();
      if (in_ci()) FAIL() << "CI=true and no remote engine for the tests: " << reason;
      GTEST_SKIP() << "no remote engine: " << reason;
    }
  }

  // dlcontainer against the TLS engine (--host tcp://..., certificates from DOCKER_CERT_PATH).
  static RunResult tls(std::vector<std::string> args, RunOptions o = {}) {
    args.insert(args.begin(), {"--host", tls_->url()});
    for (const auto& [k, v] : tls_->env()) o.env[k] = v;
    return dlc(args, o);
  }
  // dlcontainer against the shared engine over ssh://.
  static RunResult over_ssh(std::vector<std::string> args, RunOptions o = {}, std::string url = {}) {
    args.insert(args.begin(), {"--host", url.empty() ? ssh_->url() : url});
    for (const auto& [k, v] : ssh_->env()) o.env[k] = v;
    return dlc(args, o);
  }

  static inline TlsEngine* tls_ = nullptr;
  static inline SshServer* ssh_ = nullptr;
};

json json_of(const RunResult& r) {
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  auto j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  return j;
}

// A "laptop" folder: it exists here, not where the TLS engine runs.
struct LaptopFolder {
  fs::path path;
  explicit LaptopFolder(const fs::path& hidden, const std::string& name) : path(hidden / name) {
    fs::create_directories(path / ".devcontainer");
  }
  ~LaptopFolder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path / rel).parent_path());
    std::ofstream(path / rel) << text;
  }
};

TEST_F(Remote, OverTlsALocalFolderIsCopiedIntoAVolumeAndTheLifecycleWorks) {
  LaptopFolder ws(tls_->hidden_dir(), "paper");
  ws.write(".devcontainer/devcontainer.json", std::string(R"({"image": ")") + kBaseImage +
                                                  R"(", "postCreateCommand": "echo created > /tmp/created; echo hello from the container"})");
  ws.write("data/notes.txt", "from the laptop\n");
  auto up = json_of(tls({"up", ws.path.string(), "--json"}));
  EXPECT_EQ(up["action"], "created");
  EXPECT_EQ(up["engine"], tls_->url());
  EXPECT_EQ(up["location"]["kind"], "copy") << up.dump(2);
  EXPECT_EQ(up["location"]["machine"], "127.0.0.1");
  std::string volume = up["location"]["volume"];
  EXPECT_NE(up["location"]["note"].get<std::string>().find("not kept in sync"), std::string::npos);

  // The copy is there, the exit status and stdin pass through.
  auto cat = tls({"exec", "-w", ws.path.string(), "-T", "--", "cat", "data/notes.txt"});
  EXPECT_EQ(cat.status, 0) << cat.err;
  EXPECT_EQ(cat.out, "from the laptop\n");
  EXPECT_EQ(tls({"exec", "-w", ws.path.string(), "-T", "--", "sh", "-c", "exit 7"}).status, 7);
  auto echo = tls({"exec", "-w", ws.path.string(), "-T", "--", "sh", "-c", "tr a-z A-Z"}, RunOptions{.stdin_data = "shout\n"});
  EXPECT_EQ(echo.out, "SHOUT\n") << echo.err;
  // A change in the container stays there (a copy): the laptop's file is untouched.
  tls({"exec", "-w", ws.path.string(), "-T", "--", "sh", "-c", "echo changed > data/notes.txt"});
  std::ifstream notes(ws.path / "data/notes.txt");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(notes), {}), "from the laptop\n");

  auto logs = tls({"logs", ws.path.string()});
  EXPECT_EQ(logs.status, 0) << logs.err;
  EXPECT_NE(logs.out.find("dlcontainer: container started"), std::string::npos) << logs.out;

  auto status = json_of(tls({"status", ws.path.string(), "--json"}));
  EXPECT_EQ(status["state"], "running");
  EXPECT_EQ(status["location"]["kind"], "copy");

  // A second up finds it again (labels: key, origin, engine), and the copy is not made again.
  auto again = json_of(tls({"up", ws.path.string(), "--json"}));
  EXPECT_EQ(again["action"], "running");
  EXPECT_EQ(again["containerId"], up["containerId"]);

  auto down = json_of(tls({"down", ws.path.string(), "--remove", "--json"}));
  EXPECT_EQ(down["action"], "removed");
  auto e = tls_->engine();
  EXPECT_TRUE(e.inspect_volume(volume)) << "down removed the copy: it is the user's";
  auto recreated = json_of(tls({"up", ws.path.string(), "--json"}));
  EXPECT_EQ(recreated["location"]["kind"], "copy");
  EXPECT_TRUE(recreated["location"]["reused"].get<bool>());
  auto changed = tls({"exec", "-w", ws.path.string(), "-T", "--", "cat", "data/notes.txt"});
  EXPECT_EQ(changed.out, "changed\n") << "the copy in the volume was replaced";
  tls({"down", ws.path.string(), "--remove"});
}

TEST_F(Remote, AFolderThatExistsOnTheEnginesHostTooIsMountedNotCopied) {
  Workspace ws("shared");  // under /tmp: the TLS engine's host sees the same folder
  ws.devcontainer(std::string(R"({"image": ")") + kBaseImage + R"("})");
  auto up = json_of(tls({"up", ws.str(), "--json"}));
  EXPECT_EQ(up["location"]["kind"], "shared") << up.dump(2);
  tls({"exec", "-w", ws.str(), "-T", "--", "sh", "-c", "echo written-there > out.txt"});
  EXPECT_EQ(ws.read("out.txt"), "written-there\n");
  tls({"down", ws.str(), "--remove"});
}

// A git URL on a remote engine is cloned there (by a helper container of the user config's cloneImage,
// on that host's network), into a volume mounted as the workspace; nothing is cloned on this machine.
TEST_F(Remote, AGitUrlIsClonedOnTheEnginesHostIntoAVolumeNeverHere) {
  GitServer git("paper", {{".devcontainer/devcontainer.json", std::string(R"({"image": ")") + kBaseImage + R"("})"},
                          {"train.py", "print('training')\n"}});
  if (!git.running()) {
    if (in_ci()) FAIL() << "CI=true and no git daemon for the test: " << git.why();
    GTEST_SKIP() << git.why();
  }
  Scratch config("clone-config");
  fs::create_directories(config.path() / "dlcontainer");
  std::ofstream(config.path() / "dlcontainer" / "config.json") << R"({"cloneImage": ")" << kGitImage << R"("})";
  Scratch cache("clone-cache");
  RunOptions o;
  o.env = {{"XDG_CONFIG_HOME", config.path().string()}, {"XDG_CACHE_HOME", cache.path().string()}};
  auto up = json_of(tls({"up", git.url(), "--json"}, o));
  EXPECT_EQ(up["action"], "created") << up.dump(2);
  EXPECT_EQ(up["location"]["kind"], "clone") << up.dump(2);
  EXPECT_EQ(up["location"]["machine"], "127.0.0.1");
  EXPECT_EQ(up["location"]["source"], git.url());
  EXPECT_FALSE(up["location"]["reused"].get<bool>());
  std::string volume = up["location"]["volume"];
  EXPECT_NE(up["location"]["note"].get<std::string>().find("cloned into volume " + volume + " on 127.0.0.1"), std::string::npos);

  auto cat = tls({"exec", "-w", git.url(), "-T", "--", "sh", "-c", "cat train.py && test -d .git && echo with-its-history"}, o);
  EXPECT_EQ(cat.status, 0) << cat.err;
  EXPECT_EQ(cat.out, "print('training')\nwith-its-history\n");
  // Nothing of the repository on this machine: no clone in the cache, no snapshot left in /tmp.
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(cache.path(), ec)) {
    EXPECT_NE(e.path().filename(), "train.py") << "cloned here: " << e.path();
  }
  auto status = json_of(tls({"status", git.url(), "--json"}, o));
  EXPECT_EQ(status["state"], "running");
  EXPECT_EQ(status["location"]["kind"], "clone");
  EXPECT_EQ(status["location"]["volume"], volume);

  // down keeps the clone (it may hold work); the next up mounts it again instead of cloning.
  EXPECT_EQ(json_of(tls({"down", git.url(), "--remove", "--json"}, o))["action"], "removed");
  auto e = tls_->engine();
  EXPECT_TRUE(e.inspect_volume(volume)) << "down removed the clone";
  auto again = json_of(tls({"up", git.url(), "--json"}, o));
  EXPECT_EQ(again["location"]["kind"], "clone");
  EXPECT_TRUE(again["location"]["reused"].get<bool>());
  tls({"down", git.url(), "--remove"}, o);
  EXPECT_TRUE(e.list_containers({{"dev.dlcontainer.probe", ""}}, true).empty()) << "a helper container was left";
  e.remove_volume(volume);

  // A URL nothing serves: git's own words and the fix, and no volume left behind.
  std::string dead = "git://127.0.0.1:" + std::to_string(free_loopback_port()) + "/nothing.git";
  auto failed = tls({"up", dead}, o);
  EXPECT_EQ(failed.status, 1) << failed.out << failed.err;
  EXPECT_NE(failed.err.find("git clone " + dead + " failed on 127.0.0.1"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("hint: "), std::string::npos) << failed.err;
  EXPECT_FALSE(e.inspect_volume(core::workspace_volume(dead))) << "the failed clone's volume was left";
}

TEST_F(Remote, OverSshUpExecLogsJupyterAndAForwardReachThisMachine) {
  Workspace ws("ssh");
  ws.write("analysis.ipynb", R"({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})");
  ws.devcontainer(std::string(R"({"image": ")") + kServicesImage + R"(", "remoteUser": "dev", "forwardPorts": [8000]})");
  auto up = json_of(over_ssh({"up", ws.str(), "--json"}));
  EXPECT_EQ(up["engine"], ssh_->url());
  EXPECT_EQ(over_ssh({"exec", "-w", ws.str(), "-T", "--", "sh", "-c", "exit 4"}).status, 4);
  auto echo = over_ssh({"exec", "-w", ws.str(), "-T", "--", "cat"}, RunOptions{.stdin_data = "over ssh\n"});
  EXPECT_EQ(echo.out, "over ssh\n") << echo.err;
  EXPECT_EQ(over_ssh({"logs", ws.str()}).status, 0);

  // Jupyter's URL is on this machine's loopback, relayed by the agent over the engine connection:
  // the published port (on the engine's loopback) is not what it uses.
  auto nb = json_of(over_ssh({"jupyter", ws.str(), "--json"}));
  EXPECT_EQ(nb["via"], "forwarded") << nb.dump(2);
  std::string url = nb["url"];
  auto token = url.substr(url.find("?token=") + 7);
  auto answer = services::http_get("127.0.0.1", nb["hostPort"], "/api/contents?token=" + token, {}, 10s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_NE(answer->body.find("analysis.ipynb"), std::string::npos);

  // A forward of a port nothing publishes.
  over_ssh({"exec", "-w", ws.str(), "-T", "--", "sh", "-c",
            "mkdir -p /tmp/site && echo forwarded > /tmp/site/index.html && "
            "(cd /tmp/site && nohup python3 -m http.server 8765 --bind 127.0.0.1 >/dev/null 2>&1 &)"});
  auto f = json_of(over_ssh({"forward", "-w", ws.str(), "8765", "--detach", "--json"}));
  auto page = services::wait_http("127.0.0.1", f["hostPort"], "/index.html", {}, 200, 20s);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->body, "forwarded\n");
  over_ssh({"jupyter", ws.str(), "--stop"});
  auto down = json_of(over_ssh({"down", ws.str(), "--remove", "--json"}));
  EXPECT_EQ(down["action"], "removed");
}

TEST_F(Remote, ADockerContextChoosesTheEngineAsTheDockerCliDoes) {
  Scratch config("docker-config");
  std::string name = "dlc-test-ssh";
  fs::path meta = config.path() / "contexts" / "meta" / sha256_hex(name);
  fs::create_directories(meta);
  std::ofstream(meta / "meta.json") << R"({"Name":")" << name << R"(","Metadata":{},"Endpoints":{"docker":{"Host":")"
                                    << ssh_->url() << R"(","SkipTLSVerify":false}}})";
  std::ofstream(config.path() / "config.json") << R"({"currentContext":")" << name << R"("})";
  Workspace ws("ctx");
  ws.devcontainer(std::string(R"({"image": ")") + kBaseImage + R"("})");
  RunOptions o;
  o.env = ssh_->env();
  o.env["DOCKER_CONFIG"] = config.path().string();
  o.unset_env = {"DOCKER_HOST", "DOCKER_CONTEXT"};
  auto up = json_of(dlc({"up", ws.str(), "--json"}, o));
  EXPECT_EQ(up["engine"], ssh_->url());
  auto status = json_of(dlc({"status", ws.str(), "--json"}, o));
  EXPECT_EQ(status["state"], "running");
  EXPECT_EQ(status["engine"], ssh_->url());
  dlc({"down", ws.str(), "--remove"}, o);
}

TEST_F(Remote, GpusAndDoctorDescribeTheEnginesHostReadByTheProbe) {
  for (auto run : {+[](std::vector<std::string> a) { return tls(std::move(a)); },
                   +[](std::vector<std::string> a) { return over_ssh(std::move(a)); }}) {
    auto gpus = run({"gpus"});
    EXPECT_EQ(gpus.status, 1) << "this machine has no GPU: " << gpus.out << gpus.err;
    EXPECT_NE(gpus.out.find("GPUs of 127.0.0.1 (read by a probe container there)"), std::string::npos) << gpus.out << gpus.err;
    EXPECT_NE(gpus.out.find("no GPU on 127.0.0.1"), std::string::npos) << gpus.out;
    auto facts = json_of([&] {
      auto r = run({"gpus", "--json"});
      r.status = 0;  // exit 1 means no GPU, which is the truth here
      return r;
    }());
    EXPECT_EQ(facts["machine"], "127.0.0.1");
    EXPECT_FALSE(facts["driverPresent"].get<bool>());
    EXPECT_NE(facts["whyNone"].get<std::string>().find("127.0.0.1"), std::string::npos) << facts.dump(2);
    auto doctor = run({"doctor", "--json"});
    auto report = json::parse(doctor.out, nullptr, false);
    ASSERT_TRUE(report.is_object()) << doctor.out << doctor.err;
    EXPECT_EQ(report["machine"], "127.0.0.1");
    EXPECT_FALSE(report["ok"].get<bool>());
    bool running = false;
    for (const auto& c : report["checks"]) {
      if (c["id"] == "docker-running") running = c["status"] == "ok";
    }
    EXPECT_TRUE(running) << report.dump(2);
  }
  // No probe container is left on either engine.
  EXPECT_TRUE(tls_->engine().list_containers({{"dev.dlcontainer.probe", ""}}).empty());
  EXPECT_TRUE(engine::Engine::connect().list_containers({{"dev.dlcontainer.probe", ""}}).empty());
}

// Each failure: exit 1, an error that names what is wrong and how to fix it, and no container made.
void expect_clear_failure(const RunResult& r, const std::string& words, const std::string& fix, const Workspace& ws) {
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(words), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hint: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(fix), std::string::npos) << r.err;
  EXPECT_TRUE(ws.containers(engine::Engine::connect()).empty()) << "a failed up made a container";
}

TEST_F(Remote, UnreachableRefusedDockerlessAndUntrustedEnginesAreClearErrorsThatMakeNothing) {
  Workspace ws("errors");
  ws.devcontainer(std::string(R"({"image": ")") + kBaseImage + R"("})");
  int closed = free_loopback_port();
  expect_clear_failure(over_ssh({"up", ws.str()}, {}, "ssh://" + ssh_->user() + "@127.0.0.1:" + std::to_string(closed)),
                       "nothing accepts ssh connections", "start sshd", ws);
  expect_clear_failure(over_ssh({"up", ws.str()}, {}, "ssh://nosuchuser@127.0.0.1:" + std::to_string(ssh_->port())),
                       "ssh refused the login to 127.0.0.1", "authorized_keys", ws);
  expect_clear_failure(over_ssh({"up", ws.str()}, {}, "ssh://" + ssh_->user_without_docker() + "@127.0.0.1:" + std::to_string(ssh_->port())),
                       "127.0.0.1 has no docker command", "install Docker on 127.0.0.1", ws);
  // A CA that did not sign the daemon's certificate.
  Scratch other("other-ca");
  make_certificates(other.path());
  RunOptions o;
  o.env = {{"DOCKER_TLS_VERIFY", "1"}, {"DOCKER_CERT_PATH", other.path().string()}};
  auto untrusted = dlc({"--host", tls_->url(), "up", ws.str()}, o);
  expect_clear_failure(untrusted, "is not trusted", "DOCKER_CERT_PATH", ws);
  EXPECT_TRUE(tls_->engine().list_containers({{"dev.dlcontainer.workspace", ""}}).empty());
}

// A frozen engine: a socket that accepts and never answers (what a SIGSTOPped dockerd looks like).
TEST(FrozenEngine, StatusAndListEndWithATimeoutErrorNotAHang) {
  Scratch dir("frozen");
  std::string path = (dir.path() / "docker.sock").string();
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 16), 0);  // accepted by the kernel, never read
  Workspace ws("frozen");
  for (std::vector<std::string> args : {std::vector<std::string>{"status", ws.str()}, {"list"}}) {
    auto r = dlc(args, RunOptions{.env = {{"DOCKER_HOST", "unix://" + path}, {"DLC_ENGINE_TIMEOUT", "1"}}, .timeout_seconds = 60});
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("did not answer within 1 s"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("DLC_ENGINE_TIMEOUT"), std::string::npos) << r.err;
  }
  ::close(fd);
}

}  // namespace
}  // namespace dlc::testing
