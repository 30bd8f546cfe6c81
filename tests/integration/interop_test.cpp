// Stock tools see the containers dlcontainer makes, and files belong to the host user.
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "integration/up_support.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;

std::string devcontainer_cli() { return std::string(DLC_SOURCE_DIR) + "/tests/node/node_modules/.bin/devcontainer"; }

TEST(Interop, DevcontainerCliExecRunsInTheContainerDlcontainerMade) {
  DLC_REQUIRE_ENGINE();
  if (!std::filesystem::exists(devcontainer_cli())) {
    if (in_ci()) FAIL() << "the devcontainer CLI is not installed: run npm ci in tests/node";
    GTEST_SKIP() << "the devcontainer CLI is not installed (npm ci in tests/node)";
  }
  Workspace ws("interop");
  ws.devcontainer(R"({"image": "dlc-test/python:latest", "remoteUser": "dev", "containerEnv": {"MARK": "dlc"}})");
  auto up = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(up.status, 0) << up.err;
  auto id = json::parse(up.out)["containerId"].get<std::string>();

  auto r = run({"node", devcontainer_cli(), "exec", "--workspace-folder", ws.str(), "sh", "-c",
                "echo $MARK; id -un; pwd; cat /proc/1/cgroup >/dev/null; hostname"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("dlc\ndev\n/workspaces/interop\n"), std::string::npos) << r.out;
  // The same container, not a new one: its hostname is the container id's prefix.
  EXPECT_NE(r.out.find(id.substr(0, 12)), std::string::npos) << r.out;
  EXPECT_EQ(ws.containers(engine).size(), 1u);
}

TEST(Interop, UpdateRemoteUserUidGivesFilesTheHostUsersOwnership) {
  DLC_REQUIRE_ENGINE();
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run the binary as another user";
  std::string why;
  auto group = socket_group(&why);
  if (!group) GTEST_SKIP() << why;

  Workspace ws("owned");
  const uid_t uid = 4242;
  std::filesystem::permissions(ws.path(), std::filesystem::perms::all);
  ASSERT_EQ(::chown(ws.path().c_str(), uid, uid), 0);
  ws.devcontainer(R"({"image": "dlc-test/python:latest", "remoteUser": "dev"})");
  RunOptions as_user;
  as_user.uid = uid;
  as_user.gid = uid;
  as_user.groups = {*group};
  as_user.unset_env = {"XDG_RUNTIME_DIR"};
  auto up = dlc({"up", ws.str(), "--json"}, as_user);
  ASSERT_EQ(up.status, 0) << up.err;
  auto image = json::parse(up.out)["image"].get<std::string>();

  auto r = dlc({"exec", "-w", ws.str(), "--", "sh", "-c", "id -u dev; touch made-in-container"}, as_user);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "4242\n");
  struct stat made {};
  ASSERT_EQ(::stat((ws.path() / "made-in-container").c_str(), &made), 0);
  EXPECT_EQ(made.st_uid, uid);

  for (const auto& c : ws.containers(engine)) engine.remove_container(c.id, true);
  engine.remove_image(image, true);
}

}  // namespace
}  // namespace dlc::testing
