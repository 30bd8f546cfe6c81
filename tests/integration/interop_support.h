// The reference implementation (@devcontainers/cli 0.89.0, pinned in tests/node) beside dlcontainer:
// the same configuration in two folders of the same name, one brought up by each tool.
#pragma once

#include <nlohmann/json.hpp>

#include "integration/support.h"

namespace dlc::testing {

std::string reference_cli();
bool reference_available();
// The broad comparison (more configurations, slower) runs with DLC_INTEROP_FULL=1.
bool interop_full();

// Where the reference cannot run: a failure under CI=true, a skip otherwise.
#define DLC_REQUIRE_REFERENCE()                                                                   \
  do {                                                                                           \
    if (!::dlc::testing::reference_available()) {                                                \
      if (::dlc::testing::in_ci()) FAIL() << "the devcontainer CLI is not installed: npm ci in tests/node"; \
      GTEST_SKIP() << "the devcontainer CLI is not installed (npm ci in tests/node)";            \
    }                                                                                            \
  } while (0)

// Runs the reference CLI: `devcontainer ARGS...`.
RunResult reference(const std::vector<std::string>& args);
// The JSON object the reference prints last on stdout (its result), or null.
nlohmann::json last_json_line(const std::string& out);

class Twin {
 public:
  explicit Twin(const std::string& name = "twin") : ref_(name), ours_(name) {}
  const Workspace& ref() const { return ref_; }
  const Workspace& ours() const { return ours_; }
  void write(const std::string& relative, const std::string& content) const {
    ref_.write(relative, content);
    ours_.write(relative, content);
  }
  void devcontainer(const std::string& jsonc) const { write(".devcontainer/devcontainer.json", jsonc); }

  RunResult ref_up(std::vector<std::string> extra = {}) const;
  RunResult our_up(std::vector<std::string> extra = {}) const;
  RunResult ref_exec(const std::string& script) const;
  RunResult our_exec(const std::string& script) const;

 private:
  Workspace ref_, ours_;
};

// What a container got, comparable between the twins: user, environment, mounts, capabilities,
// init, the metadata label (parsed), with each workspace's own path written as <ws>.
nlohmann::json container_facts(const engine::Engine& engine, const std::string& id, const Workspace& ws);

}  // namespace dlc::testing
