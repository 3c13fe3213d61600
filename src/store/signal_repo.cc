#include "store/signal_repo.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "domain/case_stats.h"
#include "domain/deadline.h"
#include "text/words.h"

namespace jiceng::store::signals {

namespace {

using domain::SignalDimension;

// Where a dimension's counts are kept: by category in signal_count (with its dimension column),
// by topic word in signal_word (migration 0019: keyed by area and day, no dimension column).
struct CountTable {
  std::string_view name;
  std::string_view columns;  // of a row, in the order add() binds them
  std::string_view key;
  std::string_view filter;  // the start of a WHERE clause: the dimension's rows
};

constexpr CountTable kCategoryCounts{
    "signal_count", "area_code, dimension, term, day, person, cases",
    "area_code, dimension, term, day, person", "dimension = 'category' AND "};
constexpr CountTable kWordCounts{"signal_word", "area_code, day, term, person, cases",
                                 "area_code, day, term, person", ""};

const CountTable& table_of(SignalDimension d) {
  return d == SignalDimension::kWord ? kWordCounts : kCategoryCounts;
}

// "FROM signal_count WHERE dimension = 'category' AND " or "FROM signal_word WHERE ": the start
// of a read of one dimension's counts.
std::string from_counts(SignalDimension d) {
  const CountTable& t = table_of(d);
  return fmt::format("FROM {} WHERE {}", t.name, t.filter);
}

// The upsert of n rows of one dimension's counts in one statement; texts built once per size.
const std::string& upsert_statement(SignalDimension d, std::size_t n) {
  static std::mutex mu;
  static std::map<std::pair<SignalDimension, std::size_t>, std::string> texts;
  std::lock_guard lock(mu);
  auto [it, fresh] = texts.try_emplace({d, n});
  if (!fresh) return it->second;
  const CountTable& t = table_of(d);
  const std::size_t columns = d == SignalDimension::kWord ? 5 : 6;
  it->second = fmt::format(
      "INSERT INTO {0} ({1}) VALUES {2} ON CONFLICT ({3}) DO UPDATE SET "
      "cases = {0}.cases + excluded.cases",
      t.name, t.columns, values_placeholders(n, columns), t.key);
  return it->second;
}

// Sorts the deltas, each dimension's apart and in its table's key order (so that a batch
// touches each B-tree page once), and sums those with the same key; drops the zeros.
void merge(std::vector<CountDelta>& deltas) {
  auto key = [](const CountDelta& d) {
    return std::tie(d.dimension, d.area_code, d.term, d.day, d.person);
  };
  auto word_key = [](const CountDelta& d) {
    return std::tie(d.dimension, d.area_code, d.day, d.term, d.person);
  };
  std::sort(deltas.begin(), deltas.end(), [&](const CountDelta& a, const CountDelta& b) {
    if (a.dimension != b.dimension) return a.dimension < b.dimension;
    return a.dimension == SignalDimension::kWord ? word_key(a) < word_key(b) : key(a) < key(b);
  });
  std::vector<CountDelta> out;
  for (CountDelta& d : deltas) {
    if (!out.empty() && key(out.back()) == key(d)) {
      out.back().cases += d.cases;
    } else {
      out.push_back(std::move(d));
    }
  }
  std::erase_if(out, [](const CountDelta& d) { return d.cases == 0; });
  deltas = std::move(out);
}

Result<SignalDimension> dimension_of(const Row& r, std::size_t i) {
  auto d = domain::signal_dimension_from_string(r.text(i));
  if (!d) return Error::internal("a signal row has an unknown dimension");
  return *d;
}

constexpr std::string_view kWarningColumns =
    "id, area_code, dimension, term, level, status, first_day, last_day, cases, people, "
    "baseline_rate, p_value, unit_id, raised_at, updated_at, version, note, acted_by";

Result<Warning> warning_of(const Row& r) {
  Warning w;
  w.id = r.int64(0);
  w.area_code = r.text(1);
  auto dimension = dimension_of(r, 2);
  if (!dimension) return dimension.error();
  w.dimension = *dimension;
  w.term = r.text(3);
  auto level = domain::warning_level_from_string(r.text(4));
  auto status = domain::warning_status_from_string(r.text(5));
  if (!level || !status) return Error::internal("a warning has an unknown level or status");
  w.level = *level;
  w.status = *status;
  w.first_day = r.int64(6);
  w.last_day = r.int64(7);
  w.cases = r.int64(8);
  w.people = r.int64(9);
  w.baseline_rate = r.float64(10);
  w.p_value = r.float64(11);
  w.unit_id = r.opt_int64(12);
  w.raised_at = from_micros(r.int64(13));
  w.updated_at = from_micros(r.int64(14));
  w.version = r.int64(15);
  w.note = r.text(16);
  w.acted_by = r.text(17);
  return w;
}

Result<std::vector<Warning>> warnings_of(const Result<Rows>& rows) {
  if (!rows) return rows.error();
  std::vector<Warning> out;
  for (const Row& r : *rows) {
    auto w = warning_of(r);
    if (!w) return w.error();
    out.push_back(std::move(*w));
  }
  return out;
}

Value unit_value(const std::optional<std::int64_t>& id) { return id ? Value(*id) : Value(nullptr); }

}  // namespace

std::vector<std::string> counted_words(std::string_view description) {
  return counted_words(text::topic_words_of(description));
}

std::vector<std::string> counted_words(std::vector<std::string> topic_words) {
  std::vector<std::string> out;
  for (std::string& w : topic_words) {
    if (out.size() == kWordsPerCase) break;
    if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(std::move(w));
  }
  return out;
}

namespace {

// `person`: the one the case counts as (domain::person_of, or what it was counted as before).
void add_counts(std::vector<CountDelta>& out, const domain::Case& c, int sign, bool categories,
                const std::vector<std::string>* words, std::int64_t person) {
  const std::int64_t day = domain::day_bucket(domain::china_date(c.received_at));
  std::vector<std::string> made;
  if (!words) {
    made = counted_words(c.description);
    words = &made;
  }
  for (std::string& area : domain::signal_areas(c.place_code)) {
    if (area.size() <= 9) {
      for (const std::string& w : *words) {
        out.push_back({.area_code = area,
                       .dimension = SignalDimension::kWord,
                       .term = w,
                       .day = day,
                       .person = person,
                       .cases = sign});
      }
    }
    if (!categories) continue;
    out.push_back({.area_code = std::move(area),
                   .dimension = SignalDimension::kCategory,
                   .term = c.category_code,
                   .day = day,
                   .person = person,
                   .cases = sign});
  }
}

// Calls each(page) for the stored cases, in pages by number (with what counts: category, place,
// day, person and description), so that a million cases need not sit in memory at once.
template <typename Each>
Result<void> for_each_page(Sql& sql, Each each) {
  std::string after;
  for (;;) {
    auto rows = sql.query(
        "SELECT number, category_code, place_code, received_at, anonymous, submitter_name, "
        "submitter_contact, resident_id, description FROM cases WHERE number > $1 "
        "ORDER BY number LIMIT 20000",
        {after});
    if (!rows) return rows.error();
    if (rows->empty()) return {};
    std::vector<domain::Case> page;
    page.reserve(rows->size());
    for (const Row& r : *rows) {
      domain::Case& c = page.emplace_back();
      c.number = r.text(0);
      c.category_code = r.text(1);
      c.place_code = r.text(2);
      c.received_at = from_micros(r.int64(3));
      c.anonymous = r.int64(4) != 0;
      c.submitter_name = r.text(5);
      c.submitter_contact = r.text(6);
      c.resident_id = r.opt_int64(7);
      c.description = r.text(8);
    }
    after = rows->back().text(0);
    if (auto r = each(page); !r) return r.error();
  }
}

// Counts every stored case under its category, or under its words only.
Result<void> count_all(Sql& sql, bool categories) {
  const std::vector<std::string> none;
  return for_each_page(sql, [&](const std::vector<domain::Case>& page) {
    std::vector<CountDelta> deltas;
    for (const domain::Case& c : page) {
      add_counts(deltas, c, +1, categories, categories ? &none : nullptr, domain::person_of(c));
    }
    return add(sql, std::move(deltas));
  });
}

}  // namespace

void add_case_counts(std::vector<CountDelta>& out, const domain::Case& c, int sign,
                     const std::vector<std::string>* words) {
  add_counts(out, c, sign, true, words, domain::person_of(c));
}

Result<void> add(Sql& sql, std::vector<CountDelta> deltas) {
  merge(deltas);  // sorted by dimension first: each dimension's rows are one run
  std::vector<Value> params;
  std::size_t done = 0;
  while (done < deltas.size()) {
    const SignalDimension dimension = deltas[done].dimension;
    const auto run_end =
        std::find_if(deltas.begin() + static_cast<std::ptrdiff_t>(done), deltas.end(),
                     [&](const CountDelta& d) { return d.dimension != dimension; });
    const auto left = static_cast<std::size_t>(run_end - deltas.begin()) - done;
    std::size_t n = 64;
    while (n > left) n /= 2;
    params.clear();
    for (std::size_t i = done; i < done + n; ++i) {
      const CountDelta& d = deltas[i];
      params.emplace_back(d.area_code);
      if (dimension == SignalDimension::kWord) {
        params.emplace_back(d.day);
        params.emplace_back(d.term);
      } else {
        params.emplace_back(std::string(domain::to_string(d.dimension)));
        params.emplace_back(d.term);
        params.emplace_back(d.day);
      }
      params.emplace_back(d.person);
      params.emplace_back(d.cases);
    }
    if (auto r = sql.exec(upsert_statement(dimension, n), Params(params)); !r) return r.error();
    done += n;
  }
  for (const CountDelta& d : deltas) {
    if (d.cases > 0) continue;
    auto r =
        sql.exec(fmt::format("DELETE {}area_code = $1 AND term = $2 AND day = $3 AND person = $4 "
                             "AND cases <= 0",
                             from_counts(d.dimension)),
                 {d.area_code, d.term, d.day, d.person});
    if (!r) return r.error();
  }
  return {};
}

Result<void> record_change(Sql& sql, const domain::Case* before, const domain::Case& after,
                           const std::vector<std::string>* after_words) {
  const bool new_day =
      !before || domain::china_date(before->received_at) != domain::china_date(after.received_at);
  if (!new_day && before->place_code == after.place_code &&
      before->category_code == after.category_code &&
      domain::person_of(*before) == domain::person_of(after) &&
      before->description == after.description) {
    return {};  // most commands: nothing counted moved (and no words to make)
  }
  std::vector<CountDelta> deltas;
  const bool same_words = before && before->description == after.description;
  const std::vector<std::string> words =
      after_words ? counted_words(*after_words) : counted_words(after.description);
  if (before) add_case_counts(deltas, *before, -1, same_words ? &words : nullptr);
  add_case_counts(deltas, after, +1, &words);
  return add(sql, std::move(deltas));
}

Result<void> count_all_cases(Sql& sql) { return count_all(sql, true); }

Result<void> count_all_words(Sql& sql) { return count_all(sql, false); }

Result<void> recount_people(Sql& sql, std::int64_t (*counted_as)(const domain::Case&)) {
  return for_each_page(sql, [&](const std::vector<domain::Case>& page) {
    std::vector<CountDelta> deltas;
    for (const domain::Case& c : page) {
      const std::int64_t was = counted_as(c);
      const std::int64_t is = domain::person_of(c);
      if (was == is) continue;
      const std::vector<std::string> words = counted_words(c.description);
      add_counts(deltas, c, -1, true, &words, was);
      add_counts(deltas, c, +1, true, &words, is);
    }
    return add(sql, std::move(deltas));
  });
}

Result<std::optional<std::int64_t>> first_day(Sql& sql) {
  auto row = sql.query_one("SELECT MIN(day) FROM signal_count WHERE dimension = 'category'", {});
  if (!row) return row.error();
  return row->opt_int64(0);
}

Result<CellDays> recent_days(Sql& sql, SignalDimension dimension, std::int64_t lo,
                             std::int64_t hi) {
  // In the order of signal_count_day (migration 0017), which covers the read: nothing to sort.
  auto rows = sql.query(fmt::format("SELECT area_code, term, day, person, cases {}day >= $1 AND "
                                    "day <= $2 ORDER BY day, area_code, term",
                                    from_counts(dimension)),
                        {lo, hi});
  if (!rows) return rows.error();
  CellDays out;
  for (const Row& r : *rows) {
    auto& days = out[{r.text(0), r.text(1)}];
    const std::int64_t day = r.int64(2);
    if (days.empty() || days.back().day != day)
      days.push_back({.day = day, .cases = 0, .people = {}});
    days.back().cases += r.int64(4);
    days.back().people.push_back(r.int64(3));
  }
  return out;
}

Result<std::vector<domain::CellDay>> cell_days(Sql& sql, const CellKey& cell,
                                               SignalDimension dimension, std::int64_t lo,
                                               std::int64_t hi) {
  auto rows = sql.query(fmt::format("SELECT day, SUM(cases) {}area_code = $1 AND term = $2 "
                                    "AND day >= $3 AND day <= $4 GROUP BY day ORDER BY day",
                                    from_counts(dimension)),
                        {cell.first, cell.second, lo, hi});
  if (!rows) return rows.error();
  std::vector<domain::CellDay> out;
  for (const Row& r : *rows) out.push_back({.day = r.int64(0), .cases = r.int64(1), .people = {}});
  return out;
}

Result<CellDays> all_cell_days(Sql& sql, SignalDimension dimension, std::int64_t lo,
                               std::int64_t hi) {
  // Grouped in the order of signal_count_day, which covers the read (as recent_days).
  auto rows = sql.query(fmt::format("SELECT area_code, term, day, SUM(cases) {}day >= $1 AND "
                                    "day <= $2 GROUP BY day, area_code, term "
                                    "ORDER BY day, area_code, term",
                                    from_counts(dimension)),
                        {lo, hi});
  if (!rows) return rows.error();
  CellDays out;
  for (const Row& r : *rows) {
    out[{r.text(0), r.text(1)}].push_back({.day = r.int64(2), .cases = r.int64(3), .people = {}});
  }
  return out;
}

std::vector<std::int64_t> deployment_days(const CellDays& cells, std::int64_t lo, std::int64_t hi) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(std::max<std::int64_t>(0, hi - lo + 1)));
  for (const auto& [cell, days] : cells) {
    if (cell.first.size() != 6) continue;
    for (const domain::CellDay& d : days) {
      if (d.day >= lo && d.day <= hi) out[static_cast<std::size_t>(d.day - lo)] += d.cases;
    }
  }
  return out;
}

Result<std::vector<PlaceCount>> hot_places(Sql& sql, std::string_view first, std::string_view last,
                                           int length, std::string_view category,
                                           std::int64_t prev_lo, std::int64_t lo, std::int64_t hi,
                                           int limit) {
  auto rows = sql.query(
      "SELECT area_code, SUM(CASE WHEN day >= $1 THEN cases ELSE 0 END) AS recent, "
      "COUNT(DISTINCT CASE WHEN day >= $1 THEN person END), "
      "SUM(CASE WHEN day < $1 THEN cases ELSE 0 END) FROM signal_count "
      "WHERE dimension = 'category' AND day >= $2 AND day <= $3 AND area_code >= $4 "
      "AND area_code < $5 AND length(area_code) = $6 AND (CAST($7 AS TEXT) = '' OR term = $7) "
      "GROUP BY area_code HAVING SUM(CASE WHEN day >= $1 THEN cases ELSE 0 END) > 0 "
      "ORDER BY recent DESC, area_code LIMIT $8",
      {lo, prev_lo, hi, std::string(first), std::string(last), std::int64_t{length},
       std::string(category), std::int64_t{limit}});
  if (!rows) return rows.error();
  std::vector<PlaceCount> out;
  for (const Row& r : *rows) {
    out.push_back({r.text(0), r.int64(1), r.int64(2), r.int64(3)});
  }
  return out;
}

Result<std::vector<TermCount>> term_counts(Sql& sql, std::string_view area,
                                           SignalDimension dimension, std::int64_t base_lo,
                                           std::int64_t lo, std::int64_t hi) {
  auto rows = sql.query(fmt::format("SELECT term, SUM(CASE WHEN day >= $1 THEN cases ELSE 0 END), "
                                    "COUNT(DISTINCT CASE WHEN day >= $1 THEN person END), "
                                    "SUM(CASE WHEN day < $1 THEN cases ELSE 0 END) "
                                    "{}area_code = $2 AND day >= $3 AND day <= $4 "
                                    "GROUP BY term ORDER BY term",
                                    from_counts(dimension)),
                        {lo, std::string(area), base_lo, hi});
  if (!rows) return rows.error();
  std::vector<TermCount> out;
  for (const Row& r : *rows) out.push_back({r.text(0), r.int64(1), r.int64(2), r.int64(3)});
  return out;
}

Result<std::optional<Warning>> open_warning(Sql& sql, const CellKey& cell,
                                            SignalDimension dimension) {
  static const std::string statement = fmt::format(
      "SELECT {} FROM burst_warning WHERE area_code = $1 AND dimension = $2 AND term = $3 "
      "AND status IN ('new', 'acknowledged')",
      kWarningColumns);
  auto list = warnings_of(
      sql.query(statement, {cell.first, std::string(domain::to_string(dimension)), cell.second}));
  if (!list) return list.error();
  if (list->empty()) return std::optional<Warning>{};
  return std::optional<Warning>{std::move(list->front())};
}

Result<std::optional<std::int64_t>> last_closed_day(Sql& sql, const CellKey& cell,
                                                    SignalDimension dimension) {
  auto row = sql.query_one(
      "SELECT MAX(last_day) FROM burst_warning WHERE area_code = $1 AND dimension = $2 "
      "AND term = $3 AND status IN ('handled', 'dismissed')",
      {cell.first, std::string(domain::to_string(dimension)), cell.second});
  if (!row) return row.error();
  return row->opt_int64(0);
}

Result<std::int64_t> insert_warning(Sql& sql, const Warning& w) {
  auto row = sql.query_one(
      "INSERT INTO burst_warning (area_code, dimension, term, level, status, first_day, "
      "last_day, cases, people, baseline_rate, p_value, unit_id, raised_at, updated_at, "
      "version, note, acted_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
      "$14, $15, $16, $17) RETURNING id",
      {w.area_code, std::string(domain::to_string(w.dimension)), w.term,
       std::string(domain::to_string(w.level)), std::string(domain::to_string(w.status)),
       w.first_day, w.last_day, w.cases, w.people, w.baseline_rate, w.p_value,
       unit_value(w.unit_id), to_micros(w.raised_at), to_micros(w.updated_at), w.version, w.note,
       w.acted_by});
  if (!row) return row.error();
  return row->int64(0);
}

Result<void> update_warning(Sql& sql, const Warning& w) {
  auto changed = sql.exec(
      "UPDATE burst_warning SET level = $2, status = $3, first_day = $4, last_day = $5, "
      "cases = $6, people = $7, baseline_rate = $8, p_value = $9, updated_at = $10, "
      "version = $11, note = $12, acted_by = $13 WHERE id = $1 AND version = $14",
      {w.id, std::string(domain::to_string(w.level)), std::string(domain::to_string(w.status)),
       w.first_day, w.last_day, w.cases, w.people, w.baseline_rate, w.p_value,
       to_micros(w.updated_at), w.version, w.note, w.acted_by, w.version - 1});
  if (!changed) return changed.error();
  if (*changed == 0) {
    return Error::conflict("the warning was changed meanwhile; reload it")
        .zh("预警已被他人更新，请刷新后重试");
  }
  return {};
}

Result<std::optional<Warning>> find_warning(Sql& sql, std::int64_t id) {
  static const std::string statement =
      fmt::format("SELECT {} FROM burst_warning WHERE id = $1", kWarningColumns);
  auto list = warnings_of(sql.query(statement, {id}));
  if (!list) return list.error();
  if (list->empty()) return std::optional<Warning>{};
  return std::optional<Warning>{std::move(list->front())};
}

Result<std::vector<Warning>> list_warnings(Sql& sql, const WarningFilter& f) {
  static const std::string statement = fmt::format(
      "SELECT {} FROM burst_warning WHERE area_code >= $1 AND area_code < $2 "
      "AND (CAST($3 AS TEXT) = '' OR status = $3) AND (CAST($4 AS TEXT) = '' OR level = $4) "
      "AND (CAST($5 AS BIGINT) = 0 OR unit_id = $5) ORDER BY raised_at DESC, id DESC LIMIT $6",
      kWarningColumns);
  return warnings_of(sql.query(
      statement,
      {f.first, f.last, f.status ? std::string(domain::to_string(*f.status)) : std::string(),
       f.level ? std::string(domain::to_string(*f.level)) : std::string(), f.unit_id.value_or(0),
       std::int64_t{f.limit}}));
}

Result<std::vector<CountyCase>> cases_of_county(Sql& sql, std::string_view county,
                                                Instant created_from, Instant from, Instant to) {
  auto rows = sql.query(
      "SELECT number, place_code, category_code, received_at, created_at FROM cases "
      "WHERE county_code = $1 AND created_at >= $2 AND received_at >= $3 AND received_at < $4",
      {std::string(county), to_micros(created_from), to_micros(from), to_micros(to)});
  if (!rows) return rows.error();
  std::vector<CountyCase> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    out.push_back({.number = r.text(0),
                   .place_code = r.text(1),
                   .category_code = r.text(2),
                   .received_at = from_micros(r.int64(3)),
                   .created_at = from_micros(r.int64(4))});
  }
  return out;
}

Result<void> add_evidence(Sql& sql, std::int64_t warning_id, std::span<const std::string> numbers,
                          int limit) {
  auto held =
      sql.query_one("SELECT COUNT(*) FROM burst_warning_case WHERE warning_id = $1", {warning_id});
  if (!held) return held.error();
  std::int64_t room = limit - held->int64(0);
  for (const std::string& number : numbers) {
    if (room <= 0) break;
    auto r = sql.exec(
        "INSERT INTO burst_warning_case (warning_id, case_number) VALUES ($1, $2) "
        "ON CONFLICT (warning_id, case_number) DO NOTHING",
        {warning_id, number});
    if (!r) return r.error();
    room -= *r;  // 0 when it was there already
  }
  return {};
}

Result<std::vector<EvidenceCase>> evidence(Sql& sql, std::int64_t warning_id,
                                           std::int64_t hide_from_unit) {
  auto rows = sql.query(
      "SELECT c.number, c.category_code, c.place_code, j.name, c.received_at, c.state, "
      "c.description FROM burst_warning_case x JOIN cases c ON c.number = x.case_number "
      "LEFT JOIN jurisdiction j ON j.code = c.place_code WHERE x.warning_id = $1 "
      "AND (CAST($2 AS BIGINT) = 0 OR c.accused_unit_id IS NULL OR c.accused_unit_id <> $2) "
      "ORDER BY c.received_at, c.number",
      {warning_id, hide_from_unit});
  if (!rows) return rows.error();
  std::vector<EvidenceCase> out;
  for (const Row& r : *rows) {
    out.push_back({.number = r.text(0),
                   .category_code = r.text(1),
                   .place_code = r.text(2),
                   .place_name = r.text(3),
                   .received_at = from_micros(r.int64(4)),
                   .state = r.text(5),
                   .description = r.text(6)});
  }
  return out;
}

}  // namespace jiceng::store::signals
