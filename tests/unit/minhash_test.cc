#include "text/minhash.h"

#include <gtest/gtest.h>

#include "text/words.h"

namespace jiceng::text {
namespace {

double similar(std::string_view a, std::string_view b) {
  return similarity(minhash_of(topic_words_of(a)), minhash_of(topic_words_of(b)));
}

TEST(MinHash, NearDuplicatesScoreHigh) {
  EXPECT_GE(similar("村东头养猪场污水直排河道，臭味熏天，晚上无法睡觉，多次反映无人处理",
                    "村东头养猪场污水直排河道，臭味熏天，晚上没法睡觉，已经反映过多次"),
            0.6);
  EXPECT_EQ(similar("拆迁补偿款至今未发放", "拆迁补偿款至今未发放"), 1.0);
}

TEST(MinHash, ReorderedTextsScoreAsOne) {
  EXPECT_EQ(similar("工地老板拖欠农民工工资，劳动监察不管", "劳动监察不管，工地老板拖欠农民工工资"),
            1.0);
}

TEST(MinHash, UnrelatedTextsScoreLow) {
  EXPECT_LE(similar("村东头养猪场污水直排河道，臭味熏天", "小区电梯停运五天，物业公司不维修"),
            0.15);
  EXPECT_LE(similar("申请低保被拒绝，家里有残疾人", "路灯不亮，晚上出行不安全"), 0.15);
}

TEST(MinHash, NoWordsNeverSimilar) {
  MinHash none = minhash_of({});
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(similarity(none, none), 0.0);
  EXPECT_TRUE(band_keys(none, "360602").empty());
}

TEST(MinHash, BandKeysDependOnArea) {
  MinHash m = minhash_of({"拆迁", "补偿款"});
  auto here = band_keys(m, "360602");
  ASSERT_EQ(here.size(), static_cast<std::size_t>(kBands));
  EXPECT_EQ(here, band_keys(m, "360602"));
  auto there = band_keys(m, "360603");
  for (int b = 0; b < kBands; ++b) EXPECT_NE(here[b], there[b]);
}

TEST(MinHash, HexRoundTrip) {
  MinHash m = minhash_of({"欠薪", "工地"});
  std::string hex = to_hex(m);
  EXPECT_EQ(hex.size(), static_cast<std::size_t>(kMinHashes * 8));
  EXPECT_EQ(minhash_from_hex(hex), m);
  EXPECT_FALSE(minhash_from_hex("xyz").has_value());
  EXPECT_FALSE(minhash_from_hex(std::string(kMinHashes * 8, 'g')).has_value());
}

}  // namespace
}  // namespace jiceng::text
