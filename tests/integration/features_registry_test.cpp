// Registry Features for real: a local docker-registry that wants anonymous Bearer tokens, Features
// published to it by the reference CLI (`devcontainer features publish`), then consumed by both
// dlcontainer and the reference `devcontainer up` on the same configuration, and compared.
#include <fstream>
#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "integration/features_support.h"
#include "integration/support.h"

namespace dlc::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::HasSubstr;

class RegistryFeatures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new LocalRegistry(&why_);
    if (!registry_->running()) return;
    auto published = registry_->publish(fs::path(DLC_SOURCE_DIR) / "tests/features/src", "dlc-test/features");
    if (published.status != 0) why_ = "devcontainer features publish failed: " + published.out + published.err;
  }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
  }
  void SetUp() override {
    if (!why_.empty()) {
      if (in_ci()) FAIL() << "CI=true and no local registry: " << why_;
      GTEST_SKIP() << why_;
    }
  }
  static std::string feature(const std::string& name) { return registry_->host() + "/dlc-test/features/" + name; }

  static LocalRegistry* registry_;
  static std::string why_;
};

LocalRegistry* RegistryFeatures::registry_ = nullptr;
std::string RegistryFeatures::why_;

// What a container got from the Features, read the same way in both tools' containers.
constexpr const char* kProbe =
    "cat /opt/hello/install-env /opt/greeter-said /opt/feature-order; "
    "echo HELLO_HOME=$HELLO_HOME GREETER_NAME=$GREETER_NAME; hello; id -un; cat /tmp/dlc-markers";

std::vector<json> feature_entries(const std::string& label) {
  std::vector<json> out;
  for (const auto& e : json::parse(label))
    if (e.contains("id")) out.push_back(e);
  return out;
}

TEST_F(RegistryFeatures, BothToolsInstallThePublishedFeaturesAlike) {
  DLC_REQUIRE_ENGINE();
  std::string config = R"({"image": "dlc-test/python:latest", "remoteUser": "dev",
    "features": {")" + feature("greeter:2") + R"(": {"name": "dlc"}},
    "postCreateCommand": "echo config-postCreate >> /tmp/dlc-markers"})";
  Workspace mine("features-dlc"), theirs("features-ref");
  mine.devcontainer(config);
  theirs.devcontainer(config);
  FeatureImages clean_mine(engine, mine), clean_theirs(engine, theirs);

  RunOptions slow;
  slow.timeout_seconds = 600;
  auto ref_up = run({"node", devcontainer_cli(), "up", "--workspace-folder", theirs.str()}, slow);
  ASSERT_EQ(ref_up.status, 0) << ref_up.out << ref_up.err;
  auto dlc_up = dlc({"up", mine.str(), "--json"}, slow);
  ASSERT_EQ(dlc_up.status, 0) << dlc_up.err;
  // The dependency comes first, named as greeter's dependsOn names it.
  EXPECT_EQ(json::parse(dlc_up.out)["features"], json::array({feature("hello:1"), feature("greeter:2")}));

  auto ref_probe = run({"node", devcontainer_cli(), "exec", "--workspace-folder", theirs.str(), "sh", "-c", kProbe}, slow);
  auto dlc_probe = dlc({"exec", "-w", mine.str(), "--", "sh", "-c", kProbe});
  ASSERT_EQ(ref_probe.status, 0) << ref_probe.err;
  ASSERT_EQ(dlc_probe.status, 0) << dlc_probe.err;
  EXPECT_EQ(dlc_probe.out, ref_probe.out);
  // And what that is: the options, the spec's variables, containerEnv, order, lifecycle.
  EXPECT_THAT(dlc_probe.out, HasSubstr("greeting=bonjour\nloud=false\nremote_user=dev\ncontainer_user=root\n"
                                       "remote_user_home=/home/dev\ncontainer_user_home=/root\nhello_home=/opt/hello\n"));
  EXPECT_THAT(dlc_probe.out, HasSubstr("hello\ngreeter\nHELLO_HOME=/opt/hello GREETER_NAME=from-greeter\nbonjour from hello\ndev\n"));
  EXPECT_THAT(dlc_probe.out, HasSubstr("hello-postCreate\ngreeter-postCreate\nconfig-postCreate\nhello-postStart\n"));

  // The label stock tools read: the same Features' entries, in the same order.
  auto ref_container = engine.list_containers({{"devcontainer.local_folder", theirs.str()}});
  auto dlc_container = mine.containers(engine);
  ASSERT_EQ(ref_container.size(), 1u);
  ASSERT_EQ(dlc_container.size(), 1u);
  auto ref_info = engine.inspect_container(ref_container[0].id);
  auto dlc_info = engine.inspect_container(dlc_container[0].id);
  EXPECT_EQ(feature_entries(dlc_info->labels["devcontainer.metadata"]), feature_entries(ref_info->labels["devcontainer.metadata"]));
  EXPECT_THAT(dlc_info->cap_add, ::testing::Contains("SYS_PTRACE"));
  // Both wrote the same lockfile.
  EXPECT_EQ(mine.read(".devcontainer/devcontainer-lock.json"), theirs.read(".devcontainer/devcontainer-lock.json"));
  EXPECT_THAT(mine.read(".devcontainer/devcontainer-lock.json"), HasSubstr("\"integrity\": \"sha256:"));
}

TEST_F(RegistryFeatures, TheLockfilesDigestWinsOverAMovedTagAndAWrongOneIsAnError) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("features-lock");
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest", "features": {")" + feature("stamp:1") + R"(": {}}})");
  FeatureImages clean(engine, ws);
  fs::path src = ws.path().parent_path() / "stamp-src";
  auto publish_stamp = [&](const std::string& version) {
    ws.write("../stamp-src/stamp/devcontainer-feature.json", R"({"id": "stamp", "name": "Stamp", "version": ")" + version + "\"}");
    ws.write("../stamp-src/stamp/install.sh", "#!/bin/sh\necho " + version + " > /opt/stamp\n");
    fs::permissions(src / "stamp" / "install.sh", fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
    auto r = registry_->publish(src, "dlc-test/features");
    ASSERT_EQ(r.status, 0) << r.out << r.err;
  };
  publish_stamp("1.0.0");
  ASSERT_EQ(dlc({"up", ws.str()}).status, 0);
  std::string lock = ws.read(".devcontainer/devcontainer-lock.json");
  EXPECT_THAT(lock, HasSubstr("\"version\": \"1.0.0\""));

  // The tag moves; the lockfile keeps the workspace on what it locked.
  publish_stamp("1.0.1");
  auto again = dlc({"up", ws.str(), "--rebuild"});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(dlc({"exec", "-w", ws.str(), "--", "cat", "/opt/stamp"}).out, "1.0.0\n");
  EXPECT_EQ(ws.read(".devcontainer/devcontainer-lock.json"), lock);

  // A digest the registry does not have: a clear error, the lockfile left as it is.
  std::string wrong = lock;
  const std::string key = "\"integrity\": \"sha256:";
  auto at = wrong.find(key) + key.size();
  wrong.replace(at, 64, std::string(64, '0'));
  ws.write(".devcontainer/devcontainer-lock.json", wrong);
  auto refused = dlc({"up", ws.str(), "--rebuild"});
  EXPECT_NE(refused.status, 0);
  EXPECT_THAT(refused.err, HasSubstr("devcontainer-lock.json pins it to sha256:0000"));
  EXPECT_EQ(ws.read(".devcontainer/devcontainer-lock.json"), wrong);

  // Without the lockfile the current version comes, and is locked.
  fs::remove(ws.path() / ".devcontainer" / "devcontainer-lock.json");
  ASSERT_EQ(dlc({"up", ws.str(), "--rebuild"}).status, 0);
  EXPECT_EQ(dlc({"exec", "-w", ws.str(), "--", "cat", "/opt/stamp"}).out, "1.0.1\n");
  EXPECT_THAT(ws.read(".devcontainer/devcontainer-lock.json"), HasSubstr("\"version\": \"1.0.1\""));
}

TEST_F(RegistryFeatures, AMirrorFromTheUsersConfigServesARegistrysFeatures) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("features-mirror");
  // ghcr.io is not reachable from the tests: the Feature can only come from the mirror.
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest", "features": {"ghcr.io/dlc-test/features/hello:1": {"greeting": "mirrored"}}})");
  ws.write("../config/dlcontainer/config.json",
           R"({"mirrors": {"registries": {"ghcr.io": "http://127.0.0.1:)" + std::to_string(registry_->port()) + R"("}}})");
  FeatureImages clean(engine, ws);
  RunOptions o;
  o.env["XDG_CONFIG_HOME"] = (ws.path().parent_path() / "config").string();
  auto up = dlc({"up", ws.str()}, o);
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_THAT(dlc({"exec", "-w", ws.str(), "--", "cat", "/opt/hello/install-env"}).out, HasSubstr("greeting=mirrored"));
  // The lockfile names the Feature by its registry, not by the mirror that served it.
  EXPECT_THAT(ws.read(".devcontainer/devcontainer-lock.json"), HasSubstr("\"resolved\": \"ghcr.io/dlc-test/features/hello@sha256:"));
}

TEST_F(RegistryFeatures, ATarballFeatureIsInstalledAndLockedByItsDigest) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("features-tarball");
  fs::path served = ws.path().parent_path() / "served";
  // The reference CLI packages the Feature as it would for a release: devcontainer-feature-hello.tgz.
  auto packaged = run({"node", devcontainer_cli(), "features", "package", (fs::path(DLC_SOURCE_DIR) / "tests/features/src/hello").string(),
                       "-o", served.string()});
  ASSERT_EQ(packaged.status, 0) << packaged.out << packaged.err;
  ASSERT_TRUE(fs::exists(served / "devcontainer-feature-hello.tgz"));
  int port = free_loopback_port();
  ServedFolder server(served, port);
  ASSERT_TRUE(server.running());
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/devcontainer-feature-hello.tgz";
  ws.devcontainer(R"({"image": "dlc-test/bookworm:latest", "features": {")" + url + R"(": {"greeting": "from-a-tarball"}}})");
  FeatureImages clean(engine, ws);
  auto up = dlc({"up", ws.str()});
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_THAT(dlc({"exec", "-w", ws.str(), "--", "cat", "/opt/hello/install-env"}).out, HasSubstr("greeting=from-a-tarball"));
  auto lock = json::parse(ws.read(".devcontainer/devcontainer-lock.json"));
  EXPECT_EQ(lock["features"][url]["resolved"], url);
  EXPECT_EQ(lock["features"][url]["version"], "1.0.0");

  // The file at the URL changes: its digest no longer matches the lockfile's, and up says so.
  std::ofstream(served / "devcontainer-feature-hello.tgz", std::ios::app) << "tampered";
  auto refused = dlc({"up", ws.str(), "--rebuild"}, RunOptions{.env = {{"XDG_CACHE_HOME", (ws.path().parent_path() / "cache").string()}}});
  EXPECT_NE(refused.status, 0);
  EXPECT_THAT(refused.err, HasSubstr("not the sha256:"));
}

}  // namespace
}  // namespace dlc::testing
