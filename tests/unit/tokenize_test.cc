#include "text/tokenize.h"

#include <gtest/gtest.h>

#include "text/query.h"
#include "text/snippet.h"

namespace jiceng::text {
namespace {

IndexTerms terms(std::string_view s) {
  IndexTerms out;
  append_index_terms(s, out);
  return out;
}

TEST(Tokenize, IndexTerms) {
  struct Case {
    std::string_view in;
    std::string_view sequence;
    std::string_view unigrams;
  } cases[] = {
      {"邻里纠纷", "邻里 里纠 纠纷", "邻 里 纠 纷"},
      {"3号楼302室漏水", "3 号楼 302 室漏 漏水", "号 楼 室 漏 水"},
      {"WiFi信号差, 12345热线!", "wifi 信号 号差 12345 热线", "信 号 差 热 线"},
      {"鄰里糾紛", "邻里 里纠 纠纷", "邻 里 纠 纷"},  // traditional input
      {"ＡＢＣ１２３", "abc123", ""},                 // full-width
      {"灯😡坏", "灯 坏", ""},                         // emoji separate and vanish
      {"……！？【】", "", ""},                         // only punctuation
      {"ab\xff纠纷", "ab 纠纷", "纠 纷"},             // bad UTF-8 separates
  };
  for (const Case& c : cases) {
    IndexTerms t = terms(c.in);
    EXPECT_EQ(t.sequence, c.sequence) << c.in;
    EXPECT_EQ(t.unigrams, c.unigrams) << c.in;
  }
}

TEST(Tokenize, FieldsAppend) {
  IndexTerms t;
  append_index_terms("纠纷", t);
  append_index_terms("余家村", t);
  EXPECT_EQ(t.sequence, "纠纷 余家 家村");
  EXPECT_EQ(t.unigrams, "纠 纷 余 家 村");
}

TEST(Tokenize, VeryLongTextIsBounded) {
  std::string in;
  while (in.size() < 100 * 1024) in += "村民反映后山采石场夜间施工噪音扰民 abc ";
  IndexTerms t = terms(in);
  auto count = [](const std::string& s) { return std::count(s.begin(), s.end(), ' ') + 1; };
  EXPECT_EQ(count(t.sequence), static_cast<long>(kMaxTokens));
  EXPECT_LE(count(t.unigrams), static_cast<long>(kMaxTokens));
  std::string long_word(500, 'x');
  EXPECT_EQ(terms(long_word).sequence, std::string(kMaxWordChars, 'x'));
}

TEST(Query, Terms) {
  struct Case {
    std::string_view in;
    std::vector<std::vector<std::string>> terms;
  } cases[] = {
      {"纠纷", {{"纠纷"}}},
      {"纠", {{"纠"}}},
      {"宅基地 纠纷", {{"宅基", "基地"}, {"纠纷"}}},
      {"糾紛", {{"纠纷"}}},
      {"WiFi 12345", {{"wifi"}, {"12345"}}},
      {"\"3号楼 漏水\"", {{"3", "号楼", "漏水"}}},
      {"“邻里纠纷”调解", {{"邻里", "里纠", "纠纷"}, {"调解"}}},
      {"纠纷 纠纷！", {{"纠纷"}}},
  };
  for (const Case& c : cases) {
    auto q = parse_query(c.in);
    ASSERT_TRUE(q) << c.in;
    EXPECT_EQ(q->terms, c.terms) << c.in;
  }
}

TEST(Query, BadQueries) {
  for (std::string_view bad : {"", "   ", "！？。，", "😡😡", "\xff\xfe"}) {
    auto q = parse_query(bad);
    ASSERT_FALSE(q) << bad;
    EXPECT_EQ(q.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(q.error().message_zh.empty());
  }
  EXPECT_FALSE(parse_query(std::string(101, 'a')));
  std::string many;
  for (int i = 0; i < 40; ++i) many += "w" + std::to_string(i) + " ";
  EXPECT_FALSE(parse_query(many));
}

TEST(Snippet, MarksMatchesInTheOriginalText) {
  auto q = parse_query("纠纷");
  ASSERT_TRUE(q);
  EXPECT_EQ(snippet_html("两户因宅基地边界发生纠纷，请调解", *q).html,
            "两户因宅基地边界发生<mark>纠纷</mark>，请调解");
  // Traditional text is shown as it was written, and escaped.
  EXPECT_EQ(snippet_html("<b>鄰里糾紛</b> & more", *q).html,
            "&lt;b&gt;鄰里<mark>糾紛</mark>&lt;/b&gt; &amp; more");
  EXPECT_EQ(snippet_html("没有相关内容", *q).html, "");
}

TEST(Snippet, PhrasesAndWindows) {
  auto q = parse_query("\"3号楼\" 漏水");
  ASSERT_TRUE(q);
  EXPECT_EQ(snippet_html("３号楼302室漏水", *q).html, "<mark>３号楼</mark>302室<mark>漏水</mark>");
  std::string long_text(300, 'a');
  long_text += " 3号楼 ";
  long_text += std::string(300, 'b');
  std::string s = snippet_html(long_text, *q, 40).html;
  EXPECT_TRUE(s.starts_with("…")) << s;
  EXPECT_TRUE(s.ends_with("…")) << s;
  EXPECT_NE(s.find("<mark>3号楼</mark>"), std::string::npos) << s;
}

}  // namespace
}  // namespace jiceng::text
