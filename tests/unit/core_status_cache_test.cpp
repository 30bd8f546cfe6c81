// The status cache's rules: nothing is kept unless a subscription is live, and what an event overtook
// is never kept. ConfigHashes: a hash is computed again exactly when a file it read changed.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/status_cache.h"
#include "rpc/schema.h"

namespace dlc::core {
namespace {

namespace fs = std::filesystem;

EngineView view(const std::string& folder, const std::string& state) {
  EngineView v;
  v.status.workspace = folder;
  v.status.state = state;
  v.config_hash = "h";
  return v;
}

TEST(StatusCache, KeepsNothingUntilLive) {
  StatusCache cache;
  cache.store(cache.ticket("/w"), view("/w", "running"));
  EXPECT_FALSE(cache.find("/w"));
  cache.go_live();
  cache.store(cache.ticket("/w"), view("/w", "running"));
  ASSERT_TRUE(cache.find("/w"));
  EXPECT_EQ(cache.find("/w")->status.state, "running");
}

TEST(StatusCache, AnEventDropsTheEntryAndWhatWasReadBeforeIt) {
  StatusCache cache;
  cache.go_live();
  cache.store(cache.ticket("/w"), view("/w", "running"));
  auto before_event = cache.ticket("/w");  // a reader starts asking the engine...
  cache.invalidate("/w");                  // ...the container dies meanwhile...
  EXPECT_FALSE(cache.find("/w"));
  cache.store(before_event, view("/w", "running"));  // ...and what it read is stale
  EXPECT_FALSE(cache.find("/w"));
  cache.store(cache.ticket("/w"), view("/w", "exited"));
  EXPECT_EQ(cache.find("/w")->status.state, "exited");
}

TEST(StatusCache, AnEventForOneWorkspaceLeavesTheOthers) {
  StatusCache cache;
  cache.go_live();
  cache.store(cache.ticket("/a"), view("/a", "running"));
  auto b = cache.ticket("/b");
  cache.invalidate("/a");
  cache.store(b, view("/b", "running"));
  EXPECT_FALSE(cache.find("/a"));
  EXPECT_TRUE(cache.find("/b"));
}

TEST(StatusCache, LosingTheSubscriptionDropsEverythingAndStopsKeeping) {
  StatusCache cache;
  cache.go_live();
  cache.store(cache.ticket("/w"), view("/w", "running"));
  auto during = cache.ticket("/w");
  cache.suspend();
  EXPECT_FALSE(cache.live());
  EXPECT_FALSE(cache.find("/w"));
  cache.store(cache.ticket("/w"), view("/w", "running"));
  EXPECT_FALSE(cache.find("/w"));
  cache.go_live();
  cache.store(during, view("/w", "running"));  // read before the gap: not kept
  EXPECT_FALSE(cache.find("/w"));
}

// A status with every part a container's has: ports, GPUs, the engine, where the files are.
EngineView full_view(const std::string& folder) {
  EngineView v = view(folder, "running");
  WorkspaceStatus& s = v.status;
  s.container_id = "c0ffee";
  s.container_name = "/ws-1";
  s.image = "dlc-test/bookworm:latest";
  s.config_file = folder + "/.devcontainer/devcontainer.json";
  s.remote_user = "root";
  s.remote_workspace_folder = "/workspaces/ws-1";
  s.started_at = "2026-12-05T22:00:00Z";
  s.ports = {engine::PortBinding{.container_port = 8888, .host_port = 18888}};
  s.gpu.selection = "all";
  s.gpu.reason = "no NVIDIA driver on this machine";
  s.engine = "unix:///var/run/docker.sock";
  return v;
}

TEST(StatusCache, KeepsTheStatusRenderedAsAFreshRenderingWouldBeForBothOutOfDateAnswers) {
  StatusCache cache;
  cache.go_live();
  EngineView v = full_view("/w");
  cache.store(cache.ticket("/w"), v);
  auto kept = cache.find("/w");
  ASSERT_TRUE(kept && kept->text.text && kept->text_out_of_date.text);
  EXPECT_FALSE(kept->status.out_of_date);
  for (bool out_of_date : {false, true}) {
    WorkspaceStatus fresh = v.status;
    fresh.out_of_date = out_of_date;
    const std::string& text = *(out_of_date ? kept->text_out_of_date : kept->text).text;
    EXPECT_EQ(text, nlohmann::json(fresh).dump());
    // What workspace/status answers with, as its schema describes it.
    EXPECT_EQ(rpc::protocol_schemas().check("workspace.status.json#/$defs/result", nlohmann::json::parse(text), "result"),
              std::nullopt);
  }
}

TEST(StatusCache, AnEventGivesANewRenderingNotTheOldOne) {
  StatusCache cache;
  cache.go_live();
  cache.store(cache.ticket("/w"), full_view("/w"));
  auto before = cache.find("/w");
  cache.invalidate("/w");  // the container stopped
  EngineView stopped = full_view("/w");
  stopped.status.state = "exited";
  cache.store(cache.ticket("/w"), stopped);
  auto after = cache.find("/w");
  ASSERT_TRUE(after && after->text.text);
  EXPECT_EQ(nlohmann::json::parse(*after->text.text)["state"], "exited");
  EXPECT_NE(*after->text.text, *before->text.text);
  EXPECT_EQ(nlohmann::json::parse(*before->text.text)["state"], "running");  // a reader holding the old one keeps it whole
}

std::shared_ptr<const ListView> listing(std::initializer_list<std::string> folders) {
  auto out = std::make_shared<ListView>();
  for (const auto& f : folders) out->list.push_back(view(f, "running").status);
  out->text = JsonText::render(nlohmann::json(out->list));
  return out;
}

TEST(StatusCache, TheListIsKeptOnlyWhileLive) {
  StatusCache cache;
  cache.store_list(cache.list_ticket(), listing({"/a"}));
  EXPECT_FALSE(cache.find_list());
  cache.go_live();
  cache.store_list(cache.list_ticket(), listing({"/a", "/b"}));
  ASSERT_TRUE(cache.find_list());
  EXPECT_EQ(cache.find_list()->list.size(), 2u);
  cache.suspend();
  EXPECT_FALSE(cache.find_list());
}

TEST(StatusCache, AnEventForAnyWorkspaceDropsTheListAndWhatWasListedBeforeIt) {
  StatusCache cache;
  cache.go_live();
  cache.store_list(cache.list_ticket(), listing({"/a"}));
  auto before_event = cache.list_ticket();  // a reader starts listing...
  cache.invalidate("/b");                   // ...a container for another folder is created meanwhile...
  EXPECT_FALSE(cache.find_list());
  cache.store_list(before_event, listing({"/a"}));  // ...and what it listed may lack it
  EXPECT_FALSE(cache.find_list());
  cache.store_list(cache.list_ticket(), listing({"/a", "/b"}));
  EXPECT_EQ(cache.find_list()->list.size(), 2u);
}

TEST(StatusCache, AListReadBeforeTheSubscriptionWasLostIsNotKept) {
  StatusCache cache;
  cache.go_live();
  auto during = cache.list_ticket();
  cache.suspend();
  cache.go_live();
  cache.store_list(during, listing({"/a"}));
  EXPECT_FALSE(cache.find_list());
}

class ConfigHashesTest : public ::testing::Test {
 protected:
  ConfigHashesTest() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("dlc-hashes-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  ~ConfigHashesTest() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& content, int seconds_ago = 100) {
    auto p = dir_ / name;
    std::ofstream(p) << content;
    // Files touched in the last second are not trusted (an edit may race the read): age them.
    struct timespec times[2];
    clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec -= seconds_ago;
    times[1] = times[0];
    utimensat(AT_FDCWD, p.c_str(), times, 0);
    return p;
  }
  std::string read(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  fs::path dir_;
};

TEST_F(ConfigHashesTest, ComputesAgainOnlyWhenAFileItReadChanges) {
  ConfigHashes hashes;
  auto config = write("devcontainer.json", "{\"image\": \"a\"}");
  auto dockerfile = write("Dockerfile", "FROM a");
  int computed = 0;
  auto compute = [&] {
    ++computed;
    return ConfigHashes::Computed{read(config) + "|" + read(dockerfile), {config, dockerfile}};
  };
  EXPECT_EQ(hashes.get("k", compute), "{\"image\": \"a\"}|FROM a");
  EXPECT_EQ(hashes.get("k", compute), "{\"image\": \"a\"}|FROM a");
  EXPECT_EQ(computed, 1);
  write("Dockerfile", "FROM b", 50);
  EXPECT_EQ(hashes.get("k", compute), "{\"image\": \"a\"}|FROM b");
  EXPECT_EQ(computed, 2);
  fs::remove(config);
  EXPECT_THROW(hashes.get("k", [&]() -> ConfigHashes::Computed { ++computed; throw std::runtime_error("gone"); }), std::runtime_error);
  EXPECT_EQ(computed, 3);
}

TEST_F(ConfigHashesTest, AFileChangedJustNowIsNotTrusted) {
  ConfigHashes hashes;
  auto config = write("devcontainer.json", "{}", 0);
  int computed = 0;
  auto compute = [&] {
    ++computed;
    return ConfigHashes::Computed{read(config), {config}};
  };
  hashes.get("k", compute);
  hashes.get("k", compute);
  EXPECT_EQ(computed, 2);
}

}  // namespace
}  // namespace dlc::core
