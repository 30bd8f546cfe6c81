// A dev container that is a service of a Compose project, through the engine's compose tool
// (docker-compose 1.29 here, scripts/setup.sh installs it): an app and a database from local images.
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "integration/support.h"
#include "support/process.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;

// The app sleeps (overrideCommand is false for Compose: its own command runs); the database is a tiny
// HTTP server on 5432, from the same local image.
void write_project(const Workspace& ws, const std::string& extra_config) {
  ws.write(".devcontainer/docker-compose.yml", std::string(R"(version: "3.8"
services:
  app:
    image: )") + kPythonImage + R"(
    command: ["sleep", "infinity"]
    volumes:
      - ..:/workspaces/project
  db:
    image: )" + kPythonImage + R"(
    command: ["python3", "-m", "http.server", "5432"]
)");
  ws.devcontainer(R"({"dockerComposeFile": "docker-compose.yml", "service": "app", "workspaceFolder": "/workspaces/project",
                      "runServices": ["db"], "remoteUser": "dev", "containerEnv": {"IN_APP": "yes"},
                      "postCreateCommand": "echo created > /tmp/created")" + extra_config + "}");
}

bool have_compose() { return on_path("docker-compose") || on_path("docker"); }

std::vector<engine::ContainerSummary> project_containers(const engine::Engine& engine, const std::string& project) {
  return engine.list_containers({{"com.docker.compose.project", project}});
}

// Whatever the project left behind (its containers, its network), removed with the tool itself.
struct ProjectCleanup {
  const Workspace& ws;
  std::string project;
  ~ProjectCleanup() {
    std::vector<std::string> tool = on_path("docker-compose") ? std::vector<std::string>{"docker-compose"}
                                                              : std::vector<std::string>{"docker", "compose"};
    tool.insert(tool.end(), {"-p", project, "-f", ws.str() + "/.devcontainer/docker-compose.yml", "down", "--timeout", "1"});
    run(tool);
  }
};

TEST(Compose, AppAndDatabaseComeUpTheAppIsExecutedInAndDownStopsBoth) {
  DLC_REQUIRE_ENGINE();
  if (!have_compose()) {
    if (in_ci()) FAIL() << "no compose tool: scripts/setup.sh installs docker-compose";
    GTEST_SKIP() << "no compose tool (apt install docker-compose)";
  }
  Workspace ws("composed");
  ProjectCleanup cleanup{ws, "composed_devcontainer"};
  write_project(ws, "");
  auto up = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(up.status, 0) << up.err;
  auto result = json::parse(up.out);
  const std::string project = result["composeProjectName"];
  EXPECT_EQ(project, "composed_devcontainer");  // the reference's name for files in .devcontainer/
  EXPECT_EQ(result["action"], "created");
  EXPECT_EQ(result["remoteUser"], "dev");
  EXPECT_EQ(result["remoteWorkspaceFolder"], "/workspaces/project");
  EXPECT_EQ(result["commandsRun"], json::parse(R"(["postCreateCommand"])"));
  EXPECT_EQ(project_containers(engine, project).size(), 2u);

  auto r = dlc({"exec", "-w", ws.str(), "--", "sh", "-c",
                "pwd; id -un; echo $IN_APP; cat /tmp/created; for i in $(seq 50); do "
                "python3 -c \"import urllib.request; print(urllib.request.urlopen('http://db:5432').status)\" 2>/dev/null && break; "
                "sleep 0.2; done"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "/workspaces/project\ndev\nyes\ncreated\n200\n");
  auto info = engine.inspect_container(result["containerId"]);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->labels["devcontainer.local_folder"], ws.str());
  EXPECT_EQ(json::parse(info->labels["devcontainer.metadata"]).back()["remoteUser"], "dev");

  auto again = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["action"], "running");
  EXPECT_EQ(json::parse(again.out)["containerId"], result["containerId"]);

  auto down = dlc({"down", ws.str(), "--json"});
  ASSERT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(json::parse(down.out)["action"], "stopped");
  for (const auto& c : project_containers(engine, project)) EXPECT_NE(c.state, "running") << c.name;  // stopCompose
  auto started = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(started.status, 0) << started.err;
  EXPECT_EQ(json::parse(started.out)["action"], "started");
  for (const auto& c : project_containers(engine, project)) EXPECT_EQ(c.state, "running") << c.name;

  auto removed = dlc({"down", ws.str(), "--remove", "--json"});
  ASSERT_EQ(removed.status, 0) << removed.err;
  EXPECT_TRUE(project_containers(engine, project).empty());
}

TEST(Compose, AGpuTheHostCannotGiveIsRefusedBeforeAnythingIsBuiltOrStarted) {
  DLC_REQUIRE_ENGINE();
  if (!have_compose()) {
    if (in_ci()) FAIL() << "no compose tool: scripts/setup.sh installs docker-compose";
    GTEST_SKIP() << "no compose tool (apt install docker-compose)";
  }
  struct stat st {};
  if (::stat("/dev/nvidiactl", &st) == 0) GTEST_SKIP() << "this host has an NVIDIA GPU: tests/gpu/compose.sh covers it";
  Workspace ws("gpucompose");
  ProjectCleanup cleanup{ws, "gpucompose_devcontainer"};
  write_project(ws, R"(, "hostRequirements": {"gpu": true})");
  auto up = dlc({"up", ws.str()});
  EXPECT_EQ(up.status, 1);
  EXPECT_NE(up.err.find("GPU"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("hint:"), std::string::npos) << up.err;
  EXPECT_TRUE(project_containers(engine, "gpucompose_devcontainer").empty());
  // "optional": made without one, and said so.
  write_project(ws, R"(, "hostRequirements": {"gpu": "optional"})");
  auto optional = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(optional.status, 0) << optional.err;
  EXPECT_EQ(json::parse(optional.out)["gpu"]["method"], "none");
  EXPECT_EQ(dlc({"down", ws.str(), "--remove"}).status, 0);
}

}  // namespace
}  // namespace dlc::testing
