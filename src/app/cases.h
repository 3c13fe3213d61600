// Use cases of the case workflow: register a demand or petition, look it up, track it, and
// apply workflow commands. Each is one transaction: new state + event, or nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/audit_trail.h"
#include "app/catalogue.h"
#include "app/repeats.h"
#include "app/track_cache.h"
#include "common/date.h"
#include "common/error.h"
#include "domain/access.h"
#include "domain/calendar.h"
#include "domain/case.h"
#include "domain/deadline.h"
#include "store/case_repo.h"
#include "store/database.h"

namespace jiceng::app {

// Who acts. Callers inside jiceng (the scheduler, the CLI, tests) state a name; requests act
// as a signed-in principal, or as the holder of a case's tracking code. With a principal or a
// tracking code, the access rules of domain/access.h apply and the audit log gets an entry in
// the same transaction; objects outside the principal's reach answer kNotFound.
struct Actor {
  std::string name = "resident";  // the name events record
  bool staff = false;             // may set received_at and register for someone else
  std::optional<domain::Principal> principal{};
  bool holds_tracking_code = false;  // an anonymous resident, by the case's tracking code
  RequestContext context{};
  // A signed-in resident acting, as by_tracking_code, through their own case that was merged
  // into the one acted on: the audit log names their account.
  std::optional<domain::Principal> account{};

  // A request's caller: staff, resident or app.
  static Actor of(const domain::Principal& p, RequestContext ctx);
  // An anonymous resident who holds the case's tracking code. `repeat`: the number of the case
  // whose code it is, when that case was merged into the one acted on (并单): the event then
  // names that case's submitter, and their words stay off the other case's public timeline.
  static Actor by_tracking_code(RequestContext ctx, std::string_view repeat = {});
  // A signed-in resident whose own case `repeat` was merged into the one acted on: as
  // by_tracking_code(ctx, repeat), their ownership checked by CaseService::carrier.
  static Actor owner_of_repeat(const domain::Principal& p, RequestContext ctx,
                               std::string_view repeat);
};

// Statutory periods (信访工作条例 Arts. 22-36) and the warning point; configurable per
// deployment, these are the defaults.
struct CaseRules {
  domain::Period petition_acceptance{15, domain::PeriodUnit::kCalendarDays};
  domain::Period petition_handling{60, domain::PeriodUnit::kCalendarDays};
  int max_extension_days = 30;
  domain::Period review_window{30, domain::PeriodUnit::kCalendarDays};
  domain::Period review_reply{30, domain::PeriodUnit::kCalendarDays};
  // A body objects to a petition assigned to it (退单 as 异议) within this of receipt (Art. 23).
  domain::Period objection_window{5, domain::PeriodUnit::kWorkingDays};
  // On a breached handling deadline the case moves one level up (提级), visibly, as an event.
  bool escalate_on_breach = true;
};

struct Registration {
  domain::Case registered;                // the case stored for this submission
  std::optional<domain::Case> repeat_of;  // the open case it was linked to (Art. 19), if any
  std::string repeat_unit_name;           // the unit handling repeat_of ("" when none)
  // Staff registering for someone: the recent cases in their scope it may repeat (app/repeats.h),
  // best first. Never filled for residents and apps, who must not see other people's cases.
  std::vector<RepeatCandidate> candidates;
};

// An intake checked (domain::validate_intake) and its description's topic words made
// (text::topic_words_of), before the writer is taken: the segmentation is a registration's
// costliest CPU work, and the single writer should not do it. CaseService::prepare makes it.
struct PreparedIntake {
  domain::Intake intake;
  std::vector<std::string> topic_words;
};

struct CaseDetail {
  domain::Case c;
  std::vector<domain::CaseEvent> events;
  // For a reader (CaseService::read): the commands they could give now with success, in table
  // order — the list a refused command's 409 answer gives (allowed in the state, given by their
  // role, on their unit's case for unit roles, passing the guards on the case, its history and
  // the clock); the guards on input are the request's to meet.
  std::vector<domain::Command> allowed{};
  // The running deadline (or its warning point) is counted on days of a year the official
  // calendar has no entries for: weekends only, until the year's official days are imported.
  bool deadline_provisional = false;
  // A petition whose unit may still object to it (异议, the return, Art. 23): when that window
  // ends. nullopt for demands, in other states, and once the window has passed.
  std::optional<Instant> objection_until{};
  // A case awaiting approval of an extension: the days its request asked for, if it named them
  // (the unit head's form offers them); nullopt otherwise.
  std::optional<int> extension_requested_days{};
  // The unit answering the matter: the case's own, or for a repeat merged into another case
  // (并单) that case's now, at the end of the chain. A unit's staff see the person in the clear
  // on the matters their unit answers only.
  std::optional<std::int64_t> unit_in_charge{};
  // The display names of the staff accounts the events name as their actor (user name →
  // "演示受理员"), for staff readers: a timeline of login names reads as a log, not as who acted.
  std::map<std::string, std::string, std::less<>> actor_names{};
  // Links to the submitter's photos or files of the matter (domain::Intake::media_url), in the
  // order they came: for the submitter and the staff who see the person in the clear (the
  // unit answering it, the registration office), never on the public views.
  std::vector<std::string> media_urls{};
};

// What GET /api/v1/track/{code} shows: the case's public fields and its public events (actor
// and unit left out): no personal data of anyone. For a case linked to another as a repeat
// (并单), where the matter stands: the state, unit, deadline and time of the answer of the case
// it was merged into (followed to the end of the chain), whose number is handled_in, and both
// cases' public events in time order; the resident's commands go to that case. That case's
// reply text and rating only when both were submitted by the same person (neither anonymous;
// the same account, or the same contact in its compared form as staff recorded it on both):
// staff merge other people's reports too. Otherwise reply_shared is false, the reply is a neutral
// line that the unit answers them (domain::notes::answered_by_unit, once answered), and the other
// case's events come without notes and without its rating (follow_up).
struct TrackView : store::cases::TrackedCase {
  std::vector<domain::CaseEvent> events;
  std::string handled_in;  // the case that carries the matter: number, or the merge's target
  bool reply_shared = true;
  // As CaseDetail's: the deadline is counted on a year without the official days, so it may
  // move once they are imported (the resident is told so).
  bool deadline_provisional = false;
  // What the holder of the code could do now with success, in table order: the resident's
  // commands in the state of the case that carries the matter, past the guards the case alone
  // decides (review windows, a rating first), so that the page offers nothing to be refused.
  std::vector<domain::Command> commands;
  // What the page was made from, for TrackCache: the numbers of the cases read (this one and
  // those it was merged into), the calendar it was counted on, and the first instant at which
  // the same read could answer otherwise with no write in between (the next midnight in China,
  // or the end of a review window the commands depend on, if sooner), and the time it was read
  // at (a clock set back before it could answer otherwise too).
  std::vector<std::string> read_cases;
  std::shared_ptr<const domain::WorkCalendar> calendar;
  Instant read_at{};
  Instant fresh_until{};
};

// The optional inputs of a command; which ones are required is the transition's guards.
struct CommandInput {
  std::string note{};                     // reason (退单, 不予受理, 提级 …) or remark
  std::string reply{};                    // the written reply (办结, 复查/复核答复)
  std::optional<std::int64_t> unit_id{};  // target unit (交办, 转送, 改派)
  domain::Rating rating = domain::Rating::kNone;  // 回访
  int extension_days = 0;                         // 批准延期: 1..max_extension_days
  std::string target_case{};                      // 并单: the open case to merge into
  // A demand's 交办, 改派, 返工: the time the unit gets (domain::Transition::takes_time_limit),
  // ending no later than the category's limit from now.
  std::optional<domain::Period> time_limit{};
};

// Sets the place range and resident of a list query to what a principal may see (staff: their
// subtree, without cases that accuse their unit; residents: their own), narrowed to the subtree
// `place` when given. false when nothing can match (place outside the caller's scope);
// kPermissionDenied for a role that does not work with cases.
[[nodiscard]] Result<bool> scope_list_query(const domain::Principal& p, store::cases::ListQuery& q,
                                            std::string_view place);

// How far the official calendar reaches (CaseService::calendar_reach).
struct CalendarReach {
  int first_year = 0;  // the first and last year with official days
  int last_year = 0;
  int covered_until = 0;  // deadlines after it count weekends only (WorkCalendar::covered_until)
  std::vector<int> missing_years;  // years between the first and last without official days
};

class CaseService {
 public:
  static constexpr std::int64_t kCurrentVersion = 0;

  CaseService(store::Database& db, const Clock& clock, CaseRules rules = {})
      : db_(db), clock_(clock), rules_(rules) {}

  // Validates the intake (domain::validate_intake), routes it down the jurisdiction tree,
  // numbers it and starts its clock. When the same person has a case of the same kind, category
  // and place that is being handled (domain::is_being_handled), the submission is stored as
  // merged into it (Art. 19) and both are returned, with the open case's unit. The person is
  // known by a signed-in resident's account, or by the contact (in its compared form,
  // domain/contact.h) when staff who see contacts register it; staff are linked only to cases
  // they may see. Staff who register for someone also get the repeat candidates (their reading is
  // audited as case.similar in the same transaction). kInvalidArgument for bad input (unknown
  // category or place, a place above county level, …).
  [[nodiscard]] Result<Registration> register_case(const domain::Intake& intake,
                                                   const Actor& actor);
  // The same without waiting: done receives the result on a store writer thread once the case
  // is durable (Database::write_async; done must be quick and must not block).
  void register_case_async(domain::Intake intake, Actor actor,
                           std::function<void(Result<Registration>)> done);
  // The intake checked and its words made, on the caller's thread (see PreparedIntake).
  [[nodiscard]] Result<PreparedIntake> prepare(domain::Intake intake, const Actor& actor) const;
  // register_case inside the caller's write transaction (e.g. app::run_idempotent's), for an
  // intake prepared beforehand. Like apply_in, run again when it lost a race with another
  // writer (store::settle_races).
  [[nodiscard]] Result<Registration> register_in(store::Sql& sql, const PreparedIntake& prepared,
                                                 const Actor& actor);
  // kNotFound for an unknown number.
  [[nodiscard]] Result<CaseDetail> get(std::string_view number);
  // The case file for a caller (Actor with a principal): kNotFound when the case is outside
  // what they may read (not their subtree, not their own, or it accuses their unit). The
  // submitter's name and contact are masked for roles that need not see them
  // (domain::sees_contact), and for a unit's staff on matters another unit answers
  // (unit_in_charge). The read is audited in the same transaction: if the audit entry
  // cannot be written, the read fails (TESTS.md A1).
  [[nodiscard]] Result<CaseDetail> read(std::string_view number, const Actor& actor);
  // The same without waiting: done receives the result as register_case_async's does, after
  // the read's audit entry (or the refusal's) is durable.
  void read_async(std::string number, Actor actor, std::function<void(Result<CaseDetail>)> done);
  // A page of the cases a principal may see (staff: their subtree; residents: their own),
  // filtered, newest first. The filter's place range and resident are set here; `place`
  // narrows the range to a subtree (nothing when it lies outside the caller's scope).
  [[nodiscard]] Result<std::vector<store::cases::ListedCase>> list(const domain::Principal& p,
                                                                   store::cases::ListQuery q,
                                                                   std::string_view place = {});
  // kNotFound for an unknown or malformed code (the same answer, so codes cannot be probed).
  [[nodiscard]] Result<TrackView> track(std::string_view tracking_code);
  // The tracking page as `render` makes it from track's view, from the cache when it holds a
  // fresh one (use_track_cache; without one, rendered each time). The same errors as track.
  [[nodiscard]] Result<std::string> track_page(
      std::string_view tracking_code, const std::function<std::string(const TrackView&)>& render);
  // From now on keep the tracking pages in `cache`, whose staleness the store reports: fails,
  // and keeps none, on a store that cannot report its changes (store::Database::watch). Call it
  // before the service is shared between threads. nullptr: keep none (and stop the reports).
  [[nodiscard]] Result<void> use_track_cache(std::shared_ptr<TrackCache> cache);
  // The case that carries the matter of case `number`: the number itself, or for a repeat
  // merged into another (并单) the end of the merge chain, as track's handled_in. kNotFound
  // when the actor may not see case `number`.
  [[nodiscard]] Result<std::string> carrier(std::string_view number, const Actor& actor);
  // Applies a workflow command if the case is still at expected_version. A warning or breach
  // already due on the case is raised first, in the same transaction (fire_due_timers), so the
  // command acts on the state the scheduler would have left; expected_version is compared with
  // the version before that (the client could not know of them). Errors: kNotFound (also for a
  // case outside the actor's reach), kPermissionDenied (the role may not give this command, or
  // the case is another unit's), kConflict (stale version), kFailedPrecondition (not allowed in
  // this state: the message lists the commands that could succeed now, for this case, actor
  // and time; or a guard failed), kInvalidArgument (missing input). Refusals of a principal's
  // command are audited too.
  // expected_version kCurrentVersion applies to whatever version the case is at (a resident's
  // request, which the workflow state guards well enough).
  [[nodiscard]] Result<domain::Case> apply(std::string_view number, domain::Command command,
                                           const CommandInput& input, std::int64_t expected_version,
                                           const Actor& actor);
  // apply inside the caller's write transaction (e.g. app::run_idempotent_async's), without
  // auditing a refusal: the caller audits it after the rollback (audit_refusal_async). When it
  // lost a race with another writer of the case (PostgreSQL with several writers), it runs
  // again on what that one committed (store::settle_races): a stale If-Match is then a
  // kConflict, a command the winner made impossible a kFailedPrecondition — never the race.
  [[nodiscard]] Result<domain::Case> apply_in(store::Sql& sql, std::string_view number,
                                              domain::Command command, const CommandInput& input,
                                              std::int64_t expected_version, const Actor& actor);
  // Loads the official calendar, unless it is loaded already: register_in and apply_in need
  // it. Call before queuing their transaction, so that the writer does not wait for the read.
  [[nodiscard]] Result<void> load_calendar();
  // Audits a refused request of a principal (kNotFound, kPermissionDenied) in its own
  // transaction, the refused one having rolled back; done receives the refusal (or the audit
  // write's error) on a writer thread, or at once when there is nothing to audit.
  void audit_refusal_async(const Actor& actor, std::string_view action, std::string_view number,
                           Error refusal, std::function<void(Error)> done);

  // Cases whose timers one transaction of the scheduler handles, and how many one step handles
  // at most: a backlog (after downtime, or thousands of clocks ending at the same midnight) is
  // drained in one step, without one step holding the writer for long.
  static constexpr int kTimerBatch = 100;
  static constexpr int kMaxTimersPerStep = 20'000;
  struct TimerRun {
    int cases = 0;        // cases whose due timers were handled
    int events = 0;       // the events written (warn, breach, escalate)
    bool capped = false;  // max_cases were handled: more may be due (the next step goes on)
  };
  // The scheduler's step: raises the warning (预警, at domain::kWarnFraction of the time) and
  // the breach (超期) of every running clock that is due at the clock's now, as events, and
  // escalates breached handling deadlines one level up; kTimerBatch cases per transaction, until
  // nothing is due or max_cases were handled. The timers live in the cases' rows, so a restart
  // loses none.
  [[nodiscard]] Result<TimerRun> run_due_timers(int max_cases = kMaxTimersPerStep);

  // What the scheduler's calendar step did (refresh_calendar).
  struct CalendarRefresh {
    bool reloaded = false;  // the stored calendar had changed and was loaded again
    int cases = 0;          // running clocks whose deadline or warning point moved
  };
  // The scheduler's calendar step, before run_due_timers: when an import changed the stored
  // calendar (kCalendarVersion, app/imports.h), loads it again, and computes again, on it, the
  // deadline and warning point of every running clock ending after the first changed day, from
  // clock_started_at with its limit and extension_days (domain::recomputed_clock); kTimerBatch
  // cases per transaction. A deadline that moves is written with a public system event
  // ("recompute_deadline": the old and the new deadline); warned and breached are cleared only
  // when the deadline moved later and has not passed (warned only when the new warning point
  // has not either); an escalation on breach stays. Then records the version as counted
  // (kCalendarRecomputed), so that every server, and one started after the import, does it once.
  [[nodiscard]] Result<CalendarRefresh> refresh_calendar();
  // How far the calendar loaded now reaches, seen from `this_year`; nullopt when it has no
  // official days.
  [[nodiscard]] Result<std::optional<CalendarReach>> calendar_reach(int this_year);
  // Running clocks ending in or after `year` (breached ones too): those counted on weekends
  // only when the calendar stops before that year.
  [[nodiscard]] Result<std::int64_t> deadlines_from_year(int year);

  const CaseRules& rules() const { return rules_; }

 private:
  // Audits a refused request of a principal in its own transaction (the refused one rolled
  // back) and returns the refusal.
  Error audit_refusal(const Actor& actor, std::string_view action, std::string_view number,
                      Error refusal);
  // Raises what is due on c's clock at `now` (the warning, the breach and a breach's
  // escalation), in sql's transaction: the events, the row (version + 1) and the statistics.
  // Returns how many events it wrote; 0, and nothing written, when nothing is due.
  Result<int> fire_due_timers(store::Sql& sql, domain::Case& c, Instant now);
  // The running clock has moved the case up on a breach already (a system escalate since the
  // clock started).
  Result<bool> escalated_on_breach(store::Sql& sql, const domain::Case& c);
  // One try of register_in and apply_in (see settle_races).
  Result<Registration> register_once(store::Sql& sql, const PreparedIntake& prepared,
                                     const Actor& actor);
  Result<domain::Case> apply_once(store::Sql& sql, std::string_view number, domain::Command command,
                                  const CommandInput& input, std::int64_t expected_version,
                                  const Actor& actor);
  // read()'s transaction: the case file, its events and the audit entry.
  Result<CaseDetail> read_in(store::Sql& sql, std::string_view number, const Actor& actor);

  // The official calendar, loaded from the store once and kept until refresh_calendar finds a
  // newer one.
  Result<std::shared_ptr<const domain::WorkCalendar>> calendar();
  // The periods c's clocks count: the rules', and a demand's category's for handling.
  Result<domain::ClockPeriods> periods_for(store::Sql& sql, const domain::Case& c) const;
  // Whether c's running deadline is counted on a year the calendar does not cover
  // (domain::counted_on_uncovered_years), in sql's transaction.
  Result<bool> deadline_provisional(store::Sql& sql, const domain::Case& c);
  // refresh_calendar's work on one case in sql's transaction: true when its clock moved.
  Result<bool> recompute_clock(store::Sql& sql, domain::Case& c, const domain::WorkCalendar& cal,
                               Instant now);

  store::Database& db_;
  const Clock& clock_;
  CaseRules rules_;
  std::mutex calendar_mu_;
  std::shared_ptr<const domain::WorkCalendar> calendar_;
  std::string calendar_version_;  // kCalendarVersion when calendar_ was loaded ("" none yet)
  CatalogueCache catalogue_;
  std::shared_ptr<TrackCache> track_cache_;
};

}  // namespace jiceng::app
