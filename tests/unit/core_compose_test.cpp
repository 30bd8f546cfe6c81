#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>

#include "core/compose.h"

namespace dlc::core {
namespace {

using json = nlohmann::json;

engine::ContainerSpec gpu_spec() {
  engine::ContainerSpec s;
  s.image = "dlcontainer/x:uid-1000-1000";
  s.entrypoint = std::vector<std::string>{"/bin/sh"};
  s.cmd = std::vector<std::string>{"-c", "exec \"$@\"", "-"};
  s.user = "dev";
  s.env = {"A=1", "PRICE=$5"};
  s.labels = {{"devcontainer.metadata", R"([{"remoteEnv":{"P":"${containerEnv:PATH}"}}])"}, {"devcontainer.local_folder", "/w"}};
  s.mounts = {{.type = "volume", .source = "cache", .target = "/cache"},
              {.type = "volume", .source = "", .target = "/anon"},
              {.type = "bind", .source = "/data", .target = "/data", .read_only = true}};
  s.ports = {{.container_port = 8888, .host_ip = "127.0.0.1", .host_port = 8890}};
  s.device_requests = {{.driver = "nvidia", .count = -1}};
  s.cap_add = {"SYS_PTRACE"};
  s.init = true;
  return s;
}

TEST(ComposeOverride, TranslatesTheContainerSpecWithGpusAsDeviceReservations) {
  json config = json::parse(R"({"services": {"app": {}, "db": {}}})");
  std::vector<config::ForwardPort> forward = {{"db", 5432}, {"elsewhere", 80}, {"localhost", 8888}};
  auto text = compose_override(gpu_spec(), "app", forward, config, "version: '3.8'");
  EXPECT_EQ(text.rfind("version: '3.8'\n", 0), 0u) << text;
  auto y = YAML::Load(text);
  auto app = y["services"]["app"];
  EXPECT_EQ(app["image"].as<std::string>(), "dlcontainer/x:uid-1000-1000");
  EXPECT_EQ(app["user"].as<std::string>(), "dev");
  EXPECT_TRUE(app["init"].as<bool>());
  // Compose would expand $: what dlcontainer writes is doubled, so the container gets it as written.
  EXPECT_EQ(app["environment"][1].as<std::string>(), "PRICE=$$5");
  EXPECT_EQ(app["command"][1].as<std::string>(), "exec \"$$@\"");
  EXPECT_EQ(app["labels"]["devcontainer.metadata"].as<std::string>(), R"([{"remoteEnv":{"P":"$${containerEnv:PATH}"}}])");
  auto devices = app["deploy"]["resources"]["reservations"]["devices"];
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0]["driver"].as<std::string>(), "nvidia");
  EXPECT_EQ(devices[0]["count"].as<std::string>(), "all");
  EXPECT_EQ(devices[0]["capabilities"][0].as<std::string>(), "gpu");
  ASSERT_EQ(app["volumes"].size(), 3u);
  EXPECT_FALSE(app["volumes"][1]["source"]);  // anonymous
  EXPECT_TRUE(app["volumes"][2]["read_only"].as<bool>());
  EXPECT_EQ(app["ports"][0].as<std::string>(), "127.0.0.1:8890:8888/tcp");
  EXPECT_TRUE(y["volumes"]["cache"]);  // named volumes are declared, as the reference declares them
  // "db:5432" is published from the db service; a host that is no service is not.
  EXPECT_EQ(y["services"]["db"]["ports"][0].as<std::string>(), "127.0.0.1:5432:5432");
  EXPECT_FALSE(y["services"]["elsewhere"]);
}

TEST(ComposeOverride, ASpecWithoutExtrasGivesOnlyTheService) {
  engine::ContainerSpec s;
  s.labels = {{"k", "v"}};
  auto y = YAML::Load(compose_override(s, "dev container", {}, json::object(), ""));
  EXPECT_EQ(y["services"]["dev container"]["labels"]["k"].as<std::string>(), "v");
  EXPECT_FALSE(y["services"]["dev container"]["image"]);
  EXPECT_FALSE(y["volumes"]);
}

TEST(ComposeProjectName, FollowsTheReferencesOrder) {
  auto root = std::filesystem::temp_directory_path() / ("dlc-compose-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "My Repo" / ".devcontainer");
  WorkspaceContext ws;
  ws.folder = root / "My Repo";
  ws.config.compose = config::ComposeConfig{.files = {(ws.folder / ".devcontainer" / "compose.yml").string()}, .service = "app"};
  ComposeTool v1{{"docker-compose"}, "1.29.2", 1, 29};
  ComposeTool old{{"docker-compose"}, "1.20.0", 1, 20};
  EXPECT_EQ(compose_project_name(ws, v1, json::object()), "myrepo_devcontainer");
  EXPECT_EQ(compose_project_name(ws, old, json::object()), "myrepodevcontainer");
  EXPECT_EQ(compose_project_name(ws, v1, json::parse(R"({"name": "Named"})")), "named");
  EXPECT_EQ(compose_project_name(ws, v1, json::parse(R"({"name": "devcontainer"})")), "myrepo_devcontainer");
  ws.config.compose->files = {(ws.folder / "deploy" / "compose.yml").string()};
  EXPECT_EQ(compose_project_name(ws, v1, json::object()), "deploy");
  std::ofstream(ws.folder / ".env") << "OTHER=1\nCOMPOSE_PROJECT_NAME=From_Env\n";
  EXPECT_EQ(compose_project_name(ws, v1, json::object()), "from_env");
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace dlc::core
