// Hostile configuration files: nesting meant to exhaust the stack or the time of a reader. Each is
// refused with the place in the file and a hint, before anything walks it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/devcontainer.h"
#include "config/jsonc.h"
#include "resolve/catalog.h"
#include "support/error.h"

namespace dlc::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string nested(std::size_t depth, char open, char close, const std::string& inside = "1") {
  return std::string(depth, open) + inside + std::string(depth, close);
}

// A folder of its own under the temporary directory, removed afterwards.
class Scratch : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("dlc-hostile-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / ".devcontainer");
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path write(const std::string& relative, const std::string& text) {
    std::ofstream(root_ / relative) << text;
    return root_ / relative;
  }
  Error load_error(const std::string& text) {
    auto file = write(".devcontainer/devcontainer.json", text);
    Substitution vars;
    vars.local_workspace_folder = root_.string();
    try {
      load_config(file, vars);
    } catch (const Error& e) {
      return e;
    }
    ADD_FAILURE() << "loaded a file of " << text.size() << " bytes";
    return Error(ErrorCode::Internal, "");
  }
  fs::path root_;
};

TEST(JsoncDepth, NestingBeyondTheLimitIsRefusedAtTheBracketThatGoesTooDeep) {
  std::string text = "{\n  \"a\": " + nested(200'000, '[', ']') + "\n}";
  try {
    parse_jsonc(text, "dc.json");
    ADD_FAILURE() << "parsed 200,000 levels";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
    // The document's object is level 1; the 64th '[' opens level 65.
    EXPECT_THAT(e.what(), StartsWith("dc.json:2:71: "));
    EXPECT_THAT(e.what(), HasSubstr("nested more than 64 levels deep"));
    EXPECT_FALSE(e.hint().empty());
  }
}

TEST(JsoncDepth, BracketsInsideStringsAndCommentsDoNotCount) {
  std::string text = "{\"a\": \"" + std::string(1000, '[') + "\", /* " + std::string(1000, '{') + " */ \"b\": " +
                     nested(63, '[', ']') + "}";
  auto j = parse_jsonc(text, "dc.json");
  EXPECT_EQ(j["a"].get<std::string>().size(), 1000u);
}

TEST_F(Scratch, DeeplyNestedObjectsInDevcontainerJsonAreAnErrorNotACrash) {
  std::string deep;
  for (int i = 0; i < 200'000; ++i) deep += "{\"x\":";
  deep += "1" + std::string(200'000, '}');
  auto e = load_error("{\"image\": \"i\",\n \"customizations\": {\"vscode\": " + deep + "}}");
  EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
  EXPECT_THAT(e.what(), HasSubstr("devcontainer.json:2:"));
  EXPECT_THAT(e.what(), HasSubstr("nested more than 64 levels deep"));
}

TEST_F(Scratch, TenThousandNestedArraysAreRefusedBeforeSubstitutionWalksThem) {
  auto e = load_error("{\"image\": \"i\", \"runArgs\": " + nested(10'000, '[', ']', "\"${localWorkspaceFolder}\"") + "}");
  EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
  EXPECT_THAT(e.what(), HasSubstr("nested more than 64 levels deep"));
}

TEST_F(Scratch, SubstitutionReachesEveryStringOfADocumentAtTheDepthLimit) {
  // 62 arrays inside the document's object and "customizations" make 64 levels: the most allowed.
  auto file = write(".devcontainer/devcontainer.json",
                    "{\"image\": \"i\", \"customizations\": {\"dlcontainer\": {\"deep\": " +
                        nested(61, '[', ']', "\"${localWorkspaceFolderBasename}\"") + "}}}");
  Substitution vars;
  vars.local_workspace_folder = "/home/me/paper";
  auto c = load_config(file, vars);
  const nlohmann::json* at = &c.dlcontainer["deep"];
  for (int i = 0; i < 60; ++i) at = &(*at)[0];
  EXPECT_EQ((*at)[0], "paper");
}

TEST_F(Scratch, ADeeplyNestedUserCatalogIsRefusedWithItsName) {
  auto file = write("catalog.json", "{\"sources\": {\"x\": " + nested(200'000, '[', ']') + "}}");
  try {
    resolve::Catalog::load(file);
    ADD_FAILURE() << "loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
    EXPECT_THAT(e.what(), HasSubstr(file.string()));
    EXPECT_THAT(e.what(), HasSubstr("nested more than 64 levels deep"));
  }
}

TEST_F(Scratch, AVariableHoldingACommaCannotAddFieldsToAMount) {
  auto file = write(".devcontainer/devcontainer.json", R"({"image": "i",
    "mounts": ["type=bind,source=${localEnv:DATA},target=/data", {"type": "bind", "source": "${localEnv:DATA}", "target": "/d2"}],
    "workspaceMount": "source=${localEnv:DATA},target=/w,type=bind", "workspaceFolder": "/w"})");
  Substitution vars;
  vars.local_workspace_folder = root_.string();
  vars.local_env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "DATA") return "/srv/x,source=/,readonly=false";
    return std::nullopt;
  };
  auto c = load_config(file, vars);
  ASSERT_EQ(c.mounts.size(), 2u);
  for (const auto& m : c.mounts) EXPECT_EQ(m.source, "/srv/x,source=/,readonly=false");
  ASSERT_TRUE(c.workspace_mount);
  EXPECT_EQ(c.workspace_mount->source, "/srv/x,source=/,readonly=false");
  EXPECT_EQ(c.workspace_mount->target, "/w");
}

TEST_F(Scratch, ANumberTooLargeForADoubleIsNamedWhereItIs) {
  auto e = load_error("{\n  \"image\": \"i\",\n  \"x\": [1, 1e999]\n}");
  EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
  EXPECT_THAT(e.what(), HasSubstr("devcontainer.json:3:12: the number 1e999 is too large"));
}

TEST_F(Scratch, AFolderOrAFifoWhereDevcontainerJsonBelongsIsAnErrorNotNone) {
  fs::create_directories(root_ / ".devcontainer" / "devcontainer.json");
  EXPECT_THROW(find_config(root_), Error);
  fs::remove(root_ / ".devcontainer" / "devcontainer.json");
  ASSERT_EQ(::mkfifo((root_ / ".devcontainer.json").c_str(), 0600), 0);
  try {
    find_config(root_);
    ADD_FAILURE() << "a FIFO was taken for no config";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
    EXPECT_THAT(e.what(), HasSubstr("FIFO"));
  }
}

TEST_F(Scratch, AnExplicitConfigThatIsAFolderSaysSo) {
  Substitution vars;
  vars.local_workspace_folder = root_.string();
  try {
    load_config(root_ / ".devcontainer", vars);
    ADD_FAILURE() << "loaded a folder";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
    EXPECT_THAT(e.what(), HasSubstr("is a folder, not a configuration file"));
  }
}

}  // namespace
}  // namespace dlc::config
