// rpc/schema: the small JSON Schema validator the server holds params to. It is checked against the
// official JSON-Schema-Test-Suite (Debian's json-schema-test-suite, draft 7: the keywords it applies
// mean the same there as in 2020-12) for every keyword it applies, and against the protocol's own files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "rpc/methods.h"
#include "rpc/schema.h"

namespace dlc::rpc {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

const fs::path kSuite = "/usr/share/json-schema-test-suite/tests/draft7";

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

// Cases where this validator knowingly differs from the standard: "integer" means a JSON integer that
// fits in 64 bits (1.0 and 2^64 are refused as integers; their tokens could not be echoed exactly).
bool known_difference(const std::string& group, const std::string& test) {
  (void)group;
  return test == "a float with zero fractional part is an integer" || test == "a bignum is an integer" ||
         test == "a negative bignum is an integer";
}

TEST(SchemaValidator, AgreesWithTheJsonSchemaTestSuiteOnEveryKeywordItApplies) {
  if (!fs::exists(kSuite)) {
    if (in_ci()) FAIL() << "CI=true and no " << kSuite << " (apt install json-schema-test-suite)";
    GTEST_SKIP() << "no " << kSuite << " (apt install json-schema-test-suite)";
  }
  int checked = 0, groups_skipped = 0;
  for (const char* keyword : {"type", "properties", "required", "additionalProperties", "items", "minItems", "uniqueItems",
                              "enum", "const", "minimum", "maximum", "pattern", "oneOf"}) {
    std::ifstream in(kSuite / (std::string(keyword) + ".json"));
    json groups = json::parse(in);
    for (const auto& group : groups) {
      std::string text = group["schema"].dump();
      std::optional<SchemaSet> set;
      try {
        set.emplace(std::vector<EmbeddedFile>{{"case.json", text}});
      } catch (const std::invalid_argument&) {
        ++groups_skipped;  // the group also uses a keyword this validator does not apply
        continue;
      }
      for (const auto& test : group["tests"]) {
        std::string name = group["description"].get<std::string>() + " / " + test["description"].get<std::string>();
        if (known_difference(group["description"], test["description"])) continue;
        bool valid = !set->check("case.json#", test["data"], "data");
        EXPECT_EQ(valid, test["valid"].get<bool>()) << keyword << ": " << name << ": " << test["data"].dump();
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 150) << "the suite's cases were not reached";
  EXPECT_LT(groups_skipped, 25);
}

// A set of one schema file, a.json.
SchemaSet one(std::string_view text) { return SchemaSet(std::vector<EmbeddedFile>{{"a.json", text}}); }

TEST(SchemaValidator, RefusesASchemaItCannotApplyInsteadOfSkippingARule) {
  EXPECT_THROW(one(R"({"type": "string", "format": "email"})"), std::invalid_argument);
  EXPECT_THROW(one(R"({"$ref": "b.json#/$defs/x"})"), std::invalid_argument);
  EXPECT_THROW(one(R"({"pattern": "(unclosed"})"), std::invalid_argument);
  auto ok = one(R"({"$defs": {"x": {"type": "integer"}}, "$ref": "#/$defs/x"})");
  EXPECT_EQ(ok.check("a.json#", 3, "v"), std::nullopt);
  EXPECT_EQ(*ok.check("a.json#", "3", "v"), "v must be an integer, not a string");
}

TEST(SchemaValidator, SaysWhereParamsBreakTheirSchema) {
  const auto& s = protocol_schemas();
  EXPECT_EQ(s.check_params("workspace/down", {{"workspace", "/w"}}), std::nullopt);
  EXPECT_EQ(*s.check_params("workspace/down", json::object()), "params.workspace is missing");
  EXPECT_EQ(*s.check_params("workspace/down", {{"workspace", "/w"}, {"remove", "yes"}}), "params.remove must be a boolean, not a string");
  auto unknown = *s.check_params("workspace/down", {{"workspace", "/w"}, {"force", true}});
  EXPECT_EQ(unknown, "params.force is not a field of params (its fields: host, remove, workDoneToken, workspace)");
  auto mounts = *s.check_params("workspace/up", {{"workspace", "/w"}, {"mounts", {"a", 2}}});
  EXPECT_EQ(mounts, "params.mounts[1] must be a string, not an integer");
  auto relative = *s.check_params("workspace/status", {{"workspace", "w"}});
  EXPECT_TRUE(relative.starts_with("params.workspace does not match")) << relative;
}

TEST(SchemaValidator, AStringMillionsOfCharactersLongIsMatchedWithoutRecursion) {
  // std::regex recurses per character and would overflow the stack here; RE2 does not.
  std::string workspace = "/" + std::string(8u << 20, 'a');
  EXPECT_EQ(protocol_schemas().check_params("workspace/status", {{"workspace", workspace}}), std::nullopt);
  std::string url = std::string(8u << 20, 'a');
  EXPECT_NE(protocol_schemas().check_params("workspace/plan", {{"workspace", url}}), std::nullopt);
}

// What the server sends validates too: the same validator over notifications the server makes.
TEST(SchemaValidator, TheServersOwnNotificationsConform) {
  const auto& s = protocol_schemas();
  core::WorkspaceStatus status;
  status.workspace = "/w";
  status.state = "running";
  json note = json::parse(notification_message(kDidChangeStatus, DidChangeStatusParams{"/w", "start", "c1", status}));
  EXPECT_EQ(s.check("common.json#/$defs/Message", note, "message"), std::nullopt);
  EXPECT_EQ(s.check("workspace.didChangeStatus.json#/$defs/params", note["params"], "params"), std::nullopt);
  json log = json::parse(notification_message(kLogMessage, LogMessageParams{MessageType::Info, "hello"}));
  EXPECT_EQ(s.check("window.logMessage.json#/$defs/params", log["params"], "params"), std::nullopt);
  json out = json::parse(notification_message(kOutput, OutputParams{"t", false, "x"}));
  EXPECT_EQ(s.check("workspace.output.json#/$defs/params", out["params"], "params"), std::nullopt);
  json progress = json::parse(notification_message(kProgress, ProgressParams{7, {{"kind", "report"}, {"message", "m"}}}));
  EXPECT_EQ(s.check("$.progress.json#/$defs/params", progress["params"], "params"), std::nullopt);
  json error = json::parse(error_message(RequestId::string("r"), kTooManyRequests, "too many", "wait"));
  EXPECT_EQ(s.check("common.json#/$defs/Message", error, "message"), std::nullopt);
}

}  // namespace
}  // namespace dlc::rpc
