#include "app/calendar_json.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace jiceng::app {
namespace {

namespace fs = std::filesystem;
using domain::CalendarDay;
using domain::DayKind;

const fs::path kData = fs::path(JICENG_SOURCE_DIR) / "tests/data/calendar";

Date d(const char* s) { return *parse_date(s); }

TEST(CalendarJson, ReadsHolidaysAndWorkdaysInDayOrder) {
  auto r = read_chinese_days_json(kData / "ok.json");
  ASSERT_TRUE(r) << r.error().message;
  // Real chinese-days entries for National Day 2025 and one New Year's Day; workdays listed out
  // of order in the file.
  std::vector<CalendarDay> want = {
      {d("2025-09-28"), DayKind::kWorkday, "国庆节"},
      {d("2025-10-01"), DayKind::kHoliday, "国庆节"},
      {d("2025-10-02"), DayKind::kHoliday, "国庆节"},
      {d("2025-10-03"), DayKind::kHoliday, "国庆节"},
      {d("2025-10-04"), DayKind::kHoliday, "国庆节"},
      {d("2025-10-05"), DayKind::kHoliday, "国庆节"},
      {d("2025-10-06"), DayKind::kHoliday, "中秋"},
      {d("2025-10-07"), DayKind::kHoliday, "国庆节"},
      {d("2025-10-08"), DayKind::kHoliday, "国庆节"},
      {d("2025-10-11"), DayKind::kWorkday, "国庆节"},
      {d("2026-01-01"), DayKind::kHoliday, "元旦"},
  };
  EXPECT_EQ(*r, want);
}

TEST(CalendarJson, InLieuDaysAreOptional) {
  auto r = read_chinese_days_json(kData / "no_in_lieu.json");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, (std::vector<CalendarDay>{{d("2025-10-01"), DayKind::kHoliday, "国庆节"}}));
}

TEST(CalendarJson, BadFilesNameFileAndKey) {
  struct Case {
    const char* file;
    const char* what;
  } cases[] = {
      {"bad_date.json", "bad_date.json: holidays.\"2025-13-01\": not a date"},
      {"bad_value.json", "bad_value.json: holidays.2025-10-01: the value must be"},
      {"empty_name.json", "empty_name.json: holidays.2025-10-01: the value must be"},
      {"value_not_string.json", "value_not_string.json: holidays.2025-10-01: the value must be"},
      {"both.json", "both.json: workdays.2025-10-01: also listed in holidays"},
      {"missing_workdays.json", "missing_workdays.json: missing key workdays"},
      {"unknown_key.json", "unknown_key.json: unknown key \"extra\""},
      {"section_not_object.json", "section_not_object.json: workdays: must be an object"},
      {"in_lieu_not_holiday.json",
       "in_lieu_not_holiday.json: inLieuDays.2025-10-02: not listed in holidays"},
      {"truncated.json", "truncated.json: not valid JSON"},
      {"not_object.json", "not_object.json: the top level must be an object"},
      {"absent.json", "absent.json: cannot read "},
  };
  for (const auto& c : cases) {
    auto r = read_chinese_days_json(kData / c.file);
    ASSERT_FALSE(r) << c.file;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.file;
    EXPECT_EQ(r.error().message.rfind(c.what, 0), 0u) << r.error().message;
  }
}

// The real package, when installed (npm ci in the source directory).
TEST(CalendarJson, RealPackage) {
  fs::path file = fs::path(JICENG_SOURCE_DIR) / "node_modules/chinese-days/dist/chinese-days.json";
  if (!fs::exists(file)) {
    if (std::getenv("CI") != nullptr) FAIL() << file << " is missing; run npm ci";
    GTEST_SKIP() << file << " is missing; run npm ci to test with the real data";
  }
  auto r = read_chinese_days_json(file);
  ASSERT_TRUE(r) << r.error().message;
  std::vector<CalendarDay> days = std::move(r).value();
  // chinese-days@1.5.7: 619 holidays and 150 make-up workdays, 2004 to 2026.
  EXPECT_EQ(days.size(), 619u + 150u);
  domain::WorkCalendar cal(std::move(days));
  EXPECT_EQ(cal.covered_years(), (std::pair{2004, 2026}));
  EXPECT_EQ(cal.period_end_calendar_days(d("2025-09-20"), 15), d("2025-10-09"));
  EXPECT_EQ(cal.add_working_days(d("2026-02-12"), 5), d("2026-02-26"));
  const CalendarDay* day = cal.find(d("2026-02-14"));
  ASSERT_NE(day, nullptr);
  EXPECT_EQ(day->kind, DayKind::kWorkday);
  EXPECT_EQ(day->name, "春节");
}

}  // namespace
}  // namespace jiceng::app
