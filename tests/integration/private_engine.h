// A dockerd of a test's own: its own data root, exec root, pidfile, unix socket and bridge, without
// iptables rules, so that a fault test may stop, restart or freeze it without touching the engine that
// every other test (and every other worktree) uses. Not `--bridge=none`: with it, dockerd deletes the
// host's docker0, the shared engine's bridge.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "integration/support.h"

namespace dlc::testing {

// A Linux bridge of a test's own for a second dockerd (`--bridge=NAME`), removed when destroyed. Never
// `--bridge=none`: with it, dockerd deletes docker0, the bridge of the engine every other test uses.
class TestBridge {
 public:
  // NAME is PREFIX and this process's id; its subnet is 10.SECOND.x.1/24.
  TestBridge(const std::string& prefix, int second_octet);
  ~TestBridge();
  TestBridge(const TestBridge&) = delete;
  const std::string& name() const { return name_; }
  // Why it could not be made, or "".
  const std::string& error() const { return error_; }

 private:
  std::string name_;
  std::string error_;
};

class PrivateEngine {
 public:
  // Starts it and points DOCKER_HOST at it (for this process and what it starts) until destroyed. Its
  // data root stays in the build folder between runs, so images are loaded into it once.
  PrivateEngine();
  // Removes the containers the tests made on it, stops it, and restores DOCKER_HOST.
  ~PrivateEngine();
  PrivateEngine(const PrivateEngine&) = delete;

  // Why it cannot run here (no dockerd, not root), or "" when it runs.
  const std::string& unavailable() const { return why_; }
  std::string host() const { return "unix://" + socket_.string(); }
  engine::Engine engine() const;

  // Copies an image from the shared engine unless this one has the same image already.
  void load_image(const std::string& ref);
  // SIGTERM, and waits (bounded) until it has exited; start() brings it back on the same data.
  void stop();
  void start();
  // SIGSTOP and SIGCONT: an engine that accepts connections and never answers.
  void freeze();
  void thaw();

 private:
  std::filesystem::path data_;  // persistent: build/fault-engine
  std::filesystem::path run_;   // per process, short (unix socket paths are limited to 107 bytes)
  std::filesystem::path socket_;
  std::optional<TestBridge> bridge_;
  pid_t pid_ = -1;
  std::string why_;
  std::optional<std::string> old_host_;
};

// Where it cannot run: a failure under CI=true, a skip otherwise.
#define DLC_REQUIRE_PRIVATE_ENGINE(e)                                                            \
  if (!(e).unavailable().empty()) {                                                              \
    if (::dlc::testing::in_ci()) FAIL() << "CI=true and no private dockerd: " << (e).unavailable(); \
    GTEST_SKIP() << "no private dockerd: " << (e).unavailable();                                 \
  }

}  // namespace dlc::testing
