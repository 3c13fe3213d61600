#include "domain/deadline.h"

#include <fmt/format.h>

#include <algorithm>
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

std::string period_text(const Period& p, bool english) {
  switch (p.unit) {
    case PeriodUnit::kHours:
      return english ? fmt::format("{} hours", p.amount) : fmt::format("{} 小时", p.amount);
    case PeriodUnit::kCalendarDays:
      return english ? fmt::format("{} calendar days", p.amount)
                     : fmt::format("{} 个自然日", p.amount);
    case PeriodUnit::kWorkingDays:
      return english ? fmt::format("{} working days", p.amount)
                     : fmt::format("{} 个工作日", p.amount);
  }
  return std::to_string(p.amount);
}

std::string format_china_deadline(Instant t) {
  const Date day = china_date(t);
  if (china_midnight(day) == t) return format_date(day - std::chrono::days(1)) + " 24:00";
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(t - china_midnight(day));
  return fmt::format("{} {:02}:{:02}", format_date(day), minutes.count() / 60,
                     minutes.count() % 60);
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

Instant working_fraction_point(Instant start, int working_days, double fraction,
                               const WorkCalendar& calendar) {
  constexpr std::int64_t kDay = std::chrono::microseconds(std::chrono::days(1)).count();
  const auto target = static_cast<std::int64_t>(
      std::llround(static_cast<double>(working_days) * fraction * static_cast<double>(kDay)));
  const int whole = static_cast<int>(target / kDay);
  const std::int64_t part = target % kDay;
  const Date first = china_date(start);
  if (part == 0) {
    // Reached at the end of the whole-th working day (the start day itself when whole is 0).
    return china_midnight(calendar.add_working_days(first, whole) + std::chrono::days(1));
  }
  return china_midnight(calendar.add_working_days(first, whole + 1)) +
         std::chrono::microseconds(part);
}

Instant extend_deadline(Instant deadline, PeriodUnit unit, int days, const WorkCalendar& calendar) {
  const Date last_day = china_date(deadline - std::chrono::microseconds(1));
  switch (unit) {
    case PeriodUnit::kHours:
      return deadline + std::chrono::days(days);
    case PeriodUnit::kCalendarDays:
      return china_midnight(calendar.period_end_calendar_days(last_day, days) +
                            std::chrono::days(1));
    case PeriodUnit::kWorkingDays:
      return china_midnight(calendar.add_working_days(last_day, days) + std::chrono::days(1));
  }
  return deadline;
}

ClockTimes clock_times(Instant start, Period period, int extension_days, double fraction,
                       const WorkCalendar& calendar) {
  Instant deadline = period_end(start, period, calendar);
  if (extension_days > 0)
    deadline = extend_deadline(deadline, period.unit, extension_days, calendar);
  const Instant warn =
      period.unit == PeriodUnit::kWorkingDays
          ? working_fraction_point(start, period.amount + extension_days, fraction, calendar)
          : fraction_point(start, deadline, fraction);
  return {deadline, std::min(warn, deadline)};
}

bool counted_on_uncovered_years(Instant start, Instant deadline, PeriodUnit unit,
                                const WorkCalendar& calendar) {
  if (unit == PeriodUnit::kHours) return false;
  const auto year = [](Date d) { return static_cast<int>(std::chrono::year_month_day(d).year()); };
  const int last = year(china_date(deadline - std::chrono::microseconds(1)));
  const int first = unit == PeriodUnit::kCalendarDays ? last : year(china_date(start));
  for (int y = first; y <= last; ++y) {
    if (!calendar.covers_year(y)) return true;
  }
  return false;
}

}  // namespace jiceng::domain
