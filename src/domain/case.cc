#include "domain/case.h"

#include <algorithm>
#include <string>

#include "domain/deadline.h"

namespace jiceng::domain {

std::string_view to_string(ClockKind k) {
  switch (k) {
    case ClockKind::kNone:
      return "none";
    case ClockKind::kAcceptance:
      return "acceptance";
    case ClockKind::kHandling:
      return "handling";
    case ClockKind::kReviewReply:
      return "review_reply";
  }
  return "none";
}

Result<ClockKind> clock_kind_from_string(std::string_view s) {
  for (auto k :
       {ClockKind::kNone, ClockKind::kAcceptance, ClockKind::kHandling, ClockKind::kReviewReply}) {
    if (to_string(k) == s) return k;
  }
  return Error::invalid_argument("clock: unknown clock '" + std::string(s) + "'")
      .zh("未知的时限类型：" + std::string(s));
}

std::string_view to_string(Rating r) {
  switch (r) {
    case Rating::kNone:
      return "";
    case Rating::kSatisfied:
      return "satisfied";
    case Rating::kBasicallySatisfied:
      return "basically_satisfied";
    case Rating::kUnsatisfied:
      return "unsatisfied";
  }
  return "";
}

std::string_view label_zh(Rating r) {
  switch (r) {
    case Rating::kNone:
      return "";
    case Rating::kSatisfied:
      return "满意";
    case Rating::kBasicallySatisfied:
      return "基本满意";
    case Rating::kUnsatisfied:
      return "不满意";
  }
  return "";
}

Result<Rating> rating_from_string(std::string_view s) {
  for (auto r :
       {Rating::kNone, Rating::kSatisfied, Rating::kBasicallySatisfied, Rating::kUnsatisfied}) {
    if (to_string(r) == s) return r;
  }
  return Error::invalid_argument("rating: is one of satisfied, basically_satisfied, unsatisfied")
      .zh("评价（rating）：满意、基本满意或不满意");
}

std::optional<Instant> next_timer(const Case& c) {
  if (!c.deadline_at || c.breached) return std::nullopt;
  if (!c.warned && c.clock_started_at) {
    return std::min(fraction_point(*c.clock_started_at, *c.deadline_at, kWarnFraction),
                    *c.deadline_at);
  }
  return c.deadline_at;
}

void apply_clock_effect(Case& c, ClockEffect effect, Instant at, const ClockPeriods& periods,
                        int extension_days, const WorkCalendar& calendar) {
  const auto deadline_before = c.deadline_at;
  auto start = [&](ClockKind kind, Period period) {
    c.clock = kind;
    c.clock_started_at = at;
    c.deadline_at = period_end(at, period, calendar);
  };
  switch (effect) {
    case ClockEffect::kNone:
      break;
    case ClockEffect::kAcceptance:
      if (c.kind == CaseKind::kPetition) start(ClockKind::kAcceptance, periods.acceptance);
      break;
    case ClockEffect::kHandling:
      start(ClockKind::kHandling, periods.handling);
      break;
    case ClockEffect::kExtend: {
      ++c.extensions;
      // The extension is counted as the running clock's rule counts: working days on the
      // official calendar, calendar days (moved past a rest day at the end), or on the clock.
      const PeriodUnit unit = c.clock == ClockKind::kAcceptance    ? periods.acceptance.unit
                              : c.clock == ClockKind::kReviewReply ? periods.review_reply.unit
                                                                   : periods.handling.unit;
      const Instant base = c.deadline_at.value_or(at);
      const Date last_day = china_date(base - std::chrono::microseconds(1));
      switch (unit) {
        case PeriodUnit::kHours:
          c.deadline_at = base + std::chrono::days(extension_days);
          break;
        case PeriodUnit::kCalendarDays:
          c.deadline_at = china_midnight(
              calendar.period_end_calendar_days(last_day, extension_days) + std::chrono::days(1));
          break;
        case PeriodUnit::kWorkingDays:
          c.deadline_at = china_midnight(calendar.add_working_days(last_day, extension_days) +
                                         std::chrono::days(1));
          break;
      }
      break;
    }
    case ClockEffect::kReviewReply:
      start(ClockKind::kReviewReply, periods.review_reply);
      break;
    case ClockEffect::kStop:
      c.clock = ClockKind::kNone;
      c.clock_started_at.reset();
      c.deadline_at.reset();
      break;
  }
  if (c.deadline_at != deadline_before) c.warned = c.breached = false;
}

}  // namespace jiceng::domain
