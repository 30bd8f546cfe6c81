#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/jsonc.h"
#include "support/error.h"

namespace dlc::config {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string error_of(std::string_view text) {
  try {
    parse_jsonc(text, "dc.json");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
    EXPECT_FALSE(e.hint().empty());
    return e.what();
  }
  ADD_FAILURE() << "parsed: " << text;
  return {};
}

TEST(Jsonc, CommentsOfBothKindsAreIgnored) {
  auto j = parse_jsonc("// head\n{ /* a */ \"a\": 1, // tail\n \"b\": \"//not a comment\" /* x\n y */ }", "f");
  EXPECT_EQ(j["a"], 1);
  EXPECT_EQ(j["b"], "//not a comment");
}

TEST(Jsonc, TrailingCommasInObjectsAndArraysAreAccepted) {
  auto j = parse_jsonc("{\"a\": [1, 2, ], \"b\": {\"c\": true, /* c */ }, }", "f");
  EXPECT_EQ(j["a"].size(), 2u);
  EXPECT_EQ(j["b"]["c"], true);
}

TEST(Jsonc, CommaAndCommentMarkersInsideStringsAreKept) {
  auto j = parse_jsonc(R"({"a": "x, }", "b": "say \"/*\" ok"})", "f");
  EXPECT_EQ(j["a"], "x, }");
  EXPECT_EQ(j["b"], "say \"/*\" ok");
}

TEST(Jsonc, MissingCommaPointsAtTheNextPropertysStart) {
  EXPECT_THAT(error_of("{\n  \"image\": \"x\"\n  \"init\": true\n}\n"), StartsWith("dc.json:3:3: "));
}

TEST(Jsonc, ColumnsCountFromTheLineStartAfterComments) {
  EXPECT_THAT(error_of("{ // c\n  \"a\": 1,\n  \"b\": tru\n}"), StartsWith("dc.json:3:8: "));
}

TEST(Jsonc, AnUnclosedDocumentSaysItEndsEarly) {
  EXPECT_THAT(error_of("{\"a\": [1,\n"), HasSubstr("ends before the JSON does"));
}

TEST(Jsonc, AnUnclosedBlockCommentIsNamedWhereItOpens) {
  EXPECT_THAT(error_of("{\n /* never closed\n}"), StartsWith("dc.json:2:2: comment is not closed"));
}

}  // namespace
}  // namespace dlc::config
