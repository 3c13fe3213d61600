#include "text/words.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace jiceng::text {
namespace {

bool has(const std::vector<std::string>& words, std::string_view w) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

TEST(TopicWords, DomainWordsComeOutWhole) {
  // friso's own lexicon cuts these apart (网格 员, 住 建 局, 工 单); jiceng's keeps them.
  struct Case {
    std::string_view text;
    std::string_view word;
  } cases[] = {
      {"网格员反映村里拆迁补偿款未到位", "网格员"},
      {"住建局至今没有答复", "住建局"},
      {"12345热线的工单被退回", "工单"},
      {"工地老板欠薪三个月", "欠薪"},
      {"申请低保被拒", "低保"},
      {"宅基地被邻居占用", "宅基地"},
      {"整治人居环境的要求", "人居环境"},
      {"村里征地没有公示", "征地"},
      {"外来务工人员子女入学难", "外来务工人员"},
  };
  for (const Case& c : cases) {
    auto words = topic_words_of(c.text);
    EXPECT_TRUE(has(words, c.word)) << c.text << " → " << joined(words);
  }
}

TEST(TopicWords, MixedChineseLatinNumbers) {
  auto words = topic_words_of("拨打12345热线投诉小区WiFi信号差，3号楼电梯停运5天，电话13812345678");
  EXPECT_TRUE(has(words, "12345")) << joined(words);
  EXPECT_TRUE(has(words, "wifi")) << joined(words);
  EXPECT_TRUE(has(words, "电梯")) << joined(words);
  EXPECT_TRUE(has(words, "小区")) << joined(words);
  // A phone number is personal data, never a topic; quantities and single characters go.
  for (const auto& w : words) {
    EXPECT_EQ(w.find("138"), std::string::npos) << joined(words);
    EXPECT_FALSE(w.front() >= '0' && w.front() <= '9' && w != "12345") << joined(words);
    EXPECT_GE(w.size(), 2u) << joined(words);
  }
}

TEST(TopicWords, StopWordsDropped) {
  auto words = topic_words_of("我们希望有关部门尽快处理这个问题，解决路灯不亮");
  for (std::string_view stop :
       {"我们", "希望", "有关部门", "部门", "尽快", "处理", "这个", "问题", "解决"}) {
    EXPECT_FALSE(has(words, stop)) << stop << " in " << joined(words);
  }
  EXPECT_TRUE(has(words, "路灯")) << joined(words);
}

// How a complaint asks, where and when (麻烦派人来看看, 我家门口, 晚上, 坏了) is not what it is
// about: the dashboard's rising topics would fill with them.
TEST(TopicWords, AskingPlaceAndTimeWordsDropped) {
  auto words = topic_words_of("麻烦派人来看看，我家门口的路灯坏了一个月，晚上到处黑漆漆的，请重视");
  for (std::string_view stop :
       {"麻烦", "派人", "看看", "我家", "门口", "坏了", "个月", "晚上", "到处", "重视"}) {
    EXPECT_FALSE(has(words, stop)) << stop << " in " << joined(words);
  }
  EXPECT_TRUE(has(words, "路灯")) << joined(words);
}

TEST(TopicWords, TraditionalAndFullWidthMeetSimplified) {
  EXPECT_EQ(topic_words_of("拆遷補償款"), topic_words_of("拆迁补偿款"));
  EXPECT_EQ(topic_words_of("ＷｉＦｉ信號"), topic_words_of("wifi信号"));
}

TEST(TopicWords, EmptyAndPunctuation) {
  EXPECT_TRUE(topic_words_of("").empty());
  EXPECT_TRUE(topic_words_of("……！？【】 😡").empty());
}

TEST(TopicWords, ManyThreadsAgree) {
  const std::string text = "村民反映养猪场污水直排河道，臭味严重，住建局和环保局互相推诿";
  const auto expected = topic_words_of(text);
  ASSERT_FALSE(expected.empty());
  std::vector<std::thread> threads;
  std::vector<int> same(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) same[t] += topic_words_of(text) == expected;
    });
  }
  for (auto& th : threads) th.join();
  for (int n : same) EXPECT_EQ(n, 50);
}

}  // namespace
}  // namespace jiceng::text
