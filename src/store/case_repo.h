// Cases and their events, in portable SQL, inside the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/case.h"
#include "store/sql.h"

namespace jiceng::store::cases {

// The next running number of (county, year), from a counter row updated in the caller's
// transaction: a rollback gives the number back, so numbers have no gaps.
[[nodiscard]] Result<std::int64_t> next_number(Sql& sql, std::string_view county_code, int year);

// Inserts a new case with its search tokens and its repeat signature, made from
// `topic_words`: text::topic_words_of(c.description), which the caller makes before it takes
// the writer.
[[nodiscard]] Result<void> insert(Sql& sql, const domain::Case& c,
                                  const std::vector<std::string>& topic_words);
[[nodiscard]] Result<std::optional<domain::Case>> find(Sql& sql, std::string_view number);
// Up to `limit` cases whose deadline is after `after` (running clocks), numbered after
// `after_number` ("" for the first page), in number order: the pages of a walk over the running
// clocks that other writes do not disturb.
[[nodiscard]] Result<std::vector<domain::Case>> with_deadline_after(Sql& sql, Instant after,
                                                                    std::string_view after_number,
                                                                    int limit);
// How many running clocks end after `from` (breached ones too: a new calendar can move them),
// leaving out limits in hours, which the calendar does not move.
[[nodiscard]] Result<std::int64_t> count_deadlines_from(Sql& sql, Instant from);
// What a tracking code shows (GET /api/v1/track/{code}): the public fields of a case and its
// unit's name, never the submitter's data (which is not even read).
struct TrackedCase {
  std::string number;
  domain::CaseKind kind = domain::CaseKind::kDemand;
  std::string category_code;
  std::string place_code;
  domain::CaseState state = domain::CaseState::kRegistered;
  std::string unit_name;  // "" when the case has no unit
  std::optional<Instant> deadline_at;
  std::string reply;
  std::optional<Instant> replied_at;  // when the reply was given; nullopt before any
  domain::Rating rating = domain::Rating::kNone;
  std::string merged_into;
};
// The case with this tracking code, in one statement; nullopt if none.
[[nodiscard]] Result<std::optional<TrackedCase>> find_tracked(Sql& sql,
                                                              std::string_view tracking_code);
// The same by the case's number.
[[nodiscard]] Result<std::optional<TrackedCase>> find_public(Sql& sql, std::string_view number);
// The public events of a case, in order, with what the tracking page shows (seq, at, command,
// to, note) and the actor, which the caller needs to tell whose words a note holds and must not
// show (the unit is left empty).
[[nodiscard]] Result<std::vector<domain::CaseEvent>> public_events(Sql& sql,
                                                                   std::string_view number);
// Writes c over the stored case if the stored version is still c.version - 1 (optimistic
// concurrency). kConflict when another change came first; kNotFound when there is no such case.
[[nodiscard]] Result<void> update(Sql& sql, const domain::Case& c);

// Appends an event with the next sequence number of the case; returns that number.
[[nodiscard]] Result<int> append_event(Sql& sql, std::string_view number, domain::CaseEvent e);
[[nodiscard]] Result<std::vector<domain::CaseEvent>> events(Sql& sql, std::string_view number);

// Keeps a link to the submitter's photo or file of the case (checked before: domain::
// check_media_url), after those it has; media_urls gives them back in that order.
[[nodiscard]] Result<void> add_media(Sql& sql, std::string_view number, std::string_view url,
                                     Instant at);
[[nodiscard]] Result<std::vector<std::string>> media_urls(Sql& sql, std::string_view number);

// Up to `limit` cases whose next timer (warning or breach) is due at `now`, the most overdue
// first.
[[nodiscard]] Result<std::vector<std::string>> due_timers(Sql& sql, Instant now, int limit);

// The cases being handled (domain::is_being_handled) of the same kind, category and place as c
// and the same submitter — the same resident account when c has one, else the same contact key
// (repeats::contact_key: the contact in its compared form, domain/contact.h; none for an
// anonymous case) — oldest first: the candidates for Art. 19 repeat linking, the first the
// matter's own case (a later one is a repeat that was not linked, e.g. one a grid worker
// registered). The key is a hash: the caller compares the contacts themselves.
[[nodiscard]] Result<std::vector<std::string>> open_repeats(Sql& sql, const domain::Case& c);

// A list page: the cases whose place lies in [place_first, place_last) (a jurisdiction subtree,
// domain::scope_range) and that match the filters, in q.order. No personal data. For a county
// or a wider scope a page walks the order's index (cases_created, migration 0013; the cases on
// a clock through cases_running_deadline, migration 0012) and reads about a page's rows; for a
// township or a village the place index finds the scope's cases, which are sorted.
// The order of a list page: newest first, or the running deadline soonest first (so the most
// overdue first; ties by number), then the cases on no clock, newest first.
enum class ListOrder { kNewest, kDeadline };
struct ListQuery {
  std::string place_first{};
  std::string place_last{};
  std::int64_t resident_id = 0;     // 0: any; else only this resident's cases
  std::int64_t hide_from_unit = 0;  // 0: none; else leave out cases that accuse this unit
  std::string state{};              // "" for any
  std::string kind{};
  std::vector<std::string> category_codes{};   // empty for any; else one of these
  std::int64_t unit_id = 0;                    // 0 for any
  std::optional<Instant> created_from{};       // created_at >= created_from
  std::optional<Instant> created_to{};         // created_at < created_to
  std::optional<Instant> overdue_at{};         // only cases whose running deadline is before it
  std::optional<Instant> before_created_at{};  // cursor: after this (created_at, number)
  std::string before_number{};
  ListOrder order = ListOrder::kNewest;
  // kDeadline's cursor among the cases on a clock: after this (deadline_at, number). With
  // before_created_at instead, the page starts among the cases on no clock.
  std::optional<Instant> after_deadline_at{};
  std::string after_deadline_number{};
  int limit = 50;
};
struct ListedCase {
  std::string number;
  domain::CaseKind kind = domain::CaseKind::kDemand;
  std::string category_code;
  std::string place_code;
  std::optional<std::int64_t> unit_id;
  domain::CaseState state = domain::CaseState::kRegistered;
  std::optional<Instant> deadline_at;
  bool warned = false;
  bool breached = false;
  Instant created_at{};
};
[[nodiscard]] Result<std::vector<ListedCase>> list(Sql& sql, const ListQuery& q);

// For other queries with the list's filters (store/search_repo.cc): the columns of a
// ListedCase of `cases c`, the WHERE conditions of list() over `cases c` with their
// parameters, and the ListedCase of a row that starts with kListedColumns.
extern const std::string_view kListedColumns;
struct ListFilter {
  std::string where;          // conditions over `cases c`, joined by AND
  std::vector<Value> params;  // $1, $2, … of `where`
  bool beyond_scope = false;  // `where` holds more than the place range
  // Adds v as the next parameter and returns its placeholder ("$3").
  std::string param(Value v);
  // Appends a condition (its parameters added with param() first).
  void add(std::string_view condition);
};
// The conditions of q's filters and scope, and with_cursor its cursor (before_created_at).
ListFilter list_filter(const ListQuery& q, bool with_cursor = true);
[[nodiscard]] Result<ListedCase> listed_from_row(const Row& r);

}  // namespace jiceng::store::cases
