// Dev Container Features from local folders, installed by the real binary into real images: order,
// options, the spec's variables, what they contribute to the container, the image cache, and the
// errors that stop `up` before anything is made.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "integration/features_support.h"
#include "integration/support.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

// Three local Features: a depends on b (with an option), c installs after a. Each install.sh appends
// its name and what it was given to /opt/feature-log.
void write_local_features(const Workspace& ws) {
  ws.write(".devcontainer/b/devcontainer-feature.json", R"({"id": "b", "version": "0.1.0",
    "options": {"level": {"type": "string", "default": "1"}}, "containerEnv": {"B_HOME": "/opt/b"}})");
  ws.write(".devcontainer/b/install.sh", "#!/bin/sh\necho \"b level=$LEVEL\" >> /opt/feature-log\n");
  ws.write(".devcontainer/a/devcontainer-feature.json", R"({"id": "a", "version": "1.0.0",
    "options": {"flag": {"type": "boolean", "default": false}, "word": {"type": "string", "default": "x"}},
    "dependsOn": {"./b": {"level": "3"}},
    "containerEnv": {"A_MARK": "a-was-here", "PATH": "/opt/a/bin:${PATH}"},
    "postCreateCommand": "echo feature-a-postCreate >> /tmp/markers",
    "postStartCommand": "echo feature-a-postStart >> /tmp/markers",
    "capAdd": ["SYS_PTRACE"], "init": true,
    "mounts": [{"type": "volume", "source": "dlc-feature-test-${devcontainerId}", "target": "/feature-volume"}]})");
  ws.write(".devcontainer/a/install.sh",
           "#!/bin/sh\nset -e\nmkdir -p /opt/a/bin\n"
           "echo \"a flag=$FLAG word=$WORD remote=$_REMOTE_USER container=$_CONTAINER_USER remote_home=$_REMOTE_USER_HOME "
           "container_home=$_CONTAINER_USER_HOME b_home=$B_HOME\" >> /opt/feature-log\n");
  ws.write(".devcontainer/c/devcontainer-feature.json", R"({"id": "c", "version": "2.0.0", "installsAfter": ["./a"]})");
  ws.write(".devcontainer/c/install.sh", "#!/bin/sh\necho \"c a_mark=$A_MARK\" >> /opt/feature-log\n");
}

TEST(Features, LocalFeaturesInstallInDependencyOrderWithTheirOptionsAndTheSpecsVariables) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("features-local");
  write_local_features(ws);
  ws.devcontainer(R"({"image": "dlc-test/python:latest", "remoteUser": "dev",
    "features": {"./c": {}, "./a": {"flag": true, "colour": "red"}},
    "postCreateCommand": "echo config-postCreate >> /tmp/markers",
    "postStartCommand": "echo config-postStart >> /tmp/markers"})");
  FeatureImages images(engine, ws);
  auto up = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(up.status, 0) << up.err;
  auto result = json::parse(up.out);
  EXPECT_EQ(result["features"], json::array({"./b", "./a", "./c"}));
  ASSERT_TRUE(result.contains("warnings")) << up.out;
  EXPECT_THAT(result["warnings"].dump(), HasSubstr("no option \\\"colour\\\""));

  auto log = dlc({"exec", "-w", ws.str(), "--", "cat", "/opt/feature-log"});
  EXPECT_EQ(log.out,
            "b level=3\n"
            "a flag=true word=x remote=dev container=root remote_home=/home/dev container_home=/root b_home=/opt/b\n"
            "c a_mark=a-was-here\n");
  // containerEnv is the container's; the Feature's lifecycle commands ran before devcontainer.json's.
  auto env = dlc({"exec", "-w", ws.str(), "--", "sh", "-c", "echo $A_MARK; echo $PATH; cat /tmp/markers; id -un"});
  EXPECT_EQ(env.out.substr(0, env.out.find('\n')), "a-was-here");
  EXPECT_THAT(env.out, HasSubstr("/opt/a/bin:"));
  EXPECT_THAT(env.out, HasSubstr("feature-a-postCreate\nconfig-postCreate\nfeature-a-postStart\nconfig-postStart\ndev\n"));

  // What the Features contribute to the container: capAdd, init, the volume mount.
  auto info = engine.inspect_container(result["containerId"].get<std::string>());
  ASSERT_TRUE(info);
  EXPECT_THAT(info->cap_add, ::testing::Contains("SYS_PTRACE"));
  bool mounted = false;
  for (const auto& m : info->mounts) mounted = mounted || (m.target == "/feature-volume" && m.type == "volume");
  EXPECT_TRUE(mounted);
  // Stock tools read the Features' entries from the label, in install order, ids as written.
  auto entries = json::parse(info->labels["devcontainer.metadata"]);
  std::vector<std::string> ids;
  for (const auto& e : entries)
    if (e.contains("id")) ids.push_back(e["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"./b", "./a", "./c"}));
  // Local Features only: the lockfile has nothing to pin, and says so as the reference does.
  EXPECT_EQ(ws.read(".devcontainer/devcontainer-lock.json"), "{\n  \"features\": {}\n}\n");
}

TEST(Features, TheSameFeaturesOverTheSameImageAreNotInstalledTwice) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("features-cache");
  ws.write(".devcontainer/one/devcontainer-feature.json", R"({"id": "one", "version": "1.0.0"})");
  ws.write(".devcontainer/one/install.sh", "#!/bin/sh\ndate +%s%N > /opt/installed-at\n");
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest", "features": {"./one": {}}})");
  FeatureImages images(engine, ws);
  auto first = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(first.status, 0) << first.err;
  auto stamp = dlc({"exec", "-w", ws.str(), "--", "cat", "/opt/installed-at"}).out;
  ASSERT_EQ(dlc({"down", ws.str(), "--remove"}).status, 0);

  auto second = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("already installed in dlcontainer/features:"));
  EXPECT_EQ(json::parse(second.out)["image"], json::parse(first.out)["image"]);
  EXPECT_EQ(dlc({"exec", "-w", ws.str(), "--", "cat", "/opt/installed-at"}).out, stamp);

  // A changed install script is a different Feature: a new image.
  ws.write(".devcontainer/one/install.sh", "#!/bin/sh\necho changed > /opt/installed-at\n");
  auto third = dlc({"up", ws.str(), "--rebuild", "--json"});
  ASSERT_EQ(third.status, 0) << third.err;
  EXPECT_NE(json::parse(third.out)["image"], json::parse(first.out)["image"]);
  EXPECT_EQ(dlc({"exec", "-w", ws.str(), "--", "cat", "/opt/installed-at"}).out, "changed\n");
}

TEST(Features, AnInvalidFeatureIdIsAnErrorLikeTheReferencesAndNothingIsMade) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("features-invalid");
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest", "features": {"not-a-feature": {}}})");
  auto before = snapshot(ws.path());
  auto up = dlc({"up", ws.str()});
  EXPECT_NE(up.status, 0);
  EXPECT_THAT(up.err, HasSubstr("Legacy feature 'not-a-feature' not supported"));
  EXPECT_THAT(up.err, HasSubstr("./"));  // the hint: a local Feature starts with ./
  EXPECT_TRUE(ws.containers(engine).empty());
  EXPECT_EQ(snapshot(ws.path()), before);
}

TEST(Features, AnUnreachableRegistryIsAClearErrorAndNothingIsBuilt) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("features-unreachable");
  int port = free_loopback_port();
  std::string id = "localhost:" + std::to_string(port) + "/dlc-test/features/hello:1";
  ws.devcontainer(R"({"build": {"dockerfile": "Dockerfile"}, "features": {")" + id + R"(": {}}})");
  ws.write(".devcontainer/Dockerfile", "FROM dlc-test/bookworm:latest\nRUN echo built > /built\n");
  auto up = dlc({"up", ws.str(), "--json"});
  EXPECT_NE(up.status, 0);
  EXPECT_THAT(up.err, HasSubstr("cannot reach http://localhost:" + std::to_string(port) + "/v2/dlc-test/features/hello/manifests/1"));
  EXPECT_TRUE(ws.containers(engine).empty());
  EXPECT_TRUE(engine.list_images({{"dev.dlcontainer.built-for", ws.str()}}).empty());
  EXPECT_FALSE(std::filesystem::exists(ws.path() / ".devcontainer" / "devcontainer-lock.json"));
}

TEST(Features, AnOptionOfTheWrongTypeStopsUpNamingIt) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("features-option");
  ws.write(".devcontainer/t/devcontainer-feature.json", R"({"id": "t", "options": {"on": {"type": "boolean", "default": false}}})");
  ws.write(".devcontainer/t/install.sh", "#!/bin/sh\ntrue\n");
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest", "features": {"./t": {"on": "yes"}}})");
  auto up = dlc({"up", ws.str()});
  EXPECT_NE(up.status, 0);
  EXPECT_THAT(up.err, HasSubstr("Feature './t' option \"on\" must be true or false"));
  EXPECT_TRUE(ws.containers(engine).empty());
}

}  // namespace
}  // namespace dlc::testing
