#include "store/case_repo.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "store/repeat_repo.h"
#include "store/search_repo.h"

namespace jiceng::store::cases {

namespace {

using domain::Case;

constexpr std::string_view kColumns =
    "number, tracking_code, kind, category_code, place_code, county_code, address, lat, lon, "
    "anonymous, submitter_name, submitter_contact, description, channel, unit_id, state, "
    "version, received_at, created_at, updated_at, clock, clock_started_at, deadline_at, "
    "extensions, reply, replied_at, rating, merged_into, warned, breached, next_timer_at, "
    "resident_id, accused_unit_id, warn_at, extension_days, clock_amount, clock_unit";

constexpr int kColumnCount = 37;

Value opt_instant(const std::optional<Instant>& t) {
  return t ? Value(to_micros(*t)) : Value(nullptr);
}

std::optional<Instant> instant_at(const Row& r, std::size_t i) {
  auto v = r.opt_int64(i);
  return v ? std::optional(from_micros(*v)) : std::nullopt;
}

// The values of a case in kColumns order.
std::vector<Value> values(const Case& c) {
  return {
      c.number,
      c.tracking_code,
      std::string(domain::to_string(c.kind)),
      c.category_code,
      c.place_code,
      c.county_code,
      c.address,
      c.point ? Value(c.point->lat) : Value(nullptr),
      c.point ? Value(c.point->lon) : Value(nullptr),
      std::int64_t{c.anonymous},
      c.submitter_name,
      c.submitter_contact,
      c.description,
      std::string(domain::to_string(c.channel)),
      c.unit_id ? Value(*c.unit_id) : Value(nullptr),
      std::string(domain::to_string(c.state)),
      c.version,
      to_micros(c.received_at),
      to_micros(c.created_at),
      to_micros(c.updated_at),
      std::string(domain::to_string(c.clock)),
      opt_instant(c.clock_started_at),
      opt_instant(c.deadline_at),
      std::int64_t{c.extensions},
      c.reply,
      opt_instant(c.replied_at),
      std::string(domain::to_string(c.rating)),
      c.merged_into.empty() ? Value(nullptr) : Value(c.merged_into),
      std::int64_t{c.warned},
      std::int64_t{c.breached},
      opt_instant(domain::next_timer(c)),
      c.resident_id ? Value(*c.resident_id) : Value(nullptr),
      c.accused_unit_id ? Value(*c.accused_unit_id) : Value(nullptr),
      opt_instant(c.warn_at),
      std::int64_t{c.extension_days},
      c.clock_limit ? Value(std::int64_t{c.clock_limit->amount}) : Value(nullptr),
      c.clock_limit ? Value(std::string(domain::to_string(c.clock_limit->unit))) : Value(nullptr)};
}

Result<Case> from_row(const Row& r) {
  Case c;
  c.number = r.text(0);
  c.tracking_code = r.text(1);
  auto kind = domain::case_kind_from_string(r.text(2));
  auto channel = domain::channel_from_string(r.text(13));
  auto state = domain::case_state_from_string(r.text(15));
  auto clock = domain::clock_kind_from_string(r.text(20));
  auto rating = domain::rating_from_string(r.text(26));
  if (!kind || !channel || !state || !clock || !rating) {
    return Error::internal("case " + c.number +
                           " holds an unknown kind, channel, state, clock or rating");
  }
  c.kind = *kind;
  c.category_code = r.text(3);
  c.place_code = r.text(4);
  c.county_code = r.text(5);
  c.address = r.text(6);
  if (!r.is_null(7) && !r.is_null(8)) c.point = domain::GeoPoint{r.float64(7), r.float64(8)};
  c.anonymous = r.int64(9) != 0;
  c.submitter_name = r.text(10);
  c.submitter_contact = r.text(11);
  c.description = r.text(12);
  c.channel = *channel;
  c.unit_id = r.opt_int64(14);
  c.state = *state;
  c.version = r.int64(16);
  c.received_at = from_micros(r.int64(17));
  c.created_at = from_micros(r.int64(18));
  c.updated_at = from_micros(r.int64(19));
  c.clock = *clock;
  c.clock_started_at = instant_at(r, 21);
  c.deadline_at = instant_at(r, 22);
  c.extensions = static_cast<int>(r.int64(23));
  c.reply = r.text(24);
  c.replied_at = instant_at(r, 25);
  c.rating = *rating;
  c.merged_into = r.text(27);
  c.warned = r.int64(28) != 0;
  c.breached = r.int64(29) != 0;
  c.resident_id = r.opt_int64(31);
  c.accused_unit_id = r.opt_int64(32);
  c.warn_at = instant_at(r, 33);
  c.extension_days = static_cast<int>(r.int64(34));
  if (!r.is_null(35) && !r.is_null(36)) {
    auto unit = domain::period_unit_from_string(r.text(36));
    if (!unit) return Error::internal("case " + c.number + " holds an unknown clock unit");
    c.clock_limit = domain::Period{static_cast<int>(r.int64(35)), *unit};
  }
  return c;
}

// The first row of rows as a case, nullopt when there is none.
Result<std::optional<Case>> first_case(const Result<Rows>& rows) {
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Case>();
  auto c = from_row(rows->front());
  if (!c) return c.error();
  return std::optional(std::move(*c));
}

}  // namespace

Result<std::int64_t> next_number(Sql& sql, std::string_view county_code, int year) {
  auto row = sql.query_one(
      "INSERT INTO case_counter (county_code, year, last_seq) VALUES ($1, $2, 1) "
      "ON CONFLICT (county_code, year) DO UPDATE SET last_seq = case_counter.last_seq + 1 "
      "RETURNING last_seq",
      {std::string(county_code), std::int64_t{year}});
  if (!row) return row.error();
  return row->int64(0);
}

Result<void> insert(Sql& sql, const Case& c, const std::vector<std::string>& topic_words) {
  static const std::string statement = fmt::format("INSERT INTO cases ({}) VALUES {}", kColumns,
                                                   values_placeholders(1, kColumnCount));
  auto v = values(c);
  auto r = sql.exec(statement, Params(v));
  if (!r) return r.error();
  if (auto indexed = search::index_case(sql, c); !indexed) return indexed;
  return repeats::record(sql, c, topic_words);
}

Result<std::vector<Case>> with_deadline_after(Sql& sql, Instant after,
                                              std::string_view after_number, int limit) {
  static const std::string statement = fmt::format(
      "SELECT {} FROM cases WHERE deadline_at > $1 AND number > $2 ORDER BY number LIMIT $3",
      kColumns);
  auto rows =
      sql.query(statement, {to_micros(after), std::string(after_number), std::int64_t{limit}});
  if (!rows) return rows.error();
  std::vector<Case> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    auto c = from_row(r);
    if (!c) return c.error();
    out.push_back(std::move(*c));
  }
  return out;
}

Result<std::int64_t> count_deadlines_from(Sql& sql, Instant from) {
  // A limit in hours counts the clock's own hours, never the calendar's days (NULL: a clock
  // from before clock_unit was kept, counted).
  auto row = sql.query_one(
      "SELECT COUNT(*) FROM cases WHERE deadline_at > $1 AND "
      "(clock_unit IS NULL OR clock_unit <> 'hours')",
      {to_micros(from)});
  if (!row) return row.error();
  return row->int64(0);
}

Result<std::optional<Case>> find(Sql& sql, std::string_view number) {
  static const std::string statement =
      fmt::format("SELECT {} FROM cases WHERE number = $1", kColumns);
  return first_case(sql.query(statement, {std::string(number)}));
}

namespace {

// The public columns of the case with this number or tracking code (no description, no
// submitter) and its unit's name, in one statement.
Result<std::optional<TrackedCase>> tracked_where(Sql& sql, bool by_number, std::string_view value) {
  static constexpr std::string_view kSelect =
      "SELECT number, kind, category_code, place_code, state, deadline_at, reply, rating, "
      "merged_into, (SELECT name FROM unit WHERE unit.id = cases.unit_id), replied_at FROM cases "
      "WHERE ";
  static const std::string by_code_sql = fmt::format("{}tracking_code = $1", kSelect);
  static const std::string by_number_sql = fmt::format("{}number = $1", kSelect);
  auto rows = sql.query(by_number ? by_number_sql : by_code_sql, {std::string(value)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<TrackedCase>();
  const Row& r = rows->front();
  TrackedCase t;
  t.number = r.text(0);
  auto kind = domain::case_kind_from_string(r.text(1));
  auto state = domain::case_state_from_string(r.text(4));
  auto rating = domain::rating_from_string(r.text(7));
  if (!kind || !state || !rating) {
    return Error::internal("case " + t.number + " holds an unknown kind, state or rating");
  }
  t.kind = *kind;
  t.category_code = r.text(2);
  t.place_code = r.text(3);
  t.state = *state;
  t.deadline_at = instant_at(r, 5);
  t.reply = r.text(6);
  t.rating = *rating;
  t.merged_into = r.text(8);
  t.unit_name = r.text(9);
  t.replied_at = instant_at(r, 10);
  return std::optional(std::move(t));
}

}  // namespace

Result<std::optional<TrackedCase>> find_tracked(Sql& sql, std::string_view tracking_code) {
  return tracked_where(sql, false, tracking_code);
}

Result<std::optional<TrackedCase>> find_public(Sql& sql, std::string_view number) {
  return tracked_where(sql, true, number);
}

Result<std::vector<domain::CaseEvent>> public_events(Sql& sql, std::string_view number) {
  auto rows = sql.query(
      "SELECT seq, at, command, to_state, note, actor FROM case_event "
      "WHERE case_number = $1 AND public <> 0 ORDER BY seq",
      {std::string(number)});
  if (!rows) return rows.error();
  std::vector<domain::CaseEvent> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    domain::CaseEvent e;
    e.seq = static_cast<int>(r.int64(0));
    e.at = from_micros(r.int64(1));
    e.command = r.text(2);
    auto to = domain::case_state_from_string(r.text(3));
    if (!to) {
      return Error::internal("an event of case " + std::string(number) + " has an unknown state");
    }
    e.to = *to;
    e.note = r.text(4);
    e.actor = r.text(5);
    e.is_public = true;
    out.push_back(std::move(e));
  }
  return out;
}

Result<void> update(Sql& sql, const Case& c) {
  static const std::string statement = [] {
    // SET every column but the key from $2…$N; the stored version must be $N+1.
    std::string sets;
    std::string_view cols = kColumns;
    int i = 0;
    while (!cols.empty()) {
      auto comma = cols.find(", ");
      std::string_view col = cols.substr(0, comma);
      if (i > 0) sets += fmt::format("{}{} = ${}", i > 1 ? ", " : "", col, i + 1);
      ++i;
      cols = comma == std::string_view::npos ? std::string_view() : cols.substr(comma + 2);
    }
    return fmt::format("UPDATE cases SET {} WHERE number = $1 AND version = ${}", sets,
                       kColumnCount + 1);
  }();
  // The searchable fields and the place as stored, to re-index the case when they change.
  auto before = sql.query(
      "SELECT description, address, reply, place_code FROM cases WHERE number = $1", {c.number});
  if (!before) return before.error();
  auto v = values(c);
  v.push_back(c.version - 1);
  auto changed = sql.exec(statement, Params(v));
  if (!changed) return changed.error();
  if (*changed == 1) {
    const Row& old = before->front();
    if (old.text(0) == c.description && old.text(1) == c.address && old.text(2) == c.reply &&
        old.text(3) == c.place_code) {
      return {};
    }
    return search::reindex_case(
        sql, c, search::terms_of(old.text(3), old.text(0), old.text(1), old.text(2)));
  }
  auto exists = sql.query("SELECT version FROM cases WHERE number = $1", {c.number});
  if (!exists) return exists.error();
  if (exists->empty()) return Error::not_found("no case has the number " + c.number);
  // The version read in this transaction was current then (the caller compared the client's
  // with it): another writer committed since — a race, not the client's stale copy.
  Error raced = Error::conflict("the case was changed by someone else (now version " +
                                std::to_string(exists->front().int64(0)) + ")");
  raced.transient = true;
  return raced;
}

Result<void> add_media(Sql& sql, std::string_view number, std::string_view url, Instant at) {
  auto next =
      sql.query_one("SELECT COUNT(*) FROM case_media WHERE number = $1", {std::string(number)});
  if (!next) return next.error();
  auto r =
      sql.exec("INSERT INTO case_media (number, position, url, added_at) VALUES ($1, $2, $3, $4)",
               {std::string(number), next->int64(0), std::string(url), to_micros(at)});
  if (!r) return r.error();
  return {};
}

Result<std::vector<std::string>> media_urls(Sql& sql, std::string_view number) {
  auto rows = sql.query("SELECT url FROM case_media WHERE number = $1 ORDER BY position",
                        {std::string(number)});
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (const Row& r : *rows) out.push_back(r.text(0));
  return out;
}

Result<int> append_event(Sql& sql, std::string_view number, domain::CaseEvent e) {
  // Writers appending to one case at once (PostgreSQL with several writers: repeats merged into
  // one case, say) queue on its row, each computing its seq after the one before committed. A
  // writer that took the same seq all the same inserts nothing and reports the race. NO KEY
  // UPDATE, as an UPDATE of the row takes: it does not wait for the KEY SHARE locks that rows
  // referring to the case hold (a repeat's merged_into), which would deadlock two merges.
  if (sql.dialect() == Dialect::kPostgres) {
    auto locked =
        sql.query("SELECT 1 FROM cases WHERE number = $1 FOR NO KEY UPDATE", {std::string(number)});
    if (!locked) return locked.error();
  }
  auto rows = sql.query(
      "INSERT INTO case_event (case_number, seq, at, actor, command, from_state, to_state, "
      "unit_id, note, public) "
      "SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9 "
      "FROM case_event WHERE case_number = $1 ON CONFLICT DO NOTHING RETURNING seq",
      {std::string(number), to_micros(e.at), e.actor, e.command,
       e.from ? Value(std::string(domain::to_string(*e.from))) : Value(nullptr),
       std::string(domain::to_string(e.to)), e.unit_id ? Value(*e.unit_id) : Value(nullptr), e.note,
       std::int64_t{e.is_public}});
  if (!rows) return rows.error();
  if (rows->empty()) {
    Error raced = Error::conflict(fmt::format(
        "another event was added to case {} at the same moment; run the change again", number));
    raced.transient = true;
    return raced;
  }
  return static_cast<int>(rows->front().int64(0));
}

Result<std::vector<domain::CaseEvent>> events(Sql& sql, std::string_view number) {
  auto rows = sql.query(
      "SELECT seq, at, actor, command, from_state, to_state, unit_id, note, public "
      "FROM case_event WHERE case_number = $1 ORDER BY seq",
      {std::string(number)});
  if (!rows) return rows.error();
  std::vector<domain::CaseEvent> out;
  for (const Row& r : *rows) {
    domain::CaseEvent e;
    e.seq = static_cast<int>(r.int64(0));
    e.at = from_micros(r.int64(1));
    e.actor = r.text(2);
    e.command = r.text(3);
    if (!r.is_null(4)) {
      auto from = domain::case_state_from_string(r.text(4));
      if (from) e.from = *from;
    }
    auto to = domain::case_state_from_string(r.text(5));
    if (!to)
      return Error::internal("an event of case " + std::string(number) + " has an unknown state");
    e.to = *to;
    e.unit_id = r.opt_int64(6);
    e.note = r.text(7);
    e.is_public = r.int64(8) != 0;
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<std::string>> due_timers(Sql& sql, Instant now, int limit) {
  auto rows = sql.query(
      "SELECT number FROM cases WHERE next_timer_at <= $1 ORDER BY next_timer_at LIMIT $2",
      {to_micros(now), std::int64_t{limit}});
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (const Row& r : *rows) out.push_back(r.text(0));
  return out;
}

namespace {

// "('registered', 'accepted', …)": the states domain::is_being_handled admits, for an IN.
const std::string& handled_states() {
  static const std::string list = [] {
    std::string out;
    for (domain::CaseState s : domain::kAllStates) {
      if (!domain::is_being_handled(s)) continue;
      out += fmt::format("{}'{}'", out.empty() ? "(" : ", ", domain::to_string(s));
    }
    return out + ")";
  }();
  return list;
}

}  // namespace

Result<std::vector<std::string>> open_repeats(Sql& sql, const Case& c) {
  std::vector<Value> params = {c.category_code, c.place_code, c.number,
                               std::string(domain::to_string(c.kind))};
  std::string submitter;
  if (c.resident_id) {
    params.emplace_back(*c.resident_id);
    submitter = "c.resident_id = $5";
  } else if (auto key = c.anonymous ? std::nullopt
                                    : repeats::contact_key(c.county_code, c.submitter_contact)) {
    // The contact as its repeat signature keys it (in its compared form): the signature's
    // index finds it, however the number was written.
    params.emplace_back(*key);
    submitter = "c.number IN (SELECT s.number FROM case_signature s WHERE s.contact_key = $5)";
  } else {
    return std::vector<std::string>{};
  }
  auto rows =
      sql.query(fmt::format("SELECT c.number FROM cases c WHERE {} AND c.category_code = $1 "
                            "AND c.place_code = $2 AND c.number <> $3 AND c.kind = $4 AND "
                            "c.state IN {} ORDER BY c.created_at, c.number",
                            submitter, handled_states()),
                Params(params));
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (const Row& r : *rows) out.push_back(r.text(0));
  return out;
}

const std::string_view kListedColumns =
    "c.number, c.kind, c.category_code, c.place_code, c.unit_id, c.state, c.deadline_at, "
    "c.warned, c.breached, c.created_at";

std::string ListFilter::param(Value v) {
  params.push_back(std::move(v));
  return fmt::format("${}", params.size());
}

void ListFilter::add(std::string_view condition) {
  if (!where.empty()) where += " AND ";
  where += condition;
}

ListFilter list_filter(const ListQuery& q, bool with_cursor) {
  ListFilter f;
  // Only the filters given become conditions, each a plain comparison, so that the planner
  // sees which indexes serve them (a condition like "$1 = '' OR c.state = $1" hides that).
  // The statement's text depends on which filters are given: a few dozen texts, each prepared
  // once per connection.
  // The scope. A township's or a village's cases are few: the place index finds them and they
  // are sorted. A county or a wider area holds many: walking an order's index (cases_created,
  // cases_running_deadline) and keeping those in the scope reads about a page; so the place
  // is compared as an expression there, which no index serves, and the planner takes the
  // order's index. A resident's own cases are found by the resident index either way.
  const bool wide = q.place_first.size() <= 6 || q.resident_id != 0;
  const std::string_view place = wide ? "(c.place_code || '')" : "c.place_code";
  f.add(fmt::format("{} >= {} AND {} < {}", place, f.param(q.place_first), place,
                    f.param(q.place_last)));
  const std::size_t scope_only = f.where.size();
  if (q.resident_id != 0) f.add("c.resident_id = " + f.param(q.resident_id));
  if (q.hide_from_unit != 0) {
    f.add("(c.accused_unit_id IS NULL OR c.accused_unit_id <> " + f.param(q.hide_from_unit) + ")");
  }
  // A state: for a wide scope's newest-first page, cases_state_created walks that state's
  // cases newest first (cases_created would skip every newer case of other states: a day's new
  // registered cases before the first accepted one). Otherwise the place index (narrow scope)
  // or cases_running_deadline (deadline order) stays the planner's choice, so the state is
  // compared as an expression there: sorting all of a state's cases by deadline is no page.
  if (!q.state.empty()) {
    const bool by_state = wide && q.order == ListOrder::kNewest;
    f.add(fmt::format("{} = {}", by_state ? "c.state" : "(c.state || '')", f.param(q.state)));
  }
  if (!q.kind.empty()) f.add("c.kind = " + f.param(q.kind));
  if (!q.category_codes.empty()) {
    std::vector<std::string> params;
    for (const std::string& code : q.category_codes) params.push_back(f.param(code));
    f.add(fmt::format("c.category_code IN ({})", fmt::join(params, ", ")));
  }
  if (q.unit_id != 0) f.add("c.unit_id = " + f.param(q.unit_id));
  if (q.created_from) f.add("c.created_at >= " + f.param(to_micros(*q.created_from)));
  if (q.created_to) f.add("c.created_at < " + f.param(to_micros(*q.created_to)));
  if (q.overdue_at) {
    f.add("c.deadline_at IS NOT NULL AND c.deadline_at < " + f.param(to_micros(*q.overdue_at)));
  }
  if (with_cursor && q.before_created_at) {
    const std::string at = f.param(to_micros(*q.before_created_at));
    f.add(fmt::format("(c.created_at < {} OR (c.created_at = {} AND c.number < {}))", at, at,
                      f.param(q.before_number)));
  }
  f.beyond_scope = f.where.size() != scope_only;
  return f;
}

Result<ListedCase> listed_from_row(const Row& r) {
  auto kind = domain::case_kind_from_string(r.text(1));
  auto state = domain::case_state_from_string(r.text(5));
  if (!kind || !state) return Error::internal("case " + r.text(0) + " has a bad kind or state");
  return ListedCase{.number = r.text(0),
                    .kind = *kind,
                    .category_code = r.text(2),
                    .place_code = r.text(3),
                    .unit_id = r.opt_int64(4),
                    .state = *state,
                    .deadline_at = instant_at(r, 6),
                    .warned = r.int64(7) != 0,
                    .breached = r.int64(8) != 0,
                    .created_at = from_micros(r.int64(9))};
}

namespace {

Result<void> append_listed(Sql& sql, const std::string& statement, std::vector<Value> params,
                           std::vector<ListedCase>& out) {
  auto rows = sql.query(statement, Params(std::move(params)));
  if (!rows) return rows.error();
  for (const Row& r : *rows) {
    auto c = listed_from_row(r);
    if (!c) return c.error();
    out.push_back(std::move(*c));
  }
  return {};
}

}  // namespace

Result<std::vector<ListedCase>> list(Sql& sql, const ListQuery& q) {
  std::vector<ListedCase> out;
  out.reserve(static_cast<std::size_t>(std::max(q.limit, 0)));
  if (q.order == ListOrder::kNewest) {
    ListFilter f = list_filter(q);
    const std::string statement = fmt::format(
        "SELECT {} FROM cases c WHERE {} ORDER BY c.created_at DESC, c.number DESC "
        "LIMIT {}",
        kListedColumns, f.where, f.param(std::int64_t{q.limit}));
    if (auto r = append_listed(sql, statement, std::move(f.params), out); !r) return r.error();
    return out;
  }
  // The deadline order in two parts: the cases on a clock, soonest deadline first (after the
  // cursor), then those on none, newest first.
  if (!q.before_created_at) {
    ListFilter f = list_filter(q);
    f.add("c.deadline_at IS NOT NULL");
    if (q.after_deadline_at) {
      const std::string at = f.param(to_micros(*q.after_deadline_at));
      f.add(fmt::format("(c.deadline_at > {} OR (c.deadline_at = {} AND c.number > {}))", at, at,
                        f.param(q.after_deadline_number)));
    }
    const std::string statement =
        fmt::format("SELECT {} FROM cases c WHERE {} ORDER BY c.deadline_at, c.number LIMIT {}",
                    kListedColumns, f.where, f.param(std::int64_t{q.limit}));
    if (auto r = append_listed(sql, statement, std::move(f.params), out); !r) return r.error();
    if (static_cast<int>(out.size()) >= q.limit) return out;
  }
  ListFilter f = list_filter(q);
  f.add("c.deadline_at IS NULL");
  const std::string statement = fmt::format(
      "SELECT {} FROM cases c WHERE {} ORDER BY c.created_at DESC, c.number DESC LIMIT {}",
      kListedColumns, f.where, f.param(std::int64_t{q.limit - static_cast<int>(out.size())}));
  if (auto r = append_listed(sql, statement, std::move(f.params), out); !r) return r.error();
  return out;
}

}  // namespace jiceng::store::cases
