#include "text/normalize.h"

#include <gtest/gtest.h>

#include "text/normalize.h"  // self-contained

namespace jiceng::text {
namespace {

TEST(Normalize, Cases) {
  struct Case {
    std::string_view in;
    std::string_view out;
  } cases[] = {
      {"", ""},
      {"邻里纠纷", "邻里纠纷"},
      {"鄰里糾紛、請調解", "邻里纠纷、请调解"},              // traditional → simplified
      {"乾燥的天氣", "干燥的天气"},                          // a phrase of the t2s dictionary
      {"ＡＢＣ１２３　ｘｙｚ！", "abc123 xyz!"},             // full-width → half-width
      {"WiFi 信号差 Café ÀÉÎ Ĳ", "wifi 信号差 café àéî ĳ"},  // Latin case folding
      {"  a \t\n\r b\u3000\u3000c  ", "a b c"},              // white space collapses
      {"零\u200b宽", "零宽"},                                // zero-width characters vanish
      {"路灯坏了💡😡", "路灯坏了💡😡"},  // emoji kept (the tokenizer drops them)
      {"3号楼 302室", "3号楼 302室"},
  };
  for (const Case& c : cases) EXPECT_EQ(normalize_utf8(c.in), c.out) << c.in;
}

TEST(Normalize, InvalidUtf8BecomesReplacementCharacters) {
  std::string bad = "ab\xff\xfe纠\xe7\xba";  // stray bytes and a truncated sequence
  EXPECT_EQ(normalize_utf8(bad), "ab\uFFFD\uFFFD纠\uFFFD\uFFFD");
  EXPECT_EQ(normalize_utf8("\xc0\xaf"), "\uFFFD\uFFFD");            // an overlong '/'
  EXPECT_EQ(normalize_utf8("\xed\xa0\x80"), "\uFFFD\uFFFD\uFFFD");  // a surrogate
}

TEST(Normalize, MapsEveryCharacterToItsSource) {
  std::string in = "  糾紛\n\n ＡＢ";
  NormalizedText t = normalize(in);
  ASSERT_EQ(t.chars, U"纠纷 ab");
  ASSERT_EQ(t.source.size(), t.chars.size());
  auto src = [&](std::size_t i) {
    return in.substr(t.source[i].begin, t.source[i].end - t.source[i].begin);
  };
  EXPECT_EQ(src(0), "糾");
  EXPECT_EQ(src(1), "紛");
  EXPECT_EQ(src(2), "\n\n ");
  EXPECT_EQ(src(3), "Ａ");
  EXPECT_EQ(src(4), "Ｂ");
  EXPECT_TRUE(t.shows_source(0));
  EXPECT_FALSE(t.shows_source(2));
}

TEST(Normalize, IsIdempotent) {
  for (std::string_view s : {"鄰里糾紛 ＡＢＣ", "后来 發現", "ÀÉÎ  x"}) {
    std::string once = normalize_utf8(s);
    EXPECT_EQ(normalize_utf8(once), once) << s;
  }
}

TEST(Normalize, LongTextKeepsItsLengthAndMapping) {
  std::string in;
  while (in.size() < 100 * 1024) in += "村民反映後山採石場夜間施工，噪音擾民。ABC 123 ";
  NormalizedText t = normalize(in);
  ASSERT_EQ(t.source.size(), t.chars.size());
  EXPECT_EQ(t.chars.substr(0, 8), U"村民反映后山采石");
  EXPECT_EQ(t.source.back().end, in.size() - 1);  // the trailing space is trimmed
}

}  // namespace
}  // namespace jiceng::text
