#include "domain/day_rhythm.h"

#include <algorithm>
#include <array>

#include "domain/case_stats.h"

namespace jiceng::domain {

DayType day_type(const WorkCalendar& calendar, Date d) {
  if (calendar.is_working_day(d)) return DayType::kWorking;
  const CalendarDay* entry = calendar.find(d);
  return entry && entry->kind == DayKind::kHoliday ? DayType::kHoliday : DayType::kWeekend;
}

DayRhythm::DayRhythm(const WorkCalendar& calendar, double weekend, double holiday)
    : calendar_(&calendar),
      weekend_(std::max(kMinWeight, weekend)),
      holiday_(std::max(kMinWeight, holiday)) {}

DayRhythm DayRhythm::estimate(const WorkCalendar& calendar, std::span<const std::int64_t> daily,
                              std::int64_t first_day) {
  // Cases and days per DayType.
  std::array<double, 3> cases{};
  std::array<double, 3> days{};
  for (std::size_t i = 0; i < daily.size(); ++i) {
    const auto type = static_cast<std::size_t>(
        day_type(calendar, date_of_day_bucket(first_day + static_cast<std::int64_t>(i))));
    cases[type] += static_cast<double>(daily[i]);
    days[type] += 1;
  }
  const auto working = static_cast<std::size_t>(DayType::kWorking);
  if (cases[working] <= 0) return DayRhythm(calendar, 1, 1);
  const double working_rate = cases[working] / days[working];
  auto weight_of = [&](DayType t, double otherwise) {
    const auto k = static_cast<std::size_t>(t);
    if (days[k] == 0) return otherwise;
    return (cases[k] + kPriorCases) / (days[k] * working_rate + kPriorCases);
  };
  const double weekend = weight_of(DayType::kWeekend, 1);
  return DayRhythm(calendar, weekend, weight_of(DayType::kHoliday, weekend));
}

double DayRhythm::weight(std::int64_t day) const {
  if (!calendar_) return 1;
  switch (day_type(*calendar_, date_of_day_bucket(day))) {
    case DayType::kWorking:
      return 1;
    case DayType::kWeekend:
      return weekend_;
    case DayType::kHoliday:
      return holiday_;
  }
  return 1;
}

}  // namespace jiceng::domain
