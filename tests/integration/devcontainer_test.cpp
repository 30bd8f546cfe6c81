// devcontainer.json beyond the basics, through the real binary: image metadata, every lifecycle
// command at its moment, the user's environment, build and run options, and nothing ignored in silence.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "engine/build_context.h"
#include "integration/up_support.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;

TEST(Metadata, AnImagesLabelIsMergedBeforeTheConfigAndTheContainerCarriesEveryEntry) {
  DLC_REQUIRE_ENGINE();
  TestImage image(engine, "meta", "", {{"devcontainer.metadata", R"([
      {"remoteUser": "dev", "containerEnv": {"FROM_IMAGE": "image", "BOTH": "image"},
       "postCreateCommand": "echo image-post-create >> /tmp/order", "capAdd": ["SYS_PTRACE"]},
      {"postStartCommand": ["sh", "-c", "echo image-post-start >> /tmp/order"]}])"}});
  Workspace ws;
  ws.devcontainer(R"({"image": ")" + image.tag() + R"(", "containerEnv": {"BOTH": "config"},
                      "postCreateCommand": "echo config-post-create >> /tmp/order", "remoteEnv": {"R": "${containerEnv:BOTH}"}})");
  auto up = up_json(ws);
  EXPECT_EQ(up["remoteUser"], "dev");  // from the image's label, not root
  EXPECT_EQ(up["commandsRun"], json::parse(R"(["postCreateCommand", "postStartCommand"])"));
  EXPECT_EQ(in_container(ws, "cat /tmp/order; id -un; echo $FROM_IMAGE $BOTH $R"),
            "image-post-create\nconfig-post-create\nimage-post-start\ndev\nimage config config\n");
  auto info = engine.inspect_container(up["containerId"]);
  ASSERT_TRUE(info);
  EXPECT_NE(std::find(info->cap_add.begin(), info->cap_add.end(), "SYS_PTRACE"), info->cap_add.end());
  auto label = json::parse(info->labels["devcontainer.metadata"]);
  ASSERT_EQ(label.size(), 3u) << label;  // both of the image's entries, then the config's, as written
  EXPECT_EQ(label[2]["remoteEnv"]["R"], "${containerEnv:BOTH}");
  EXPECT_FALSE(label[2].contains("image"));
}

TEST(Lifecycle, EveryCommandRunsAtItsMomentAndInitializeRunsOnTheHost) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(",
    "initializeCommand": "echo host >> initialized.txt",
    "onCreateCommand": "echo onCreate >> /tmp/order", "updateContentCommand": ["sh", "-c", "echo updateContent >> /tmp/order"],
    "postCreateCommand": {"a": "echo postCreate >> /tmp/order"}, "postStartCommand": "echo postStart >> /tmp/order",
    "postAttachCommand": "echo postAttach >> /tmp/order"})");
  auto first = up_json(ws);
  EXPECT_EQ(first["commandsRun"], json::parse(R"(["onCreateCommand", "updateContentCommand", "postCreateCommand",
                                                   "postStartCommand", "postAttachCommand"])"));
  EXPECT_EQ(ws.read("initialized.txt"), "host\n");  // on the host, in the workspace folder
  auto second = up_json(ws);
  EXPECT_EQ(second["commandsRun"], json::parse(R"(["postAttachCommand"])"));
  auto third = up_json(ws, {"--skip-post-attach"});
  EXPECT_EQ(third["commandsRun"], json::array());
  EXPECT_EQ(ws.read("initialized.txt"), "host\nhost\nhost\n");  // at every up
  EXPECT_EQ(in_container(ws, "cat /tmp/order"), "onCreate\nupdateContent\npostCreate\npostStart\npostAttach\npostAttach\n");
  // The reference's markers: what ran is known to either tool.
  EXPECT_EQ(in_container(ws, "ls -A ~/.devcontainer | sort | tr '\\n' ' '"),
            ".onCreateCommandMarker .postCreateCommandMarker .postStartCommandMarker .updateContentCommandMarker ");
}

TEST(Lifecycle, SkipNonBlockingStopsAfterWaitForAndTheNextUpRunsTheRest) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "waitFor": "onCreateCommand",
    "onCreateCommand": "true", "postCreateCommand": "true", "postStartCommand": "true", "postAttachCommand": "true"})");
  auto first = up_json(ws, {"--skip-non-blocking-commands"});
  EXPECT_EQ(first["commandsRun"], json::parse(R"(["onCreateCommand"])"));
  auto second = up_json(ws);
  EXPECT_EQ(second["commandsRun"], json::parse(R"(["postCreateCommand", "postStartCommand", "postAttachCommand"])"));
}

TEST(Lifecycle, AnObjectsEntriesRunAtOnceAndAFailingEntryIsNamed) {
  DLC_REQUIRE_ENGINE();
  // Each entry waits (at most 10 s) for the other's file: run one after the other, the first would fail.
  auto waits_for = [](const std::string& mine, const std::string& other) {
    return "touch /tmp/" + mine + "; for i in $(seq 100); do [ -f /tmp/" + other + " ] && exit 0; sleep 0.1; done; exit 7";
  };
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "postCreateCommand": {"a": ")" + waits_for("a", "b") +
                  R"(", "b": ["sh", "-c", ")" + waits_for("b", "a") + R"("]}})");
  auto up = up_json(ws);
  EXPECT_EQ(up["commandsRun"], json::parse(R"(["postCreateCommand"])"));

  Workspace failing("failing");
  failing.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "postStartCommand": {"fine": "true", "broken": "exit 5"}})");
  auto r = dlc({"up", failing.str()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("postStartCommand (broken) failed with exit status 5"), std::string::npos) << r.err;
}

TEST(Lifecycle, AFailedInitializeCommandStopsUpBeforeAnythingIsMade) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "initializeCommand": "echo no; exit 4"})");
  auto r = dlc({"up", ws.str()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("initializeCommand in devcontainer.json failed with exit status 4"), std::string::npos) << r.err;
  EXPECT_TRUE(ws.containers(engine).empty());
}

TEST(Environment, LoginShellsKeepTheImagesPathAndTheProbeFollowsUserEnvProbe) {
  DLC_REQUIRE_ENGINE();
  TestImage image(engine, "path",
                  "ENV PATH=/opt/tools/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                  "RUN echo 'export FROM_BASHRC=yes' >> /home/dev/.bashrc\n");
  Workspace probed("probed");
  probed.devcontainer(R"({"image": ")" + image.tag() + R"(", "remoteUser": "dev", "updateRemoteUserUID": false})");
  up_json(probed);
  // Debian's /etc/profile sets PATH for a non-root login shell; patched, it keeps the one it is given.
  EXPECT_EQ(in_container(probed, "bash -lc 'echo $PATH' | cut -d: -f1"), "/opt/tools/bin\n");
  EXPECT_EQ(in_container(probed, "echo ${FROM_BASHRC:-unset}"), "yes\n");  // loginInteractiveShell read .bashrc
  EXPECT_NE(in_container(probed, "grep -c PATH= /etc/environment"), "0\n");

  Workspace plain("plain");
  plain.devcontainer(R"({"image": ")" + image.tag() + R"(", "remoteUser": "dev", "updateRemoteUserUID": false,
                         "userEnvProbe": "none", "remoteEnv": {"PATH": "${containerEnv:PATH}:/extra"}})");
  up_json(plain);
  EXPECT_EQ(in_container(plain, "echo ${FROM_BASHRC:-unset} $PATH"),
            "unset /opt/tools/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/extra\n");
}

TEST(UpJson, AFailurePrintsTheReferencesErrorObjectOnStdout) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "postCreateCommand": "exit 3"})");
  auto r = dlc({"up", ws.str(), "--json"});
  EXPECT_EQ(r.status, 1);
  auto out = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << r.out;
  EXPECT_EQ(out["outcome"], "error");
  EXPECT_NE(out["message"].get<std::string>().find("postCreateCommand failed with exit status 3"), std::string::npos);
  EXPECT_TRUE(out["description"].is_string());
  EXPECT_NE(r.err.find("error:"), std::string::npos);  // still said on stderr
}

TEST(Properties, UnsupportedOnesAreWarnedByNameAndStrictRefusesWithNothingMade) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "secrets": {"TOKEN": {}}, "remoteUsr": "dev"})");
  auto strict = dlc({"up", ws.str(), "--strict"});
  EXPECT_EQ(strict.status, 1);
  EXPECT_NE(strict.err.find("\"secrets\" is not supported"), std::string::npos) << strict.err;
  EXPECT_TRUE(ws.containers(engine).empty());
  auto plan = dlc({"plan", ws.str(), "--json"});
  ASSERT_EQ(plan.status, 0) << plan.err;
  EXPECT_NE(plan.out.find("\\\"remoteUsr\\\" is not a property the Dev Container spec defines"), std::string::npos) << plan.out;
  EXPECT_EQ(dlc({"plan", ws.str(), "--strict"}).status, 1);

  auto up = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_NE(up.err.find("warning: \"secrets\" is not supported"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("warning: \"remoteUsr\" is not a property"), std::string::npos) << up.err;
  EXPECT_EQ(json::parse(up.out)["warnings"].size(), 2u);
}

TEST(Options, BuildOptionsReachTheBuildAndAVolumeWithoutSourceIsAnonymous) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.write(".devcontainer/Dockerfile", std::string("FROM ") + kPythonImage + "\nARG FROM_OPTIONS=unset\nENV FROM_OPTIONS=$FROM_OPTIONS\n");
  ws.devcontainer(R"({"build": {"dockerfile": "Dockerfile", "options": ["--label", "dev.dlcontainer.test=options", "--build-arg=FROM_OPTIONS=set"]},
                      "mounts": ["type=volume,target=/cache"]})");
  auto up = up_json(ws);
  auto info = engine.inspect_container(up["containerId"]);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->labels["dev.dlcontainer.test"], "options");  // the image's label, seen through the container
  EXPECT_EQ(in_container(ws, "echo $FROM_OPTIONS"), "set\n");
  auto cache = std::find_if(info->mounts.begin(), info->mounts.end(), [](const auto& m) { return m.target == "/cache"; });
  ASSERT_NE(cache, info->mounts.end());
  EXPECT_EQ(cache->type, "volume");
  EXPECT_EQ(cache->source.size(), 64u);  // the engine named it
  for (const auto& c : ws.containers(engine)) engine.remove_container(c.id, true, true);  // and its anonymous volume
  engine.remove_image(up["image"], true);
}

TEST(Options, PlatformInRunArgsIsTheCreatedContainersPlatform) {
  DLC_REQUIRE_ENGINE();
  Workspace native;
  native.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "runArgs": ["--platform", "linux/amd64"]})");
  EXPECT_EQ(dlc({"up", native.str()}).status, 0);
  Workspace foreign;
  foreign.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "runArgs": ["--platform=linux/s390x"]})");
  auto r = dlc({"up", foreign.str()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("platform"), std::string::npos) << r.err;  // the engine was asked for that platform
  EXPECT_TRUE(foreign.containers(engine).empty());
}

TEST(Options, HostRequirementsBeyondTheHostAreWarned) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "hostRequirements": {"cpus": 4096, "memory": "64tb"}})");
  auto up = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_NE(up.err.find("warning: hostRequirements.cpus asks for 4096 CPUs; the engine's host has"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("hostRequirements.memory asks for 65536.0 GiB"), std::string::npos) << up.err;
  EXPECT_EQ(json::parse(up.out)["warnings"].size(), 2u);
}

TEST(Options, RequireLocalPortKeepsThePortOrRefuses) {
  DLC_REQUIRE_ENGINE();
  // A port someone else holds on 127.0.0.1.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "forwardPorts": [)" + std::to_string(port) + R"(],
    "portsAttributes": {")" + std::to_string(port) + R"(": {"requireLocalPort": true, "label": "app", "protocol": "https"}}})");
  auto taken = dlc({"up", ws.str()});
  EXPECT_EQ(taken.status, 1);
  EXPECT_NE(taken.err.find("requireLocalPort"), std::string::npos) << taken.err;
  EXPECT_TRUE(ws.containers(engine).empty());
  ::close(fd);
  auto up = up_json(ws);
  ASSERT_EQ(up["ports"].size(), 1u);
  EXPECT_EQ(up["ports"][0]["hostPort"], port);
  // The label and the protocol say what the port is and how to reach it.
  EXPECT_EQ(up["portNotes"], json::parse(R"([{"containerPort": )" + std::to_string(port) + R"(, "label": "app", "url": "https://127.0.0.1:)" +
                                         std::to_string(port) + R"("}])"));
}

TEST(Options, UpdateRemoteUserUidKeepsTheUsersGidWhenAnotherGroupHasTheHosts) {
  DLC_REQUIRE_ENGINE();
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run the binary as another user";
  std::string why;
  auto group = socket_group(&why);
  if (!group) GTEST_SKIP() << why;
  Workspace ws("gid");
  std::filesystem::permissions(ws.path(), std::filesystem::perms::all);
  ASSERT_EQ(::chown(ws.path().c_str(), 4243, 100), 0);
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "remoteUser": "dev"})");
  RunOptions as_user;
  as_user.uid = 4243;
  as_user.gid = 100;  // "users" in Debian's /etc/group: held by another group in the image
  as_user.groups = {*group};
  as_user.unset_env = {"XDG_RUNTIME_DIR"};
  auto up = dlc({"up", ws.str(), "--json"}, as_user);
  ASSERT_EQ(up.status, 0) << up.err;
  auto r = dlc({"exec", "-w", ws.str(), "--", "sh", "-c", "id -u; id -gn; id -g"}, as_user);
  EXPECT_EQ(r.out, "4243\ndev\n1000\n") << r.err;  // the uid is the host's; dev keeps its own group
  for (const auto& c : ws.containers(engine)) engine.remove_container(c.id, true);
  engine.remove_image(json::parse(up.out)["image"], true);
}

}  // namespace
}  // namespace dlc::testing
