// A case as stored: the common core every kind shares, and its append-only history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/date.h"
#include "common/error.h"
#include "domain/calendar.h"
#include "domain/case_intake.h"
#include "domain/deadline.h"
#include "domain/workflow.h"

namespace jiceng::domain {

// Which deadline is running on a case.
enum class ClockKind { kNone, kAcceptance, kHandling, kReviewReply };
std::string_view to_string(ClockKind k);  // "none", "acceptance", "handling", "review_reply"
[[nodiscard]] Result<ClockKind> clock_kind_from_string(std::string_view s);

// The resident's rating at follow-up (回访).
enum class Rating { kNone, kSatisfied, kBasicallySatisfied, kUnsatisfied };
std::string_view to_string(Rating r);  // "", "satisfied", "basically_satisfied", "unsatisfied"
std::string_view label_zh(Rating r);   // "", "满意", "基本满意", "不满意"
[[nodiscard]] Result<Rating> rating_from_string(std::string_view s);

struct Case {
  std::string number{};         // "360602-2026-000123"
  std::string tracking_code{};  // "7K2M-9QXD-4HTR"
  CaseKind kind = CaseKind::kDemand;
  std::string category_code{};
  std::string place_code{};
  std::string county_code{};
  std::string address{};
  std::optional<GeoPoint> point{};
  bool anonymous = false;
  std::string submitter_name{};
  std::string submitter_contact{};
  std::string description{};
  Channel channel = Channel::kWeb;
  std::optional<std::int64_t> unit_id{};
  CaseState state = CaseState::kRegistered;
  std::int64_t version = 1;
  Instant received_at{};
  Instant created_at{};
  Instant updated_at{};
  ClockKind clock = ClockKind::kNone;
  std::optional<Instant> clock_started_at{};
  std::optional<Instant> deadline_at{};
  // When the running clock's warning is due: kWarnFraction of the limit's own time (working time
  // for a working-day limit). Stored so that the scheduler needs no calendar; nullopt for a row
  // written before 0025 without one (next_timer then takes kWarnFraction of the wall-clock span).
  std::optional<Instant> warn_at{};
  bool warned = false;    // the running clock's warning was raised
  bool breached = false;  // the running clock's deadline passed
  int extensions = 0;     // extensions granted over the case's life
  // The days the running clock was extended by in all, counted in its limit's unit: with
  // clock_started_at and the limit, what its deadline is computed from again when the calendar
  // changes (CaseService::refresh_calendar).
  int extension_days = 0;
  // The limit the running clock counts (the category's, the rules' or a dispatch's time limit
  // when it started; a later change to them applies to new clocks only). nullopt for a clock
  // started before 0025 whose limit was not known then: the limit in force is taken.
  std::optional<Period> clock_limit{};
  std::string reply{};
  std::optional<Instant> replied_at{};
  Rating rating = Rating::kNone;
  std::string merged_into{};  // the case this one was merged into; "" if none
  // The resident account the case belongs to (nullopt: anonymous or registered by staff).
  std::optional<std::int64_t> resident_id{};
  // The unit a whistle-blowing case accuses: it never sees the case, nor is it routed there.
  std::optional<std::int64_t> accused_unit_id{};
};

// The share of a clock's time after which a warning is raised (预警).
inline constexpr double kWarnFraction = 0.8;

// When the scheduler next has work for the case: the warning point (warn_at, or kWarnFraction of
// the time from clock_started_at to deadline_at when none is stored; never after the deadline)
// until the warning is raised, then the deadline until it is breached; nullopt when no clock
// runs or both happened.
std::optional<Instant> next_timer(const Case& c);

// The periods the clocks run for (app::CaseRules and the category's time limit supply them).
struct ClockPeriods {
  Period acceptance;    // a petition's decision on acceptance (15 days)
  Period handling;      // the category's limit for a demand, 60 days for a petition
  Period review_reply;  // the reply to a review or re-review (30 days)
};

// The limit the case's running clock counts: clock_limit, or the one of `periods` for the clock
// (handling when no clock runs).
Period running_period(const Case& c, const ClockPeriods& periods);

// Applies a command's clock effect to `c` at `at`: starts the acceptance clock (petitions only),
// the handling or the review-reply clock, extends the deadline by `extension_days` (kExtend), or
// stops the clock. The extension is counted as the running clock's period is: working days after
// the last day for a working-day limit, calendar days after it (moved past a rest day at the
// end) for a calendar-day one, and 24 hours a day on the clock for an hour limit. warn_at and
// extension_days follow (clock_times). A deadline or warning point that changes clears warned
// and breached: a new clock.
void apply_clock_effect(Case& c, ClockEffect effect, Instant at, const ClockPeriods& periods,
                        int extension_days, const WorkCalendar& calendar);

// The running clock's deadline and warning point computed again on `calendar` from
// clock_started_at, its limit (running_period) and extension_days; nullopt when no clock runs. An extension is
// counted as one of extension_days from the limit's end: the same as the extensions one by one
// for working days and hours, and for calendar days unless an earlier extension ended on a rest
// day (the workflow allows one extension, so it never does).
std::optional<ClockTimes> recomputed_clock(const Case& c, const ClockPeriods& periods,
                                           const WorkCalendar& calendar);

struct CaseEvent {
  int seq = 0;  // 1, 2, … per case
  Instant at{};
  std::string actor{};    // who: a user name, "resident", "system"
  std::string command{};  // "register", a Command's name, or a system event ("warn", "breach")
  std::optional<CaseState> from{};
  CaseState to = CaseState::kRegistered;
  std::optional<std::int64_t> unit_id{};
  std::string note{};
  bool is_public = true;  // on the resident's tracking page
};

}  // namespace jiceng::domain
