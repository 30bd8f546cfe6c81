// The reference implementation and dlcontainer side by side on the same configurations: what the
// containers got (user, environment, mounts, labels, lifecycle markers and their order), the exit
// codes and the --json outputs. docs/devcontainer-compat.md lists the differences that remain, and why.
#include "integration/interop_support.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;

// What each tool's exec shows of the container it made.
constexpr const char* kProbe =
    "id -un; id -u; pwd; echo \"$FROM_IMAGE|$BOTH|$REMOTE|$FROM_BASHRC\"; cat /proc/1/comm; cat /tmp/order; "
    "ls -A ~/.devcontainer 2>/dev/null | sort | tr '\\n' ' '; echo";

struct Brought {
  json ref, ours;  // the --json outputs
};

Brought bring_up(const Twin& twin) {
  auto r = twin.ref_up();
  EXPECT_EQ(r.status, 0) << r.err.substr(r.err.size() > 4000 ? r.err.size() - 4000 : 0);
  auto o = twin.our_up();
  EXPECT_EQ(o.status, 0) << o.err;
  return {last_json_line(r.out), json::parse(o.out, nullptr, false)};
}

void expect_same_outputs(const Brought& b) {
  ASSERT_TRUE(b.ref.is_object());
  ASSERT_TRUE(b.ours.is_object());
  for (const char* key : {"outcome", "remoteUser", "remoteWorkspaceFolder"}) EXPECT_EQ(b.ours[key], b.ref[key]) << key;
  EXPECT_TRUE(b.ours["containerId"].is_string());
  EXPECT_TRUE(b.ref["containerId"].is_string());
}

TEST(InteropCompare, ImageMetadataUserEnvironmentMountsAndLifecycleMatch) {
  DLC_REQUIRE_ENGINE();
  DLC_REQUIRE_REFERENCE();
  TestImage image(engine, "interop",
                  "RUN echo 'export FROM_BASHRC=bashrc' >> /home/dev/.bashrc\n",
                  {{"devcontainer.metadata", R"([{"remoteUser": "dev", "containerEnv": {"FROM_IMAGE": "image", "BOTH": "image"},
                     "onCreateCommand": "echo image-onCreate >> /tmp/order", "capAdd": ["SYS_PTRACE"], "init": true}])"}});
  Twin twin;
  twin.devcontainer(R"({"image": ")" + image.tag() + R"(",
    // every hook, in the order both must run them
    "onCreateCommand": "echo onCreate >> /tmp/order",
    "updateContentCommand": ["sh", "-c", "echo updateContent >> /tmp/order"],
    "postCreateCommand": {"only": "echo postCreate >> /tmp/order"},
    "postStartCommand": "echo postStart >> /tmp/order",
    "postAttachCommand": "echo postAttach >> /tmp/order",
    "containerEnv": {"BOTH": "config"},
    "remoteEnv": {"REMOTE": "${containerEnv:BOTH}-remote"},
    "mounts": ["type=volume,target=/cache", "type=tmpfs,target=/scratch"],
    "securityOpt": ["seccomp=unconfined"]
  })");
  auto b = bring_up(twin);
  expect_same_outputs(b);
  auto ref_probe = twin.ref_exec(kProbe), our_probe = twin.our_exec(kProbe);
  EXPECT_EQ(ref_probe.status, 0) << ref_probe.err;
  EXPECT_EQ(our_probe.out, ref_probe.out);
  EXPECT_EQ(our_probe.out,
            "dev\n1000\n/workspaces/twin\nimage|config|config-remote|bashrc\ndocker-init\n"
            "image-onCreate\nonCreate\nupdateContent\npostCreate\npostStart\npostAttach\n"
            ".onCreateCommandMarker .postCreateCommandMarker .postStartCommandMarker .updateContentCommandMarker \n");
  auto ref_facts = container_facts(engine, b.ref["containerId"], twin.ref());
  auto our_facts = container_facts(engine, b.ours["containerId"], twin.ours());
  for (const char* key : {"user", "env", "mounts", "capAdd", "localFolder", "configFile", "metadata"})
    EXPECT_EQ(our_facts[key], ref_facts[key]) << key << "\nreference: " << ref_facts[key].dump() << "\ndlcontainer: " << our_facts[key].dump();
}

TEST(InteropCompare, AFailingCommandGivesTheSameExitStatusAndErrorObject) {
  DLC_REQUIRE_ENGINE();
  DLC_REQUIRE_REFERENCE();
  Twin twin;
  twin.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"(", "postCreateCommand": "exit 3"})");
  auto r = twin.ref_up();
  auto o = twin.our_up();
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(o.status, r.status);
  auto ref_out = last_json_line(r.out), our_out = json::parse(o.out, nullptr, false);
  ASSERT_TRUE(ref_out.is_object()) << r.out;
  ASSERT_TRUE(our_out.is_object()) << o.out;
  EXPECT_EQ(our_out["outcome"], ref_out["outcome"]);
  for (const char* key : {"message", "description"}) {
    EXPECT_TRUE(ref_out[key].is_string()) << key;
    EXPECT_TRUE(our_out[key].is_string()) << key;
  }
}

TEST(InteropCompare, ADockerfileConfigWithBuildArgsAndWorkspaceSettingsMatches) {
  DLC_REQUIRE_ENGINE();
  DLC_REQUIRE_REFERENCE();
  if (!interop_full()) GTEST_SKIP() << "part of the broad comparison: DLC_INTEROP_FULL=1";
  Twin twin;
  twin.write(".devcontainer/Dockerfile", std::string("FROM ") + kPythonImage +
                                             " AS dev\nARG GREETING=unset\nENV GREETING=$GREETING\nFROM " + kPythonImage + " AS other\n");
  twin.devcontainer(R"({"build": {"dockerfile": "Dockerfile", "args": {"GREETING": "hello"}, "target": "dev"},
    "workspaceFolder": "/src", "workspaceMount": "type=bind,source=${localWorkspaceFolder},target=/src",
    "remoteUser": "dev", "userEnvProbe": "none", "runArgs": ["-e", "FROM_RUNARGS=1", "--label", "team=x"],
    "postStartCommand": "echo $GREETING > /tmp/greeting"})");
  auto b = bring_up(twin);
  expect_same_outputs(b);
  const char* probe = "pwd; id -un; cat /tmp/greeting; echo $FROM_RUNARGS";
  EXPECT_EQ(twin.our_exec(probe).out, twin.ref_exec(probe).out);
}

TEST(InteropCompare, UserEnvProbeKindsGiveTheSameEnvironment) {
  DLC_REQUIRE_ENGINE();
  DLC_REQUIRE_REFERENCE();
  if (!interop_full()) GTEST_SKIP() << "part of the broad comparison: DLC_INTEROP_FULL=1";
  TestImage image(engine, "probe", "RUN echo 'export FROM_BASHRC=bashrc' >> /home/dev/.bashrc && echo 'export FROM_PROFILE=profile' >> /home/dev/.profile\n");
  for (const char* kind : {"none", "loginShell", "interactiveShell", "loginInteractiveShell"}) {
    Twin twin;
    twin.devcontainer(R"({"image": ")" + image.tag() + R"(", "remoteUser": "dev", "userEnvProbe": ")" + kind + R"("})");
    bring_up(twin);
    const char* probe = "echo ${FROM_BASHRC:-unset} ${FROM_PROFILE:-unset}";
    EXPECT_EQ(twin.our_exec(probe).out, twin.ref_exec(probe).out) << kind;
  }
}

}  // namespace
}  // namespace dlc::testing
