// JSON from other programs (the engine's replies and event lines, a registry's manifests) is bounded in
// depth before it is built: a reply nested 100,000 levels must be an error, not a stack exhausted by the
// first copy or dump of it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "engine/engine.h"
#include "support/error.h"
#include "support/nesting.h"

namespace dlc {
namespace {

using ::testing::HasSubstr;

std::string arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(ParseJsonWithin, AcceptsTheLimitAndRefusesOneLevelMore) {
  EXPECT_FALSE(parse_json_within(arrays(kMaxConfigDepth)).is_discarded());
  EXPECT_TRUE(parse_json_within(arrays(kMaxConfigDepth + 1)).is_discarded());
  EXPECT_TRUE(parse_json_within("{\"a\": ").is_discarded());
}

TEST(ParseJsonWithin, BracketsInStringsDoNotCount) {
  auto j = parse_json_within("{\"a\": \"" + std::string(1000, '[') + "\"}");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["a"].get<std::string>().size(), 1000u);
}

TEST(EngineReply, AReplyNestedAHundredThousandDeepIsAnEngineErrorNotACrash) {
  try {
    engine::parse_reply(arrays(100'000), "listing containers");
    FAIL() << "a reply nested 100,000 levels deep was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::EngineError);
    EXPECT_THAT(e.what(), HasSubstr("listing containers"));
    EXPECT_THAT(e.what(), HasSubstr("nested too deep"));
  }
}

}  // namespace
}  // namespace dlc
