// core/features_*: the derived image's Dockerfile and tag, the users Features install for, what
// Features contribute to the container, and the nvidia-cuda Feature against the host's driver.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/metadata.h"
#include "core/container_plan.h"
#include "core/features_build.h"
#include "core/features_gpu.h"
#include "support/error.h"

namespace dlc::core {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

InstalledFeature feature(const std::string& user_id, const std::string& metadata, std::vector<std::pair<std::string, std::string>> env = {}) {
  InstalledFeature f;
  f.user_id = user_id;
  f.source = config::classify_feature(user_id, "/r/.devcontainer/devcontainer.json", "/r");
  f.metadata = config::parse_feature_metadata(metadata, user_id);
  f.env = std::move(env);
  f.digest = "sha256:" + std::string(64, '1');
  f.entry = config::feature_metadata_entry(user_id, f.metadata);
  f.folder = "/nonexistent";
  return f;
}

engine::ImageInfo base_image() {
  engine::ImageInfo base;
  base.id = "sha256:base";
  base.user = "dev";
  base.labels["devcontainer.metadata"] = R"([{"remoteUser": "vscode"}])";
  return base;
}

TEST(FeaturesImage, EachFeatureIsItsEnvThenItsFilesThenItsInstallInOrder) {
  FeatureSet set;
  set.features = {feature("./a", R"({"id": "a", "containerEnv": {"Z": "1", "A_PATH": "/a:${PATH}"}})", {{"OPT", "x"}}),
                  feature("./b", R"({"id": "b", "postCreateCommand": "b-cmd"})")};
  auto plan = features_build_plan(set, base_image(), "base:latest", {"root", "dev"});
  EXPECT_THAT(plan.dockerfile, HasSubstr("FROM base:latest\nUSER root\n"));
  auto z = plan.dockerfile.find("ENV Z=\"1\"");
  auto a_path = plan.dockerfile.find("ENV A_PATH=\"/a:${PATH}\"");
  auto copy_a = plan.dockerfile.find("COPY --chown=root:root a_0 /tmp/dev-container-features/a_0");
  auto copy_b = plan.dockerfile.find("COPY --chown=root:root b_1 ");
  ASSERT_NE(z, std::string::npos);
  EXPECT_LT(z, a_path);  // the file's order: a value may use the ones before
  EXPECT_LT(a_path, copy_a);
  EXPECT_LT(copy_a, copy_b);
  EXPECT_TRUE(plan.dockerfile.ends_with("USER dev\n"));  // the image's own user again
  EXPECT_THAT(plan.tag, ::testing::StartsWith("dlcontainer/features:"));
  // The label: the base image's entries, then each Feature's, ids as written.
  EXPECT_EQ(json::parse(plan.metadata_label),
            json::parse(R"([{"remoteUser": "vscode"}, {"id": "./a"}, {"id": "./b", "postCreateCommand": "b-cmd"}])"));
  bool env_file = false;
  for (const auto& [path, content] : plan.generated) {
    if (path == "a_0/devcontainer-features.env") env_file = content == "OPT=\"x\"";
    if (path == "devcontainer-features.builtin.env") {
      EXPECT_EQ(content, "_CONTAINER_USER=root\n_REMOTE_USER=dev\n");
    }
  }
  EXPECT_TRUE(env_file);
}

TEST(FeaturesImage, TheTagChangesWithTheOptionsTheFilesTheBaseAndTheUsersAndOnlyThen) {
  FeatureSet set;
  set.features = {feature("./a", R"({"id": "a"})", {{"OPT", "x"}})};
  auto tag = features_build_plan(set, base_image(), "base", {"root", "dev"}).tag;
  EXPECT_EQ(features_build_plan(set, base_image(), "base", {"root", "dev"}).tag, tag);
  EXPECT_NE(features_build_plan(set, base_image(), "base", {"root", "root"}).tag, tag);
  auto other_base = base_image();
  other_base.id = "sha256:other";
  EXPECT_NE(features_build_plan(set, other_base, "base", {"root", "dev"}).tag, tag);
  auto options = set;
  options.features[0].env = {{"OPT", "y"}};
  EXPECT_NE(features_build_plan(options, base_image(), "base", {"root", "dev"}).tag, tag);
  auto files = set;
  files.features[0].digest = "sha256:" + std::string(64, '2');
  EXPECT_NE(features_build_plan(files, base_image(), "base", {"root", "dev"}).tag, tag);
}

TEST(FeaturesImage, UsersComeFromTheConfigThenTheImagesMetadataThenItsUser) {
  config::DevcontainerConfig c;
  auto base = base_image();
  auto u = feature_users(c, base);
  EXPECT_EQ(u.container_user, "dev");
  EXPECT_EQ(u.remote_user, "vscode");
  c.container_user = "runner";
  c.remote_user = "me";
  u = feature_users(c, base);
  EXPECT_EQ(u.container_user, "runner");
  EXPECT_EQ(u.remote_user, "me");
  engine::ImageInfo bare;
  u = feature_users({}, bare);
  EXPECT_EQ(u.container_user, "root");
  EXPECT_EQ(u.remote_user, "root");
}

// What Features contribute reaches the container through the spec's merge (config/metadata.h): their
// entries, marked with "id", come after the image's and before devcontainer.json's.
TEST(FeaturesContainer, FeaturesEntriesMergeBetweenTheImagesAndTheConfigsIntoTheContainer) {
  auto image_label = json::array({
      json{{"remoteUser", "x"}, {"privileged", true}},  // the base image's own entry
      json{{"id", "./a"}, {"init", true}, {"capAdd", {"SYS_PTRACE"}}, {"entrypoint", "/usr/local/share/a-init.sh"},
           {"mounts", {"type=volume,source=vol-${devcontainerId},target=/v", "type=bind,source=/h,target=/taken"}},
           {"postCreateCommand", "a-post-create"}},
      json{{"id", "./b"}, {"capAdd", {"SYS_PTRACE", "NET_ADMIN"}}, {"securityOpt", {"seccomp=unconfined"}}},
  });
  config::MetadataSources sources;
  for (auto& e : config::parse_metadata_label(image_label.dump()))
    (e.contains("id") ? sources.features : sources.image).push_back(e);
  ASSERT_EQ(sources.features.size(), 2u);
  sources.config = config::config_entry(json::parse(R"({"image": "i", "remoteUser": "dev", "postCreateCommand": "mine",
                                                         "mounts": ["type=bind,source=/mine,target=/taken"]})"));
  config::Substitution vars;
  vars.devcontainer_id = "ID";
  WorkspaceContext ws;
  ws.folder = "/nonexistent/r";
  ws.remote_workspace_folder = "/workspaces/r";
  ws.metadata = sources.entries();
  ws.merged = config::merge_metadata(ws.metadata, vars);
  ws.config = config::apply_merged(ws.config, ws.merged);
  auto spec = container_spec(ws, "img", "", [](const std::string&, int p) { return p; });
  EXPECT_TRUE(spec.init);
  EXPECT_TRUE(spec.privileged);  // the image's entry asks for it: any entry does
  EXPECT_EQ(spec.cap_add, (std::vector<std::string>{"SYS_PTRACE", "NET_ADMIN"}));
  EXPECT_EQ(spec.security_opt, (std::vector<std::string>{"seccomp=unconfined"}));
  auto mount_at = [&](const std::string& target) {
    return std::find_if(spec.mounts.begin(), spec.mounts.end(), [&](const auto& m) { return m.target == target; });
  };
  ASSERT_NE(mount_at("/taken"), spec.mounts.end());
  EXPECT_EQ(mount_at("/taken")->source, "/mine");  // devcontainer.json's mount wins its target
  ASSERT_NE(mount_at("/v"), spec.mounts.end());
  EXPECT_EQ(mount_at("/v")->source, "vol-ID");
  ASSERT_TRUE(spec.cmd);
  EXPECT_THAT((*spec.cmd)[1], HasSubstr("/usr/local/share/a-init.sh\nexec \"$@\""));
  const auto& post = ws.merged.hook("postCreateCommand");
  ASSERT_EQ(post.size(), 2u);  // the Feature's first, named by its id, then devcontainer.json's
  EXPECT_EQ(post[0].origin, "./a");
  EXPECT_EQ(post[1].origin, "devcontainer.json");
  EXPECT_EQ(ws.merged.remote_user, "dev");
  // The container's label holds every entry, the Features' with their ids, as the reference's does.
  auto label = json::parse(spec.labels["devcontainer.metadata"]);
  ASSERT_EQ(label.size(), 4u);
  EXPECT_EQ(label[1]["id"], "./a");
  EXPECT_EQ(label[3]["postCreateCommand"], "mine");
}

InstalledFeature cuda_feature(const std::string& version) {
  auto f = feature("ghcr.io/devcontainers/features/nvidia-cuda:1", R"({"id": "nvidia-cuda"})", {{"CUDAVERSION", version}});
  return f;
}

gpu::HostFacts driver(const std::string& version) {
  gpu::HostFacts h;
  h.driver_present = true;
  h.driver_version = version;
  return h;
}

TEST(FeaturesGpu, CudaThatTheBaseImageBringsIsNotInstalledTwice) {
  FeatureSet set;
  set.features = {cuda_feature("12.2")};
  engine::ImageInfo base;
  base.env = {"CUDA_VERSION=11.8.0"};
  bool asked = false;
  apply_gpu_knowledge(set, base, [&] { asked = true; return driver("535.54.03"); });
  EXPECT_TRUE(set.features.empty());
  ASSERT_EQ(set.notes.size(), 1u);
  EXPECT_THAT(set.notes[0], HasSubstr("already brings CUDA 11.8.0"));
  EXPECT_FALSE(asked);
}

TEST(FeaturesGpu, ACudaTheDriverCannotRunIsAnErrorWithTheDriversLimit) {
  FeatureSet set;
  set.features = {cuda_feature("12.2")};
  try {
    apply_gpu_knowledge(set, {}, [] { return driver("470.57.02"); });
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::DriverTooOld);
    EXPECT_THAT(e.what(), HasSubstr("driver 470.57.02 runs CUDA up to 11."));
    EXPECT_THAT(e.hint(), HasSubstr("cudaVersion"));
  }
  // A driver that runs it, and a host without one, install it.
  set.features = {cuda_feature("12.2")};
  apply_gpu_knowledge(set, {}, [] { return driver("550.54.14"); });
  EXPECT_EQ(set.features.size(), 1u);
  apply_gpu_knowledge(set, {}, [] { return gpu::HostFacts{}; });
  EXPECT_EQ(set.features.size(), 1u);
  EXPECT_THAT(set.notes.back(), HasSubstr("no NVIDIA driver"));
}

}  // namespace
}  // namespace dlc::core
