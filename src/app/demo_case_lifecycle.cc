#include "app/demo_case_lifecycle.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <optional>

#include "app/demo_case_texts.h"
#include "domain/case_notes.h"
#include "domain/deadline.h"
#include "domain/workflow.h"

namespace jiceng::app {

namespace {

using demo::days;
using demo::hours;
using demo::Micros;
using demo::minutes;
using domain::Case;
using domain::CaseEvent;
using domain::CaseKind;
using domain::CaseState;
using domain::ClockKind;
using domain::Command;

// What a workflow command carries (CommandInput, as the script fills it).
struct Input {
  std::string note{};
  std::string reply{};
  const domain::Unit* unit = nullptr;
  domain::Rating rating = domain::Rating::kNone;
  int extension_days = 0;
  std::optional<domain::Period> time_limit{};  // 交办 "限 N 日内办结" (a demand's)
};

// One case's life; see live_demo_case.
class Life {
 public:
  Life(const DemoLife& life, Case& c, std::vector<CaseEvent>& events)
      : life_(life), texts_(demo_texts()), c_(c), events_(events), last_(events.back().at) {}

  void run() {
    if (c_.kind == CaseKind::kPetition) {
      script_petition();
    } else {
      script_demand();
    }
    run_timers(life_.world.now);
  }

 private:
  void script_demand();
  void script_petition();
  bool handle(double extension_share);
  void after_reply_demand();
  bool command(Command command, Instant at, std::string actor, Input in = {});
  void run_timers(Instant until);
  void timer_step(Instant tick);

  // The case stops here: nobody takes the next step (the backlog every office has).
  bool stalls(double p) {
    if (life_.rng.chance(p)) done_ = true;
    return done_;
  }
  const domain::Unit* unit_by_id(std::optional<std::int64_t> id) const {
    if (!id) return nullptr;
    for (const auto& u : life_.place.chain) {
      if (u.id == *id) return &u;
    }
    return nullptr;
  }
  // The unit one level up from the case's (domain::escalation_target), or nullptr.
  const domain::Unit* unit_above() const {
    const domain::Unit* current = unit_by_id(c_.unit_id);
    if (!current) return nullptr;
    auto up = domain::escalation_target(
        life_.place.chain, {.place_code = life_.place.code, .kind = c_.kind, .department = ""},
        *current);
    return up ? unit_by_id(up->id) : nullptr;
  }
  std::string operator_name() { return demo_operator(life_.rng); }
  std::string handler_name() const {
    return c_.unit_id ? "handler." + std::to_string(*c_.unit_id) : "handler";
  }
  std::string leader_name() const { return "leader." + c_.county_code; }
  domain::Rating rating() {
    double r = life_.rng.uniform();
    return r < 0.78   ? domain::Rating::kSatisfied
           : r < 0.92 ? domain::Rating::kBasicallySatisfied
                      : domain::Rating::kUnsatisfied;
  }
  std::string remark(domain::Rating r) {
    return life_.say(r == domain::Rating::kUnsatisfied ? texts_.remarks_unsatisfied
                                                       : texts_.remarks_satisfied);
  }
  // People act in office hours, 8:00 to 18:00 China time: a step due at night waits for the
  // next morning. Urgent matters (a limit in hours: gas, power, water) are dispatched and
  // handled around the clock; the follow-up call still waits for the day.
  bool around_the_clock(Command command) const {
    if (life_.time_limit.unit != domain::PeriodUnit::kHours || c_.kind != CaseKind::kDemand) {
      return false;
    }
    switch (command) {
      case Command::kAccept:
      case Command::kDecline:
      case Command::kTransfer:
      case Command::kAssign:
      case Command::kReturn:
      case Command::kRedispatch:
      case Command::kStart:
      case Command::kResolve:
        return true;
      default:
        return false;
    }
  }
  Instant office_hours(Instant at) {
    const Instant midnight = domain::china_midnight(domain::china_date(at));
    const Micros start = std::chrono::hours(8) + minutes(life_.rng.uniform(0, 90));
    if (at - midnight < std::chrono::hours(8)) return midnight + start;
    if (at - midnight >= std::chrono::hours(18)) return midnight + std::chrono::days(1) + start;
    return at;
  }
  Micros scaled(Micros span, double lo, double hi) {
    return Micros(
        static_cast<std::int64_t>(static_cast<double>(span.count()) * life_.rng.uniform(lo, hi)));
  }

  const DemoLife& life_;
  const DemoTexts& texts_;
  Case& c_;
  std::vector<CaseEvent>& events_;
  Instant last_;  // the time of the last write
  bool done_ = false;
  bool reopened_ = false;
};

// 诉求: accept (or decline) within a small share of the limit, assign, handle, reply, follow up
// with the resident and close.
void Life::script_demand() {
  Case& c = c_;
  const Micros limit = *c.deadline_at - *c.clock_started_at;
  Instant t = c.created_at + std::clamp(scaled(limit, 0.01, 0.06), minutes(2), hours(20));
  if (stalls(0.012)) return;
  if (life_.rng.chance(0.04)) {
    command(Command::kDecline, t, operator_name(), {.note = life_.say(texts_.decline_reasons)});
    return;
  }
  if (life_.rng.chance(0.02)) {
    if (const domain::Unit* up = unit_above()) {
      if (!command(Command::kTransfer, t, operator_name(),
                   {.note = life_.say(texts_.transfer_reasons), .unit = up})) {
        return;
      }
      t = last_ + std::clamp(scaled(limit, 0.005, 0.03), minutes(2), hours(12));
    }
  }
  if (!command(Command::kAccept, t, operator_name())) return;
  if (stalls(0.008) || !c.unit_id) return;
  // Some urgent work orders get less time than the category's limit: half of it.
  std::optional<domain::Period> urgent;
  if (life_.time_limit.amount >= 2 && life_.rng.chance(0.06)) {
    urgent = domain::Period{life_.time_limit.amount / 2, life_.time_limit.unit};
  }
  if (!command(Command::kAssign,
               last_ + std::clamp(scaled(limit, 0.005, 0.04), minutes(2), hours(24)),
               operator_name(), {.unit = unit_by_id(c.unit_id), .time_limit = urgent})) {
    return;
  }
  if (!handle(0.06)) return;
  after_reply_demand();
}

// The handling clock runs: perhaps returned and re-dispatched, started, extended, then resolved
// with a written reply, mostly within the limit. False when the case stopped on the way.
bool Life::handle(double extension_share) {
  Case& c = c_;
  auto span = [&] { return *c.deadline_at - *c.clock_started_at; };
  if (life_.rng.chance(0.03)) {
    if (const domain::Unit* other = unit_above()) {
      // A petition's body objects within 5 working days of receipt (Art. 23): within three
      // days here (handle() follows the dispatch).
      const Instant at = c.kind == CaseKind::kPetition ? last_ + hours(life_.rng.uniform(2, 72))
                                                       : last_ + scaled(span(), 0.02, 0.15);
      if (!command(Command::kReturn, at, handler_name(),
                   {.note = life_.say(texts_.return_reasons)})) {
        return false;
      }
      if (stalls(0.05)) return false;
      if (!command(Command::kRedispatch, last_ + minutes(life_.rng.uniform(10, 360)),
                   operator_name(), {.unit = other})) {
        return false;
      }
    }
  }
  if (c.state == CaseState::kAssigned && life_.rng.chance(0.5)) {
    if (!command(Command::kStart, last_ + scaled(span(), 0.01, 0.12), handler_name())) {
      return false;
    }
  }
  if (stalls(c.state == CaseState::kInProgress ? 0.02 : 0.015)) return false;
  // When the reply comes, as a share of the handling time: mostly in time, some late.
  const double r = life_.rng.uniform();
  const double share = r < 0.88   ? life_.rng.uniform(0.1, 0.7)
                       : r < 0.97 ? life_.rng.uniform(0.7, 1.0)
                                  : life_.rng.uniform(1.0, 2.5);
  if (c.extensions == 0 && life_.rng.chance(extension_share)) {
    if (!command(Command::kRequestExtension, *c.clock_started_at + scaled(span(), 0.5, 0.75),
                 handler_name(), {.note = life_.say(texts_.extension_reasons)})) {
      return false;
    }
    if (stalls(0.08)) return false;
    const Instant decided = last_ + hours(life_.rng.uniform(2, 48));
    if (life_.rng.chance(0.8)) {
      if (!command(
              Command::kApproveExtension, decided, leader_name(),
              {.extension_days = life_.rng.between(5, life_.world.rules.max_extension_days)})) {
        return false;
      }
    } else if (!command(Command::kDenyExtension, decided, leader_name(),
                        {.note = life_.say(texts_.extension_denials)})) {
      return false;
    }
  }
  return command(Command::kResolve,
                 *c.clock_started_at +
                     Micros(static_cast<std::int64_t>(static_cast<double>(span().count()) * share)),
                 handler_name(), {.reply = life_.reply()});
}

// 回访 and 结案; an unsatisfied resident may get the case reworked (返工) once.
void Life::after_reply_demand() {
  Case& c = c_;
  if (stalls(0.01)) return;
  if (c.anonymous || life_.rng.chance(0.1)) {
    command(Command::kClose, last_ + hours(life_.rng.uniform(1, 72)), operator_name(),
            {.note = life_.say(texts_.closed_unreached)});
    return;
  }
  const domain::Rating r = rating();
  if (!command(Command::kFollowUp, last_ + hours(life_.rng.uniform(2, 72)), operator_name(),
               {.note = remark(r), .rating = r})) {
    return;
  }
  if (stalls(0.008)) return;
  if (r == domain::Rating::kUnsatisfied && !reopened_ && life_.rng.chance(0.5)) {
    reopened_ = true;
    if (!command(Command::kReopen, last_ + hours(life_.rng.uniform(1, 48)), operator_name(),
                 {.note = "群众不满意，重新办理"})) {
      return;
    }
    if (handle(0)) after_reply_demand();
    return;
  }
  command(Command::kClose, last_ + minutes(life_.rng.uniform(10, 2880)), operator_name());
}

// 信访: decide on acceptance within the 15 days, assign, handle within 60 days, reply, close;
// some petitioners ask for a review (复查) and then a re-review (复核).
void Life::script_petition() {
  Case& c = c_;
  if (stalls(0.012)) return;
  if (life_.rng.chance(0.06)) {
    command(Command::kDecline, c.created_at + days(life_.rng.uniform(2, 12)), operator_name(),
            {.note = life_.say(texts_.decline_reasons)});
    return;
  }
  if (!command(Command::kAccept, c.created_at + days(life_.rng.uniform(1, 10)), operator_name()))
    return;
  if (stalls(0.01) || !c.unit_id) return;
  if (!command(Command::kAssign, last_ + days(life_.rng.uniform(0.5, 4)), operator_name(),
               {.unit = unit_by_id(c.unit_id)})) {
    return;
  }
  if (!handle(0.10) || stalls(0.01)) return;
  if (c.anonymous || life_.rng.chance(0.08)) {
    if (!command(Command::kClose, last_ + days(life_.rng.uniform(1, 5)), operator_name(),
                 {.note = life_.say(texts_.closed_unreached)})) {
      return;
    }
  } else {
    const domain::Rating r = rating();
    if (!command(Command::kFollowUp, last_ + days(life_.rng.uniform(2, 10)), operator_name(),
                 {.note = remark(r), .rating = r}) ||
        stalls(0.008) ||
        !command(Command::kClose, last_ + days(life_.rng.uniform(1, 5)), operator_name())) {
      return;
    }
  }
  if (!life_.rng.chance(0.12)) return;
  const std::string reviewer = "reviewer." + c.county_code;
  if (!command(Command::kRequestReview, *c.replied_at + days(life_.rng.uniform(3, 25)), "resident",
               {.note = life_.say(texts_.review_requests)}) ||
      stalls(0.02) ||
      !command(Command::kReplyReview, last_ + days(life_.rng.uniform(10, 28)), reviewer,
               {.reply = life_.say(texts_.review_replies)})) {
    return;
  }
  if (!life_.rng.chance(0.3)) {
    command(Command::kClose, last_ + days(life_.rng.uniform(3, 10)), operator_name());
    return;
  }
  if (!command(Command::kRequestReReview, *c.replied_at + days(life_.rng.uniform(3, 25)),
               "resident", {.note = life_.say(texts_.re_review_requests)}) ||
      stalls(0.02)) {
    return;
  }
  command(Command::kReplyReReview, last_ + days(life_.rng.uniform(10, 28)), reviewer,
          {.reply = life_.say(texts_.re_review_replies)});
}

// Applies a command as CaseService::apply does, after the scheduler's steps due before it.
// False, taking nothing, when `at` is after now or the case stopped.
bool Life::command(Command command, Instant at, std::string actor, Input in) {
  if (done_) return false;
  at = std::max(at, last_ + std::chrono::seconds(1));
  if (!around_the_clock(command)) at = office_hours(at);
  if (at > life_.world.now) {
    done_ = true;
    return false;
  }
  run_timers(at);
  Case& c = c_;
  const domain::Transition* t = domain::find_transition(c.kind, c.state, command);
  assert(t && "the demo script gives only commands the workflow allows");
  if (!t) {
    done_ = true;
    return false;
  }
  const CaseState from = c.state;
  c.state = t->to;
  if (in.unit) c.unit_id = in.unit->id;
  if (!in.reply.empty()) {
    c.reply = in.reply;
    c.replied_at = at;
  }
  if (command == Command::kFollowUp) c.rating = in.rating;
  if (command == Command::kReopen) c.rating = domain::Rating::kNone;
  const CaseRules& rules = life_.world.rules;
  const bool limited = in.time_limit && t->takes_time_limit;
  domain::Period handling =
      c.kind == CaseKind::kPetition ? rules.petition_handling : life_.time_limit;
  if (limited) handling = *in.time_limit;
  domain::apply_clock_effect(c, t->clock, at,
                             {rules.petition_acceptance, handling, rules.review_reply},
                             in.extension_days, life_.world.calendar);
  c.updated_at = at;
  c.version += 1;
  std::string note = std::move(in.note);
  if (limited && c.deadline_at) {
    note = domain::notes::time_limit(*in.time_limit, *c.deadline_at, note);
  }
  if (command == Command::kApproveExtension) {
    note = domain::notes::extension(
        in.extension_days, c.clock_limit ? c.clock_limit->unit : domain::PeriodUnit::kCalendarDays,
        note);
  }
  if (command == Command::kFollowUp) {
    note = std::string(domain::label_zh(in.rating)) + (note.empty() ? "" : ": " + note);
  }
  events_.push_back(CaseEvent{.seq = static_cast<int>(events_.size()) + 1,
                              .at = at,
                              .actor = std::move(actor),
                              .command = std::string(domain::to_string(command)),
                              .from = from,
                              .to = c.state,
                              .unit_id = c.unit_id,
                              .note = std::move(note),
                              .is_public = t->public_event});
  last_ = at;
  return true;
}

// The scheduler (every 30 s in the server) takes each timer that falls due before `until`.
void Life::run_timers(Instant until) {
  while (auto due = domain::next_timer(c_)) {
    const Instant tick =
        std::max(*due, last_ + std::chrono::seconds(1)) + Micros(life_.rng.between(0, 30'000'000));
    if (tick >= until) return;
    timer_step(tick);
  }
}

// One step of CaseService::run_due_timers: the warning, then the breach, which moves a case whose
// handling deadline passed one level up. One write.
void Life::timer_step(Instant tick) {
  Case& c = c_;
  auto add = [&](std::string command, std::string note, bool is_public) {
    events_.push_back(CaseEvent{.seq = static_cast<int>(events_.size()) + 1,
                                .at = tick,
                                .actor = "system",
                                .command = std::move(command),
                                .from = c.state,
                                .to = c.state,
                                .unit_id = c.unit_id,
                                .note = std::move(note),
                                .is_public = is_public});
  };
  if (!c.warned) {
    c.warned = true;
    add("warn", domain::notes::warned(c.clock, *c.deadline_at), false);
  }
  if (*c.deadline_at <= tick) {
    c.breached = true;
    add("breach", domain::notes::breached(c.clock, *c.deadline_at), true);
    if (life_.world.rules.escalate_on_breach && c.clock == ClockKind::kHandling &&
        domain::find_transition(c.kind, c.state, Command::kEscalate)) {
      if (const domain::Unit* up = unit_above()) {
        c.unit_id = up->id;
        add("escalate", domain::notes::escalated_on_breach(up->name), true);
      }
    }
  }
  c.updated_at = tick;
  c.version += 1;
  last_ = tick;
}

}  // namespace

void live_demo_case(const DemoLife& life, Case& c, std::vector<CaseEvent>& events) {
  Life(life, c, events).run();
}

std::string demo_operator(demo::Rng& rng) {
  return fmt::format("operator.{:02d}", rng.between(1, 24));
}

}  // namespace jiceng::app
