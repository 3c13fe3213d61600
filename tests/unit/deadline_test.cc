#include "domain/deadline.h"

#include <gtest/gtest.h>

namespace jiceng::domain {
namespace {

Date d(const char* s) { return *parse_date(s); }

// The official 2025 National Day and 2026 Spring Festival days (chinese-days 1.5.7).
WorkCalendar official() {
  std::vector<CalendarDay> days;
  for (const char* h :
       {"2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04", "2025-10-05", "2025-10-06",
        "2025-10-07", "2025-10-08", "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18",
        "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23"}) {
    days.push_back({d(h), DayKind::kHoliday, "假日"});
  }
  for (const char* w : {"2025-09-28", "2025-10-11", "2026-02-14", "2026-02-28"}) {
    days.push_back({d(w), DayKind::kWorkday, "调休"});
  }
  return WorkCalendar(days);
}

// "2025-09-20 10:00" in China Standard Time.
Instant cst(const char* day, int hour, int minute = 0) {
  return china_midnight(d(day)) + std::chrono::hours(hour) + std::chrono::minutes(minute);
}

TEST(Deadline, ChinaDateAndMidnight) {
  // 2025-09-30 16:30 UTC is 2025-10-01 00:30 in China.
  Instant t = china_midnight(d("2025-10-01")) + std::chrono::minutes(30);
  EXPECT_EQ(format_instant_utc(t), "2025-09-30T16:30:00.000Z");
  EXPECT_EQ(china_date(t), d("2025-10-01"));
  EXPECT_EQ(china_date(t - std::chrono::hours(1)), d("2025-09-30"));
}

TEST(Deadline, PeriodsEndAtMidnightChinaTime) {
  const WorkCalendar cal = official();
  struct Case {
    Instant start;
    Period period;
    Instant end;
  } cases[] = {
      // RULES.md: 15 days from 2025-09-20 would end on 10-05, a holiday; it ends 10-09 24:00.
      {cst("2025-09-20", 10), {15, PeriodUnit::kCalendarDays}, china_midnight(d("2025-10-10"))},
      // From 09-26 it ends 10-11, a Saturday make-up workday: it stays.
      {cst("2025-09-26", 23, 59), {15, PeriodUnit::kCalendarDays}, china_midnight(d("2025-10-12"))},
      // 5 working days after Fri 2025-09-26: Sun 09-28 (make-up), 09-29, 09-30, 10-09, 10-10.
      {cst("2025-09-26", 9), {5, PeriodUnit::kWorkingDays}, china_midnight(d("2025-10-11"))},
      // 3 working days after Thu 2026-02-12: 02-13, Sat 02-14 (make-up), 02-24.
      {cst("2026-02-12", 9), {3, PeriodUnit::kWorkingDays}, china_midnight(d("2026-02-25"))},
      // Hours run on the clock, holidays included.
      {cst("2025-10-01", 20), {24, PeriodUnit::kHours}, cst("2025-10-02", 20)},
      {cst("2026-02-16", 23), {2, PeriodUnit::kHours}, cst("2026-02-17", 1)},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(format_instant_utc(period_end(c.start, c.period, cal)), format_instant_utc(c.end))
        << format_instant_utc(c.start) << " + " << c.period.amount << " "
        << to_string(c.period.unit);
  }
}

TEST(Deadline, FractionPoint) {
  Instant a = cst("2026-03-02", 0);
  Instant b = a + std::chrono::hours(10);
  EXPECT_EQ(fraction_point(a, b, 0.8), a + std::chrono::hours(8));
  EXPECT_EQ(fraction_point(a, b, 0.0), a);
  EXPECT_EQ(fraction_point(a, b, 1.0), b);
}

TEST(Deadline, UnitNames) {
  for (auto u : {PeriodUnit::kHours, PeriodUnit::kCalendarDays, PeriodUnit::kWorkingDays}) {
    auto back = period_unit_from_string(to_string(u));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, u);
  }
  EXPECT_FALSE(period_unit_from_string("days"));
}

}  // namespace
}  // namespace jiceng::domain
