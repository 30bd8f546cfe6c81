#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/devcontainer.h"
#include "support/error.h"

namespace dlc::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A workspace folder in the temporary directory, removed afterwards.
class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("dlc-config-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / ".devcontainer");
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const fs::path& relative, const std::string& text) {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << text;
  }
  DevcontainerConfig load(const std::string& text) {
    write(".devcontainer/devcontainer.json", text);
    Substitution vars;
    vars.local_workspace_folder = root_.string();
    vars.devcontainer_id = "abc123";
    vars.local_env = [](const std::string& name) -> std::optional<std::string> {
      if (name == "HOME") return "/home/me";
      return std::nullopt;
    };
    return load_config(root_ / ".devcontainer" / "devcontainer.json", vars);
  }
  std::string error_of(const std::string& text) {
    try {
      load(text);
    } catch (const Error& e) {
      return e.what() + std::string(" | ") + e.hint();
    }
    ADD_FAILURE() << "loaded: " << text;
    return {};
  }

  fs::path root_;
};

TEST_F(ConfigFile, ReadsTheImageFormWithItsProperties) {
  auto c = load(R"({
    // comments are fine
    "name": "paper",
    "image": "dlc-test/python:latest",
    "containerEnv": {"A": "1"},
    "remoteEnv": {"P": "${containerEnv:PATH}:/x", "GONE": null},
    "remoteUser": "dev",
    "updateRemoteUserUID": false,
    "overrideCommand": false,
    "init": true,
    "capAdd": ["SYS_PTRACE"],
    "securityOpt": ["seccomp=unconfined"],
    "forwardPorts": [8888, "db:5432"],
    "appPort": ["3000:3000", 4000],
    "hostRequirements": {"gpu": "optional"},
    "shutdownAction": "none",
    "customizations": {"dlcontainer": {"jupyter": true}, "vscode": {}},
  })");
  EXPECT_EQ(c.name, "paper");
  EXPECT_EQ(c.image, "dlc-test/python:latest");
  EXPECT_FALSE(c.build);
  EXPECT_EQ(c.container_env.at("A"), "1");
  EXPECT_EQ(c.remote_env.at("P"), "${containerEnv:PATH}:/x");
  EXPECT_FALSE(c.remote_env.count("GONE"));
  EXPECT_EQ(c.remote_user, "dev");
  EXPECT_FALSE(c.update_remote_user_uid);
  EXPECT_FALSE(c.override_command);
  EXPECT_TRUE(c.init);
  EXPECT_EQ(c.cap_add, std::vector<std::string>{"SYS_PTRACE"});
  ASSERT_EQ(c.forward_ports.size(), 2u);
  EXPECT_EQ(c.forward_ports[1].host, "db");
  EXPECT_EQ(c.forward_ports[1].port, 5432);
  EXPECT_EQ(c.app_port, (std::vector<int>{3000, 4000}));
  EXPECT_EQ(c.gpu.need, GpuRequirement::Need::Optional);
  EXPECT_EQ(c.shutdown_action, "none");
  EXPECT_EQ(c.dlcontainer["jupyter"], true);
}

TEST_F(ConfigFile, BuildPathsResolveAgainstTheConfigFolder) {
  write(".devcontainer/Dockerfile", "FROM scratch\n");
  auto c = load(R"({"build": {"dockerfile": "Dockerfile", "context": "..", "args": {"V": "1"}, "target": "dev"}})");
  ASSERT_TRUE(c.build);
  EXPECT_EQ(c.build->dockerfile, (root_ / ".devcontainer" / "Dockerfile").string());
  EXPECT_EQ(c.build->context, root_.string());
  EXPECT_EQ(c.build->args.at("V"), "1");
  EXPECT_EQ(c.build->target, "dev");
}

TEST_F(ConfigFile, AMissingDockerfileIsNamed) {
  EXPECT_THAT(error_of(R"({"build": {"dockerfile": "Nope"}})"), HasSubstr("build.dockerfile"));
}

TEST_F(ConfigFile, ImageAndBuildTogetherOrNeitherAreRefused) {
  write(".devcontainer/Dockerfile", "FROM scratch\n");
  EXPECT_THAT(error_of(R"({"image": "a", "build": {"dockerfile": "Dockerfile"}})"), HasSubstr("more than one of \"image\", \"build\""));
  EXPECT_THAT(error_of(R"({"name": "x"})"), HasSubstr("neither \"image\" nor \"build\""));
}

TEST_F(ConfigFile, VariablesExpandAndWorkspaceFolderComesFirst) {
  auto c = load(R"({
    "image": "i",
    "workspaceFolder": "/src/${localWorkspaceFolderBasename}",
    "workspaceMount": "type=bind,source=${localWorkspaceFolder},target=${containerWorkspaceFolder}",
    "mounts": ["source=${localEnv:HOME}/data,target=/data,type=bind,readonly",
               {"type": "volume", "source": "cache-${devcontainerId}", "target": "/cache"}],
    "containerEnv": {"W": "${containerWorkspaceFolderBasename}", "U": "${localEnv:UNSET:fallback}"}
  })");
  std::string base = root_.filename().string();
  EXPECT_EQ(c.workspace_folder, "/src/" + base);
  ASSERT_TRUE(c.workspace_mount);
  EXPECT_EQ(c.workspace_mount->source, root_.string());
  EXPECT_EQ(c.workspace_mount->target, "/src/" + base);
  ASSERT_EQ(c.mounts.size(), 2u);
  EXPECT_EQ(c.mounts[0].source, "/home/me/data");
  EXPECT_TRUE(c.mounts[0].read_only);
  EXPECT_EQ(c.mounts[1].type, "volume");
  EXPECT_EQ(c.mounts[1].source, "cache-abc123");
  EXPECT_EQ(c.container_env.at("W"), base);
  EXPECT_EQ(c.container_env.at("U"), "fallback");
}

TEST_F(ConfigFile, LifecycleCommandsInAllThreeForms) {
  auto c = load(R"({"image": "i",
    "onCreateCommand": "echo hi",
    "postCreateCommand": ["python3", "-V"],
    "postStartCommand": {"a": "echo a", "b": ["echo", "b"]}})");
  ASSERT_EQ(c.on_create_command.steps.size(), 1u);
  EXPECT_EQ(c.on_create_command.steps[0].argv, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
  EXPECT_EQ(c.post_create_command.steps[0].argv, (std::vector<std::string>{"python3", "-V"}));
  EXPECT_TRUE(c.post_start_command.parallel);
  ASSERT_EQ(c.post_start_command.steps.size(), 2u);
  EXPECT_EQ(c.post_start_command.steps[1].name, "b");
  EXPECT_TRUE(c.update_content_command.empty());
}

TEST_F(ConfigFile, WrongTypesNameTheProperty) {
  EXPECT_THAT(error_of(R"({"image": "i", "remoteUser": 5})"), HasSubstr("\"remoteUser\" must be a string"));
  EXPECT_THAT(error_of(R"({"image": "i", "forwardPorts": ["x"]})"), HasSubstr("forwardPorts"));
  EXPECT_THAT(error_of(R"({"image": "i", "hostRequirements": {"gpu": "sometimes"}})"), HasSubstr("hostRequirements.gpu"));
  EXPECT_THAT(error_of(R"({"image": "i", "mounts": ["target=relative,source=/a"]})"), HasSubstr("absolute"));
}

TEST_F(ConfigFile, ComposeFilesResolveAgainstTheConfigFolderAndTakeComposeDefaults) {
  write(".devcontainer/compose.yml", "services: {app: {image: i}}\n");
  write("other.yml", "services: {db: {image: j}}\n");
  auto c = load(R"({"dockerComposeFile": ["compose.yml", "../other.yml"], "service": "app", "runServices": ["db"]})");
  ASSERT_TRUE(c.compose);
  EXPECT_EQ(c.compose->files, (std::vector<std::string>{(root_ / ".devcontainer" / "compose.yml").string(),
                                                        (root_ / "other.yml").string()}));
  EXPECT_EQ(c.compose->service, "app");
  EXPECT_EQ(c.compose->run_services, std::vector<std::string>{"db"});
  EXPECT_EQ(c.shutdown_action, "stopCompose");
  EXPECT_FALSE(c.override_command);  // a service keeps its own command unless asked
  EXPECT_THAT(error_of(R"({"dockerComposeFile": "compose.yml"})"), HasSubstr("\"service\" is missing"));
  EXPECT_THAT(error_of(R"({"dockerComposeFile": "missing.yml", "service": "app"})"), HasSubstr("does not exist"));
  EXPECT_THAT(error_of(R"({"dockerComposeFile": "compose.yml", "service": "app", "image": "i"})"), HasSubstr("more than one"));
  EXPECT_THAT(error_of(R"({"dockerComposeFile": "compose.yml", "service": "app", "shutdownAction": "stopContainer"})"),
              HasSubstr("stopCompose"));
}

TEST_F(ConfigFile, LifecycleExtrasAndHostRequirementsAreRead) {
  auto c = load(R"({"image": "i", "initializeCommand": ["touch", "x"], "waitFor": "postCreateCommand",
                    "userEnvProbe": "loginShell",
                    "hostRequirements": {"cpus": 4, "memory": "8gb", "storage": "32gb", "gpu": "optional"},
                    "portsAttributes": {"8888": {"label": "Jupyter", "requireLocalPort": true}, "9000-9010": {"protocol": "https"}},
                    "otherPortsAttributes": {"onAutoForward": "silent"}})");
  EXPECT_EQ(c.initialize_command.steps.at(0).argv, (std::vector<std::string>{"touch", "x"}));
  EXPECT_EQ(c.wait_for, "postCreateCommand");
  EXPECT_EQ(c.user_env_probe, "loginShell");
  EXPECT_EQ(c.host_requirements.cpus, 4);
  EXPECT_EQ(c.host_requirements.memory, 8LL << 30);
  EXPECT_EQ(c.host_requirements.storage, 32LL << 30);
  EXPECT_EQ(c.gpu.need, GpuRequirement::Need::Optional);
  ASSERT_NE(attributes_for_port(c.ports_attributes, 8888), nullptr);
  EXPECT_EQ(attributes_for_port(c.ports_attributes, 8888)->label, "Jupyter");
  EXPECT_TRUE(attributes_for_port(c.ports_attributes, 8888)->require_local_port);
  EXPECT_EQ(attributes_for_port(c.ports_attributes, 9005)->protocol, "https");
  EXPECT_EQ(attributes_for_port(c.ports_attributes, 9011), nullptr);
  EXPECT_EQ(c.other_ports_attributes->on_auto_forward, "silent");
  EXPECT_THAT(error_of(R"({"image": "i", "waitFor": "never"})"), HasSubstr("waitFor"));
  EXPECT_THAT(error_of(R"({"image": "i", "userEnvProbe": "bash"})"), HasSubstr("userEnvProbe"));
  EXPECT_THAT(error_of(R"({"image": "i", "hostRequirements": {"memory": "8 gigs"}})"), HasSubstr("hostRequirements.memory"));
  EXPECT_THAT(error_of(R"({"image": "i", "portsAttributes": {"80": {"onAutoForward": "maybe"}}})"),
              HasSubstr("portsAttributes.80.onAutoForward"));
}

TEST_F(ConfigFile, BuildOptionsTheEngineCanExpressAreReadAndOthersRefusedByName) {
  write(".devcontainer/Dockerfile", "FROM scratch\n");
  auto c = load(R"({"build": {"dockerfile": "Dockerfile", "options": ["--label", "a=b", "--platform=linux/amd64",
                    "--build-arg", "X=1", "--target", "dev", "--network", "host", "--add-host", "h:10.0.0.1", "--no-cache", "--pull"]}})");
  const auto& o = c.build->options;
  EXPECT_EQ(o.labels, (std::map<std::string, std::string>{{"a", "b"}}));
  EXPECT_EQ(o.platform, "linux/amd64");
  EXPECT_EQ(o.build_args, (std::map<std::string, std::string>{{"X", "1"}}));
  EXPECT_EQ(o.target, "dev");
  EXPECT_EQ(o.network, "host");
  EXPECT_EQ(o.add_hosts, std::vector<std::string>{"h:10.0.0.1"});
  EXPECT_TRUE(o.no_cache);
  EXPECT_TRUE(o.pull);
  EXPECT_THAT(error_of(R"({"build": {"dockerfile": "Dockerfile", "options": ["--squash"]}})"), HasSubstr("'--squash' is not supported"));
}

TEST_F(ConfigFile, AVolumeWithoutSourceIsAnAnonymousVolumeAndPlatformIsARunArg) {
  auto c = load(R"({"image": "i", "mounts": ["type=volume,target=/cache", {"type": "volume", "target": "/more"}],
                    "runArgs": ["--platform", "linux/amd64"]})");
  ASSERT_EQ(c.mounts.size(), 2u);
  EXPECT_EQ(c.mounts[0].type, "volume");
  EXPECT_EQ(c.mounts[0].source, "");
  EXPECT_EQ(c.mounts[1].target, "/more");
  EXPECT_EQ(c.run_args.platform, "linux/amd64");
  EXPECT_THAT(error_of(R"({"image": "i", "mounts": ["type=bind,target=/x"]})"), HasSubstr("source is missing"));
}

TEST(FindConfig, PrefersTheStandardPlacesAndRefusesAmbiguity) {
  auto root = fs::temp_directory_path() / ("dlc-find-" + std::to_string(::getpid()));
  fs::create_directories(root / ".devcontainer" / "cpu");
  EXPECT_FALSE(find_config(root));
  std::ofstream(root / ".devcontainer" / "cpu" / "devcontainer.json") << "{}";
  EXPECT_EQ(find_config(root)->filename(), "devcontainer.json");
  fs::create_directories(root / ".devcontainer" / "gpu");
  std::ofstream(root / ".devcontainer" / "gpu" / "devcontainer.json") << "{}";
  EXPECT_THROW(find_config(root), Error);
  std::ofstream(root / ".devcontainer.json") << "{}";
  EXPECT_EQ(*find_config(root), fs::absolute(root / ".devcontainer.json"));
  std::ofstream(root / ".devcontainer" / "devcontainer.json") << "{}";
  EXPECT_EQ(*find_config(root), fs::absolute(root / ".devcontainer" / "devcontainer.json"));
  fs::remove_all(root);
}

TEST(Substitute, LeavesContainerEnvAndUnknownVariablesAsWritten) {
  Substitution vars;
  vars.local_workspace_folder = "/home/me/paper";
  vars.container_workspace_folder = "/workspaces/paper";
  vars.local_env = [](const std::string&) { return std::optional<std::string>(); };
  EXPECT_EQ(substitute("${containerEnv:PATH}:${localWorkspaceFolder}", vars), "${containerEnv:PATH}:/home/me/paper");
  EXPECT_EQ(substitute("${whatever} ${env:NOPE} ${unclosed", vars), "${whatever}  ${unclosed");
}

}  // namespace
}  // namespace dlc::config
