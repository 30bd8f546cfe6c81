// What `up` does on the host before any container: initializeCommand in each of the spec's forms, and
// hostRequirements held against the engine's host.
#include "core/host_steps.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "config/properties.h"
#include "support/error.h"

namespace dlc::core {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

struct Folder {
  fs::path path = fs::temp_directory_path() / ("dlc-host-steps-" + std::to_string(::getpid()));
  Folder() { fs::create_directories(path); }
  ~Folder() { fs::remove_all(path); }
  std::string read(const std::string& name) const {
    std::ifstream in(path / name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

struct Lines : ProgressSink {
  std::mutex mu;
  std::vector<std::string> lines;
  void output(std::string_view line) override {
    std::lock_guard lock(mu);
    lines.emplace_back(line);
  }
};

config::LifecycleCommand command(const std::string& text) {
  return config::parse_lifecycle_command(json::parse(text), "initializeCommand", "devcontainer.json");
}

TEST(InitializeCommand, RunsTheStringAndArrayFormsInTheWorkspaceFolder) {
  Folder folder;
  Lines progress;
  run_initialize_command(command(R"("echo from-string > out; pwd")"), folder.path.string(), progress, CancelToken{});
  run_initialize_command(command(R"(["sh", "-c", "echo from-array >> out"])"), folder.path.string(), progress, CancelToken{});
  EXPECT_EQ(folder.read("out"), "from-string\nfrom-array\n");
  EXPECT_EQ(progress.lines, std::vector<std::string>{folder.path.string()});
}

TEST(InitializeCommand, AnObjectsEntriesRunAtOnceEachLinePrefixedWithItsName) {
  Folder folder;
  Lines progress;
  // Each waits (at most 10 s) for the other's file: one after the other, the first would fail.
  auto waits_for = [](const std::string& mine, const std::string& other) {
    return "touch " + mine + "; for i in $(seq 100); do [ -f " + other + " ] && echo " + mine +
           " && exit 0; sleep 0.1; done; exit 7";
  };
  json object = {{"a", waits_for("a", "b")}, {"b", json::array({"sh", "-c", waits_for("b", "a")})}};
  run_initialize_command(command(object.dump()), folder.path.string(), progress, CancelToken{});
  EXPECT_THAT(progress.lines, ::testing::UnorderedElementsAre("[a] a", "[b] b"));
}

TEST(InitializeCommand, AFailingEntryIsNamedWithItsExitStatusAfterTheOthersFinish) {
  Folder folder;
  Lines progress;
  try {
    run_initialize_command(command(R"({"broken": "exit 4", "slow": "sleep 0.3; touch done"})"), folder.path.string(), progress,
                           CancelToken{});
    FAIL() << "a failing entry must fail the command";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::CommandFailed);
    EXPECT_THAT(e.what(), HasSubstr("initializeCommand (broken) in devcontainer.json failed with exit status 4"));
  }
  EXPECT_TRUE(fs::exists(folder.path / "done"));  // the other entry was not cut off
}

TEST(HostRequirements, OnlyWhatTheHostFallsShortOfIsWarned) {
  engine::SystemInfo host;
  host.ncpu = 8;
  host.mem_total = 16LL << 30;
  config::HostRequirements enough{.cpus = 8, .memory = 16LL << 30};
  EXPECT_TRUE(host_requirement_warnings(enough, host).empty());
  config::HostRequirements more{.cpus = 16, .memory = 32LL << 30};
  auto warnings = host_requirement_warnings(more, host);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_THAT(warnings[0], HasSubstr("hostRequirements.cpus asks for 16 CPUs; the engine's host has 8"));
  EXPECT_THAT(warnings[1], HasSubstr("hostRequirements.memory asks for 32.0 GiB"));
}

}  // namespace
}  // namespace dlc::core
