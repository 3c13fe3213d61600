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
    const Instant warn = c.warn_at ? *c.warn_at
                                   : fraction_point(*c.clock_started_at, *c.deadline_at,
                                                    kWarnFraction);
    return std::min(warn, *c.deadline_at);
  }
  return c.deadline_at;
}

Period running_period(const Case& c, const ClockPeriods& periods) {
  if (c.clock_limit) return *c.clock_limit;
  switch (c.clock) {
    case ClockKind::kAcceptance:
      return periods.acceptance;
    case ClockKind::kReviewReply:
      return periods.review_reply;
    case ClockKind::kNone:
    case ClockKind::kHandling:
      break;
  }
  return periods.handling;
}

void apply_clock_effect(Case& c, ClockEffect effect, Instant at, const ClockPeriods& periods,
                        int extension_days, const WorkCalendar& calendar) {
  const auto deadline_before = c.deadline_at;
  const auto warn_before = c.warn_at;
  auto start = [&](ClockKind kind, Period period) {
    c.clock = kind;
    c.clock_started_at = at;
    c.extension_days = 0;
    c.clock_limit = period;
    const ClockTimes times = clock_times(at, period, 0, kWarnFraction, calendar);
    c.deadline_at = times.deadline;
    c.warn_at = times.warn_at;
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
      const Period period = running_period(c, periods);
      c.extension_days += extension_days;
      c.deadline_at = extend_deadline(c.deadline_at.value_or(at), period.unit, extension_days,
                                      calendar);
      const Instant started = c.clock_started_at.value_or(at);
      c.warn_at = std::min(
          period.unit == PeriodUnit::kWorkingDays
              ? working_fraction_point(started, period.amount + c.extension_days, kWarnFraction,
                                       calendar)
              : fraction_point(started, *c.deadline_at, kWarnFraction),
          *c.deadline_at);
      break;
    }
    case ClockEffect::kReviewReply:
      start(ClockKind::kReviewReply, periods.review_reply);
      break;
    case ClockEffect::kStop:
      c.clock = ClockKind::kNone;
      c.clock_started_at.reset();
      c.deadline_at.reset();
      c.warn_at.reset();
      c.extension_days = 0;
      c.clock_limit.reset();
      break;
  }
  // A new clock, or one moved: its warning and breach are still to come (a clock started anew
  // may end where the last one did, with another warning point).
  if (c.deadline_at != deadline_before || c.warn_at != warn_before) c.warned = c.breached = false;
}

std::optional<ClockTimes> recomputed_clock(const Case& c, const ClockPeriods& periods,
                                           const WorkCalendar& calendar) {
  if (c.clock == ClockKind::kNone || !c.clock_started_at || !c.deadline_at) return std::nullopt;
  return clock_times(*c.clock_started_at, running_period(c, periods), c.extension_days,
                     kWarnFraction, calendar);
}

}  // namespace jiceng::domain
