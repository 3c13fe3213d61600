// Time limits (时限) and the instants they end at. A limit is counted the way Chinese law
// counts periods (民法典 Arts. 200-204, see RULES.md): in hours on the clock; in calendar days
// from the day after the start, ending at 24:00 China Standard Time of the last day, moved to
// the next working day when that day is a rest day; or in working days (工作日).
#pragma once

#include <string>
#include <string_view>

#include "common/date.h"
#include "common/error.h"
#include "domain/calendar.h"

namespace jiceng::domain {

enum class PeriodUnit { kHours, kCalendarDays, kWorkingDays };
std::string_view to_string(PeriodUnit unit);  // "hours", "calendar_days", "working_days"
[[nodiscard]] Result<PeriodUnit> period_unit_from_string(std::string_view s);

struct Period {
  int amount = 0;  // > 0
  PeriodUnit unit = PeriodUnit::kCalendarDays;

  bool operator==(const Period&) const = default;
};

// "5 个工作日", "24 小时", "15 个自然日"; in English "5 working days", "24 hours", "15 calendar
// days".
std::string period_text(const Period& p, bool english);

// China Standard Time is UTC+8 all year (no daylight saving since 1991).
constexpr std::chrono::hours kChinaOffset{8};
// The civil day in China on which the instant falls.
Date china_date(Instant t);
// 00:00 China Standard Time at the start of d, as a UTC instant.
Instant china_midnight(Date d);

// A deadline as China reads it: "2027-02-15 24:00" for the end of a day (a day-count limit),
// else "2027-02-15 10:30" (China Standard Time).
std::string format_china_deadline(Instant t);

// When a period that starts at `start` ends: for hours, start + amount hours; for days, 24:00
// CST of the period's last day (that is, the next day's 00:00 CST).
Instant period_end(Instant start, Period period, const WorkCalendar& calendar);

// The instant at which `fraction` (0..1) of the wall-clock time from start to end has passed:
// the warning point (预警) of a limit in hours or calendar days.
Instant fraction_point(Instant start, Instant end, double fraction);

// The first instant at which `fraction` (0..1) of `working_days` working days' time has passed,
// counting from the day after start (as period_end counts them) and only the time of working
// days: the warning point of a working-day limit. A 15-working-day limit warns once 12 working
// days have passed, however long a holiday lies between; 0.8 of 7 days is 5 days and 14.4 hours
// into the 6th working day. Precondition: working_days >= 0.
Instant working_fraction_point(Instant start, int working_days, double fraction,
                               const WorkCalendar& calendar);

// A deadline moved by an extension of `days`, counted as the limit's unit counts (working days
// after the last day, calendar days after it moved past a rest day at the end, or 24 hours a
// day on the clock).
Instant extend_deadline(Instant deadline, PeriodUnit unit, int days, const WorkCalendar& calendar);

// The deadline and the warning point of a clock that started at `start` with `period`, extended
// by `extension_days` in all (0: none): the deadline as period_end and extend_deadline count
// it, the warning point at `fraction` of the limit's own time (working time for working days,
// wall-clock time otherwise).
struct ClockTimes {
  Instant deadline;
  Instant warn_at;
};
ClockTimes clock_times(Instant start, Period period, int extension_days, double fraction,
                       const WorkCalendar& calendar);

// Whether a deadline counted in `unit` from start to deadline depends on days the calendar has
// no official entries for (WorkCalendar::covers_year): a calendar-day limit on its last day's
// year, a working-day limit on every year it spans. Hours never are.
bool counted_on_uncovered_years(Instant start, Instant deadline, PeriodUnit unit,
                                const WorkCalendar& calendar);

}  // namespace jiceng::domain
