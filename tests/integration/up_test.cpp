// `dlcontainer up/down/exec/status/list/logs` against the real engine, through the real binary.
#include <nlohmann/json.hpp>

#include "integration/up_support.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;

std::string image_config(const std::string& extra = "") {
  return std::string(R"({
    // comments and trailing commas are fine: this is JSONC
    "image": ")") + kPythonImage + R"(",
    )" + extra + R"(
  })";
}

TEST(Up, TwiceOnOneFolderGivesTheSameContainer) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("paper");
  ws.write("train.py", "print('hi')\n");
  ws.devcontainer(image_config());
  auto before = snapshot(ws.path());

  auto first = up_json(ws);
  EXPECT_EQ(first["outcome"], "success");
  EXPECT_EQ(first["action"], "created");
  EXPECT_EQ(first["remoteWorkspaceFolder"], "/workspaces/paper");
  auto second = up_json(ws);
  EXPECT_EQ(second["action"], "running");
  EXPECT_EQ(first["containerId"], second["containerId"]);
  EXPECT_EQ(ws.containers(engine).size(), 1u);
  EXPECT_EQ(snapshot(ws.path()), before);
}

TEST(Up, AfterDownTheSameContainerStartsAgain) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  auto before = snapshot(ws.path());
  auto first = up_json(ws);

  auto down = dlc({"down", ws.str(), "--json"});
  ASSERT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(json::parse(down.out)["action"], "stopped");
  auto info = engine.inspect_container(first["containerId"]);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->state.running);

  auto again = up_json(ws);
  EXPECT_EQ(again["action"], "started");
  EXPECT_EQ(again["containerId"], first["containerId"]);
  EXPECT_TRUE(engine.inspect_container(first["containerId"])->state.running);
  EXPECT_EQ(snapshot(ws.path()), before);
}

TEST(Up, AfterDownRemoveANewContainerIsCreatedAndTheFilesStay) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.write("data/keep.txt", "precious\n");
  ws.devcontainer(image_config());
  auto before = snapshot(ws.path());
  auto first = up_json(ws);

  auto down = dlc({"down", ws.str(), "--remove", "--json"});
  ASSERT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(json::parse(down.out)["action"], "removed");
  EXPECT_FALSE(engine.inspect_container(first["containerId"]));
  EXPECT_EQ(snapshot(ws.path()), before);

  auto second = up_json(ws);
  EXPECT_EQ(second["action"], "created");
  EXPECT_NE(second["containerId"], first["containerId"]);
  EXPECT_EQ(snapshot(ws.path()), before);
}

TEST(Up, MountsTheWorkspaceAtTheSpecDefaultAndRunsThere) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("my-repo");
  ws.write("hello.txt", "from the host\n");
  ws.devcontainer(image_config());
  up_json(ws);
  auto r = dlc({"exec", "-w", ws.str(), "--", "sh", "-c", "pwd; cat hello.txt"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "/workspaces/my-repo\nfrom the host\n");
}

TEST(Up, CreateCommandsRunOnceAndStartCommandsOnEveryStart) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config(R"(
    "onCreateCommand": "echo create >> /tmp/events",
    "postCreateCommand": ["sh", "-c", "echo postcreate >> /tmp/events"],
    "postStartCommand": {
      "a": "echo start-a >> /tmp/start-a",
      "b": ["sh", "-c", "echo start-b >> /tmp/start-b"],
    },
  )"));
  auto first = up_json(ws);
  EXPECT_EQ(first["commandsRun"], json::parse(R"(["onCreateCommand","postCreateCommand","postStartCommand"])"));
  auto second = up_json(ws);  // already running: nothing runs
  EXPECT_EQ(second["commandsRun"], json::array());
  ASSERT_EQ(dlc({"down", ws.str()}).status, 0);
  auto third = up_json(ws);  // started again: only the start-time command
  EXPECT_EQ(third["commandsRun"], json::parse(R"(["postStartCommand"])"));

  auto r = dlc({"exec", "-w", ws.str(), "--", "sh", "-c", "cat /tmp/events; cat /tmp/start-a /tmp/start-b"});
  EXPECT_EQ(r.out, "create\npostcreate\nstart-a\nstart-a\nstart-b\nstart-b\n") << r.err;
}

TEST(Up, AFailingCreateCommandFailsUpAndRunsAgainNextTime) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config(R"("postCreateCommand": "echo attempt >> /tmp/attempts; test -e /tmp/fixed",)"));
  auto r = dlc({"up", ws.str()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("postCreateCommand failed with exit status 1"), std::string::npos) << r.err;
  ASSERT_EQ(dlc({"exec", "-w", ws.str(), "--", "touch", "/tmp/fixed"}).status, 0);
  auto again = up_json(ws);
  EXPECT_EQ(again["commandsRun"], json::parse(R"(["postCreateCommand"])"));
  auto attempts = dlc({"exec", "-w", ws.str(), "--", "cat", "/tmp/attempts"});
  EXPECT_EQ(attempts.out, "attempt\nattempt\n");
}

TEST(Up, BuildsFromTheWorkspaceDockerfileWithItsArgs) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.write(".devcontainer/Dockerfile", std::string("FROM ") + kPythonImage +
                                           "\nARG GREETING\nRUN echo \"$GREETING\" > /greeting\nCOPY marker.txt /marker.txt\n");
  ws.write(".devcontainer/marker.txt", "copied from the context\n");
  ws.devcontainer(R"({"build": {"dockerfile": "Dockerfile", "args": {"GREETING": "built here"}}})");
  auto up = up_json(ws);
  EXPECT_EQ(up["action"], "created");
  auto r = dlc({"exec", "-w", ws.str(), "--", "cat", "/greeting", "/marker.txt"});
  EXPECT_EQ(r.out, "built here\ncopied from the context\n") << r.err;
  auto image = engine.inspect_image(up["image"]);
  ASSERT_TRUE(image);
  engine.remove_container(up["containerId"], true);
  engine.remove_image(up["image"], true);
}

TEST(Up, AChangedConfigIsReportedOutOfDateAndRebuildReplacesTheContainer) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config(R"("containerEnv": {"MODE": "one"},)"));
  auto first = up_json(ws);
  EXPECT_FALSE(first["outOfDate"]);

  // Only a comment: not a change.
  ws.devcontainer(image_config(R"(/* reformatted */ "containerEnv": {"MODE": "one"},)"));
  EXPECT_FALSE(up_json(ws)["outOfDate"]);

  ws.devcontainer(image_config(R"("containerEnv": {"MODE": "two"},)"));
  auto changed = dlc({"up", ws.str()});
  EXPECT_EQ(changed.status, 0);
  EXPECT_NE(changed.out.find("dlcontainer up --rebuild"), std::string::npos) << changed.out;
  auto status = json::parse(dlc({"status", ws.str(), "--json"}).out);
  EXPECT_TRUE(status["outOfDate"]);

  auto rebuilt = up_json(ws, {"--rebuild"});
  EXPECT_EQ(rebuilt["action"], "created");
  EXPECT_NE(rebuilt["containerId"], first["containerId"]);
  EXPECT_FALSE(rebuilt["outOfDate"]);
  EXPECT_EQ(dlc({"exec", "-w", ws.str(), "--", "sh", "-c", "echo $MODE"}).out, "two\n");
  EXPECT_EQ(ws.containers(engine).size(), 1u);
}

TEST(Up, RunArgsAndContainerSettingsReachTheContainer) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config(R"(
    "runArgs": ["--shm-size=256m", "-e", "FROM_RUNARGS=1", "--cap-add=SYS_PTRACE", "--label", "team=vision"],
    "containerEnv": {"FROM_CONTAINER_ENV": "yes"},
    "remoteEnv": {"FROM_REMOTE_ENV": "${containerEnv:FROM_CONTAINER_ENV}-too"},
    "init": true,
  )"));
  auto up = up_json(ws);
  auto info = engine.inspect_container(up["containerId"]);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->labels["team"], "vision");
  EXPECT_NE(std::find(info->cap_add.begin(), info->cap_add.end(), "SYS_PTRACE"), info->cap_add.end());
  auto r = dlc({"exec", "-w", ws.str(), "--", "sh", "-c",
                "echo $FROM_RUNARGS $FROM_CONTAINER_ENV $FROM_REMOTE_ENV; df -m /dev/shm | tail -1 | awk '{print $2}'"});
  EXPECT_EQ(r.out, "1 yes yes-too\n256\n") << r.err;
  // init: true puts an init process at pid 1 instead of the keep-alive shell.
  auto pid1 = dlc({"exec", "-w", ws.str(), "--", "cat", "/proc/1/comm"});
  EXPECT_NE(pid1.out, "sh\n");
}

TEST(Up, ExtraMountsJoinANewContainerAndAMissingSourceChangesNothing) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  Workspace data("data");
  data.write("train/0001.txt", "a sample\n");

  auto missing = dlc({"up", ws.str(), "--mount", "type=bind,source=" + data.str() + "/nowhere,target=/data"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("nowhere does not exist"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("hint: "), std::string::npos) << missing.err;
  EXPECT_TRUE(ws.containers(engine).empty());
  auto malformed = dlc({"up", ws.str(), "--mount", "source=" + data.str() + ",target=relative"});
  EXPECT_EQ(malformed.status, 1);
  EXPECT_NE(malformed.err.find("target must be an absolute path"), std::string::npos) << malformed.err;
  EXPECT_TRUE(ws.containers(engine).empty());

  up_json(ws, {"--mount", "type=bind,source=" + data.str() + ",target=/data,readonly"});
  auto read = dlc({"exec", "-w", ws.str(), "--", "cat", "/data/train/0001.txt"});
  EXPECT_EQ(read.status, 0) << read.err;
  EXPECT_EQ(read.out, "a sample\n");
  auto write = dlc({"exec", "-w", ws.str(), "--", "touch", "/data/new"});
  EXPECT_NE(write.status, 0) << "a readonly mount took a write";
  EXPECT_FALSE(std::filesystem::exists(data.path() / "new"));
}

TEST(Exec, PassesExitStatusStdinAndSeparateStreams) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  up_json(ws);
  auto fail = dlc({"exec", "-w", ws.str(), "--", "sh", "-c", "echo out; echo err >&2; exit 7"});
  EXPECT_EQ(fail.status, 7);
  EXPECT_EQ(fail.out, "out\n");
  EXPECT_EQ(fail.err, "err\n");
  RunOptions with_input;
  with_input.stdin_data = "line one\nline two\n";
  auto cat = dlc({"exec", "-w", ws.str(), "python3", "-c", "import sys; print(sys.stdin.read().upper(), end='')"}, with_input);
  EXPECT_EQ(cat.status, 0) << cat.err;
  EXPECT_EQ(cat.out, "LINE ONE\nLINE TWO\n");
}

TEST(Exec, RunsAsTheRemoteUserWithFilesOwnedAsThatUser) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config(R"("remoteUser": "dev",)"));
  up_json(ws);
  auto r = dlc({"exec", "-w", ws.str(), "--", "id", "-un"});
  EXPECT_EQ(r.out, "dev\n") << r.err;
}

TEST(Status, ListAndLogsDescribeTheContainer) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  auto none = json::parse(dlc({"status", ws.str(), "--json"}).out);
  EXPECT_EQ(none["state"], "none");
  auto up = up_json(ws);
  auto status = json::parse(dlc({"status", ws.str(), "--json"}).out);
  EXPECT_EQ(status["state"], "running");
  EXPECT_EQ(status["containerId"], up["containerId"]);
  auto list = json::parse(dlc({"list", "--json"}).out);
  bool listed = false;
  for (const auto& row : list) listed = listed || row["containerId"] == up["containerId"];
  EXPECT_TRUE(listed);
  auto logs = dlc({"logs", ws.str()});
  EXPECT_NE(logs.out.find("dlcontainer: container started"), std::string::npos) << logs.out;
}

TEST(Up, PublishesPortsOnLoopbackOnly) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config(R"("forwardPorts": [18888], "appPort": [18889],)"));
  auto up = up_json(ws);
  auto info = engine.inspect_container(up["containerId"]);
  ASSERT_TRUE(info);
  ASSERT_EQ(info->ports.size(), 2u);
  for (const auto& p : info->ports) {
    EXPECT_EQ(p.host_ip, "127.0.0.1") << p.container_port;
    EXPECT_NE(p.host_port, 0);
  }
}

}  // namespace
}  // namespace dlc::testing
