#include "store/stats_repo.h"

#include <fmt/format.h>

#include <map>
#include <mutex>
#include <span>
#include <tuple>

#include "store/case_repo.h"
#include "store/signal_repo.h"

namespace jiceng::store::stats {

namespace {

using domain::CaseFacts;
using domain::kStatCounterCount;
using domain::kStatCounterNames;

constexpr std::size_t kKeyColumns = 5;
constexpr std::size_t kRowColumns = kKeyColumns + kStatCounterCount;

// "SUM(received), SUM(merged), …"
const std::string& sum_list() {
  static const std::string s = [] {
    std::string out;
    for (auto name : kStatCounterNames)
      out += fmt::format("{}SUM({})", out.empty() ? "" : ", ", name);
    return out;
  }();
  return s;
}

// The upsert of n rows in one statement. Texts for the few sizes add() uses are built once.
const std::string& upsert_statement(std::size_t n) {
  static std::mutex mu;
  static std::map<std::size_t, std::string> texts;
  std::lock_guard lock(mu);
  auto [it, fresh] = texts.try_emplace(n);
  if (!fresh) return it->second;
  std::string columns = "area_code, grain, bucket, kind, category_code";
  std::string updates;
  for (auto name : kStatCounterNames) {
    columns += fmt::format(", {}", name);
    updates += fmt::format("{}{} = case_stat.{} + excluded.{}", updates.empty() ? "" : ", ", name,
                           name, name);
  }
  const std::string values = values_placeholders(n, kRowColumns);
  it->second = fmt::format(
      "INSERT INTO case_stat ({}) VALUES {} ON CONFLICT (area_code, grain, bucket, kind, "
      "category_code) DO UPDATE SET {}",
      columns, values, updates);
  return it->second;
}

CaseFacts facts_from(const Row& r, std::size_t first) {
  CaseFacts f;
  for (std::size_t i = 0; i < kStatCounterCount; ++i) f.n[i] = r.int64(first + i);
  return f;
}

std::optional<Instant> opt_instant(const Row& r, std::size_t i) {
  auto v = r.opt_int64(i);
  return v ? std::optional(from_micros(*v)) : std::nullopt;
}

Result<domain::CaseKind> kind_of(const Row& r, std::size_t i) {
  auto k = domain::case_kind_from_string(r.text(i));
  if (!k) return Error::internal("a case has an unknown kind");
  return *k;
}

}  // namespace

Result<void> add(Sql& sql, std::span<const domain::StatRow> deltas) {
  // Chunks of 128, 64, …, 1 rows: few statement texts, few round trips.
  std::vector<Value> params;
  auto it = deltas.begin();
  std::size_t left = deltas.size();
  while (left > 0) {
    std::size_t n = 128;
    while (n > left) n /= 2;
    params.clear();
    params.reserve(n * kRowColumns);
    for (std::size_t i = 0; i < n; ++i, ++it) {
      const auto& [key, facts] = *it;
      params.emplace_back(key.area_code);
      params.emplace_back(static_cast<std::int64_t>(key.grain));
      params.emplace_back(key.bucket);
      params.emplace_back(std::string(domain::to_string(key.kind)));
      params.emplace_back(key.category_code);
      for (std::int64_t v : facts.n) params.emplace_back(v);
    }
    if (auto r = sql.exec(upsert_statement(n), Params(params)); !r) return r.error();
    left -= n;
  }
  return {};
}

Result<void> record_change(Sql& sql, const domain::Case* before, std::size_t events_before,
                           const domain::Case& after, const std::vector<std::string>* after_words) {
  auto events = cases::events(sql, after.number);
  if (!events) return events.error();
  domain::StatDeltas deltas;
  if (before) {
    std::span<const domain::CaseEvent> old(events->data(), std::min(events_before, events->size()));
    domain::add_case_facts(deltas, *before, domain::facts_of(*before, old), -1);
  }
  domain::add_case_facts(deltas, after, domain::facts_of(after, *events), +1);
  for (std::size_t i = std::min(events_before, events->size()); i < events->size(); ++i) {
    const domain::CaseEvent& e = (*events)[i];
    if (e.command != "escalate") continue;
    for (const std::string& area : domain::chain_of(after.place_code)) {
      if (auto r = sql.exec(
              "INSERT INTO case_escalation (area_code, at, case_number, seq) VALUES ($1, $2, $3, "
              "$4)",
              {area, to_micros(e.at), after.number, std::int64_t{e.seq}});
          !r) {
        return r.error();
      }
    }
  }
  if (auto r = signals::record_change(sql, before, after, after_words); !r) return r.error();
  if (deltas.empty()) return {};
  const std::vector<domain::StatRow> rows(deltas.begin(), deltas.end());
  return add(sql, rows);
}

Result<std::vector<CategorySums>> by_category(Sql& sql, std::string_view area,
                                              std::span<const BucketRange> ranges,
                                              std::string_view kind) {
  static const std::string statement = fmt::format(
      "SELECT category_code, {} FROM case_stat WHERE area_code = $1 AND grain = $2 "
      "AND bucket >= $3 AND bucket <= $4 AND (CAST($5 AS TEXT) = '' OR kind = $5) "
      "AND category_code <> '' "
      "GROUP BY category_code ORDER BY category_code",
      sum_list());
  std::map<std::string, CaseFacts> sums;
  for (const BucketRange& range : ranges) {
    if (range.hi < range.lo) continue;
    auto rows = sql.query(statement, {std::string(area), static_cast<std::int64_t>(range.grain),
                                      range.lo, range.hi, std::string(kind)});
    if (!rows) return rows.error();
    for (const Row& r : *rows) sums[r.text(0)] += facts_from(r, 1);
  }
  std::vector<CategorySums> out;
  for (auto& [code, facts] : sums) out.push_back({code, facts});
  return out;
}

Result<CaseFacts> total(Sql& sql, std::string_view area, std::span<const BucketRange> ranges,
                        std::string_view kind) {
  static const std::string statement = fmt::format(
      "SELECT {} FROM case_stat WHERE area_code = $1 AND grain = $2 AND bucket >= $3 "
      "AND bucket <= $4 AND (CAST($5 AS TEXT) = '' OR kind = $5) AND category_code = ''",
      sum_list());
  CaseFacts sum;
  for (const BucketRange& range : ranges) {
    if (range.hi < range.lo) continue;
    auto row = sql.query_one(statement, {std::string(area), static_cast<std::int64_t>(range.grain),
                                         range.lo, range.hi, std::string(kind)});
    if (!row) return row.error();
    sum += facts_from(*row, 0);
  }
  return sum;
}

Result<std::vector<BucketSums>> by_bucket(Sql& sql, std::string_view area, const BucketRange& range,
                                          std::string_view kind) {
  static const std::string statement = fmt::format(
      "SELECT bucket, {} FROM case_stat WHERE area_code = $1 AND grain = $2 AND bucket >= $3 "
      "AND bucket <= $4 AND (CAST($5 AS TEXT) = '' OR kind = $5) AND category_code = '' "
      "GROUP BY bucket ORDER BY bucket",
      sum_list());
  std::vector<BucketSums> out;
  if (range.hi < range.lo) return out;
  auto rows = sql.query(statement, {std::string(area), static_cast<std::int64_t>(range.grain),
                                    range.lo, range.hi, std::string(kind)});
  if (!rows) return rows.error();
  for (const Row& r : *rows) out.push_back({r.int64(0), facts_from(r, 1)});
  return out;
}

Result<std::vector<std::string>> differences_from_recount(Sql& sql) {
  std::string columns = "area_code, grain, bucket, kind, category_code";
  for (auto name : kStatCounterNames) columns += fmt::format(", {}", name);
  using Key = std::tuple<std::string, std::int64_t, std::int64_t, std::string, std::string>;
  auto load = [&](std::string_view table) -> Result<std::map<Key, CaseFacts>> {
    auto rows = sql.query(fmt::format("SELECT {} FROM {}", columns, table), {});
    if (!rows) return rows.error();
    std::map<Key, CaseFacts> out;
    for (const Row& r : *rows) {
      CaseFacts f = facts_from(r, kKeyColumns);
      if (f.zero()) continue;  // a row whose cases moved away stays behind at zero
      out[{r.text(0), r.int64(1), r.int64(2), r.text(3), r.text(4)}] = f;
    }
    return out;
  };
  auto stored = load("case_stat");
  if (!stored) return stored.error();
  auto recounted = load("case_stat_recount");
  if (!recounted) return recounted.error();
  std::vector<std::string> out;
  auto describe = [](const Key& k) {
    return fmt::format("{}/{}/{}/{}/{}", std::get<0>(k), std::get<1>(k), std::get<2>(k),
                       std::get<3>(k), std::get<4>(k));
  };
  for (const auto& [key, facts] : *stored) {
    auto it = recounted->find(key);
    const CaseFacts other = it == recounted->end() ? CaseFacts{} : it->second;
    for (std::size_t i = 0; i < kStatCounterCount; ++i) {
      if (facts.n[i] != other.n[i]) {
        out.push_back(fmt::format("{}: {} stored {} vs recounted {}", describe(key),
                                  kStatCounterNames[i], facts.n[i], other.n[i]));
      }
    }
  }
  for (const auto& [key, facts] : *recounted) {
    if (!stored->contains(key)) out.push_back(describe(key) + ": missing from case_stat");
  }
  // Every escalate event, and nothing else, under each node of a chain down to a place.
  auto listed = sql.query_one(
      "SELECT (SELECT COUNT(*) FROM case_event WHERE command = 'escalate'), "
      "(SELECT COUNT(*) FROM case_escalation WHERE length(area_code) = 2), "
      "(SELECT COUNT(*) FROM case_escalation x WHERE NOT EXISTS (SELECT 1 FROM case_event e "
      "WHERE e.case_number = x.case_number AND e.seq = x.seq AND e.command = 'escalate' "
      "AND e.at = x.at)), "
      "(SELECT COUNT(*) FROM case_escalation x WHERE length(area_code) > 2 AND NOT EXISTS "
      "(SELECT 1 FROM case_escalation p WHERE p.case_number = x.case_number AND p.seq = x.seq "
      "AND length(p.area_code) = 2 AND substr(x.area_code, 1, 2) = p.area_code))",
      {});
  if (!listed) return listed.error();
  if (listed->int64(0) != listed->int64(1) || listed->int64(2) != 0 || listed->int64(3) != 0) {
    out.push_back(
        fmt::format("case_escalation: {} escalate events, {} listed, {} strays, {} "
                    "off their chain",
                    listed->int64(0), listed->int64(1), listed->int64(2), listed->int64(3)));
  }
  return out;
}

Result<std::vector<OverdueCase>> overdue(Sql& sql, std::string_view first, std::string_view last,
                                         std::string_view kind, std::int64_t hide_from_unit,
                                         int limit) {
  // Walks the partial index cases_overdue in deadline order and stops at `limit` matches; the
  // place test is an expression (|| '') so that no planner prefers cases_place and then sorts
  // every overdue case of a county.
  auto rows = sql.query(
      "SELECT c.number, c.kind, c.category_code, c.place_code, j.name, c.unit_id, u.name, "
      "c.deadline_at FROM cases c LEFT JOIN jurisdiction j ON j.code = c.place_code "
      "LEFT JOIN unit u ON u.id = c.unit_id "
      "WHERE c.breached = 1 AND c.place_code || '' >= $1 AND c.place_code || '' < $2 "
      "AND (CAST($3 AS TEXT) = '' OR c.kind = $3) "
      "AND (CAST($4 AS BIGINT) = 0 OR c.accused_unit_id IS NULL OR c.accused_unit_id <> $4) "
      "ORDER BY c.deadline_at, c.number LIMIT $5",
      {std::string(first), std::string(last), std::string(kind), hide_from_unit,
       std::int64_t{limit}});
  if (!rows) return rows.error();
  std::vector<OverdueCase> out;
  for (const Row& r : *rows) {
    auto k = kind_of(r, 1);
    if (!k) return k.error();
    out.push_back({.number = r.text(0),
                   .kind = *k,
                   .category_code = r.text(2),
                   .place_code = r.text(3),
                   .place_name = r.text(4),
                   .unit_id = r.opt_int64(5),
                   .unit_name = r.text(6),
                   .deadline_at = opt_instant(r, 7).value_or(Instant{})});
  }
  return out;
}

Result<std::vector<Escalation>> escalations(Sql& sql, std::string_view area, Instant from,
                                            Instant to, std::string_view kind,
                                            std::int64_t hide_from_unit, int limit) {
  auto rows = sql.query(
      "SELECT x.case_number, x.at, c.kind, c.category_code, c.place_code, j.name, e.unit_id, "
      "u.name, e.actor FROM case_escalation x JOIN cases c ON c.number = x.case_number "
      "JOIN case_event e ON e.case_number = x.case_number AND e.seq = x.seq "
      "LEFT JOIN jurisdiction j ON j.code = c.place_code LEFT JOIN unit u ON u.id = e.unit_id "
      "WHERE x.area_code = $1 AND x.at >= $2 AND x.at < $3 "
      "AND (CAST($4 AS TEXT) = '' OR c.kind = $4) "
      "AND (CAST($5 AS BIGINT) = 0 OR c.accused_unit_id IS NULL OR c.accused_unit_id <> $5) "
      "ORDER BY x.at DESC, x.case_number DESC LIMIT $6",
      {std::string(area), to_micros(from), to_micros(to), std::string(kind), hide_from_unit,
       std::int64_t{limit}});
  if (!rows) return rows.error();
  std::vector<Escalation> out;
  for (const Row& r : *rows) {
    auto k = kind_of(r, 2);
    if (!k) return k.error();
    out.push_back({.number = r.text(0),
                   .at = from_micros(r.int64(1)),
                   .kind = *k,
                   .category_code = r.text(3),
                   .place_code = r.text(4),
                   .place_name = r.text(5),
                   .unit_id = r.opt_int64(6),
                   .unit_name = r.text(7),
                   .automatic = r.text(8) == "system"});
  }
  return out;
}

}  // namespace jiceng::store::stats
