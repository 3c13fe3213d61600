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


// The known defect: the warning of a working-day limit at 80 % of the wall-clock span fell in
// the Spring Festival. It is due after 80 % of the working time.
TEST(Deadline, WorkingDayWarningCountsWorkingTime) {
  const WorkCalendar cal = official();
  // 15 working days after Thu 2026-02-05: 02-06, 02-09..02-13, Sat 02-14 (make-up) = 7;
  // 02-15..02-23 rest; 02-24..02-27 = 11, Sat 02-28 (make-up) = 12, 03-02..03-04 = 15.
  const Instant start = cst("2026-02-05", 9);
  const ClockTimes t = clock_times(start, {15, PeriodUnit::kWorkingDays}, 0, 0.8, cal);
  EXPECT_EQ(format_instant_utc(t.deadline), format_instant_utc(china_midnight(d("2026-03-05"))));
  // 12 working days' worth have passed at the end of Sat 02-28.
  EXPECT_EQ(format_instant_utc(t.warn_at), format_instant_utc(china_midnight(d("2026-03-01"))));
  // The wall-clock 80 % would be 02-27 11:24, three working days too early.
  EXPECT_EQ(format_instant_utc(fraction_point(start, t.deadline, 0.8)),
            format_instant_utc(cst("2026-02-27", 11, 24)));

  // 3 working days after Thu 02-12: 02-13, Sat 02-14, Tue 02-24. 2.4 days' worth: 9 h 36 min
  // into 02-24, not 02-22 11:24 in the middle of the holiday.
  const ClockTimes w = clock_times(cst("2026-02-12", 9), {3, PeriodUnit::kWorkingDays}, 0, 0.8, cal);
  EXPECT_EQ(format_instant_utc(w.warn_at), format_instant_utc(cst("2026-02-24", 9, 36)));
  EXPECT_EQ(format_instant_utc(fraction_point(cst("2026-02-12", 9), w.deadline, 0.8)),
            format_instant_utc(cst("2026-02-22", 11, 24)));

  // 0.8 × 7 = 5.6: 14 h 24 min into the 6th working day after Mon 03-02 (Tue 03-10).
  EXPECT_EQ(format_instant_utc(working_fraction_point(cst("2026-03-02", 9), 7, 0.8, cal)),
            format_instant_utc(cst("2026-03-10", 14, 24)));
  EXPECT_EQ(working_fraction_point(cst("2026-03-02", 9), 7, 1.0, cal),
            period_end(cst("2026-03-02", 9), {7, PeriodUnit::kWorkingDays}, cal));
}

TEST(Deadline, ClockTimesOfOtherUnitsAndExtensions) {
  const WorkCalendar cal = official();
  // Calendar days and hours warn at 80 % of the wall-clock span, as before.
  const Instant start = cst("2025-09-20", 10);
  const ClockTimes c = clock_times(start, {15, PeriodUnit::kCalendarDays}, 0, 0.8, cal);
  EXPECT_EQ(c.deadline, china_midnight(d("2025-10-10")));
  EXPECT_EQ(c.warn_at, fraction_point(start, c.deadline, 0.8));
  const ClockTimes h = clock_times(cst("2026-02-16", 23), {2, PeriodUnit::kHours}, 0, 0.8, cal);
  EXPECT_EQ(format_instant_utc(h.warn_at), format_instant_utc(cst("2026-02-17", 0, 36)));
  // An extension is counted after the limit's last day, as extend_deadline counts it; the
  // warning of a working-day limit is 80 % of the limit and the extension together.
  const ClockTimes e =
      clock_times(cst("2025-09-26", 9), {5, PeriodUnit::kWorkingDays}, 3, 0.8, cal);
  EXPECT_EQ(e.deadline, extend_deadline(china_midnight(d("2025-10-11")),
                                        PeriodUnit::kWorkingDays, 3, cal));
  // 5 after Fri 09-26: 09-28, 09-29, 09-30, 10-09, 10-10 (Fri); 3 more: Sat 10-11 (make-up),
  // 10-13, 10-14.
  EXPECT_EQ(e.deadline, china_midnight(d("2025-10-15")));
  // 0.8 × 8 = 6.4: 9 h 36 min into the 7th working day, Mon 10-13.
  EXPECT_EQ(format_instant_utc(e.warn_at), format_instant_utc(cst("2025-10-13", 9, 36)));
}

TEST(Deadline, UncoveredYearsMakeADeadlineProvisional) {
  const WorkCalendar cal = official();  // 2025 and 2026 only
  const Instant dec = cst("2026-12-07", 9);
  // A working-day limit into 2027 counts days the calendar does not know.
  EXPECT_TRUE(counted_on_uncovered_years(dec, china_midnight(d("2027-01-06")),
                                         PeriodUnit::kWorkingDays, cal));
  EXPECT_TRUE(counted_on_uncovered_years(dec, china_midnight(d("2027-02-06")),
                                         PeriodUnit::kCalendarDays, cal));
  // Ending on 12-31 24:00 is still 2026.
  EXPECT_FALSE(counted_on_uncovered_years(dec, china_midnight(d("2027-01-01")),
                                          PeriodUnit::kCalendarDays, cal));
  EXPECT_FALSE(counted_on_uncovered_years(dec, china_midnight(d("2026-12-22")),
                                          PeriodUnit::kWorkingDays, cal));
  // Hours never depend on the calendar.
  EXPECT_FALSE(counted_on_uncovered_years(cst("2026-12-31", 23), cst("2027-01-01", 23),
                                          PeriodUnit::kHours, cal));
  // A working-day limit that starts in an uncovered year (2024) is provisional too.
  EXPECT_TRUE(counted_on_uncovered_years(cst("2024-12-30", 9), china_midnight(d("2025-01-08")),
                                         PeriodUnit::kWorkingDays, cal));
}

TEST(Deadline, ChinaDeadlineText) {
  EXPECT_EQ(format_china_deadline(china_midnight(d("2027-02-16"))), "2027-02-15 24:00");
  EXPECT_EQ(format_china_deadline(cst("2026-02-17", 1, 5)), "2026-02-17 01:05");
}

}  // namespace
}  // namespace jiceng::domain
