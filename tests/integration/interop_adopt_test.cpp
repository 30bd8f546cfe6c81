// Adoption, both ways: a container the reference made is found and reused by dlcontainer, and one
// dlcontainer made is read back by the reference (its merged configuration, its user commands).
#include "integration/interop_support.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;

std::string config_with_commands() {
  return std::string(R"({"image": ")") + kPythonImage + R"(", "remoteUser": "dev", "containerEnv": {"MARK": "made"},
    "postCreateCommand": "echo postCreate >> /tmp/order", "postStartCommand": "echo postStart >> /tmp/order",
    "postAttachCommand": "echo postAttach >> /tmp/order"})";
}

TEST(InteropAdopt, AContainerTheReferenceMadeIsFoundAndReusedByDlcontainer) {
  DLC_REQUIRE_ENGINE();
  DLC_REQUIRE_REFERENCE();
  Workspace ws("adopted");
  ws.devcontainer(config_with_commands());
  auto made = reference({"up", "--workspace-folder", ws.str()});
  ASSERT_EQ(made.status, 0) << made.err;
  const std::string id = last_json_line(made.out)["containerId"];

  auto status = dlc({"status", ws.str(), "--json"});
  ASSERT_EQ(status.status, 0) << status.err;
  EXPECT_EQ(json::parse(status.out)["containerId"], id);
  EXPECT_EQ(json::parse(status.out)["remoteUser"], "dev");
  EXPECT_FALSE(json::parse(status.out)["outOfDate"].get<bool>());

  auto exec = dlc({"exec", "-w", ws.str(), "--", "sh", "-c", "id -un; pwd; echo $MARK"});
  EXPECT_EQ(exec.out, "dev\n/workspaces/adopted\nmade\n") << exec.err;

  // up reuses it: no second container, the create-time commands not run again (the reference's markers).
  auto up = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(up.status, 0) << up.err;
  auto result = json::parse(up.out);
  EXPECT_EQ(result["containerId"], id);
  EXPECT_EQ(result["action"], "running");
  EXPECT_EQ(result["commandsRun"], json::parse(R"(["postAttachCommand"])"));
  EXPECT_EQ(ws.containers(engine).size(), 1u);
  auto order = dlc({"exec", "-w", ws.str(), "--", "cat", "/tmp/order"});
  EXPECT_EQ(order.out, "postCreate\npostStart\npostAttach\npostAttach\n");

  auto list = dlc({"list", "--json"});
  EXPECT_NE(list.out.find(id), std::string::npos);
  auto down = dlc({"down", ws.str(), "--json"});
  ASSERT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(json::parse(down.out)["action"], "stopped");
  auto again = dlc({"up", ws.str(), "--json"});  // started again: postStart runs once more
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["commandsRun"], json::parse(R"(["postStartCommand", "postAttachCommand"])"));
}

TEST(InteropAdopt, AContainerDlcontainerMadeIsReadBackByTheReference) {
  DLC_REQUIRE_ENGINE();
  DLC_REQUIRE_REFERENCE();
  Workspace ws("readback");
  ws.devcontainer(config_with_commands());
  auto up = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(up.status, 0) << up.err;
  const std::string id = json::parse(up.out)["containerId"];

  auto config = reference({"read-configuration", "--workspace-folder", ws.str(), "--include-merged-configuration"});
  ASSERT_EQ(config.status, 0) << config.err;
  auto merged = last_json_line(config.out)["mergedConfiguration"];
  ASSERT_TRUE(merged.is_object()) << config.out;
  EXPECT_EQ(merged["remoteUser"], "dev");
  EXPECT_EQ(merged["postCreateCommands"], json::parse(R"(["echo postCreate >> /tmp/order"])"));
  EXPECT_EQ(merged["postAttachCommands"], json::parse(R"(["echo postAttach >> /tmp/order"])"));

  // The reference's run-user-commands reads our markers: only postAttach is due.
  auto commands = reference({"run-user-commands", "--workspace-folder", ws.str()});
  ASSERT_EQ(commands.status, 0) << commands.err;
  auto order = dlc({"exec", "-w", ws.str(), "--", "cat", "/tmp/order"});
  EXPECT_EQ(order.out, "postCreate\npostStart\npostAttach\npostAttach\n");

  // And its up reuses the container rather than making a second one.
  auto theirs = reference({"up", "--workspace-folder", ws.str()});
  ASSERT_EQ(theirs.status, 0) << theirs.err;
  EXPECT_EQ(last_json_line(theirs.out)["containerId"], id);
  EXPECT_EQ(ws.containers(engine).size(), 1u);
}

// A new container with nothing to run is left without markers by dlcontainer's up (its next up writes
// them); the reference, adopting it, finds every hook due, runs nothing, writes the same markers, and
// does not patch /etc/environment a second time.
TEST(InteropAdopt, AContainerWithNothingToRunGetsTheSameMarkersFromTheReferenceAndOnePatch) {
  DLC_REQUIRE_ENGINE();
  DLC_REQUIRE_REFERENCE();
  Workspace ws("bare");
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "remoteUser": "dev", "containerEnv": {"MARK": "made"}})");
  auto up = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(up.status, 0) << up.err;
  const std::string id = json::parse(up.out)["containerId"];
  auto theirs = reference({"up", "--workspace-folder", ws.str()});
  ASSERT_EQ(theirs.status, 0) << theirs.err;
  EXPECT_EQ(last_json_line(theirs.out)["containerId"], id);
  auto info = engine.inspect_container(id);
  ASSERT_TRUE(info);
  auto markers = dlc({"exec", "-w", ws.str(), "--", "sh", "-c",
                      "for h in onCreate updateContent postCreate postStart; do cat ~/.devcontainer/.${h}CommandMarker; done; "
                      "grep -c MARK= /etc/environment"});
  EXPECT_EQ(markers.out, info->created + "\n" + info->created + "\n" + info->created + "\n" + info->state.started_at + "\n1\n")
      << markers.err;
}

}  // namespace
}  // namespace dlc::testing
