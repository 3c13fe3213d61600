// The working-day calendar (工作日历): weekends, official holidays and make-up workdays
// (调休上班日), and the counting of periods in calendar days and in working days (民法典 Arts.
// 200-204). Pure: the official days are passed in (app/calendar_json.h reads them); no I/O, no
// clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/date.h"

namespace jiceng::domain {

enum class DayKind {
  kHoliday = 1,  // an official day off (法定节假日), weekend days inside a holiday block included
  kWorkday = 2,  // a make-up working day (调休上班), usually a Saturday or Sunday
};

struct CalendarDay {
  Date day;
  DayKind kind = DayKind::kHoliday;
  std::string name;  // the holiday it belongs to, e.g. "国庆节"

  bool operator==(const CalendarDay&) const = default;
};

// Which days are working days. Immutable after construction, so safe to share between threads.
// Outside the years of loaded data only weekends are rest days.
class WorkCalendar {
 public:
  // Saturdays and Sundays are rest days, every other day is a working day.
  WorkCalendar() = default;
  // Weekends plus the official days. A day listed twice takes its last entry.
  explicit WorkCalendar(std::vector<CalendarDay> days);

  // True for a Monday-to-Friday day that is not a holiday, and for a make-up workday.
  bool is_working_day(Date d) const;
  bool is_rest_day(Date d) const { return !is_working_day(d); }

  // The official entry for d, or nullptr when d is an ordinary weekday or weekend day.
  // The pointer stays valid as long as the calendar.
  const CalendarDay* find(Date d) const;

  // Plain calendar arithmetic: start + n days.
  Date add_days(Date start, int n) const;
  // The n-th working day after start, start itself not counted; start when n == 0.
  // Precondition: n >= 0.
  Date add_working_days(Date start, int n) const;

  // The last day of a period of n calendar days starting on `start`: the start day is not
  // counted, so it is start + n; when that is a rest day (weekend or holiday, but not a make-up
  // workday) the period ends on the first working day after it. Precondition: n >= 0.
  Date period_end_calendar_days(Date start, int n) const;
  // The last day of a period of n working days (工作日) starting on `start`: add_working_days.
  Date period_end_working_days(Date start, int n) const { return add_working_days(start, n); }

  // The first and last year with official entries; nullopt when none were loaded.
  std::optional<std::pair<int, int>> covered_years() const;
  // Whether the year has official entries: outside such a year only weekends are rest days, and
  // a deadline counted there is provisional (the State Council publishes each year's schedule
  // late in the year before).
  bool covers_year(int year) const;
  // The years between the first and the last with official entries that have none (a year's
  // notice not imported), ascending: deadlines there count weekends only although the calendar
  // reaches past them.
  std::vector<int> missing_years() const;
  // Seen from this_year, the last year through which deadlines count on official days: the last
  // year with entries when that is before this_year, else the year before the first year from
  // this_year on without entries (this_year - 1 when this_year has none). 0 when no entries.
  int covered_until(int this_year) const;

 private:
  std::vector<CalendarDay> days_;   // sorted by day, one entry per day
  std::vector<std::uint8_t> kind_;  // kind_[d - days_.front().day]: 0 ordinary, else DayKind
  std::vector<int> years_;          // the years with entries, ascending
};

}  // namespace jiceng::domain
