// config/features*: Feature ids, options to environment, install order and the lockfile, as the
// Features spec and the reference CLI define them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/features.h"
#include "config/features_lock.h"
#include "config/features_order.h"
#include "registry/http.h"
#include "support/error.h"

namespace dlc::config {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const fs::path kWorkspace = "/work/repo";
const fs::path kConfig = "/work/repo/.devcontainer/devcontainer.json";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(FeatureIds, AnOciReferenceNamesRegistryRepositoryAndTag) {
  auto s = classify_feature("ghcr.io/devcontainers/features/python:1", kConfig, kWorkspace);
  EXPECT_EQ(s.kind, FeatureSource::Kind::Oci);
  EXPECT_EQ(s.ref.registry, "ghcr.io");
  EXPECT_EQ(s.ref.repository, "devcontainers/features/python");
  EXPECT_EQ(s.ref.tag, "1");
  EXPECT_EQ(s.short_id, "python");
  EXPECT_EQ(s.soft_key(), "ghcr.io/devcontainers/features/python");
  // No tag is latest; a port is not a tag; a digest pins it.
  EXPECT_EQ(classify_feature("localhost:5000/a/b", kConfig, kWorkspace).ref.tag, "latest");
  auto pinned = classify_feature("localhost:5000/a/b@sha256:" + std::string(64, 'a'), kConfig, kWorkspace);
  EXPECT_EQ(pinned.ref.digest, "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(pinned.ref.tag, "");
}

TEST(FeatureIds, AnIdWithoutSlashIsRefusedWithTheReferencesWordsUnlessItIsAMappedLegacyId) {
  EXPECT_THAT(error_of([] { classify_feature("not-a-feature", kConfig, kWorkspace); }),
              HasSubstr("Legacy feature 'not-a-feature' not supported"));
  auto mapped = classify_feature("python", kConfig, kWorkspace);
  EXPECT_EQ(mapped.ref.str(), "ghcr.io/devcontainers/features/python:1");
  EXPECT_THAT(mapped.warning, HasSubstr("deprecated"));
}

TEST(FeatureIds, ALocalFeatureIsAFolderUnderDotDevcontainer) {
  auto s = classify_feature("./my-feature", kConfig, kWorkspace);
  EXPECT_EQ(s.kind, FeatureSource::Kind::Local);
  EXPECT_EQ(s.path, "/work/repo/.devcontainer/my-feature");
  EXPECT_EQ(s.short_id, "my-feature");
  EXPECT_THAT(error_of([] { classify_feature("../../elsewhere", kConfig, kWorkspace); }),
              HasSubstr("must be a child of the .devcontainer/ folder"));
  EXPECT_THAT(error_of([] { classify_feature("/abs/feature", kConfig, kWorkspace); }), HasSubstr("absolute path"));
}

TEST(FeatureIds, ATarballUrlMustBeNamedAfterItsFeature) {
  auto s = classify_feature("https://example.com/x/devcontainer-feature-hello.tgz", kConfig, kWorkspace);
  EXPECT_EQ(s.kind, FeatureSource::Kind::Tarball);
  EXPECT_EQ(s.short_id, "hello");
  EXPECT_THAT(error_of([] { classify_feature("https://example.com/x/hello.tgz", kConfig, kWorkspace); }),
              HasSubstr("devcontainer-feature-<feature-id>.tgz"));
  EXPECT_THAT(error_of([] { classify_feature("http://example.com/devcontainer-feature-a.tgz", kConfig, kWorkspace); }),
              HasSubstr("https://"));
}

TEST(FeatureIds, AnInvalidReferenceSaysWhy) {
  EXPECT_THAT(error_of([] { classify_feature("localhost:5000/Bad Id", kConfig, kWorkspace); }), HasSubstr("could not be processed"));
  EXPECT_THAT(error_of([] { classify_feature("myregistry/ns/f", kConfig, kWorkspace); }), HasSubstr("not a registry's host name"));
  EXPECT_THAT(error_of([] { classify_feature("ghcr.io/a/b@sha256:xyz", kConfig, kWorkspace); }), HasSubstr("digest"));
}

TEST(Registry, LoopbackHostsAreSpokenToInPlainHttp) {
  EXPECT_TRUE(registry::is_loopback_host("localhost:5000"));
  EXPECT_TRUE(registry::is_loopback_host("127.0.0.1:1234"));
  EXPECT_TRUE(registry::is_loopback_host("[::1]:5000"));
  EXPECT_FALSE(registry::is_loopback_host("ghcr.io"));
  EXPECT_FALSE(registry::is_loopback_host("localhost.example.com"));
}

FeatureMetadata metadata(const std::string& text) { return parse_feature_metadata(text, "test"); }

const char* kFeature = R"({
  "id": "tool", "version": "1.2.0", "name": "Tool",
  "options": {
    "version": {"type": "string", "default": "latest", "proposals": ["latest", "2"]},
    "flavor": {"type": "string", "enum": ["a", "b"], "default": "a"},
    "install-extras": {"type": "boolean", "default": false},
    "noDefault": {"type": "string"}
  },
  "containerEnv": {"TOOL_HOME": "/opt/tool", "PATH": "/opt/tool/bin:${PATH}"},
  "postCreateCommand": "tool --check", "privileged": true, "mounts": ["type=volume,source=v,target=/v"],
  "installsAfter": ["ghcr.io/x/y/base"], "dependsOn": {"./dep": {"level": "3"}}
})";

TEST(FeatureOptions, DefaultsFillWhatTheUserLeftOutUnderTheSpecsNames) {
  auto m = metadata(kFeature);
  auto env = feature_option_env(m, json::object(), "tool");
  EXPECT_THAT(env.vars, ElementsAre(std::pair<std::string, std::string>{"VERSION", "latest"}, std::pair<std::string, std::string>{"FLAVOR", "a"},
                                    std::pair<std::string, std::string>{"INSTALL_EXTRAS", "false"}));
  EXPECT_TRUE(env.warnings.empty());
  auto given = feature_option_env(m, {{"flavor", "b"}, {"install-extras", true}, {"noDefault", "x"}}, "tool");
  EXPECT_THAT(given.vars, ElementsAre(std::pair<std::string, std::string>{"VERSION", "latest"}, std::pair<std::string, std::string>{"FLAVOR", "b"},
                                      std::pair<std::string, std::string>{"INSTALL_EXTRAS", "true"},
                                      std::pair<std::string, std::string>{"NODEFAULT", "x"}));
  // A string is the version option's value.
  EXPECT_EQ(feature_option_env(m, "2", "tool").vars.front(), (std::pair<std::string, std::string>{"VERSION", "2"}));
}

TEST(FeatureOptions, AValueOfTheWrongTypeOrOutsideTheEnumIsAnErrorNamingTheOption) {
  auto m = metadata(kFeature);
  EXPECT_THAT(error_of([&] { feature_option_env(m, {{"install-extras", "yes"}}, "tool"); }),
              HasSubstr("option \"install-extras\" must be true or false"));
  EXPECT_THAT(error_of([&] { feature_option_env(m, {{"version", 3}}, "tool"); }), HasSubstr("option \"version\" must be a string"));
  EXPECT_THAT(error_of([&] { feature_option_env(m, {{"flavor", "c"}}, "tool"); }), HasSubstr("not one of its values"));
}

TEST(FeatureOptions, AnUnknownOptionIsWarnedAboutByNameAndPassedOn) {
  auto env = feature_option_env(metadata(kFeature), {{"colour", "red"}}, "tool");
  ASSERT_EQ(env.warnings.size(), 1u);
  EXPECT_THAT(env.warnings[0], HasSubstr("no option \"colour\""));
  EXPECT_EQ(env.vars.back(), (std::pair<std::string, std::string>{"COLOUR", "red"}));
}

TEST(FeatureOptions, NamesAreUpperCasedWithNonWordCharactersAndLeadingDigitsReplaced) {
  EXPECT_EQ(option_env_name("installTools"), "INSTALLTOOLS");
  EXPECT_EQ(option_env_name("some-option.x"), "SOME_OPTION_X");
  EXPECT_EQ(option_env_name("3d_mode"), "_D_MODE");
  EXPECT_EQ(option_env_name("_x"), "_X");
}

TEST(FeatureOptions, TheEnvFileQuotesValuesSoTheyArriveAsWritten) {
  EXPECT_EQ(feature_env_file({{"A", "plain"}, {"B", "it's \"$HOME\" `x`"}}), "A=\"plain\"\nB=\"it's \\\"\\$HOME\\\" \\`x\\`\"");
}

TEST(FeatureMetadataEntry, HoldsTheIdAsWrittenAndWhatTheFeatureContributes) {
  auto entry = feature_metadata_entry("./tool", metadata(kFeature));
  EXPECT_EQ(entry, json::parse(R"({"id": "./tool", "postCreateCommand": "tool --check", "privileged": true,
                                   "mounts": ["type=volume,source=v,target=/v"]})"));
  auto m = metadata(kFeature);
  ASSERT_EQ(m.container_env.size(), 2u);
  // In the file's order: a value may refer to the ones before it.
  EXPECT_EQ(m.container_env[0].first, "TOOL_HOME");
  EXPECT_EQ(m.container_env[1].first, "PATH");
  EXPECT_EQ(m.depends_on.front().id, "./dep");
  EXPECT_THAT(m.installs_after, ElementsAre("ghcr.io/x/y/base"));
  EXPECT_THAT(error_of([] { metadata(R"({"id": "x", "options": {"o": {"type": "number"}}})"); }), HasSubstr("type 'number'"));
  EXPECT_THAT(error_of([] { metadata(R"({"name": "no id"})"); }), HasSubstr("\"id\""));
}

OrderNode node(const std::string& id, std::vector<std::string> depends = {}, std::vector<std::string> after = {}) {
  OrderNode n;
  n.key = id;
  n.kind = "local";
  n.user_id = id;
  n.sort_key = id;
  n.aliases = {id};
  n.depends_on = std::move(depends);
  n.installs_after = std::move(after);
  return n;
}

std::vector<std::string> ids(const std::vector<OrderNode>& nodes) {
  std::vector<std::string> out;
  for (auto i : install_order(nodes)) out.push_back(nodes[i].user_id);
  return out;
}

TEST(FeatureOrder, DependenciesInstallFirstAndEachRoundIsSorted) {
  EXPECT_THAT(ids({node("c", {"a"}), node("b"), node("a")}), ElementsAre("a", "b", "c"));
  EXPECT_THAT(ids({node("z"), node("a", {"z"})}), ElementsAre("z", "a"));
  // installsAfter orders only among Features that are there; one that is absent is no constraint.
  EXPECT_THAT(ids({node("a", {}, {"m"}), node("m"), node("b", {}, {"absent"})}), ElementsAre("b", "m", "a"));
}

TEST(FeatureOrder, OverrideFeatureInstallOrderPutsTheFirstListedFirst) {
  std::vector<OrderNode> nodes = {node("a"), node("b"), node("c")};
  auto unmatched = apply_override_order(nodes, {"c", "b", "nothing"});
  EXPECT_THAT(unmatched, ElementsAre("nothing"));
  EXPECT_THAT(ids(nodes), ElementsAre("c", "b", "a"));
  // A priority does not jump a dependency.
  std::vector<OrderNode> dep = {node("a"), node("b", {"a"})};
  apply_override_order(dep, {"b"});
  EXPECT_THAT(ids(dep), ElementsAre("a", "b"));
}

TEST(FeatureOrder, ACycleIsAnErrorNamingTheFeaturesInIt) {
  auto why = error_of([] { install_order({node("a", {"b"}), node("b", {}, {"a"}), node("free")}); });
  EXPECT_THAT(why, HasSubstr("cycle"));
  EXPECT_THAT(why, HasSubstr("a, b"));
  EXPECT_THAT(why, ::testing::Not(HasSubstr("free")));
}

TEST(FeatureLockfile, SitsBesideTheConfigWithTheConfigsDot) {
  EXPECT_EQ(lockfile_path("/r/.devcontainer/devcontainer.json"), "/r/.devcontainer/devcontainer-lock.json");
  EXPECT_EQ(lockfile_path("/r/.devcontainer.json"), "/r/.devcontainer-lock.json");
}

TEST(FeatureLockfile, IsWrittenAsTheReferenceWritesItAndReadBack) {
  fs::path dir = fs::temp_directory_path() / ("dlc-lock-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  Lockfile lock;
  lock.features["localhost:5000/t/f/b:1"] = {.version = "1.0.0", .resolved = "localhost:5000/t/f/b@sha256:bb", .integrity = "sha256:bb"};
  lock.features["localhost:5000/t/f/a:1"] = {.version = "2.0.0", .resolved = "localhost:5000/t/f/a@sha256:aa", .integrity = "sha256:aa",
                                            .depends_on = {"localhost:5000/t/f/b:1"}};
  EXPECT_EQ(lockfile_text(lock), R"({
  "features": {
    "localhost:5000/t/f/a:1": {
      "version": "2.0.0",
      "resolved": "localhost:5000/t/f/a@sha256:aa",
      "integrity": "sha256:aa",
      "dependsOn": [
        "localhost:5000/t/f/b:1"
      ]
    },
    "localhost:5000/t/f/b:1": {
      "version": "1.0.0",
      "resolved": "localhost:5000/t/f/b@sha256:bb",
      "integrity": "sha256:bb"
    }
  }
}
)");
  fs::path file = dir / "devcontainer-lock.json";
  EXPECT_TRUE(write_lockfile(file, lock));
  EXPECT_FALSE(write_lockfile(file, lock));  // unchanged: not written again
  EXPECT_EQ(read_lockfile(file), lock);
  std::ofstream(file) << "{\"features\": {\"x\": {\"integrity\": \"md5:1\"}}}";
  EXPECT_THAT(error_of([&] { read_lockfile(file); }), HasSubstr("not a sha256: digest"));
  std::ofstream(file) << "";
  EXPECT_FALSE(read_lockfile(file));  // empty: the reference's mark for "write one"
  fs::remove_all(dir);
}

TEST(FeaturesSection, ReadsEveryFeatureAndTheOverrideOrderAndRefusesBadForms) {
  auto s = read_features_section(json::parse(R"({"features": {"./b": {}, "./a": "1"}, "overrideFeatureInstallOrder": ["./a"]})"), "f");
  ASSERT_EQ(s.features.size(), 2u);
  EXPECT_THAT(s.override_install_order, ElementsAre("./a"));
  EXPECT_THAT(error_of([] { read_features_section(json::parse(R"({"features": ["./a"]})"), "f"); }), HasSubstr("must be an object"));
  EXPECT_THAT(error_of([] { read_features_section(json::parse(R"({"features": {"./a": 3}})"), "f"); }), HasSubstr("options of Feature './a'"));
}

}  // namespace
}  // namespace dlc::config
