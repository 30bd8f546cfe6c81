// What integration tests share: the real binary, the real daemon, and workspaces that clean up after themselves.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"

namespace dlc::testing {

// Images that tests/images/build.sh builds locally (nothing is pulled).
inline constexpr const char* kBaseImage = "dlc-test/bookworm:latest";
inline constexpr const char* kPythonImage = "dlc-test/python:latest";

// The engine the tests use. Where it cannot be reached: a failure under CI=true, a skip otherwise.
// Use through DLC_REQUIRE_ENGINE() at the top of a test.
std::optional<engine::Engine> test_engine(std::string* why);
#define DLC_REQUIRE_ENGINE()                                                          \
  std::string dlc_engine_why_;                                                        \
  auto dlc_engine_ = ::dlc::testing::test_engine(&dlc_engine_why_);                   \
  if (!dlc_engine_) {                                                                 \
    if (::dlc::testing::in_ci()) FAIL() << "CI=true and no Docker engine: " << dlc_engine_why_; \
    GTEST_SKIP() << "no Docker engine: " << dlc_engine_why_;                          \
  }                                                                                   \
  [[maybe_unused]] engine::Engine& engine = *dlc_engine_
bool in_ci();

struct RunResult {
  int status = -1;  // exit status, or 128+signal
  std::string out;
  std::string err;
};

struct RunOptions {
  std::string stdin_data;
  std::map<std::string, std::string> env;  // added to (or replacing in) the test's environment
  std::vector<std::string> unset_env;
  std::optional<uid_t> uid;                 // run as this user (and gid), with the docker group added
  std::optional<gid_t> gid;
  std::vector<gid_t> groups;
  std::filesystem::path cwd;
  int timeout_seconds = 300;
};

// Runs any program, collecting its output; the test fails if it outlives its timeout.
RunResult run(const std::vector<std::string>& argv, const RunOptions& options = {});
// Runs the dlcontainer binary under test ($DLC_TEST_BINARY when set, to run a test against another build).
// The folder given to the binary as XDG_CACHE_HOME (unless a test names its own), so that tests leave
// nothing in the user's ~/.cache; removed when the test program ends.
const std::string& test_cache_dir();
RunResult dlc(const std::vector<std::string>& args, const RunOptions& options = {});
// The path dlc() runs.
std::string dlc_binary();

// A process whose output is read as it comes, for tests that act while it runs (send it a signal,
// kill it at a chosen moment). Killed (SIGKILL) if still running when destroyed.
class Spawned {
 public:
  explicit Spawned(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {},
                   const std::map<std::string, std::string>& env = {});
  ~Spawned();
  Spawned(const Spawned&) = delete;
  // Reads stdout (and stderr) until it holds `text` or the time is up.
  bool wait_for(const std::string& text, int seconds);
  // The exit status (128+signal when killed), or nullopt if it has not ended in time.
  std::optional<int> wait_exit(int seconds);
  pid_t pid() const { return pid_; }
  std::string output;

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  bool reaped_ = false;
};

// A port on 127.0.0.1 listened on by this process for as long as the object lives (0: any free one).
class HeldPort {
 public:
  explicit HeldPort(int port = 0);
  ~HeldPort();
  HeldPort(const HeldPort&) = delete;
  int port() const { return port_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A port number that was free on 127.0.0.1 a moment ago.
int free_port();

// The processes in a container whose command line holds `marker` (read from /proc through sh).
std::vector<std::string> processes_with(const engine::Engine& engine, const std::string& container, const std::string& marker);

// A temporary workspace folder. On destruction, removes every container labelled with it, the uid
// layer images made for them, and the folder itself.
class Workspace {
 public:
  explicit Workspace(std::string name = "ws");
  ~Workspace();
  Workspace(const Workspace&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  void write(const std::string& relative, const std::string& content) const;
  std::string read(const std::string& relative) const;
  // Writes .devcontainer/devcontainer.json.
  void devcontainer(const std::string& jsonc) const { write(".devcontainer/devcontainer.json", jsonc); }
  // The containers that carry this workspace's label, or the Dev Containers folder label (the
  // devcontainer CLI's containers).
  std::vector<engine::ContainerSummary> containers(const engine::Engine& engine) const;

 private:
  std::filesystem::path root_;  // the temp dir (path_ is inside it, so the folder name is readable)
  std::filesystem::path path_;
};

// A local image built FROM dlc-test/python with more Dockerfile lines and image labels, tagged
// dlc-test-tmp/<name>-<random>; removed (with its containers' images left to them) on destruction.
class TestImage {
 public:
  TestImage(const engine::Engine& engine, const std::string& name, const std::string& dockerfile_lines,
            const std::map<std::string, std::string>& labels = {});
  ~TestImage();
  TestImage(const TestImage&) = delete;
  const std::string& tag() const { return tag_; }

 private:
  const engine::Engine& engine_;
  std::string tag_;
};

// The snapshot of a folder's files (path -> content) to prove a workspace was left untouched.
std::map<std::string, std::string> snapshot(const std::filesystem::path& folder);

// Polls condition every 50 ms until it holds or limit has passed; its last answer (bounded wait).
template <class F>
bool eventually(F condition, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

}  // namespace dlc::testing
