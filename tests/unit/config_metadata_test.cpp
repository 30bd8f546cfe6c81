#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/metadata.h"
#include "support/error.h"

namespace dlc::config {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

Substitution vars() {
  Substitution v;
  v.local_workspace_folder = "/home/me/paper";
  v.container_workspace_folder = "/workspaces/paper";
  v.devcontainer_id = "id";
  v.local_env = [](const std::string&) { return std::nullopt; };
  return v;
}

std::vector<std::string> argv_of(const OriginCommand& c) { return c.command.steps.at(0).argv; }

TEST(MergeMetadata, FollowsTheSpecsOrderImageThenFeaturesThenConfig) {
  MetadataSources sources;
  sources.image = {json::parse(R"({"remoteUser": "dev", "containerEnv": {"A": "image", "B": "image"}, "init": true,
                                   "postCreateCommand": "echo image", "capAdd": ["SYS_PTRACE"],
                                   "mounts": ["type=volume,source=img,target=/data"], "customizations": {"vscode": {"x": 1}}})")};
  sources.features = {json::parse(R"({"id": "ghcr.io/x/features/tool:1", "postCreateCommand": ["echo", "feature"],
                                      "capAdd": ["SYS_PTRACE", "NET_ADMIN"], "privileged": true,
                                      "entrypoint": "/usr/local/share/start.sh"})")};
  sources.config = config_entry(json::parse(R"({"image": "ignored", "remoteUser": "me", "containerEnv": {"A": "config"},
                                                "postCreateCommand": {"one": "echo config"}, "runArgs": ["--init"],
                                                "mounts": [{"type": "bind", "source": "/src", "target": "/data"}],
                                                "customizations": {"vscode": {"y": 2}}})"));
  EXPECT_FALSE(sources.config.contains("image"));  // not a metadata property
  EXPECT_FALSE(sources.config.contains("runArgs"));
  auto m = merge_metadata(sources.entries(), vars());
  EXPECT_EQ(m.remote_user, "me");  // the last entry that sets it
  EXPECT_EQ(m.container_env, (std::map<std::string, std::string>{{"A", "config"}, {"B", "image"}}));
  EXPECT_TRUE(m.init);        // any entry
  EXPECT_TRUE(m.privileged);
  EXPECT_EQ(m.cap_add, (std::vector<std::string>{"SYS_PTRACE", "NET_ADMIN"}));  // joined, no repeats
  EXPECT_EQ(m.entrypoints, std::vector<std::string>{"/usr/local/share/start.sh"});
  const auto& post = m.hook("postCreateCommand");
  ASSERT_EQ(post.size(), 3u);  // every entry's, in order
  EXPECT_EQ(argv_of(post[0]), (std::vector<std::string>{"/bin/sh", "-c", "echo image"}));
  EXPECT_EQ(post[0].origin, "devcontainer.json");
  EXPECT_EQ(argv_of(post[1]), (std::vector<std::string>{"echo", "feature"}));
  EXPECT_EQ(post[1].origin, "ghcr.io/x/features/tool:1");
  EXPECT_TRUE(post[2].command.parallel);
  ASSERT_EQ(m.mounts.size(), 1u);  // one per target: the config's
  EXPECT_EQ(m.mounts[0].source, "/src");
  EXPECT_EQ(m.customizations["vscode"], json::parse(R"([{"x": 1}, {"y": 2}])"));
}

TEST(MergeMetadata, SingleValuesTakeTheLastSetterAndPortsAndHostRequirementsJoin) {
  std::vector<MetadataEntry> entries = {
      json::parse(R"({"forwardPorts": [8080, "db:5432"], "userEnvProbe": "loginShell", "waitFor": "onCreateCommand",
                      "overrideCommand": false, "updateRemoteUserUID": false,
                      "hostRequirements": {"cpus": 8, "memory": "4gb", "gpu": "optional"},
                      "remoteEnv": {"X": "1", "Y": "2"}, "portsAttributes": {"8080": {"label": "image"}}})"),
      json::parse(R"({"forwardPorts": ["localhost:8080", 9000], "userEnvProbe": "none", "overrideCommand": true,
                      "hostRequirements": {"cpus": 2, "memory": "16gb", "gpu": true},
                      "remoteEnv": {"Y": null}, "portsAttributes": {"8080": {"label": "config"}}})")};
  auto m = merge_metadata(entries, vars());
  ASSERT_EQ(m.forward_ports.size(), 3u);  // 8080 and "localhost:8080" are one port
  EXPECT_EQ(m.forward_ports[1].host, "db");
  EXPECT_EQ(m.forward_ports[2].port, 9000);
  EXPECT_EQ(m.user_env_probe, "none");
  EXPECT_EQ(m.wait_for, "onCreateCommand");
  EXPECT_EQ(m.override_command, true);
  EXPECT_EQ(m.update_remote_user_uid, false);
  EXPECT_EQ(m.host_requirements.cpus, 8);
  EXPECT_EQ(m.host_requirements.memory, 16LL << 30);
  EXPECT_EQ(m.host_requirements.gpu.need, GpuRequirement::Need::Required);
  EXPECT_EQ(m.remote_env.at("X"), "1");
  EXPECT_FALSE(m.remote_env.at("Y").has_value());  // null unsets
  ASSERT_EQ(m.ports_attributes.size(), 1u);
  EXPECT_EQ(m.ports_attributes[0].attributes.label, "config");
}

TEST(MergeMetadata, ExpandsVariablesInEveryEntryAndNamesTheEntryOfABadProperty) {
  auto m = merge_metadata({json::parse(R"({"containerEnv": {"W": "${localWorkspaceFolder}:${containerWorkspaceFolder}"},
                                           "remoteEnv": {"P": "${containerEnv:PATH}"}})")},
                          vars());
  EXPECT_EQ(m.container_env.at("W"), "/home/me/paper:/workspaces/paper");
  EXPECT_EQ(*m.remote_env.at("P"), "${containerEnv:PATH}");  // resolved in the container, later
  try {
    merge_metadata({json::object(), json::parse(R"({"id": "feat", "capAdd": "SYS_PTRACE"})")}, vars(), "image x");
    FAIL() << "a string capAdd was accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("image x entry 2 (feat)"));
    EXPECT_THAT(e.what(), HasSubstr("capAdd"));
  }
}

TEST(MetadataLabel, RoundTripsAndReadsTheOneObjectFormAndRefusesWhatIsNotMetadata) {
  std::vector<MetadataEntry> entries = {json::parse(R"({"remoteUser": "dev"})"), json::object(),
                                        json::parse(R"({"postStartCommand": "echo ${HOME}"})")};
  std::string label = metadata_label_value(entries);
  EXPECT_EQ(json::parse(label), json::parse(R"([{"remoteUser": "dev"}, {"postStartCommand": "echo ${HOME}"}])"));
  EXPECT_EQ(parse_metadata_label(label).size(), 2u);
  EXPECT_EQ(parse_metadata_label(R"({"remoteUser": "x"})").size(), 1u);
  std::string problem;
  EXPECT_TRUE(parse_metadata_label("not json", &problem).empty());
  EXPECT_THAT(problem, HasSubstr("not JSON"));
  problem.clear();
  EXPECT_TRUE(parse_metadata_label(std::string(100, '[') + std::string(100, ']'), &problem).empty());
  EXPECT_THAT(problem, HasSubstr("deeper"));
  problem.clear();
  EXPECT_TRUE(parse_metadata_label(std::string(2u << 20, ' '), &problem).empty());
  EXPECT_THAT(problem, HasSubstr("1 MiB"));
  problem.clear();
  EXPECT_EQ(parse_metadata_label(R"([{"init": true}, 3])", &problem).size(), 1u);
  EXPECT_THAT(problem, HasSubstr("not an object"));
}

TEST(MetadataLabel, DevcontainerIdIsTheReferencesForTheSameLabels) {
  // The value @devcontainers/cli 0.89.0 computes for these labels (base-32 SHA-256 of the sorted labels).
  EXPECT_EQ(devcontainer_id("/tmp/x", "/tmp/x/.devcontainer/devcontainer.json"),
            "0lvtagu0jfi6715f9gr5538rphasi4c2q3pd63mntefdbur53b19");
}

TEST(ApplyMerged, TheMergedPropertiesReplaceTheFilesAndOursAreJoinedByKey) {
  DevcontainerConfig c;
  c.run_args.shm_size = 1024;
  c.remote_user = "file";
  auto m = merge_metadata({json::parse(R"({"customizations": {"dlcontainer": {"jupyter": true, "gpus": 1}}})"),
                           json::parse(R"({"remoteUser": "merged", "customizations": {"dlcontainer": {"gpus": 2}}})")},
                          vars());
  auto applied = apply_merged(c, m);
  EXPECT_EQ(applied.remote_user, "merged");
  EXPECT_EQ(applied.run_args.shm_size, 1024);  // not a metadata property: the file's
  EXPECT_TRUE(applied.update_remote_user_uid);  // the spec's default when no entry says
  EXPECT_EQ(applied.dlcontainer, json::parse(R"({"jupyter": true, "gpus": 2})"));
}

}  // namespace
}  // namespace dlc::config
