// Time limits (时限) and the instants they end at. A limit is counted the way Chinese law
// counts periods (民法典 Arts. 200-204, see RULES.md): in hours on the clock; in calendar days
// from the day after the start, ending at 24:00 China Standard Time of the last day, moved to
// the next working day when that day is a rest day; or in working days (工作日).
#pragma once

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

// China Standard Time is UTC+8 all year (no daylight saving since 1991).
constexpr std::chrono::hours kChinaOffset{8};
// The civil day in China on which the instant falls.
Date china_date(Instant t);
// 00:00 China Standard Time at the start of d, as a UTC instant.
Instant china_midnight(Date d);

// When a period that starts at `start` ends: for hours, start + amount hours; for days, 24:00
// CST of the period's last day (that is, the next day's 00:00 CST).
Instant period_end(Instant start, Period period, const WorkCalendar& calendar);

// The instant at which `fraction` (0..1) of the time from start to end has passed, used for the
// warning raised before a breach (e.g. 0.8).
Instant fraction_point(Instant start, Instant end, double fraction);

}  // namespace jiceng::domain
