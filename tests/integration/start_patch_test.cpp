// A new container's own start patches /etc/environment and /etc/profile (core/start_patch.h) where
// the exec after the start did: the same lines, once per container across restarts, and the
// lifecycle markers right by the next `up`. A container that runs as another user keeps the exec.
#include <nlohmann/json.hpp>

#include "integration/up_support.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;

// What the reference's patch appends to /etc/environment: a line per variable of the container's
// environment as the engine keeps it.
std::string environment_lines(const engine::ContainerInfo& info) {
  std::string lines;
  for (const auto& kv : info.env) {
    auto eq = kv.find('=');
    lines += "\n" + kv.substr(0, eq) + "=\"" + kv.substr(eq + 1) + "\"";
  }
  return lines + "\n";
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

constexpr const char* kMarkers =
    "for h in onCreate updateContent postCreate postStart; do printf '%s=' $h; "
    "cat ~/.devcontainer/.${h}CommandMarker 2>/dev/null || echo; done";

std::string markers_of(const engine::ContainerInfo& info) {
  return "onCreate=" + info.created + "\nupdateContent=" + info.created + "\npostCreate=" + info.created +
         "\npostStart=" + info.state.started_at + "\n";
}

TEST(StartPatch, EtcEnvironmentGetsTheContainersEnvironmentOnceAcrossRestarts) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage +
                  R"(", "containerEnv": {"QUOTED": "say \"hi\" $HOME", "SPACED": "  two  ", "LANG": "C"}})");
  auto first = up_json(ws);
  auto info = engine.inspect_container(first["containerId"]);
  ASSERT_TRUE(info);
  const std::string etc = in_container(ws, "cat /etc/environment");
  EXPECT_TRUE(etc.ends_with(environment_lines(*info))) << etc << "\nwanted at its end:" << environment_lines(*info);
  EXPECT_EQ(count(etc, "QUOTED="), 1u) << etc;
  const std::string profile = in_container(ws, "grep -c 'PATH:-' /etc/profile");
  EXPECT_NE(profile, "0\n");  // Debian's PATH= line keeps a PATH it is given

  ASSERT_EQ(dlc({"down", ws.str()}).status, 0);
  EXPECT_EQ(up_json(ws)["action"], "started");
  EXPECT_EQ(in_container(ws, "cat /etc/environment"), etc);  // once per container, not per start
  EXPECT_EQ(in_container(ws, "grep -c 'PATH:-' /etc/profile"), profile);
  auto logs = dlc({"logs", ws.str()});
  EXPECT_EQ(count(logs.out, "dlcontainer: container started"), 2u) << logs.out << logs.err;  // and nothing else of the patch's
}

TEST(StartPatch, AFreshContainerWithNothingToRunHasItsMarkersWrittenByTheNextUp) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"("})");
  auto first = up_json(ws);
  EXPECT_EQ(first["commandsRun"], json::array());
  EXPECT_EQ(in_container(ws, kMarkers), "onCreate=\nupdateContent=\npostCreate=\npostStart=\n");
  EXPECT_EQ(in_container(ws, "ls -A /var/devcontainer | sort | tr '\\n' ' '"), ".patchEtcEnvironmentMarker .patchEtcProfileMarker ");

  EXPECT_EQ(up_json(ws)["commandsRun"], json::array());  // running: every hook is due, none has a command
  auto info = engine.inspect_container(first["containerId"]);
  ASSERT_TRUE(info);
  EXPECT_EQ(in_container(ws, kMarkers), markers_of(*info));

  ASSERT_EQ(dlc({"down", ws.str()}).status, 0);
  EXPECT_EQ(up_json(ws)["action"], "started");
  auto restarted = engine.inspect_container(first["containerId"]);
  ASSERT_TRUE(restarted);
  EXPECT_NE(restarted->state.started_at, info->state.started_at);
  EXPECT_EQ(in_container(ws, kMarkers), markers_of(*restarted));  // postStart's stamp is the new start's
}

TEST(StartPatch, AContainerThatRunsAsAnotherUserIsPatchedAndMarkedByAnExecAsBefore) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "containerUser": "dev", "updateRemoteUserUID": false})");
  auto first = up_json(ws);
  EXPECT_EQ(first["remoteUser"], "dev");
  auto info = engine.inspect_container(first["containerId"]);
  ASSERT_TRUE(info);
  EXPECT_EQ(in_container(ws, "id -un; " + std::string(kMarkers)), "dev\n" + markers_of(*info));
  EXPECT_TRUE(in_container(ws, "cat /etc/environment").ends_with(environment_lines(*info)));
  EXPECT_NE(in_container(ws, "grep -c 'PATH:-' /etc/profile"), "0\n");
}

}  // namespace
}  // namespace dlc::testing
