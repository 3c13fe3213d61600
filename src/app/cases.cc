#include "app/cases.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <future>

#include "app/catalogue.h"
#include "app/imports.h"
#include "domain/case_notes.h"
#include "domain/contact.h"
#include "domain/jurisdiction.h"
#include "store/account_repo.h"
#include "store/calendar_repo.h"
#include "store/case_repo.h"
#include "store/catalogue_repo.h"
#include "store/jurisdiction_repo.h"
#include "store/settings_repo.h"
#include "store/stats_repo.h"
#include "text/words.h"

namespace jiceng::app {

namespace {

using domain::Case;
using domain::CaseState;
using domain::ClockKind;
using domain::Command;
using domain::Guard;

std::string new_tracking_code() {
  static const int sodium_ready = sodium_init();  // idempotent; needed once per process
  (void)sodium_ready;
  std::array<std::uint8_t, 8> random{};
  randombytes_buf(random.data(), random.size());
  return domain::make_tracking_code(random);
}

// The 409 answer: `possible` are the commands that could succeed now (possible_commands), by
// their API names ("accept, decline") or, in Chinese, their names in the office ("受理、不予受理").
std::string listed(const std::vector<Command>& possible, bool chinese) {
  std::string allowed;
  for (Command a : possible) {
    allowed += fmt::format("{}{}", allowed.empty() ? "" : (chinese ? "、" : ", "),
                           chinese ? domain::label_zh(a) : domain::to_string(a));
  }
  return allowed.empty() ? std::string(chinese ? "无" : "none") : allowed;
}

std::vector<std::string> api_names(const std::vector<Command>& commands) {
  std::vector<std::string> out;
  out.reserve(commands.size());
  for (Command a : commands) out.emplace_back(domain::to_string(a));
  return out;
}

Error not_allowed(const Case& c, Command command, const std::vector<Command>& possible) {
  Error e = Error::failed_precondition(
                fmt::format("'{}' is not allowed while the case is {}; allowed now: {}",
                            domain::to_string(command), domain::to_string(c.state),
                            listed(possible, false)))
                .zh(fmt::format("案件{}，不能{}；现在可以：{}", domain::label_zh(c.state),
                                domain::label_zh(command), listed(possible, true)));
  e.allowed = api_names(possible);
  return e;
}

// A guard's refusal (409) names what could succeed instead, as a refused transition does.
Error with_allowed(Error e, const std::vector<Command>& possible) {
  e.message += fmt::format("; allowed now: {}", listed(possible, false));
  if (!e.message_zh.empty()) e.message_zh += fmt::format("；现在可以：{}", listed(possible, true));
  e.allowed = api_names(possible);
  return e;
}

bool blank(std::string_view s) { return domain::is_blank(s); }

// A case's history, read once when a guard first needs it.
class History {
 public:
  History(store::Sql& sql, std::string_view number) : sql_(sql), number_(number) {}
  // With the events read already, which must outlive the History (not copied: the tracking
  // page, the busiest read, builds one per request).
  History(store::Sql& sql, std::string_view number, const std::vector<domain::CaseEvent>& events)
      : sql_(sql), number_(number), read_(&events) {}
  Result<const std::vector<domain::CaseEvent>*> get() {
    if (read_ != nullptr) return read_;
    if (!events_) {
      auto e = store::cases::events(sql_, number_);
      if (!e) return e.error();
      events_ = std::move(*e);
    }
    return &*events_;
  }

 private:
  store::Sql& sql_;
  std::string_view number_;
  const std::vector<domain::CaseEvent>* read_ = nullptr;
  std::optional<std::vector<domain::CaseEvent>> events_;
};

bool any_event(const std::vector<domain::CaseEvent>& events, std::string_view command) {
  return std::any_of(events.begin(), events.end(),
                     [&](const domain::CaseEvent& e) { return e.command == command; });
}

bool resident_actor(std::string_view name) {
  return name == "resident" || name.starts_with("resident (") || name.starts_with("resident:");
}

// Whether the case came to its unit by a resident's escalation and no staff has given a
// workflow command on it since (the system's events and notes, such as a repeat linked to it,
// are not action on it).
bool awaiting_unit_after_residents_escalation(const std::vector<domain::CaseEvent>& events) {
  bool awaiting = false;
  std::optional<std::int64_t> unit;
  for (const domain::CaseEvent& e : events) {
    if (e.unit_id != unit) {
      awaiting = e.command == "escalate" && resident_actor(e.actor);
    } else if (!resident_actor(e.actor) && e.actor != "system" &&
               domain::command_from_string(e.command)) {
      awaiting = false;
    }
    unit = e.unit_id;
  }
  return awaiting;
}

// When the case's unit received it: the last dispatch (交办, 改派) or move to another unit.
std::optional<Instant> received_by_unit(const std::vector<domain::CaseEvent>& events) {
  std::optional<Instant> at;
  std::optional<std::int64_t> unit;
  for (const domain::CaseEvent& e : events) {
    if (e.command == "assign" || e.command == "redispatch" || (e.unit_id && e.unit_id != unit)) {
      at = e.at;
    }
    unit = e.unit_id;
  }
  return at;
}

// The guards that depend only on the case, its history and the clock (not on the request's
// input nor on the tree): whether `command` passes them now. apply_in checks them, and the 409
// answer lists only the commands that pass them. The tracking page lists the resident's commands
// that pass them and may be kept (TrackCache): a guard of a resident's command that reads the
// clock must end the page's freshness where its answer changes (CaseService::track,
// fresh_until).
Result<void> check_case_guard(Guard g, const Case& c, Command command, Instant now,
                              const CaseRules& rules, const domain::WorkCalendar& cal,
                              History& history) {
  switch (g) {
    case Guard::kUnsatisfied:
      // A case closed without the resident's rating (closed with a reason when the follow-up
      // reached nobody) counts as not accepted: the resident who was never heard can still
      // take it higher, and the office can have it reworked.
      if (c.rating != domain::Rating::kUnsatisfied &&
          !(c.rating == domain::Rating::kNone && c.state == CaseState::kClosed)) {
        if (command == Command::kEscalate) {
          return Error::failed_precondition(
                     "an answered demand is taken higher only when its answer was rated "
                     "unsatisfied (不满意) or closed without a rating")
              .zh("已答复的诉求，只有答复被评价为不满意或结案时未评价才能提级");
        }
        return Error::failed_precondition(
                   "only an answer rated unsatisfied (不满意) or closed without a rating is "
                   "reworked")
            .zh("只有评价为不满意或结案时未评价的答复才能返工");
      }
      return {};
    case Guard::kFirstExtension:
      if (c.extensions > 0) {
        return Error::failed_precondition("a case is extended at most once").zh("每件只能延期一次");
      }
      return {};
    case Guard::kReviewWindow: {
      // 复查 within the window after the written reply, 复核 within the window after the review
      // answer (replied_at is the last answer's); each once, and the re-review is final
      // (Arts. 35-36).
      if (!c.replied_at) {
        return Error::failed_precondition("there is no written reply to review yet")
            .zh("尚无书面答复，不能申请复查");
      }
      Instant window_end = domain::period_end(*c.replied_at, rules.review_window, cal);
      if (now >= window_end) {
        return Error::failed_precondition(
                   fmt::format("the window for asking a review closed at {} (China time)",
                               domain::format_china_deadline(window_end)))
            .zh(fmt::format("申请期限已于 {} 届满", domain::format_china_deadline(window_end)));
      }
      auto events = history.get();
      if (!events) return events.error();
      if (any_event(**events, "request_re_review")) {
        return Error::failed_precondition("the re-review (复核) was given; the matter is final")
            .zh("复核意见为最终意见");
      }
      if (command == Command::kRequestReview && any_event(**events, "request_review")) {
        return Error::failed_precondition(
                   "the matter was reviewed already; ask for a re-review (复核)")
            .zh("该事项已复查，可申请复核");
      }
      // A closed petition may be re-reviewed only after a review answer (复核 follows 复查).
      if (command == Command::kRequestReReview && !any_event(**events, "reply_review")) {
        return Error::failed_precondition(
                   "there is no review answer (复查) to re-review; ask for a review first")
            .zh("尚无复查意见，请先申请复查");
      }
      return {};
    }
    case Guard::kObjectionWindow: {
      auto events = history.get();
      if (!events) return events.error();
      auto received = received_by_unit(**events);
      if (!received) return {};
      Instant window_end = domain::period_end(*received, rules.objection_window, cal);
      if (now >= window_end) {
        const std::string window = domain::period_text(rules.objection_window, true);
        return Error::failed_precondition(
                   fmt::format("a petition is returned as outside the unit's remit within {} "
                               "of receipt (Art. 23); that ended at {}: handle it, or escalate "
                               "it with the reason",
                               window, domain::format_china_deadline(window_end)))
            .zh(fmt::format(
                "对交办的信访事项提出异议（退单），须在收到之日起 {}"
                "内（《信访工作条例》第二十三条），已于 {} 届满；请办理，或写明理由提级",
                domain::period_text(rules.objection_window, false),
                domain::format_china_deadline(window_end)));
      }
      return {};
    }
    default:
      return {};
  }
}

// The commands that could succeed now for this case and actor, in table order: allowed in its
// state, given by the actor's role, and passing the guards that depend only on the case and the
// clock. Those on input (reason, reply, unit, rating, target) and on the tree are the
// request's to meet.
Result<std::vector<Command>> possible_commands(const Case& c, const Actor& actor, Instant now,
                                               const CaseRules& rules,
                                               const domain::WorkCalendar& cal, History& history) {
  std::optional<domain::Role> role;
  if (actor.principal) {
    role = actor.principal->role;
  } else if (actor.holds_tracking_code) {
    role = domain::Role::kResident;
  }
  std::vector<Command> out;
  for (const domain::Transition& t : domain::workflow(c.kind)) {
    if (t.from != c.state || (role && !domain::may_command(*role, t.command))) continue;
    bool passes = true;
    for (Guard g : t.guards) {
      auto ok = check_case_guard(g, c, t.command, now, rules, cal, history);
      if (!ok && ok.error().code != ErrorCode::kFailedPrecondition) return ok.error();
      if (!ok) {
        passes = false;
        break;
      }
    }
    if (passes) out.push_back(t.command);
  }
  return out;
}

using domain::Role;

AuditActor audit_actor(const Actor& a) {
  if (a.principal) return AuditActor::of(*a.principal);
  if (a.account) return AuditActor::of(*a.account);
  if (a.holds_tracking_code) return {"tracking_code", ""};
  // An unnamed resident (the web form without sign-in) is anonymous to the log.
  return {a.name == "resident" ? "anonymous" : a.name, ""};
}

// The cases a case just registered may repeat, among those of its county p may see; the same
// person counts only for roles that may see contacts (others must not learn that two cases
// share one).
Result<std::vector<RepeatCandidate>> repeat_candidates(store::Sql& sql, const Case& c,
                                                       const std::vector<std::string>& topic_words,
                                                       const domain::Principal& p, Instant now) {
  store::cases::ListQuery scope;
  auto any = scope_list_query(p, scope, c.county_code);
  if (!any) return any.error();
  if (!*any) return std::vector<RepeatCandidate>{};
  store::repeats::Probe probe{.number = c.number,
                              .place_code = c.place_code,
                              .category_code = c.category_code,
                              .signature = store::repeats::signature_of(c, topic_words)};
  if (!domain::sees_contact(p.role)) probe.signature.contact_key.reset();
  return find_repeats(sql, probe, std::move(scope), now);
}

// Whether two cases were submitted by the same person: neither anonymous, and the same
// resident account, or the same contact in its compared form (domain/contact.h, not blank) as
// staff recorded it from a call, visit or letter on both, under the same name. As for linking
// repeats (open_case_repeated), a contact typed into a public form proves nothing: anyone can type
// another person's phone number, and the match would show them that person's reply.
bool same_person(const Case& a, const Case& b) {
  if (a.anonymous || b.anonymous) return false;
  if (a.resident_id && b.resident_id) return *a.resident_id == *b.resident_id;
  if (!domain::staff_channel(a.channel) || !domain::staff_channel(b.channel)) return false;
  const std::string contact = domain::normalized_contact(a.submitter_contact);
  // Both named, and alike: a reply is not shared with whoever called from the same phone
  // without a name.
  return !contact.empty() && contact == domain::normalized_contact(b.submitter_contact) &&
         domain::same_name(a.submitter_name, b.submitter_name);
}

Result<bool> same_submitter(store::Sql& sql, std::string_view a, std::string_view b) {
  auto first = store::cases::find(sql, a);
  if (!first) return first.error();
  auto second = store::cases::find(sql, b);
  if (!second) return second.error();
  return *first && *second && same_person(**first, **second);
}

// The name an event records for the submitter of `repeat` acting, by its tracking code, on the
// case it was merged into: "resident (NUMBER)".
constexpr std::string_view kRepeatSubmitter = "resident (";
std::string repeat_submitter(std::string_view repeat) {
  return fmt::format("{}{})", kRepeatSubmitter, repeat);
}

// The public events of a case as the submitter of case `reader` sees them: the notes another
// case's submitter wrote on it (by that repeat's tracking code) are theirs, not the reader's
// business; no actor but jiceng itself ("system", which tells its escalation on a breach from a
// person's words in notes::english).
void for_submitter(std::vector<domain::CaseEvent>& events, std::string_view reader) {
  const std::string own = repeat_submitter(reader);
  for (auto& e : events) {
    if (e.actor.starts_with(kRepeatSubmitter) && e.actor != own) e.note.clear();
    if (e.actor != "system") e.actor.clear();
  }
}

Error hidden(std::string_view number) {
  return Error::not_found(fmt::format("no case has the number {}", number))
      .zh(fmt::format("没有编号为 {} 的案件", number));
}

// Whether the actor may see the case at all. Internal callers and tracking-code holders (the
// code was checked when it was resolved) may.
bool may_see(const Actor& a, const Case& c) {
  if (!a.principal) return true;
  const domain::Principal& p = *a.principal;
  if (p.role == Role::kResident) return c.resident_id && *c.resident_id == p.id;
  if (!domain::may_read_cases(p.role) || !domain::in_scope(p.scope_code, c.place_code)) {
    return false;
  }
  // Whistle-blowing material is never shown to the unit it accuses.
  return !(c.accused_unit_id && p.unit_id && *c.accused_unit_id == *p.unit_id);
}

// Art. 19: the case being handled that a new one repeats — the same person, the same matter
// (kind, category and place) — or nullopt. The person is known only by a signed-in resident's
// account, or by the contact when staff register the call or letter: a contact typed into a
// public form proves nothing, and linking on it would tell anyone whether that phone number has
// an open case. For the same reason staff are linked only to cases they may see, and only staff
// who see contacts in the clear link on one: to a role that sees them masked the link would tell
// whose case is whose (repeat_candidates leaves the person out for them alike).
Result<std::optional<Case>> open_case_repeated(store::Sql& sql, const Case& c, const Actor& a) {
  if (c.anonymous) return std::nullopt;
  const bool by_account = c.resident_id.has_value();
  const bool by_contact = !by_account && a.staff && !a.holds_tracking_code &&
                          (!a.principal || domain::sees_contact(a.principal->role));
  if (!by_account && !by_contact) return std::nullopt;
  auto numbers = store::cases::open_repeats(sql, c);
  if (!numbers) return numbers.error();
  const std::string contact = domain::normalized_contact(c.submitter_contact);
  for (const std::string& number : *numbers) {
    auto open = store::cases::find(sql, number);
    if (!open) return open.error();
    if (!*open || !may_see(a, **open)) continue;
    // The contact key is a hash: the contacts themselves must agree, and the names (a
    // household's phone is not one person; linking a member's matter would bury it).
    if (!by_account && (domain::normalized_contact((*open)->submitter_contact) != contact ||
                        !domain::names_agree((*open)->submitter_name, c.submitter_name))) {
      continue;
    }
    return open;
  }
  return std::nullopt;
}

// A category's names ("路灯照明", "Street lighting"), or its code for both when it is not
// in the catalogue.
Result<std::pair<std::string, std::string>> category_names(store::Sql& sql,
                                                           const std::string& code) {
  auto found = store::catalogue::find_category(sql, code);
  if (!found) return found.error();
  if (!*found) return std::pair{code, code};
  return std::pair{(*found)->name_zh, (*found)->name_en};
}

// Whether `target` can take `c` as a repeat (并单); the error says why not: it must be the same
// matter — the same kind, county and category — and being handled.
Result<void> mergeable(store::Sql& sql, const Case& c, const Case& target) {
  if (target.kind != c.kind) {
    return Error::invalid_argument(
               fmt::format("target_case: {} is a {}; a {} merges only into a {}", target.number,
                           domain::to_string(target.kind), domain::to_string(c.kind),
                           domain::to_string(c.kind)))
        .zh(fmt::format("目标案件 {} 与本件不是同一类（诉求/信访），不能并入", target.number));
  }
  if (target.county_code != c.county_code) {
    return Error::invalid_argument(
               fmt::format("target_case: {} lies in another county ({}, not {}); repeats merge "
                           "within their county",
                           target.number, target.county_code, c.county_code))
        .zh(fmt::format("目标案件 {} 属另一县区（{}），只能并入本县区（{}）的案件", target.number,
                        target.county_code, c.county_code));
  }
  if (target.category_code != c.category_code) {
    auto theirs = category_names(sql, target.category_code);
    if (!theirs) return theirs.error();
    auto ours = category_names(sql, c.category_code);
    if (!ours) return ours.error();
    return Error::invalid_argument(
               fmt::format("target_case: {} is about {}, this case about {}: not the same matter",
                           target.number, theirs->second, ours->second))
        .zh(fmt::format("目标案件 {} 的分类为{}，本件为{}，不是同一事项", target.number,
                        theirs->first, ours->first));
  }
  if (!domain::is_being_handled(target.state)) {
    return Error::failed_precondition(
               fmt::format("target_case: {} is {}; only a case being handled takes repeats, or "
                           "the repeat would be hidden: handle this one as a case of its own",
                           target.number, domain::to_string(target.state)))
        .zh(fmt::format("目标案件 {} {}，已不在办理中，不能并入；请将本件作为新件办理",
                        target.number, domain::label_zh(target.state)));
  }
  return {};
}

Result<void> may_apply(const Actor& a, const Case& c, Command command) {
  if (!a.principal && !a.holds_tracking_code) return {};  // inside jiceng
  if (!may_see(a, c)) return hidden(c.number);
  Role role = a.principal ? a.principal->role : Role::kResident;
  if (!domain::may_command(role, command)) {
    return Error{ErrorCode::kPermissionDenied,
                 fmt::format("the role {} may not give the command {}", domain::to_string(role),
                             domain::to_string(command)),
                 fmt::format("{}无权执行“{}”", domain::label_zh(role), domain::label_zh(command))};
  }
  if (a.principal && domain::acts_for_unit(role) && c.unit_id != a.principal->unit_id) {
    return Error{ErrorCode::kPermissionDenied, "the case is with another unit",
                 "该案件不由本单位承办"};
  }
  return {};
}

// What a reader who sees case files masked (sees_person false: leaders, grid workers, cadres,
// and a unit's staff on another unit's case) may learn of a merge (并单): the other case's number
// only when they may see that case (the number would tell of a case outside their reach), and never
// the remark staff wrote on the merge, which may name the other case's person. In the reader's
// transaction: the other case is looked up. A merge event says where the case went, without the
// remark staff added (it may name the other case's person): what residents are shown.
void drop_merge_remarks(std::vector<domain::CaseEvent>& events, std::string_view target) {
  for (auto& e : events) {
    if (e.command == "merge") e.note = domain::notes::merged_into_without_remark(e.note, target);
  }
}

// Whether the reader sees the case's person (name, contact) in the clear: the roles that call
// residents back (domain::sees_contact), and of those that act for a unit only on their own
// unit's cases. A township's handler has no need to know who complained or petitioned about a
// matter another unit handles, e.g. one escalated away to the county's petition bureau.
// The unit is the one answering the matter (CaseDetail::unit_in_charge): for a repeat merged
// into another case, that case's, wherever it has gone since.
bool sees_person(const Actor& a, const CaseDetail& d) {
  if (!a.principal) return true;
  const domain::Principal& p = *a.principal;
  return domain::sees_contact(p.role) &&
         (!domain::acts_for_unit(p.role) || (p.unit_id && d.unit_in_charge == p.unit_id));
}

Result<void> mask_merge_links(store::Sql& sql, const Actor& a, CaseDetail& d) {
  if (a.principal && a.principal->role == Role::kResident) {
    // The resident's own case: where it went (they are shown that case's state anyway).
    drop_merge_remarks(d.events, d.c.merged_into);
    return {};
  }
  if (sees_person(a, d)) return {};
  auto visible = [&](std::string_view number) -> Result<bool> {
    if (number.empty()) return false;
    auto other = store::cases::find(sql, number);
    if (!other) return other.error();
    return *other && may_see(a, **other);
  };
  auto target = visible(d.c.merged_into);
  if (!target) return target.error();
  for (auto& e : d.events) {
    if (e.command == "merge") {
      e.note = *target ? domain::notes::merged_into(d.c.merged_into, "")
                       : domain::notes::merged_elsewhere();
    } else if (e.command == "repeat") {
      const std::string number = domain::notes::number_submitted_again(e.note);
      auto seen = visible(number);
      if (!seen) return seen.error();
      e.note = *seen ? domain::notes::submitted_again(number)
                     : domain::notes::submitted_again_elsewhere();
    }
  }
  if (!*target) d.c.merged_into.clear();
  return {};
}

// CaseDetail::actor_names for the events' staff actors (residents and the system have no
// account by that name; a resident's view drops the names in mask_for).
Result<void> name_actors(store::Sql& sql, CaseDetail& d) {
  for (const auto& e : d.events) {
    if (e.actor.empty() || e.actor == "system" || resident_actor(e.actor) ||
        d.actor_names.contains(e.actor)) {
      continue;
    }
    auto name = store::accounts::display_name(sql, e.actor);
    if (!name) return name.error();
    if (*name && !(*name)->empty()) d.actor_names.emplace(e.actor, std::move(**name));
  }
  return {};
}

// Masks what the reader's role need not see, and the resident's tracking code from staff.
void mask_for(const Actor& a, CaseDetail& d) {
  if (!a.principal) return;
  if (a.principal->role == Role::kResident) {
    // Their own data in the clear, but of the history only what the tracking page shows: no
    // internal events, no staff names.
    std::erase_if(d.events, [](const domain::CaseEvent& e) { return !e.is_public; });
    for_submitter(d.events, d.c.number);
    for (auto& e : d.events) e.unit_id.reset();
    d.actor_names.clear();
    return;
  }
  d.c.tracking_code.clear();
  if (sees_person(a, d)) return;
  d.c.submitter_name = domain::mask_name(d.c.submitter_name);
  d.c.submitter_contact = domain::mask_contact(d.c.submitter_contact);
  // A photo link is the submitter's material, and its address often names them (an app's
  // upload path with a user id or phone, a signed URL anyone holding it can open): it goes
  // with the person, to those who call them back.
  d.media_urls.clear();
}

}  // namespace

Actor Actor::of(const domain::Principal& p, RequestContext ctx) {
  return Actor{.name = p.role == Role::kResident ? p.actor() : p.username,
               .staff = domain::is_staff(p.role),
               .principal = p,
               .holds_tracking_code = false,
               .context = std::move(ctx)};
}

Actor Actor::by_tracking_code(RequestContext ctx, std::string_view repeat) {
  return Actor{.name = repeat.empty() ? std::string("resident") : repeat_submitter(repeat),
               .staff = false,
               .principal = std::nullopt,
               .holds_tracking_code = true,
               .context = std::move(ctx)};
}

Actor Actor::owner_of_repeat(const domain::Principal& p, RequestContext ctx,
                             std::string_view repeat) {
  Actor a = by_tracking_code(std::move(ctx), repeat);
  a.account = p;
  return a;
}

void CaseService::audit_refusal_async(const Actor& actor, std::string_view action,
                                      std::string_view number, Error refusal,
                                      std::function<void(Error)> done) {
  bool refused =
      refusal.code == ErrorCode::kNotFound || refusal.code == ErrorCode::kPermissionDenied;
  if ((!actor.principal && !actor.account) || !refused) return done(std::move(refusal));
  db_.write_async(
      [now = clock_.now(), who = audit_actor(actor), context = actor.context,
       event = AuditEvent{.action = std::string(action),
                          .object_type = "case",
                          .object_id = std::string(number),
                          .outcome = "denied"}](store::Sql& sql) {
        return record_audit(sql, now, who, event, context);
      },
      [refusal = std::move(refusal), done = std::move(done)](Result<void> wrote) mutable {
        done(wrote ? std::move(refusal) : wrote.error());
      });
}

Error CaseService::audit_refusal(const Actor& actor, std::string_view action,
                                 std::string_view number, Error refusal) {
  std::promise<Error> answer;
  audit_refusal_async(actor, action, number, std::move(refusal),
                      [&answer](Error e) { answer.set_value(std::move(e)); });
  return answer.get_future().get();
}

namespace {

struct StoredCalendar {
  std::vector<domain::CalendarDay> days;
  std::string version;
};

// The stored days and the version they are, read together.
Result<StoredCalendar> read_stored_calendar(store::Sql& sql) {
  auto days = store::calendar::load(sql);
  if (!days) return days.error();
  auto version = store::settings::get(sql, kCalendarVersion);
  if (!version) return version.error();
  return StoredCalendar{std::move(*days), version->value_or("0")};
}

}  // namespace

Result<std::shared_ptr<const domain::WorkCalendar>> CaseService::calendar() {
  {
    std::lock_guard lock(calendar_mu_);
    if (calendar_) return calendar_;
  }
  // Read without the lock: a reader that waits for a connection while holding it would stall
  // every transaction that asks for the calendar (they hold connections meanwhile).
  auto stored = db_.read_value(read_stored_calendar);
  if (!stored) return stored.error();
  std::lock_guard lock(calendar_mu_);
  if (!calendar_) {
    calendar_ = std::make_shared<const domain::WorkCalendar>(std::move(stored->days));
    calendar_version_ = std::move(stored->version);
  }
  return calendar_;
}

Result<std::optional<CalendarReach>> CaseService::calendar_reach(int this_year) {
  auto cal = calendar();
  if (!cal) return cal.error();
  auto years = (*cal)->covered_years();
  if (!years) return std::optional<CalendarReach>();
  return std::optional<CalendarReach>(
      CalendarReach{.first_year = years->first,
                    .last_year = years->second,
                    .covered_until = (*cal)->covered_until(this_year),
                    .missing_years = (*cal)->missing_years()});
}

Result<std::int64_t> CaseService::deadlines_from_year(int year) {
  const Instant from = domain::china_midnight(std::chrono::sys_days(std::chrono::year_month_day(
      std::chrono::year(year), std::chrono::January, std::chrono::day(1))));
  return db_.read_value(
      [&](store::Sql& sql) { return store::cases::count_deadlines_from(sql, from); });
}

Result<domain::ClockPeriods> CaseService::periods_for(store::Sql& sql, const Case& c) const {
  domain::ClockPeriods periods{rules_.petition_acceptance, rules_.petition_handling,
                               rules_.review_reply};
  if (c.kind == domain::CaseKind::kDemand && !c.clock_limit) {
    auto category = store::catalogue::find_category(sql, c.category_code);
    if (!category) return category.error();
    if (*category) periods.handling = (*category)->time_limit;
  }
  return periods;
}

Result<bool> CaseService::recompute_clock(store::Sql& sql, Case& c, const domain::WorkCalendar& cal,
                                          Instant now) {
  auto periods = periods_for(sql, c);
  if (!periods) return periods.error();
  auto times = domain::recomputed_clock(c, *periods, cal);
  if (!times || (times->deadline == c.deadline_at && c.warn_at == times->warn_at)) return false;
  const Case before = c;
  const Instant old_deadline = *c.deadline_at;
  c.deadline_at = times->deadline;
  c.warn_at = times->warn_at;
  if (times->deadline > old_deadline && times->deadline > now) {
    c.breached = false;
    if (times->warn_at > now) c.warned = false;
  }
  c.updated_at = now;
  c.version += 1;
  if (auto r = store::cases::update(sql, c); !r) return r.error();
  int seq = 0;
  if (times->deadline != old_deadline) {
    domain::CaseEvent e{
        .at = now,
        .actor = "system",
        .command = "recompute_deadline",
        .from = c.state,
        .to = c.state,
        .unit_id = c.unit_id,
        .note = domain::notes::deadline_recomputed(domain::format_china_deadline(old_deadline),
                                                   domain::format_china_deadline(times->deadline)),
        .is_public = true};
    auto appended = store::cases::append_event(sql, c.number, e);
    if (!appended) return appended.error();
    seq = *appended;
    if (auto r = record_audit(
            sql, now, {"system", ""},
            {.action = "case.recompute_deadline", .object_type = "case", .object_id = c.number},
            {});
        !r) {
      return r.error();
    }
  }
  // The statistics count overdue cases: a breach cleared moves them.
  std::size_t events_before = 0;
  if (seq > 0) {
    events_before = static_cast<std::size_t>(seq - 1);
  } else {
    auto events = store::cases::events(sql, c.number);
    if (!events) return events.error();
    events_before = events->size();
  }
  if (auto r = store::stats::record_change(sql, &before, events_before, c); !r) return r.error();
  return true;
}

Result<CaseService::CalendarRefresh> CaseService::refresh_calendar() {
  CalendarRefresh out;
  struct Marks {
    std::string version, recomputed, changed_from;
  };
  auto read_marks = [](store::Sql& sql) -> Result<Marks> {
    Marks m;
    for (auto [key, into] :
         {std::pair{kCalendarVersion, &m.version}, std::pair{kCalendarRecomputed, &m.recomputed},
          std::pair{kCalendarChangedFrom, &m.changed_from}}) {
      auto v = store::settings::get(sql, key);
      if (!v) return v.error();
      *into = v->value_or(into == &m.changed_from ? "" : "0");
    }
    return m;
  };
  auto marks = db_.read_value(read_marks);
  if (!marks) return marks.error();
  std::shared_ptr<const domain::WorkCalendar> cal;
  std::string version;
  {
    std::lock_guard lock(calendar_mu_);
    cal = calendar_;
    version = calendar_version_;
  }
  if (!cal || version != marks->version) {
    // The days with the marks of the same snapshot (an import between two reads would pair
    // one import's days with another's earliest changed day), read without the lock.
    struct Both {
      StoredCalendar stored;
      Marks marks;
    };
    auto both = db_.read_value([&](store::Sql& sql) -> Result<Both> {
      auto stored = read_stored_calendar(sql);
      if (!stored) return stored.error();
      auto m = read_marks(sql);
      if (!m) return m.error();
      return Both{std::move(*stored), std::move(*m)};
    });
    if (!both) return both.error();
    out.reloaded = cal != nullptr;
    cal = std::make_shared<const domain::WorkCalendar>(std::move(both->stored.days));
    version = std::move(both->stored.version);
    *marks = std::move(both->marks);
    std::lock_guard lock(calendar_mu_);
    calendar_ = cal;
    calendar_version_ = version;
  }
  if (version == marks->recomputed) return out;
  if (auto from = parse_date(marks->changed_from)) {
    const Instant after = domain::china_midnight(*from);
    const Instant now = clock_.now();
    std::string last;
    for (;;) {
      auto page = db_.write_value([&](store::Sql& sql) -> Result<std::pair<int, int>> {
        auto cases = store::cases::with_deadline_after(sql, after, last, kTimerBatch);
        if (!cases) return cases.error();
        int moved = 0;
        for (Case& c : *cases) {
          last = c.number;
          auto r = recompute_clock(sql, c, *cal, now);
          if (!r) return r.error();
          moved += *r ? 1 : 0;
        }
        return std::pair{static_cast<int>(cases->size()), moved};
      });
      if (!page) return page.error();
      out.cases += page->second;
      if (page->first < kTimerBatch) break;
    }
  }
  // Recorded only if no newer import came meanwhile (its own count follows at the next step).
  auto marked = db_.write([&](store::Sql& sql) -> Result<void> {
    auto now_version = store::settings::get(sql, kCalendarVersion);
    if (!now_version) return now_version.error();
    if (now_version->value_or("0") != version) return {};
    return store::settings::put(sql, kCalendarRecomputed, version);
  });
  if (!marked) return marked.error();
  return out;
}

Result<PreparedIntake> CaseService::prepare(domain::Intake intake, const Actor& actor) const {
  // Checked first, so that nothing longer than a description may be is segmented.
  if (auto v = domain::validate_intake(intake, clock_.now(), actor.staff); !v) return v.error();
  std::vector<std::string> words = text::topic_words_of(intake.description);
  return PreparedIntake{.intake = std::move(intake), .topic_words = std::move(words)};
}

Result<void> CaseService::load_calendar() {
  if (auto cal = calendar(); !cal) return cal.error();
  return {};
}

Result<Registration> CaseService::register_case(const domain::Intake& in, const Actor& actor) {
  // Load the calendar before taking the writer (register_in would load it inside).
  if (auto cal = calendar(); !cal) return cal.error();
  auto prepared = prepare(in, actor);
  if (!prepared) return prepared.error();
  return db_.write_value([&](store::Sql& sql) { return register_in(sql, *prepared, actor); });
}

void CaseService::register_case_async(domain::Intake in, Actor actor,
                                      std::function<void(Result<Registration>)> done) {
  if (auto cal = calendar(); !cal) return done(cal.error());
  auto prepared = prepare(std::move(in), actor);
  if (!prepared) return done(prepared.error());
  db_.write_value_async([this, prepared = std::move(*prepared), actor = std::move(actor)](
                            store::Sql& sql) { return register_in(sql, prepared, actor); },
                        std::move(done));
}

Result<Registration> CaseService::register_in(store::Sql& sql, const PreparedIntake& prepared,
                                              const Actor& actor) {
  return store::settle_races(sql, [&](store::Sql& s) { return register_once(s, prepared, actor); });
}

Result<Registration> CaseService::register_once(store::Sql& sql, const PreparedIntake& prepared,
                                                const Actor& actor) {
  const domain::Intake& in = prepared.intake;
  const Instant now = clock_.now();
  if (auto v = domain::validate_intake(in, now, actor.staff); !v) return v.error();
  auto level = domain::level_of_code(in.place_code);
  if (!level) return level.error();
  if (*level < domain::Level::kCounty) {
    return Error::invalid_argument("place: choose a county, township or village, not a whole " +
                                   std::string(domain::to_string(*level)))
        .zh("地点（place）：请选择到县、乡镇或村一级");
  }
  auto cal = calendar();
  if (!cal) return cal.error();
  {
    auto catalogue = catalogue_.get(sql);
    if (!catalogue) return catalogue.error();
    const auto& categories = (*catalogue)->categories;
    const auto category =
        std::find_if(categories.begin(), categories.end(),
                     [&](const domain::Category& c) { return c.code == in.category_code; });
    if (category == categories.end() || !category->active) {
      return Error::invalid_argument("category: '" + in.category_code +
                                     "' is not a category in use")
          .zh("分类（category）：" + in.category_code + " 不是在用的分类");
    }
    // A group (城乡建设) says too little to route or time the matter: one of its categories.
    std::vector<std::string> children_en;
    std::vector<std::string> children_zh;
    for (const domain::Category& c : categories) {
      if (c.parent_code == category->code && c.active) {
        children_en.push_back(fmt::format("{} ({})", c.code, c.name_en));
        children_zh.push_back(fmt::format("{}（{}）", c.name_zh, c.code));
      }
    }
    if (!children_en.empty()) {
      return Error::invalid_argument(fmt::format("category: {} is a group; choose one of its "
                                                 "categories: {}",
                                                 category->name_en, fmt::join(children_en, ", ")))
          .zh(fmt::format("分类（category）：{}是大类，请选择其下的具体分类：{}", category->name_zh,
                          fmt::join(children_zh, "、")));
    }
    auto place = store::jurisdictions::find(sql, in.place_code);
    if (!place) return place.error();
    if (!*place) {
      return Error::invalid_argument("place: " + in.place_code + " is not in the jurisdiction tree")
          .zh("地点（place）：行政区划中没有 " + in.place_code);
    }
    // A case outside the deployment would have no unit and no staff who see it: refused, as a
    // place outside a registrar's subtree is (the resident's own channels stay open).
    auto root = deployment_root_in(sql);
    if (!root) return root.error();
    if (*root && !domain::in_scope(**root, in.place_code)) {
      return Error::invalid_argument(
                 fmt::format("place: {} lies outside this deployment ({})", in.place_code, **root))
          .zh(fmt::format("地点（place）：{} 不在本系统的服务范围（{}）内", in.place_code, **root));
    }
    if (actor.staff && actor.principal && !actor.principal->scope_code.empty() &&
        !domain::in_scope(actor.principal->scope_code, in.place_code)) {
      return Error{ErrorCode::kPermissionDenied,
                   fmt::format("place: {} lies outside your jurisdiction ({}); the resident can "
                               "submit it on the portal or the hotline",
                               in.place_code, actor.principal->scope_code)}
          .zh(fmt::format("地点（place）：{} 不在您的辖区（{}）内；群众可通过网站或热线提交",
                          in.place_code, actor.principal->scope_code));
    }
    auto plan =
        plan_dispatch(sql, catalogue_, {in.kind, in.category_code, in.place_code, in.description});
    if (!plan) return plan.error();

    Case c;
    c.kind = in.kind;
    c.category_code = in.category_code;
    c.place_code = in.place_code;
    c.county_code = in.place_code.substr(0, 6);
    c.address = in.address;
    c.point = in.point;
    c.anonymous = in.anonymous;
    c.submitter_name = in.submitter_name;
    c.submitter_contact = in.submitter_contact;
    c.description = in.description;
    c.channel = in.channel;
    if (actor.principal && actor.principal->role == Role::kResident) {
      c.resident_id = actor.principal->id;
    }
    if (plan->unit) c.unit_id = plan->unit->id;
    c.received_at = in.received_at.value_or(now);
    c.created_at = c.updated_at = now;
    // The clock runs from receipt: a petition's decision on acceptance (15 days), a demand's
    // whole handling limit (its category's).
    c.clock = c.kind == domain::CaseKind::kPetition ? ClockKind::kAcceptance : ClockKind::kHandling;
    c.clock_started_at = c.received_at;
    const domain::ClockTimes times = domain::clock_times(
        c.received_at,
        c.kind == domain::CaseKind::kPetition ? rules_.petition_acceptance : category->time_limit,
        0, domain::kWarnFraction, **cal);
    c.deadline_at = times.deadline;
    c.warn_at = times.warn_at;
    c.clock_limit =
        c.kind == domain::CaseKind::kPetition ? rules_.petition_acceptance : category->time_limit;
    const int year = static_cast<int>(std::chrono::year_month_day(domain::china_date(now)).year());
    auto seq = store::cases::next_number(sql, c.county_code, year);
    if (!seq) return seq.error();
    c.number = domain::format_case_number(c.county_code, year, *seq);
    c.tracking_code = new_tracking_code();

    Registration out;
    auto open = open_case_repeated(sql, c, actor);
    if (!open) return open.error();
    std::string routed_to = plan->unit ? plan->unit->name : "";
    if (*open) {
      out.repeat_of = std::move(**open);
      c.state = CaseState::kMerged;
      c.merged_into = out.repeat_of->number;
      c.clock = ClockKind::kNone;
      c.clock_started_at.reset();
      c.deadline_at.reset();
      // It goes where the open case is, and the person is told which unit that is.
      c.unit_id = out.repeat_of->unit_id;
      if (c.unit_id) {
        auto unit = store::catalogue::find_unit(sql, *c.unit_id);
        if (!unit) return unit.error();
        if (*unit) out.repeat_unit_name = (*unit)->name;
      }
      routed_to = out.repeat_unit_name;
    }
    if (auto r = store::cases::insert(sql, c, prepared.topic_words); !r) return r.error();
    if (!in.media_url.empty()) {
      if (auto r = store::cases::add_media(sql, c.number, in.media_url, now); !r) {
        return r.error();
      }
    }
    domain::CaseEvent registered{
        .at = now,
        .actor = actor.name,
        .command = "register",
        .to = CaseState::kRegistered,
        .unit_id = c.unit_id,
        .note = routed_to.empty() ? domain::notes::no_unit() : domain::notes::routed(routed_to)};
    if (auto r = store::cases::append_event(sql, c.number, registered); !r) return r.error();
    if (out.repeat_of) {
      domain::CaseEvent merged{
          .at = now,
          .actor = "system",
          .command = "merge",
          .from = CaseState::kRegistered,
          .to = CaseState::kMerged,
          .unit_id = c.unit_id,
          .note = domain::notes::repeat_of(out.repeat_of->number, out.repeat_unit_name)};
      if (auto r = store::cases::append_event(sql, c.number, merged); !r) return r.error();
      domain::CaseEvent linked{.at = now,
                               .actor = "system",
                               .command = "repeat",
                               .from = out.repeat_of->state,
                               .to = out.repeat_of->state,
                               .unit_id = out.repeat_of->unit_id,
                               .note = domain::notes::submitted_again(c.number)};
      if (auto r = store::cases::append_event(sql, out.repeat_of->number, linked); !r)
        return r.error();
    }
    // (The open case's facts do not change by the link.)
    if (auto r = store::stats::record_change(sql, nullptr, 0, c, &prepared.topic_words); !r) {
      return r.error();
    }
    if (auto r =
            record_audit(sql, now, audit_actor(actor),
                         {.action = "case.register", .object_type = "case", .object_id = c.number},
                         actor.context);
        !r) {
      return r.error();
    }
    if (actor.staff && actor.principal && domain::may_read_cases(actor.principal->role)) {
      auto candidates = repeat_candidates(sql, c, prepared.topic_words, *actor.principal, now);
      if (!candidates) return candidates.error();
      out.candidates = std::move(*candidates);
      if (!out.candidates.empty()) {
        if (auto r = audit_candidates(sql, now, out.candidates, *actor.principal, actor.context);
            !r) {
          return r.error();
        }
      }
    }
    out.registered = std::move(c);
    return out;
  }
}

Result<CaseDetail> CaseService::get(std::string_view number) {
  if (auto cal = calendar(); !cal) return cal.error();
  return db_.read_value([&](store::Sql& sql) -> Result<CaseDetail> {
    auto c = store::cases::find(sql, number);
    if (!c) return c.error();
    if (!*c) return hidden(number);
    auto events = store::cases::events(sql, number);
    if (!events) return events.error();
    CaseDetail detail{std::move(**c), std::move(*events)};
    auto media = store::cases::media_urls(sql, number);
    if (!media) return media.error();
    detail.media_urls = std::move(*media);
    auto provisional = deadline_provisional(sql, detail.c);
    if (!provisional) return provisional.error();
    detail.deadline_provisional = *provisional;
    return detail;
  });
}

Result<CaseDetail> CaseService::read_in(store::Sql& sql, std::string_view number,
                                        const Actor& actor) {
  auto c = store::cases::find(sql, number);
  if (!c) return c.error();
  if (!*c || !may_see(actor, **c)) return hidden(number);
  auto events = store::cases::events(sql, number);
  if (!events) return events.error();
  if (auto r = record_audit(
          sql, clock_.now(), audit_actor(actor),
          {.action = "case.read", .object_type = "case", .object_id = std::string(number)},
          actor.context);
      !r) {
    return r.error();
  }
  CaseDetail d{std::move(**c), std::move(*events)};
  auto media = store::cases::media_urls(sql, number);
  if (!media) return media.error();
  d.media_urls = std::move(*media);
  d.unit_in_charge = d.c.unit_id;
  // A repeat is answered where it was merged (the end of the chain: a few links at most; the
  // bound only guards against a cycle).
  std::string carrier = d.c.merged_into;
  for (int hop = 0; !carrier.empty() && hop < 8; ++hop) {
    auto next = store::cases::find(sql, carrier);
    if (!next) return next.error();
    if (!*next) break;
    d.unit_in_charge = (*next)->unit_id;
    carrier = (*next)->merged_into;
  }
  // The reader's buttons: what apply_in would let them do now (may_apply's unit rule, then
  // possible_commands, as its 409 answer lists them). Timers due but not yet raised are not
  // raised by a read; the scheduler's next pass does, and the 409 answer then tells.
  auto cal = calendar();
  if (!cal) return cal.error();
  const bool other_units = actor.principal && domain::acts_for_unit(actor.principal->role) &&
                           d.c.unit_id != actor.principal->unit_id;
  if (!other_units) {
    History history(sql, d.c.number, d.events);
    auto possible = possible_commands(d.c, actor, clock_.now(), rules_, **cal, history);
    if (!possible) return possible.error();
    d.allowed = std::move(*possible);
  }
  if (d.c.kind == domain::CaseKind::kPetition &&
      domain::find_transition(d.c.kind, d.c.state, Command::kReturn)) {
    if (auto received = received_by_unit(d.events)) {
      const Instant end = domain::period_end(*received, rules_.objection_window, **cal);
      if (clock_.now() < end) d.objection_until = end;
    }
  }
  if (d.c.state == domain::CaseState::kExtensionRequested) {
    for (const auto& e : d.events) {
      if (e.command == "request_extension") {
        d.extension_requested_days = domain::notes::extension_request_days(e.note);
      }
    }
  }
  if (auto r = mask_merge_links(sql, actor, d); !r) return r.error();
  if (auto r = name_actors(sql, d); !r) return r.error();
  auto provisional = deadline_provisional(sql, d.c);
  if (!provisional) return provisional.error();
  d.deadline_provisional = *provisional;
  return d;
}

Result<bool> CaseService::deadline_provisional(store::Sql& sql, const Case& c) {
  if (!c.deadline_at || !c.clock_started_at) return false;
  auto cal = calendar();
  if (!cal) return cal.error();
  auto periods = periods_for(sql, c);
  if (!periods) return periods.error();
  return domain::counted_on_uncovered_years(*c.clock_started_at, *c.deadline_at,
                                            domain::running_period(c, *periods).unit, **cal);
}

Result<CaseDetail> CaseService::read(std::string_view number, const Actor& actor) {
  // Load the calendar before taking the writer (read_in needs it for the allowed commands).
  if (auto cal = calendar(); !cal) return cal.error();
  auto detail = db_.write_value([&](store::Sql& sql) { return read_in(sql, number, actor); });
  if (!detail) return audit_refusal(actor, "case.read", number, detail.error());
  mask_for(actor, *detail);
  return detail;
}

void CaseService::read_async(std::string number, Actor actor,
                             std::function<void(Result<CaseDetail>)> done) {
  if (auto cal = calendar(); !cal) return done(cal.error());
  auto reader = std::make_shared<const Actor>(std::move(actor));
  db_.write_value_async(
      [this, number, reader](store::Sql& sql) { return read_in(sql, number, *reader); },
      [this, number, reader, done = std::move(done)](Result<CaseDetail> detail) mutable {
        if (!detail) {
          return audit_refusal_async(*reader, "case.read", number, detail.error(),
                                     [done = std::move(done)](Error e) { done(std::move(e)); });
        }
        mask_for(*reader, *detail);
        done(std::move(detail));
      });
}

Result<bool> scope_list_query(const domain::Principal& p, store::cases::ListQuery& q,
                              std::string_view place) {
  if (p.role == Role::kResident) {
    // Every code is digits: ["0", ":") covers them all.
    q.place_first = "0";
    q.place_last = ":";
    q.resident_id = p.id;
  } else if (domain::may_read_cases(p.role)) {
    std::tie(q.place_first, q.place_last) = domain::scope_range(p.scope_code);
    q.resident_id = 0;
    q.hide_from_unit = p.unit_id.value_or(0);
  } else {
    return Error{ErrorCode::kPermissionDenied, "your role does not work with cases",
                 "您的角色无权查看案件"};
  }
  if (!place.empty()) {
    // A subtree inside the caller's range narrows it; one outside it holds nothing for them.
    auto [first, last] = domain::scope_range(place);
    q.place_first = std::max(q.place_first, first);
    q.place_last = std::min(q.place_last, last);
    if (q.place_first >= q.place_last) return false;
  }
  return true;
}

Result<std::vector<store::cases::ListedCase>> CaseService::list(const domain::Principal& p,
                                                                store::cases::ListQuery q,
                                                                std::string_view place) {
  auto any = scope_list_query(p, q, place);
  if (!any) return any.error();
  if (!*any) return std::vector<store::cases::ListedCase>{};
  return db_.read_value([&](store::Sql& sql) { return store::cases::list(sql, q); });
}

Result<TrackView> CaseService::track(std::string_view tracking_code) {
  auto code = domain::normalize_tracking_code(tracking_code);
  Error unknown = Error::not_found("no case has this tracking code; check it and try again")
                      .zh("查询码不存在，请核对后重试");
  if (!code) return unknown;
  auto cal = calendar();
  if (!cal) return cal.error();
  // One reading of the clock for the whole page (its freshness, TrackCache, is counted from it).
  const Instant now = clock_.now();
  return db_.read_value([&](store::Sql& sql) -> Result<TrackView> {
    auto c = store::cases::find_tracked(sql, *code);
    if (!c) return c.error();
    if (!*c) return unknown;
    TrackView v{std::move(**c), {}, {}, true, false, {}, {}, *cal, {}, {}};
    v.read_cases.push_back(v.number);
    // Public events only; staff names and units are personal data too and are not read.
    auto events = store::cases::public_events(sql, v.number);
    if (!events) return events.error();
    v.events = std::move(*events);
    for_submitter(v.events, v.number);
    drop_merge_remarks(v.events, v.merged_into);
    v.handled_in = v.number;
    // A repeat: where the matter stands is the case it was merged into (a chain ends within a
    // few links; the bound only guards against a cycle that nothing should make).
    std::string next = v.merged_into;
    std::string reply;
    domain::Rating rating = domain::Rating::kNone;
    for (int hop = 0; !next.empty() && hop < 8; ++hop) {
      v.read_cases.push_back(next);
      auto tracked = store::cases::find_public(sql, next);
      if (!tracked) return tracked.error();
      if (!*tracked) break;
      store::cases::TrackedCase& t = **tracked;
      v.handled_in = t.number;
      v.state = t.state;
      v.unit_name = std::move(t.unit_name);
      v.deadline_at = t.deadline_at;
      v.replied_at = t.replied_at;
      reply = std::move(t.reply);
      rating = t.rating;
      next = t.merged_into;
    }
    if (v.handled_in != v.number) {
      // Staff merge other people's reports too (并单): the reply was written to the target's
      // submitter and the rating is theirs. Both are shown only to the same person; anyone else
      // learns that and when the matter was answered, and that the unit answers them itself.
      auto same = same_submitter(sql, v.number, v.handled_in);
      if (!same) return same.error();
      v.reply_shared = *same;
      if (*same) {
        v.reply = std::move(reply);
        v.rating = rating;
      } else {
        v.reply = v.replied_at ? domain::notes::answered_by_unit() : "";
        v.rating = domain::Rating::kNone;
      }
      auto theirs = store::cases::public_events(sql, v.handled_in);
      if (!theirs) return theirs.error();
      for_submitter(*theirs, v.number);
      if (!*same) {
        // The other person's timeline without its words (notes to them, their reasons, their
        // rating): what happened and when.
        std::erase_if(*theirs, [](const domain::CaseEvent& e) { return e.command == "follow_up"; });
        for (auto& e : *theirs) e.note.clear();
      }
      v.events.insert(v.events.end(), theirs->begin(), theirs->end());
      std::stable_sort(
          v.events.begin(), v.events.end(),
          [](const domain::CaseEvent& a, const domain::CaseEvent& b) { return a.at < b.at; });
    }
    // Only a deadline counted on days from this year to a year without the official days can
    // be provisional (a clock started in an earlier year counted that year's days already, and
    // past years are covered); the case is read in full only then, so the tracking page costs
    // no more for the rest of the year.
    if (v.deadline_at) {
      const auto year_of = [](Instant t) {
        return static_cast<int>(std::chrono::year_month_day(domain::china_date(t)).year());
      };
      bool uncovered = false;
      for (int y = year_of(now); y <= year_of(*v.deadline_at - std::chrono::microseconds(1)); ++y) {
        uncovered = uncovered || !(*cal)->covers_year(y);
      }
      if (uncovered) {
        auto full = store::cases::find(sql, v.handled_in);
        if (!full) return full.error();
        if (*full) {
          auto provisional = deadline_provisional(sql, **full);
          if (!provisional) return provisional.error();
          v.deadline_provisional = *provisional;
        }
      }
    }
    // The guards read the carrier's state, its reply's time, its real rating (shown or not) and
    // its review events, which the public timeline holds.
    Case carrier;
    carrier.number = v.handled_in;
    carrier.kind = v.kind;
    carrier.state = v.state;
    carrier.replied_at = v.replied_at;
    carrier.rating = v.handled_in == v.number ? v.rating : rating;
    History history(sql, carrier.number, v.events);
    auto possible =
        possible_commands(carrier, Actor::by_tracking_code({}), now, rules_, **cal, history);
    if (!possible) return possible.error();
    v.commands = std::move(*possible);
    // What in this page depends on the time, not on the store (TrackCache): the commands' review
    // window (kReviewWindow, the one guard of a resident's command that reads the clock) and
    // the year a provisional deadline is looked at from. Both change at a midnight in China at
    // the latest, or at the window's end if it is counted in hours.
    v.read_at = now;
    v.fresh_until = domain::china_midnight(domain::china_date(now) + std::chrono::days(1));
    if (carrier.replied_at) {
      const Instant window_end =
          domain::period_end(*carrier.replied_at, rules_.review_window, **cal);
      if (window_end > now) v.fresh_until = std::min(v.fresh_until, window_end);
    }
    return v;
  });
}

Result<std::string> CaseService::track_page(
    std::string_view tracking_code, const std::function<std::string(const TrackView&)>& render) {
  std::shared_ptr<TrackCache> cache = track_cache_;
  auto code = domain::normalize_tracking_code(tracking_code);
  if (!cache || !code) {
    auto v = track(tracking_code);
    if (!v) return v.error();
    return render(*v);
  }
  auto cal = calendar();
  if (!cal) return cal.error();
  if (auto kept = cache->get(*code, clock_.now(), cal->get())) return std::move(*kept);
  const TrackCache::Ticket ticket = cache->ticket();  // before the read begins
  auto v = track(*code);
  if (!v) return v.error();
  std::string body = render(*v);
  cache->put(*code,
             {.body = body,
              .cases = std::move(v->read_cases),
              .read_at = v->read_at,
              .fresh_until = v->fresh_until,
              .calendar = std::move(v->calendar)},
             ticket);
  return body;
}

Result<void> CaseService::use_track_cache(std::shared_ptr<TrackCache> cache) {
  track_cache_.reset();
  if (!cache) return db_.watch({}, {});
  std::weak_ptr<TrackCache> weak = cache;
  auto watching = db_.watch(TrackCache::watched_tables(), [weak](const store::ChangedKeys& c) {
    if (auto kept = weak.lock()) kept->changed(c);
  });
  if (!watching) return watching.error();
  track_cache_ = std::move(cache);
  return {};
}

Result<std::string> CaseService::carrier(std::string_view number, const Actor& actor) {
  return db_.read_value([&](store::Sql& sql) -> Result<std::string> {
    auto own = store::cases::find(sql, number);
    if (!own) return own.error();
    if (!*own || !may_see(actor, **own)) return hidden(number);
    std::string carrier = (*own)->number;
    // As track's chain: a few links at most; the bound only guards against a cycle.
    std::string next = (*own)->merged_into;
    for (int hop = 0; !next.empty() && hop < 8; ++hop) {
      auto t = store::cases::find_public(sql, next);
      if (!t) return t.error();
      if (!*t) break;
      carrier = (*t)->number;
      next = (*t)->merged_into;
    }
    return carrier;
  });
}

Result<Case> CaseService::apply(std::string_view number, Command command, const CommandInput& in,
                                std::int64_t expected_version, const Actor& actor) {
  // Load the calendar before taking the writer (apply_in would load it inside).
  if (auto cal = calendar(); !cal) return cal.error();
  auto applied = db_.write_value(
      [&](store::Sql& sql) { return apply_in(sql, number, command, in, expected_version, actor); });
  if (!applied) {
    return audit_refusal(actor, "case." + std::string(domain::to_string(command)), number,
                         applied.error());
  }
  return applied;
}

Result<Case> CaseService::apply_in(store::Sql& sql, std::string_view number, Command command,
                                   const CommandInput& in, std::int64_t expected_version,
                                   const Actor& actor) {
  return store::settle_races(sql, [&](store::Sql& s) {
    return apply_once(s, number, command, in, expected_version, actor);
  });
}

Result<Case> CaseService::apply_once(store::Sql& sql, std::string_view number, Command command,
                                     const CommandInput& in, std::int64_t expected_version,
                                     const Actor& actor) {
  const Instant now = clock_.now();
  auto cal = calendar();
  if (!cal) return cal.error();
  auto found = store::cases::find(sql, number);
  if (!found) return found.error();
  if (!*found) return hidden(number);
  Case c = std::move(**found);
  // Whoever may not see the case learns nothing of it, not even its version.
  if (!may_see(actor, c)) return hidden(number);
  // The client's version is the one it read; timers due since (below) are not its concern.
  if (expected_version != kCurrentVersion && c.version != expected_version) {
    return Error::conflict(fmt::format("the case is at version {}, not {}: reload it and try again",
                                       c.version, expected_version))
        .zh("案件已被他人修改，请刷新后重试");
  }
  // A warning or breach already due, that the scheduler has not reached yet, comes first: the
  // command acts on the case as the scheduler would have left it (a breach may have moved it
  // one level up, to another unit), and the history has the timers' events before the
  // command's. A refusal rolls them back too; the scheduler raises them then.
  auto fired = fire_due_timers(sql, c, now);
  if (!fired) return fired.error();
  if (auto ok = may_apply(actor, c, command); !ok) return ok.error();
  const Case before = c;
  History history(sql, c.number);
  const domain::Transition* t = domain::find_transition(c.kind, c.state, command);
  if (!t) {
    auto possible = possible_commands(c, actor, now, rules_, **cal, history);
    if (!possible) return possible.error();
    return not_allowed(c, command, *possible);
  }
  // Notes are public on the tracking page and replies are the official answer: the same text
  // rules as a description, and a reply only where the transition takes one (办结, 复查/复核答复):
  // no other command, and nobody else, rewrites the answer or restarts its review window.
  const bool takes_reply =
      std::find(t->guards.begin(), t->guards.end(), Guard::kReply) != t->guards.end();
  if (auto ok = domain::check_text("note", in.note, domain::kMaxNoteChars, false, true); !ok) {
    return ok.error();
  }
  if (auto ok = domain::check_text("reply", in.reply, domain::kMaxReplyChars, false, true); !ok) {
    return ok.error();
  }
  if (!takes_reply && !in.reply.empty()) {
    return Error::invalid_argument(
               fmt::format("reply: the command {} takes no reply", domain::to_string(command)))
        .zh("答复：该操作不填写答复");
  }
  if (in.time_limit && !t->takes_time_limit) {
    if (c.kind == domain::CaseKind::kPetition) {
      return Error::invalid_argument(
                 "time_limit: a petition's time is the statute's (60 days from acceptance, "
                 "extended once at most); its commands take no time limit")
          .zh("办理时限（time_limit）：信访事项的办理期限依《信访工作条例》（自受理之日起 60 "
              "日，可延期一次），不另设办理时限");
    }
    return Error::invalid_argument(fmt::format("time_limit: the command {} takes no time limit",
                                               domain::to_string(command)))
        .zh("办理时限（time_limit）：仅交办、改派、返工时可以设定");
  }
  // No category limit is near 1,000 of any unit; counting a larger one day by day is waste.
  if (in.time_limit && (in.time_limit->amount < 1 || in.time_limit->amount > 1000)) {
    return Error::invalid_argument("time_limit: the amount is a whole number from 1 to 1000")
        .zh("办理时限（time_limit）：数值须为 1 至 1000 的整数");
  }
  const CaseState from = c.state;
  std::optional<domain::Unit> unit;
  std::string top_of_chain;  // a resident's escalation at the top: the unit that keeps the case
  // A resident's escalation while the unit a resident's escalation brought the case to has not
  // acted yet: that unit, which keeps it.
  std::string pending_with;
  std::optional<Case> merge_target;  // 并单: the case being handled that takes this one
  // The guards in the table's order. A guard's refusal (409) names what could succeed
  // instead, as a refused transition does (error.allowed).
  auto guards_pass = [&]() -> Result<void> {
    for (Guard g : t->guards) {
      switch (g) {
        case Guard::kReason:
          if (blank(in.note)) {
            return Error::invalid_argument("note: a written reason is required").zh("须写明理由");
          }
          break;
        case Guard::kReply:
          if (blank(in.reply)) {
            return Error::invalid_argument("reply: a written reply is required")
                .zh("须填写书面答复");
          }
          break;
        case Guard::kUnit: {
          if (!in.unit_id) {
            return Error::invalid_argument("unit_id: the target unit is required")
                .zh("unit_id：须选择承办单位");
          }
          auto u = store::catalogue::find_unit(sql, *in.unit_id);
          if (!u) return u.error();
          if (!*u || !(*u)->active) {
            return Error::invalid_argument("unit_id: no such active unit")
                .zh("unit_id：没有该在用单位");
          }
          // Dispatch (交办, 改派) stays on the case's own chain: a unit on its place or above it
          // (division codes are prefixes of their descendants'), or below it, which says where in
          // that area the matter lies (a case a transfer left on a county's node goes down to a
          // township; the place follows, below). A transfer (转送) may go to the competent body of
          // another jurisdiction.
          if (command != Command::kTransfer && !c.place_code.starts_with((*u)->jurisdiction_code) &&
              !(*u)->jurisdiction_code.starts_with(c.place_code)) {
            return Error::invalid_argument(
                       "unit_id: the unit is not on the case's place, above it or below it")
                .zh("承办单位须位于案件所在地、其上级或下级区划");
          }
          auto competent = competent_for(sql, catalogue_, **u, c.category_code, c.description);
          if (!competent) return competent.error();
          if (!*competent) {
            return Error::invalid_argument(
                       fmt::format(
                           "unit_id: {} does not handle {} matters (see the dispatch catalogue)",
                           (*u)->name, c.category_code))
                .zh(fmt::format("{}不承办该类事项（见派单目录）", (*u)->name));
          }
          if (c.accused_unit_id && (*u)->id == *c.accused_unit_id) {
            return Error::invalid_argument("unit_id: the case accuses this unit")
                .zh("不得交由被举报单位办理");
          }
          if (c.unit_id && (*u)->id == *c.unit_id && command != Command::kAssign) {
            return Error::invalid_argument("unit_id: the case is already with this unit")
                .zh("unit_id：案件已由该单位承办");
          }
          unit = std::move(**u);
          break;
        }
        case Guard::kRating:
          if (in.rating == domain::Rating::kNone) {
            return Error::invalid_argument("rating: satisfied, basically_satisfied or unsatisfied")
                .zh("评价（rating）：satisfied（满意）、basically_satisfied（基本满意）或 "
                    "unsatisfied（不满意）");
          }
          break;
        case Guard::kUnsatisfied:
        case Guard::kFirstExtension:
        case Guard::kReviewWindow:
        case Guard::kObjectionWindow:
          if (auto ok = check_case_guard(g, c, command, now, rules_, **cal, history); !ok) {
            return ok.error();
          }
          break;
        case Guard::kTargetCase: {
          if (in.target_case.empty() || in.target_case == c.number) {
            return Error::invalid_argument(
                       "target_case: the number of another case being handled is required")
                .zh("target_case：须填写要并入的另一在办案件编号");
          }
          auto target = store::cases::find(sql, in.target_case);
          if (!target) return target.error();
          // Only into a case the actor may see: otherwise the answer would tell which numbers
          // exist elsewhere.
          if (!*target || !may_see(actor, **target)) {
            return Error::invalid_argument("target_case: no open case has this number")
                .zh("target_case：没有该编号的在办案件");
          }
          if (auto ok = mergeable(sql, c, **target); !ok) return ok.error();
          merge_target = std::move(**target);
          break;
        }
        case Guard::kHigherLevel: {
          if (!c.unit_id) {
            return Error::failed_precondition("the case has no unit to escalate from")
                .zh("案件尚无承办单位，无法提级");
          }
          auto current = store::catalogue::find_unit(sql, *c.unit_id);
          if (!current) return current.error();
          if (!*current) return Error::internal("the case's unit is missing");
          const bool resident = actor.holds_tracking_code ||
                                (actor.principal && actor.principal->role == Role::kResident);
          // A resident's further escalation, while the unit a resident's escalation brought the
          // case to has not acted yet, is recorded for that unit's supervision instead of taking
          // the case higher again (one person cannot lift a matter through every tier in a
          // minute) — but only while the unit's handling deadline runs, unbreached, and its
          // breach would escalate the case. Overdue, answered or on another clock, the request
          // moves it up as before: nothing holds a resident back for long.
          const bool breach_escalates = rules_.escalate_on_breach &&
                                        c.clock == ClockKind::kHandling && !c.breached &&
                                        c.deadline_at && now < *c.deadline_at;
          if (resident && breach_escalates) {
            auto events = history.get();
            if (!events) return events.error();
            if (awaiting_unit_after_residents_escalation(**events)) {
              pending_with = (*current)->name;
              break;
            }
          }
          auto up = plan_escalation(sql, **current, {c.place_code, c.kind, ""});
          if (!up) return up.error();
          if (*up) {
            unit = std::move(**up);
          } else if (resident) {
            // Nothing blocks a resident: at the top the request is recorded, visibly, for that
            // unit's supervision (its leaders see the event), and the case stays where it is.
            top_of_chain = (*current)->name;
          } else {
            return Error::failed_precondition(
                       "the case is already with the highest unit above its place")
                .zh("案件已在其所在地的最高层级单位办理，无法再提级");
          }
          break;
        }
      }
    }
    return {};
  };
  if (auto ok = guards_pass(); !ok) {
    if (ok.error().code != ErrorCode::kFailedPrecondition || ok.error().allowed) return ok.error();
    auto possible = possible_commands(c, actor, now, rules_, **cal, history);
    if (!possible) return possible.error();
    // Not the command just refused: possible_commands leaves some guards to the request (a
    // unit above to escalate to, the merge's target), and "cannot escalate; allowed now:
    // escalate" would contradict itself.
    std::erase(*possible, command);
    return with_allowed(ok.error(), *possible);
  }
  // 复查 and 复核 go to the body one level up from the one that answered (Arts. 35-36).
  if ((command == Command::kRequestReview || command == Command::kRequestReReview) && c.unit_id) {
    auto current = store::catalogue::find_unit(sql, *c.unit_id);
    if (!current) return current.error();
    if (*current) {
      auto up = plan_escalation(sql, **current, {c.place_code, c.kind, ""});
      if (!up) return up.error();
      if (*up) unit = std::move(**up);
    }
  }
  // A transfer to another jurisdiction's body hands it the matter: the case's place moves to
  // the receiving node (the old one stays in the event), so that its staff see and dispatch it.
  // Into another county, the case is that county's: its county (repeat linking, merges, burst
  // detection) and its repeat signature follow (below); its number, given once, stays. A body
  // above the counties (a city's) has no county: the case keeps the one it had.
  // Dispatch below the place says where in it the matter lies: the place narrows to the unit's
  // node (the same county), so that the unit's staff, whose scope is their subtree, see it.
  std::string moved_from;
  bool refined = false;
  if (command == Command::kTransfer && unit && !c.place_code.starts_with(unit->jurisdiction_code)) {
    moved_from = c.place_code;
    c.place_code = unit->jurisdiction_code;
    if (c.place_code.size() >= 6) c.county_code = c.place_code.substr(0, 6);
  } else if (command != Command::kTransfer && unit &&
             unit->jurisdiction_code.size() > c.place_code.size() &&
             unit->jurisdiction_code.starts_with(c.place_code)) {
    moved_from = c.place_code;
    refined = true;
    c.place_code = unit->jurisdiction_code;
  }
  // The days asked for (optional, told to the unit head in the request's note) and granted.
  const bool asks_days = command == Command::kRequestExtension && in.extension_days != 0;
  if ((command == Command::kApproveExtension || asks_days) &&
      (in.extension_days < 1 || in.extension_days > rules_.max_extension_days)) {
    return Error::invalid_argument(
               fmt::format("extension_days: from 1 to {}", rules_.max_extension_days))
        .zh(fmt::format("延期天数（extension_days）：须为 1 至 {} 天", rules_.max_extension_days));
  }
  if (in.extension_days != 0 && command != Command::kApproveExtension &&
      command != Command::kRequestExtension) {
    return Error::invalid_argument(fmt::format("extension_days: the command {} takes no days; only "
                                               "request_extension and approve_extension do",
                                               domain::to_string(command)))
        .zh("延期天数（extension_days）：仅申请延期、批准延期时填写");
  }

  // The new state and what the command records.
  c.state = t->to;
  if (unit) c.unit_id = unit->id;
  if (takes_reply) {
    c.reply = in.reply;
    c.replied_at = now;
  }
  if (command == Command::kFollowUp) c.rating = in.rating;
  if (command == Command::kReopen) c.rating = domain::Rating::kNone;
  if (merge_target) {
    // The repeat is handled where the target is: with its unit.
    c.merged_into = merge_target->number;
    c.unit_id = merge_target->unit_id;
  }
  domain::ClockPeriods periods{rules_.petition_acceptance, rules_.petition_handling,
                               rules_.review_reply};
  // A demand's handling limit is its category's: for a new clock, and to count an extension
  // the way the limit is counted.
  if ((t->clock == domain::ClockEffect::kHandling || t->clock == domain::ClockEffect::kExtend) &&
      c.kind == domain::CaseKind::kDemand) {
    auto category = store::catalogue::find_category(sql, c.category_code);
    if (!category) return category.error();
    if (*category) periods.handling = (*category)->time_limit;
  }
  if (in.time_limit) {
    // What the category gives from now is the most the unit may be given (the command starts
    // the handling clock in any case: takes_time_limit).
    const Instant latest = domain::period_end(now, periods.handling, **cal);
    const Instant end = domain::period_end(now, *in.time_limit, **cal);
    if (end > latest) {
      return Error::invalid_argument(
                 fmt::format("time_limit: {} from now ends at {}, after the deadline the rules "
                             "set ({})",
                             domain::period_text(*in.time_limit, true),
                             domain::format_china_deadline(end),
                             domain::format_china_deadline(latest)))
          .zh(fmt::format(
              "办理时限（time_limit）：自现在起 {}，至 {} 届满，晚于规定的办理期限（{}）",
              domain::period_text(*in.time_limit, false), domain::format_china_deadline(end),
              domain::format_china_deadline(latest)));
    }
    periods.handling = *in.time_limit;
  }
  domain::apply_clock_effect(c, t->clock, now, periods, in.extension_days, **cal);
  c.updated_at = now;
  c.version += 1;
  if (auto r = store::cases::update(sql, c); !r) return r.error();
  if (!moved_from.empty()) {
    if (auto r = store::repeats::move(sql, before, c); !r) return r.error();
  }
  std::string note = in.note;
  if (command == Command::kApproveExtension) {
    // The petitioner is told the reason (Art. 34): the request's, which was internal.
    auto events = history.get();
    if (!events) return events.error();
    std::string reason;
    for (const auto& e : **events) {
      if (e.command == "request_extension")
        reason = domain::notes::extension_request_reason(e.note);
    }
    if (!note.empty()) reason += (reason.empty() ? "" : "；") + note;
    note = domain::notes::extension(
        in.extension_days, c.clock_limit ? c.clock_limit->unit : domain::PeriodUnit::kCalendarDays,
        reason);
  }
  if (asks_days) {
    note = domain::notes::extension_request(
        in.extension_days, c.clock_limit ? c.clock_limit->unit : domain::PeriodUnit::kCalendarDays,
        note);
  }
  if (refined) {
    note = domain::notes::place_refined(note, moved_from, c.place_code);
  } else if (!moved_from.empty()) {
    note = domain::notes::place_moved(note, moved_from);
  }
  if (in.time_limit && c.deadline_at) {
    note = domain::notes::time_limit(*in.time_limit, *c.deadline_at, note);
  }
  if (!top_of_chain.empty()) note = domain::notes::escalation_at_top(top_of_chain, note);
  if (!pending_with.empty()) note = domain::notes::escalation_pending(pending_with, note);
  if (command == Command::kFollowUp)
    note = std::string(domain::label_zh(in.rating)) + (note.empty() ? "" : ": " + note);
  if (command == Command::kMerge) note = domain::notes::merged_into(in.target_case, note);
  domain::CaseEvent e{.at = now,
                      .actor = actor.name,
                      .command = std::string(domain::to_string(command)),
                      .from = from,
                      .to = c.state,
                      .unit_id = c.unit_id,
                      .note = note,
                      .is_public = t->public_event};
  auto seq = store::cases::append_event(sql, c.number, e);
  if (!seq) return seq.error();
  if (merge_target) {
    // The target's handlers see the repeat in its history. Internal: the office merges other
    // people's reports too, whose numbers are not the target's submitter's business.
    domain::CaseEvent again{.at = now,
                            .actor = actor.name,
                            .command = "repeat",
                            .from = merge_target->state,
                            .to = merge_target->state,
                            .unit_id = merge_target->unit_id,
                            .note = domain::notes::submitted_again(c.number),
                            .is_public = false};
    if (auto r = store::cases::append_event(sql, merge_target->number, again); !r) {
      return r.error();
    }
  }
  if (auto r = store::stats::record_change(sql, &before, static_cast<std::size_t>(*seq - 1), c);
      !r) {
    return r.error();
  }
  if (auto r = record_audit(sql, now, audit_actor(actor),
                            {.action = "case." + std::string(domain::to_string(command)),
                             .object_type = "case",
                             .object_id = c.number},
                            actor.context);
      !r) {
    return r.error();
  }
  return c;
}

Result<CaseService::TimerRun> CaseService::run_due_timers(int max_cases) {
  const Instant now = clock_.now();
  TimerRun run;
  while (run.cases < max_cases) {
    const int want = std::min(kTimerBatch, max_cases - run.cases);
    struct Batch {
      int listed = 0;
      int handled = 0;
      int events = 0;
    };
    // Listed in the transaction that handles them, so that none changed in between.
    auto batch = db_.write_value([&](store::Sql& sql) -> Result<Batch> {
      auto due = store::cases::due_timers(sql, now, want);
      if (!due) return due.error();
      Batch b{.listed = static_cast<int>(due->size())};
      for (const std::string& number : *due) {
        auto found = store::cases::find(sql, number);
        if (!found) return found.error();
        if (!*found) continue;
        auto n = fire_due_timers(sql, **found, now);
        if (!n) return n.error();
        if (*n > 0) ++b.handled;
        b.events += *n;
      }
      return b;
    });
    if (!batch) return batch.error();
    run.cases += batch->handled;
    run.events += batch->events;
    // Drained; or only rows whose stored next_timer_at says due while the case has nothing due
    // (they would be listed first again and again).
    if (batch->listed < want || batch->handled == 0) return run;
  }
  run.capped = true;
  return run;
}

Result<bool> CaseService::escalated_on_breach(store::Sql& sql, const Case& c) {
  if (!c.clock_started_at) return false;
  auto history = store::cases::events(sql, c.number);
  if (!history) return history.error();
  // Strictly after the start: a command that restarts the clock in the transaction that fired
  // the last clock's breach starts it at that breach's instant, and that escalation was not this
  // clock's.
  return std::ranges::any_of(*history, [&](const domain::CaseEvent& e) {
    return e.actor == "system" && e.command == "escalate" && e.at > *c.clock_started_at;
  });
}

Result<int> CaseService::fire_due_timers(store::Sql& sql, Case& c, Instant now) {
  auto timer = domain::next_timer(c);
  if (!timer || *timer > now) return 0;
  const Case before = c;
  int events = 0;
  int first_seq = 0;
  auto add = [&](std::string command, std::string note, bool is_public) -> Result<void> {
    domain::CaseEvent e{.at = now,
                        .actor = "system",
                        .command = std::move(command),
                        .from = c.state,
                        .to = c.state,
                        .unit_id = c.unit_id,
                        .note = std::move(note),
                        .is_public = is_public};
    auto r = store::cases::append_event(sql, c.number, e);
    if (!r) return r.error();
    if (events++ == 0) first_seq = *r;
    return record_audit(
        sql, now, {"system", ""},
        {.action = "case." + e.command, .object_type = "case", .object_id = c.number}, {});
  };
  if (!c.warned) {
    c.warned = true;
    if (auto r = add("warn", domain::notes::warned(c.clock, *c.deadline_at), false); !r)
      return r.error();
  }
  if (*c.deadline_at <= now) {
    c.breached = true;
    if (auto r = add("breach", domain::notes::breached(c.clock, *c.deadline_at), true); !r)
      return r.error();
    // A breached handling deadline moves the case one level up, where the workflow allows —
    // once per clock: a deadline moved later by a new calendar and then breached again does
    // not take it up a second level.
    if (rules_.escalate_on_breach && c.clock == ClockKind::kHandling && c.unit_id &&
        domain::find_transition(c.kind, c.state, Command::kEscalate)) {
      auto escalated = escalated_on_breach(sql, c);
      if (!escalated) return escalated.error();
      auto current = *escalated ? Result<std::optional<domain::Unit>>(std::nullopt)
                                : store::catalogue::find_unit(sql, *c.unit_id);
      if (!current) return current.error();
      if (*current) {
        auto up = plan_escalation(sql, **current, {c.place_code, c.kind, ""});
        if (!up) return up.error();
        if (*up) {
          c.unit_id = (*up)->id;
          if (auto r = add("escalate", domain::notes::escalated_on_breach((*up)->name), true); !r) {
            return r.error();
          }
        }
      }
    }
  }
  c.updated_at = now;
  c.version += 1;
  if (auto r = store::cases::update(sql, c); !r) return r.error();
  if (auto r =
          store::stats::record_change(sql, &before, static_cast<std::size_t>(first_seq - 1), c);
      !r) {
    return r.error();
  }
  return events;
}

}  // namespace jiceng::app
