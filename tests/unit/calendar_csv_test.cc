#include "app/calendar_csv.h"

#include <gtest/gtest.h>

namespace jiceng::app {
namespace {

Date d(const char* s) { return *parse_date(s); }

TEST(CalendarCsv, ReadsTheRowsOfANotice) {
  auto days = parse_calendar_csv(
      "\xEF\xBB\xBF# 国务院办公厅关于2027年部分节假日安排的通知（示例）\n"
      "date,kind,name\r\n"
      "2027-02-06 , holiday , 春节\n"
      "\n"
      "2027-01-01,holiday,元旦\n"
      "2027-02-20,workday,春节\n"
      "2027-02-07,休,春节\n"
      "2027-01-30,班,春节",  // no newline at the end
      "2027.csv");
  ASSERT_TRUE(days) << days.error().message;
  ASSERT_EQ(days->size(), 5u);
  // Ordered by date, trimmed.
  EXPECT_EQ(days->at(0), (domain::CalendarDay{d("2027-01-01"), domain::DayKind::kHoliday, "元旦"}));
  EXPECT_EQ(days->at(1), (domain::CalendarDay{d("2027-01-30"), domain::DayKind::kWorkday, "春节"}));
  EXPECT_EQ(days->at(2), (domain::CalendarDay{d("2027-02-06"), domain::DayKind::kHoliday, "春节"}));
  EXPECT_EQ(days->at(3).kind, domain::DayKind::kHoliday);
  EXPECT_EQ(days->at(4), (domain::CalendarDay{d("2027-02-20"), domain::DayKind::kWorkday, "春节"}));
}

TEST(CalendarCsv, ReportsEveryBadRowWithItsLine) {
  auto days = parse_calendar_csv(
      "date,kind,name\n"
      "2027-02-06,holiday,春节\n"       // 2: fine
      "2027-02-30,holiday,春节\n"       // 3: no such date
      "2027-02-07,rest,春节\n"          // 4: unknown kind
      "2027-02-08,holiday\n"            // 5: two fields
      "2027-02-09,holiday,\n"           // 6: no name
      "2027-02-10,workday,春节\n"       // 7: a Wednesday
      "2027-02-06,holiday,春节\n",      // 8: twice
      "2027.csv");
  ASSERT_FALSE(days);
  EXPECT_EQ(days.error().code, ErrorCode::kInvalidArgument);
  const std::string& en = days.error().message;
  const std::string& zh = days.error().message_zh;
  EXPECT_NE(en.find("6 bad row(s), nothing imported"), std::string::npos) << en;
  EXPECT_NE(en.find("2027.csv:3: '2027-02-30' is not a date"), std::string::npos) << en;
  EXPECT_NE(en.find("2027.csv:4: kind 'rest' is neither holiday nor workday"), std::string::npos);
  EXPECT_NE(en.find("2027.csv:5: 2 field(s)"), std::string::npos) << en;
  EXPECT_NE(en.find("2027.csv:6: the name"), std::string::npos) << en;
  EXPECT_NE(en.find("2027.csv:7: 2027-02-10 is a weekday"), std::string::npos) << en;
  EXPECT_NE(en.find("2027.csv:8: 2027-02-06 is listed already on line 2"), std::string::npos);
  EXPECT_EQ(en.find("2027.csv:2:"), std::string::npos) << en;
  EXPECT_NE(zh.find("6 行有误，未导入任何数据"), std::string::npos) << zh;
  EXPECT_NE(zh.find("2027.csv:7：2027-02-10 是周一至周五"), std::string::npos) << zh;
}

TEST(CalendarCsv, NeedsTheHeaderAndADay) {
  auto no_header = parse_calendar_csv("2027-02-06,holiday,春节\n", "x.csv");
  ASSERT_FALSE(no_header);
  EXPECT_NE(no_header.error().message.find("x.csv:1: the first line must be the header"),
            std::string::npos)
      << no_header.error().message;
  auto empty = parse_calendar_csv("# nothing yet\ndate,kind,name\n", "x.csv");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("lists no days"), std::string::npos);
}

}  // namespace
}  // namespace jiceng::app
