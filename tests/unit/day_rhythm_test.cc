// The stream's weekly and holiday rhythm (domain/day_rhythm.h): the kinds of days from the
// official calendar, each kind's weight estimated from a stream's daily cases, and the burst
// test (domain/burst.h) with its days weighed by it.
#include "domain/day_rhythm.h"

#include <gtest/gtest.h>

#include <vector>

#include "domain/burst.h"
#include "domain/case_stats.h"

namespace jiceng::domain {
namespace {

Date date(int y, unsigned m, unsigned d) {
  return Date(std::chrono::year(y) / std::chrono::month(m) / std::chrono::day(d));
}

// 2026's National Day: 1–7 October off, Sunday 20 September and Saturday 10 October worked.
WorkCalendar national_day_2026() {
  std::vector<CalendarDay> days;
  for (unsigned d = 1; d <= 7; ++d)
    days.push_back({date(2026, 10, d), DayKind::kHoliday, "国庆节"});
  days.push_back({date(2026, 9, 20), DayKind::kWorkday, "国庆节"});
  days.push_back({date(2026, 10, 10), DayKind::kWorkday, "国庆节"});
  return WorkCalendar(std::move(days));
}

TEST(DayType, FollowsTheOfficialCalendar) {
  const WorkCalendar calendar = national_day_2026();
  struct Case {
    Date day;
    DayType expected;
  };
  const Case cases[] = {
      {date(2026, 9, 18), DayType::kWorking},   // a Friday
      {date(2026, 9, 19), DayType::kWeekend},   // a Saturday
      {date(2026, 9, 20), DayType::kWorking},   // a Sunday worked (调休上班)
      {date(2026, 10, 3), DayType::kHoliday},   // a Saturday inside the holiday
      {date(2026, 10, 7), DayType::kHoliday},   // a Wednesday off
      {date(2026, 10, 10), DayType::kWorking},  // a Saturday worked
      {date(2026, 10, 11), DayType::kWeekend},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(day_type(calendar, c.day), c.expected) << format_date(c.day);
  }
}

TEST(DayRhythm, WithoutACalendarEveryDayWeighsOne) {
  const DayRhythm flat;
  for (Date d : {date(2026, 10, 3), date(2026, 10, 11), date(2026, 10, 12)}) {
    EXPECT_EQ(flat.weight(day_bucket(d)), 1.0);
  }
}

TEST(DayRhythm, EstimatesEachKindAgainstTheWorkingDays) {
  const WorkCalendar calendar = national_day_2026();
  // 14 September … 11 October: 100 cases a working day, 60 a weekend day, 20 a holiday.
  const Date first = date(2026, 9, 14);
  std::vector<std::int64_t> daily;
  for (Date d = first; d <= date(2026, 10, 11); d += std::chrono::days(1)) {
    const DayType t = day_type(calendar, d);
    daily.push_back(t == DayType::kWorking ? 100 : t == DayType::kWeekend ? 60 : 20);
  }
  const DayRhythm rhythm = DayRhythm::estimate(calendar, daily, day_bucket(first));
  // 4 weekend days (240 cases) and 7 holidays (140), each pulled towards 1 by 5 cases.
  EXPECT_DOUBLE_EQ(rhythm.weekend(), 245.0 / 405.0);
  EXPECT_DOUBLE_EQ(rhythm.holiday(), 145.0 / 705.0);
  EXPECT_DOUBLE_EQ(rhythm.weight(day_bucket(date(2026, 10, 10))), 1.0);
  EXPECT_DOUBLE_EQ(rhythm.weight(day_bucket(date(2026, 10, 11))), 245.0 / 405.0);
  EXPECT_DOUBLE_EQ(rhythm.weight(day_bucket(date(2026, 10, 2))), 145.0 / 705.0);
}

TEST(DayRhythm, FallsBackWhenAKindIsMissingOrTheStreamIsEmpty) {
  const WorkCalendar calendar = national_day_2026();
  // Two ordinary weeks in August: no holiday, so holidays weigh as weekends.
  const Date first = date(2026, 8, 3);  // a Monday
  const std::vector<std::int64_t> weeks = {10, 10, 10, 10, 10, 4, 4, 10, 10, 10, 10, 10, 4, 4};
  const DayRhythm rhythm = DayRhythm::estimate(calendar, weeks, day_bucket(first));
  EXPECT_DOUBLE_EQ(rhythm.weekend(), 21.0 / 45.0);
  EXPECT_DOUBLE_EQ(rhythm.holiday(), rhythm.weekend());
  // Nothing on working days: no rhythm to read.
  const std::vector<std::int64_t> empty(14, 0);
  const DayRhythm none = DayRhythm::estimate(calendar, empty, day_bucket(first));
  EXPECT_EQ(none.weekend(), 1.0);
  EXPECT_EQ(none.holiday(), 1.0);
  // A line closed at weekends still weighs them a tenth of a working day.
  const DayRhythm closed(calendar, 0, 0.02);
  EXPECT_EQ(closed.weekend(), DayRhythm::kMinWeight);
  EXPECT_EQ(closed.holiday(), DayRhythm::kMinWeight);
}

TEST(Dispersion, IsMeasuredAroundTheRhythm) {
  // Four weeks of 10 cases a working day and 2 a weekend day: steady, once the weekend's
  // weight (0.2) is known; much dispersed to a test that expects every day alike.
  std::vector<std::int64_t> counts;
  std::vector<double> weights;
  for (int d = 0; d < 28; ++d) {
    const bool weekend = d % 7 >= 5;
    counts.push_back(weekend ? 2 : 10);
    weights.push_back(weekend ? 0.2 : 1);
  }
  EXPECT_DOUBLE_EQ(dispersion_of(counts, weights), 1.0);
  EXPECT_GT(dispersion_of(counts), 1.5);
  // Weights of 1 are the unweighted estimate.
  const std::vector<std::int64_t> swinging = {0, 6, 0, 6};
  const std::vector<double> ones(4, 1.0);
  EXPECT_DOUBLE_EQ(dispersion_of(swinging, ones), dispersion_of(swinging));
}

TEST(AssessBurst, TheWeekAfterAHolidayIsTestedAgainstWorkingDays) {
  const WorkCalendar calendar = national_day_2026();
  const DayRhythm rhythm(calendar, 0.6, 0.3);
  // A township's category: a case on three working days of four in the 28 days before
  // 8 October, none on rest days — 7 of which are the National Day holiday.
  std::vector<CellDay> days;
  std::int64_t person = 0;
  int working = 0;
  for (Date d = date(2026, 9, 10); d <= date(2026, 10, 7); d += std::chrono::days(1)) {
    if (day_type(calendar, d) != DayType::kWorking || working++ % 4 == 3) continue;
    days.push_back({.day = day_bucket(d), .cases = 1, .people = {person++}});
  }
  // Then 4, 4 and 5 people on the three working days 8–10 October.
  for (Date d = date(2026, 10, 8); d <= date(2026, 10, 10); d += std::chrono::days(1)) {
    const int n = d == date(2026, 10, 10) ? 5 : 4;
    days.push_back({.day = day_bucket(d), .cases = n, .people = {}});
    for (int i = 0; i < n; ++i) days.back().people.push_back(person++);
  }
  const std::int64_t today = day_bucket(date(2026, 10, 10));
  // Every day alike: 12 cases in 28 days make 0.43 a day, and 13 people in three days
  // p ≈ 1·10⁻⁹. Weighed, the same cases came on 16 working days and quiet rest days (5 weekend
  // days of 0.6, 7 holidays of 0.3: 21.1 working days): 0.57 a working day, p ≈ 3·10⁻⁸, no
  // burst.
  auto flat = assess_burst(days, today, today - 100);
  ASSERT_TRUE(flat);
  EXPECT_EQ(flat->people, 13);
  EXPECT_FALSE(assess_burst(days, today, today - 100, {}, rhythm));
  // One more person is one too many for the weighed test too (p ≈ 4·10⁻⁹).
  days.back().people.push_back(person++);
  days.back().cases += 1;
  auto weighed = assess_burst(days, today, today - 100, {}, rhythm);
  ASSERT_TRUE(weighed);
  EXPECT_EQ(weighed->people, 14);
  EXPECT_NEAR(weighed->baseline_rate, 12 / 21.1, 1e-9) << "expected cases a day of the window";
}

}  // namespace
}  // namespace jiceng::domain
