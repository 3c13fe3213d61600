#include "domain/calendar.h"

#include <gtest/gtest.h>

#include <vector>

namespace jiceng::domain {
namespace {

constexpr DayKind kH = DayKind::kHoliday;
constexpr DayKind kW = DayKind::kWorkday;

// Every 2025 and 2026 entry of chinese-days@1.5.7 (dist/chinese-days.json), copied by hand so the
// test does not depend on node_modules: holidays (kH) and make-up workdays (kW).
std::vector<CalendarDay> official_2025_2026() {
  struct Row {
    const char* day;
    DayKind kind;
    const char* name;
  } rows[] = {
      {"2025-01-01", kH, "元旦"},   {"2025-01-26", kW, "春节"},   {"2025-01-28", kH, "春节"},
      {"2025-01-29", kH, "春节"},   {"2025-01-30", kH, "春节"},   {"2025-01-31", kH, "春节"},
      {"2025-02-01", kH, "春节"},   {"2025-02-02", kH, "春节"},   {"2025-02-03", kH, "春节"},
      {"2025-02-04", kH, "春节"},   {"2025-02-08", kW, "春节"},   {"2025-04-04", kH, "清明"},
      {"2025-04-05", kH, "清明"},   {"2025-04-06", kH, "清明"},   {"2025-04-27", kW, "劳动节"},
      {"2025-05-01", kH, "劳动节"}, {"2025-05-02", kH, "劳动节"}, {"2025-05-03", kH, "劳动节"},
      {"2025-05-04", kH, "劳动节"}, {"2025-05-05", kH, "劳动节"}, {"2025-05-31", kH, "端午"},
      {"2025-06-01", kH, "端午"},   {"2025-06-02", kH, "端午"},   {"2025-09-28", kW, "国庆节"},
      {"2025-10-01", kH, "国庆节"}, {"2025-10-02", kH, "国庆节"}, {"2025-10-03", kH, "国庆节"},
      {"2025-10-04", kH, "国庆节"}, {"2025-10-05", kH, "国庆节"}, {"2025-10-06", kH, "中秋"},
      {"2025-10-07", kH, "国庆节"}, {"2025-10-08", kH, "国庆节"}, {"2025-10-11", kW, "国庆节"},
      {"2026-01-01", kH, "元旦"},   {"2026-01-02", kH, "元旦"},   {"2026-01-03", kH, "元旦"},
      {"2026-01-04", kW, "元旦"},   {"2026-02-14", kW, "春节"},   {"2026-02-15", kH, "春节"},
      {"2026-02-16", kH, "春节"},   {"2026-02-17", kH, "春节"},   {"2026-02-18", kH, "春节"},
      {"2026-02-19", kH, "春节"},   {"2026-02-20", kH, "春节"},   {"2026-02-21", kH, "春节"},
      {"2026-02-22", kH, "春节"},   {"2026-02-23", kH, "春节"},   {"2026-02-28", kW, "春节"},
      {"2026-04-04", kH, "清明"},   {"2026-04-05", kH, "清明"},   {"2026-04-06", kH, "清明"},
      {"2026-05-01", kH, "劳动节"}, {"2026-05-02", kH, "劳动节"}, {"2026-05-03", kH, "劳动节"},
      {"2026-05-04", kH, "劳动节"}, {"2026-05-05", kH, "劳动节"}, {"2026-05-09", kW, "劳动节"},
      {"2026-06-19", kH, "端午"},   {"2026-06-20", kH, "端午"},   {"2026-06-21", kH, "端午"},
      {"2026-09-20", kW, "国庆节"}, {"2026-09-25", kH, "中秋"},   {"2026-09-26", kH, "中秋"},
      {"2026-09-27", kH, "中秋"},   {"2026-10-01", kH, "国庆节"}, {"2026-10-02", kH, "国庆节"},
      {"2026-10-03", kH, "国庆节"}, {"2026-10-04", kH, "国庆节"}, {"2026-10-05", kH, "国庆节"},
      {"2026-10-06", kH, "国庆节"}, {"2026-10-07", kH, "国庆节"}, {"2026-10-10", kW, "国庆节"},
  };
  std::vector<CalendarDay> days;
  for (const auto& r : rows) days.push_back({*parse_date(r.day), r.kind, r.name});
  return days;
}

Date d(const char* s) { return *parse_date(s); }

TEST(WorkCalendar, WorkingAndRestDaysAroundHolidays) {
  WorkCalendar cal(official_2025_2026());
  struct Case {
    const char* day;
    bool working;
  } cases[] = {
      {"2025-09-26", true},   // Friday
      {"2025-09-27", false},  // Saturday
      {"2025-09-28", true},   // Sunday, make-up workday for National Day
      {"2025-09-30", true},   // Tuesday
      {"2025-10-01", false}, {"2025-10-02", false}, {"2025-10-03", false}, {"2025-10-04", false},
      {"2025-10-05", false}, {"2025-10-06", false}, {"2025-10-07", false}, {"2025-10-08", false},
      {"2025-10-09", true},   // Thursday, back to work
      {"2025-10-11", true},   // Saturday, make-up workday
      {"2025-10-12", false},  // Sunday
      {"2026-02-13", true},   // Friday
      {"2026-02-14", true},   // Saturday, make-up workday for Spring Festival
      {"2026-02-15", false}, {"2026-02-16", false}, {"2026-02-17", false}, {"2026-02-18", false},
      {"2026-02-19", false}, {"2026-02-20", false}, {"2026-02-21", false}, {"2026-02-22", false},
      {"2026-02-23", false}, {"2026-02-24", true},  // Tuesday
      {"2026-02-28", true},                         // Saturday, make-up workday
      {"2026-03-01", false},                        // Sunday
      {"2024-10-01", true},   // Tuesday before the loaded years: only weekends are known
      {"2030-10-01", true},   // Tuesday after them
      {"2030-10-05", false},  // Saturday after them
  };
  for (const auto& c : cases) {
    EXPECT_EQ(cal.is_working_day(d(c.day)), c.working) << c.day;
    EXPECT_EQ(cal.is_rest_day(d(c.day)), !c.working) << c.day;
  }
}

TEST(WorkCalendar, WeekendsOnlyWithoutData) {
  WorkCalendar cal;
  EXPECT_TRUE(cal.is_working_day(d("2025-10-01")));   // Wednesday
  EXPECT_FALSE(cal.is_working_day(d("2025-10-11")));  // Saturday
  EXPECT_FALSE(cal.is_working_day(d("2025-10-12")));  // Sunday
  EXPECT_EQ(cal.add_working_days(d("2025-09-26"), 5), d("2025-10-03"));
  // 2025-10-05 is a Sunday; Monday is a working day without holiday data.
  EXPECT_EQ(cal.period_end_calendar_days(d("2025-09-20"), 15), d("2025-10-06"));
  EXPECT_EQ(cal.covered_years(), std::nullopt);
  EXPECT_EQ(cal.find(d("2025-10-01")), nullptr);
}

TEST(WorkCalendar, PeriodEndInCalendarDays) {
  WorkCalendar cal(official_2025_2026());
  struct Case {
    const char* start;
    int days;
    const char* end;
  } cases[] = {
      // RULES.md: would end 2025-10-05 (National Day), the rest lasts to 10-08, so 10-09.
      {"2025-09-20", 15, "2025-10-09"},
      // RULES.md: ends 2025-10-11, a Saturday make-up workday, so it stays.
      {"2025-09-26", 15, "2025-10-11"},
      // 2026-02-15 is the first day of Spring Festival (to 02-23); Tuesday 02-24 is next.
      {"2026-02-01", 14, "2026-02-24"},
      // 2026-02-14 is a Saturday make-up workday.
      {"2026-02-13", 1, "2026-02-14"},
      // 2026-01-03 is a New Year holiday; the rest ends on Sunday 01-04, a make-up workday.
      {"2025-12-31", 3, "2026-01-04"},
      // Plain weekend: Saturday 2025-11-08 moves to Monday 11-10.
      {"2025-11-07", 1, "2025-11-10"},
      // A working day stays.
      {"2025-11-03", 2, "2025-11-05"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(cal.period_end_calendar_days(d(c.start), c.days), d(c.end))
        << c.start << " + " << c.days;
  }
}

TEST(WorkCalendar, WorkingDaysAcrossHolidays) {
  WorkCalendar cal(official_2025_2026());
  struct Case {
    const char* start;
    int days;
    const char* end;
  } cases[] = {
      {"2025-09-26", 0, "2025-09-26"},
      // From Friday 2025-09-26: Sat 27 rest; Sun 28 make-up (1); Mon 29 (2); Tue 30 (3);
      // 10-01..10-08 holiday; Thu 10-09 (4); Fri 10-10 (5).
      {"2025-09-26", 5, "2025-10-10"},
      // Continuing: Sat 10-11 is a make-up workday (6).
      {"2025-09-26", 6, "2025-10-11"},
      {"2025-09-30", 1, "2025-10-09"},
      // From Thursday 2026-02-12: Fri 13 (1); Sat 14 make-up (2); 02-15..02-23 holiday;
      // Tue 24 (3); Wed 25 (4); Thu 26 (5).
      {"2026-02-12", 5, "2026-02-26"},
      // Continuing: Fri 27 (6); Sat 28 make-up (7); Sun 03-01 rest; Mon 2 (8); Tue 3 (9); Wed 4
      // (10).
      {"2026-02-12", 10, "2026-03-04"},
      // 2026-01-01..03 are holidays; Sunday 01-04 is a make-up workday.
      {"2025-12-31", 1, "2026-01-04"},
      // A whole year: 2025 has 261 weekdays, 18 of them holidays, and 5 make-up workdays, so
      // 248 working days; the 248th after 2024-12-31 is 2025-12-31 (a Wednesday).
      {"2024-12-31", 248, "2025-12-31"},
      {"2024-12-31", 249, "2026-01-04"},
      // 2026: 261 weekdays, 19 holidays, 6 make-up workdays: 248 again; 2026-12-31 is a Thursday.
      {"2025-12-31", 248, "2026-12-31"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(cal.add_working_days(d(c.start), c.days), d(c.end)) << c.start << " + " << c.days;
    EXPECT_EQ(cal.period_end_working_days(d(c.start), c.days), d(c.end))
        << c.start << " + " << c.days;
  }
}

TEST(WorkCalendar, AddDaysIsPlainArithmetic) {
  WorkCalendar cal(official_2025_2026());
  EXPECT_EQ(cal.add_days(d("2025-09-30"), 1), d("2025-10-01"));
  EXPECT_EQ(cal.add_days(d("2025-09-20"), 15), d("2025-10-05"));
  EXPECT_EQ(cal.add_days(d("2025-03-01"), -1), d("2025-02-28"));
}

TEST(WorkCalendar, FindAndCoveredYears) {
  WorkCalendar cal(official_2025_2026());
  EXPECT_EQ(cal.covered_years(), (std::pair{2025, 2026}));
  const CalendarDay* day = cal.find(d("2025-10-06"));
  ASSERT_NE(day, nullptr);
  EXPECT_EQ(day->kind, kH);
  EXPECT_EQ(day->name, "中秋");
  day = cal.find(d("2026-02-28"));
  ASSERT_NE(day, nullptr);
  EXPECT_EQ(day->kind, kW);
  EXPECT_EQ(day->name, "春节");
  EXPECT_EQ(cal.find(d("2025-10-09")), nullptr);
  EXPECT_EQ(cal.find(d("2030-01-01")), nullptr);
}

TEST(WorkCalendar, CoversOnlyYearsWithEntries) {
  // 2025 and 2027 imported, 2026 not: covered_years spans the gap, covers_year does not.
  WorkCalendar cal({{d("2025-10-01"), DayKind::kHoliday, "国庆节"},
                    {d("2027-02-08"), DayKind::kHoliday, "春节"}});
  EXPECT_EQ(cal.covered_years(), (std::pair{2025, 2027}));
  EXPECT_TRUE(cal.covers_year(2025));
  EXPECT_FALSE(cal.covers_year(2026));
  EXPECT_TRUE(cal.covers_year(2027));
  EXPECT_FALSE(cal.covers_year(2028));
  EXPECT_FALSE(WorkCalendar().covers_year(2025));
  EXPECT_EQ(cal.missing_years(), std::vector<int>{2026});
  EXPECT_EQ(cal.covered_until(2025), 2025);  // 2026's deadlines count weekends only
  EXPECT_EQ(cal.covered_until(2026), 2025);
  EXPECT_EQ(cal.covered_until(2027), 2027);
  EXPECT_EQ(cal.covered_until(2030), 2027);  // the calendar ended before this year
  EXPECT_EQ(cal.covered_until(2024), 2023);  // this year has no entries
  EXPECT_TRUE(WorkCalendar().missing_years().empty());
  EXPECT_EQ(WorkCalendar().covered_until(2026), 0);
  WorkCalendar whole(official_2025_2026());
  EXPECT_TRUE(whole.missing_years().empty());
  EXPECT_EQ(whole.covered_until(2025), 2026);
  EXPECT_EQ(whole.covered_until(2026), 2026);
}

TEST(WorkCalendar, UnsortedInputAndLaterEntryWins) {
  WorkCalendar cal({{d("2027-05-08"), kW, "劳动节"},
                    {d("2027-05-03"), kH, "劳动节"},
                    {d("2027-05-03"), kW, "劳动节"}});
  EXPECT_TRUE(cal.is_working_day(d("2027-05-08")));  // a Saturday, make-up workday
  EXPECT_TRUE(cal.is_working_day(d("2027-05-03")));  // a Monday: the later entry wins
  EXPECT_TRUE(cal.is_working_day(d("2027-05-04")));  // Tuesday between the entries
  EXPECT_FALSE(cal.is_working_day(d("2027-05-09")));
  EXPECT_EQ(cal.covered_years(), (std::pair{2027, 2027}));
}

}  // namespace
}  // namespace jiceng::domain
