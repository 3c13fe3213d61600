#include "domain/jurisdiction.h"

#include <gtest/gtest.h>

namespace jiceng::domain {
namespace {

TEST(Jurisdiction, LevelOfCodeByLength) {
  struct Case {
    const char* code;
    Level level;
  } cases[] = {{"36", Level::kProvince},
               {"3606", Level::kCity},
               {"360602", Level::kCounty},
               {"360602001", Level::kTownship},
               {"360602001001", Level::kVillage}};
  for (const auto& c : cases) {
    auto r = level_of_code(c.code);
    ASSERT_TRUE(r) << c.code;
    EXPECT_EQ(*r, c.level) << c.code;
  }
}

TEST(Jurisdiction, MalformedCodesAreInvalidArguments) {
  for (const char* code : {"", "3", "360", "36060", "3606020011", "36a6", "３６", "36-6", " 36"}) {
    auto r = level_of_code(code);
    ASSERT_FALSE(r) << code;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << code;
  }
}

TEST(Jurisdiction, ParentByPrefix) {
  EXPECT_EQ(parent_code_of("36"), "");
  EXPECT_EQ(parent_code_of("3606"), "36");
  EXPECT_EQ(parent_code_of("360602"), "3606");
  EXPECT_EQ(parent_code_of("360602001"), "360602");
  EXPECT_EQ(parent_code_of("360602001001"), "360602001");
}

// The padded forms of GB/T 2260 (6 digits) and of the statistical codes (12) name the same
// nodes; codes with no reserved zeros, and anything else, stay as they are.
TEST(Jurisdiction, CanonicalCodeDropsTheStandardsPadding) {
  EXPECT_EQ(canonical_code("360000"), "36");
  EXPECT_EQ(canonical_code("360600"), "3606");
  EXPECT_EQ(canonical_code("360603"), "360603");
  EXPECT_EQ(canonical_code("360600000000"), "3606");
  EXPECT_EQ(canonical_code("360603000000"), "360603");
  EXPECT_EQ(canonical_code("360603001000"), "360603001");
  EXPECT_EQ(canonical_code("360603001001"), "360603001001");
  EXPECT_EQ(canonical_code("360603100"), "360603100") << "a township numbered 100";
  EXPECT_EQ(canonical_code("3606"), "3606");
  EXPECT_EQ(canonical_code("36"), "36");
  EXPECT_EQ(canonical_code("3606x0"), "3606x0");
  EXPECT_EQ(canonical_code(""), "");
}

}  // namespace
}  // namespace jiceng::domain
