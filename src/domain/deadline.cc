#include "domain/deadline.h"

#include <cmath>

namespace jiceng::domain {

std::string_view to_string(PeriodUnit unit) {
  switch (unit) {
    case PeriodUnit::kHours:
      return "hours";
    case PeriodUnit::kCalendarDays:
      return "calendar_days";
    case PeriodUnit::kWorkingDays:
      return "working_days";
  }
  return "calendar_days";
}

Result<PeriodUnit> period_unit_from_string(std::string_view s) {
  if (s == "hours") return PeriodUnit::kHours;
  if (s == "calendar_days") return PeriodUnit::kCalendarDays;
  if (s == "working_days") return PeriodUnit::kWorkingDays;
  return Error::invalid_argument("a period unit is hours, calendar_days or working_days")
      .zh("时限单位须为 hours（小时）、calendar_days（自然日）或 working_days（工作日）");
}

Date china_date(Instant t) { return std::chrono::floor<std::chrono::days>(t + kChinaOffset); }

Instant china_midnight(Date d) {
  return std::chrono::time_point_cast<std::chrono::microseconds>(Instant(d.time_since_epoch()) -
                                                                 kChinaOffset);
}

Instant period_end(Instant start, Period period, const WorkCalendar& calendar) {
  switch (period.unit) {
    case PeriodUnit::kHours:
      return start + std::chrono::hours(period.amount);
    case PeriodUnit::kCalendarDays:
      return china_midnight(calendar.period_end_calendar_days(china_date(start), period.amount) +
                            std::chrono::days(1));
    case PeriodUnit::kWorkingDays:
      return china_midnight(calendar.period_end_working_days(china_date(start), period.amount) +
                            std::chrono::days(1));
  }
  return start;
}

Instant fraction_point(Instant start, Instant end, double fraction) {
  auto span = (end - start).count();
  return start + std::chrono::microseconds(
                     static_cast<std::int64_t>(std::llround(static_cast<double>(span) * fraction)));
}

}  // namespace jiceng::domain
