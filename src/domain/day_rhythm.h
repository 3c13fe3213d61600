// The week's and the holidays' rhythm of a case stream (docs/SIGNALS.md, "The calendar"): how
// many cases a weekend day or an official holiday brings next to a working day (工作日), so
// that a baseline which holds the National Day week is not read as a quiet fortnight, and a
// Monday after it is not read as a burst. Pure: the calendar and the counts come in.
#pragma once

#include <cstdint>
#include <span>

#include "domain/calendar.h"

namespace jiceng::domain {

// The kind of a day for the rhythm. Make-up working days (调休上班) are working days; the
// weekend days inside a holiday block are holidays.
enum class DayType { kWorking, kWeekend, kHoliday };

DayType day_type(const WorkCalendar& calendar, Date d);

// The expected cases of a day relative to a working day of the same cell: 1 for a working day,
// `weekend` for an ordinary Saturday or Sunday, `holiday` for an official holiday. The default
// (no calendar) weighs every day 1: the detector's test without the calendar.
class DayRhythm {
 public:
  // The least weight a kind of day gets: a rest day with a tenth of a working day's cases is
  // the quietest a line that never closes has; below it a few rest-day cases would look
  // arbitrarily unlikely.
  static constexpr double kMinWeight = 0.1;
  // Cases a kind's weight is pulled towards 1 by, as if that many more had come at the
  // working-day rate: a kind of day with few cases behind it stays near 1.
  static constexpr double kPriorCases = 5;

  DayRhythm() = default;
  // `calendar` must outlive the rhythm. Weights below kMinWeight are raised to it.
  DayRhythm(const WorkCalendar& calendar, double weekend, double holiday);

  // The rhythm of a whole stream (the deployment's cases a day over all cells; daily[i] is
  // day first_day + i's): each kind's cases a day over the working days', shrunk towards 1 by
  // kPriorCases. A kind without a day in the period takes the weekend's weight (a holiday) or
  // 1 (a weekend); no working day with a case gives weights of 1.
  static DayRhythm estimate(const WorkCalendar& calendar, std::span<const std::int64_t> daily,
                            std::int64_t first_day);

  // The weight of a day number (days since 1970-01-01).
  double weight(std::int64_t day) const;
  double weekend() const { return weekend_; }
  double holiday() const { return holiday_; }

 private:
  const WorkCalendar* calendar_ = nullptr;
  double weekend_ = 1;
  double holiday_ = 1;
};

}  // namespace jiceng::domain
