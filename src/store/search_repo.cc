#include "store/search_repo.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "domain/access.h"
#include "domain/jurisdiction.h"

namespace jiceng::store::search {

namespace {

// The PostgreSQL document of a row's two token columns ($2 and $3).
constexpr std::string_view kDocument =
    "setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B')";

// The PostgreSQL lexemes of a case's week (kWeekMark) in the deployment and in each scope of
// its place (scope_tokens), from SQL expressions of its place code and created_at (µs since
// 1970): τw2969 τ360603w2969 τ360603101w2969 … (migration 0021; find_in_postgres).
std::string week_lexemes(std::string_view place, std::string_view created_at) {
  const std::string week = fmt::format("({} / {})", created_at, kWeekMicros);
  std::string text = fmt::format("'{}w' || {}", kWeekMark, week);
  for (int length : {6, 9, 12}) {
    text += fmt::format(
        " || CASE WHEN length({}) >= {} THEN ' {}' || left({}, {}) || 'w' || {} "
        "ELSE '' END",
        place, length, kWeekMark, place, length, week);
  }
  return fmt::format("setweight(to_tsvector('simple', {}), 'B')", text);
}

// SQLite: queues a command for case_search (NULL: index the row; 'delete': forget its tokens)
// until write_pending, just before the commit.
Result<void> queue_sqlite(Sql& sql, const char* command, const std::string& number,
                          const text::IndexTerms& t) {
  auto r = sql.exec(
      "INSERT INTO temp.case_search_pending (command, row, sequence, unigrams) "
      "SELECT $1, rowid, $3, $4 FROM cases WHERE number = $2",
      {command ? Value(std::string(command)) : Value(nullptr), number, t.sequence, t.unigrams});
  if (!r) return r.error();
  return {};
}

Result<void> index_terms(Sql& sql, const std::string& number, const text::IndexTerms& t) {
  if (sql.dialect() == Dialect::kSqlite) return queue_sqlite(sql, nullptr, number, t);
  Result<std::int64_t> r =
      sql.exec(fmt::format("INSERT INTO case_search (number, created_at, document) "
                           "SELECT number, created_at, {} || {} FROM cases WHERE number = $1",
                           kDocument, week_lexemes("place_code", "created_at")),
               {number, t.sequence, t.unigrams});
  if (!r) return r.error();
  return {};
}

// A query's terms in FTS5's query language: "纠纷" AND "3 号楼". Tokens hold no quotes.
std::string fts5_match(const text::SearchQuery& query) {
  std::string out;
  for (const auto& term : query.terms) {
    if (!out.empty()) out += " AND ";
    out += '"';
    for (std::size_t i = 0; i < term.size(); ++i) out += (i ? " " : "") + term[i];
    out += '"';
  }
  return out;
}

// The same for to_tsquery: '纠纷' & ('3' <-> '号楼').
std::string tsquery(const text::SearchQuery& query) {
  std::string out;
  for (const auto& term : query.terms) {
    if (!out.empty()) out += " & ";
    out += '(';
    for (std::size_t i = 0; i < term.size(); ++i) {
      out += (i ? " <-> '" : "'") + term[i] + "'";
    }
    out += ')';
  }
  return out;
}

// The scope token of a place range that is the subtree of a county, a township or a village
// (domain::scope_range), or "" for another range: the list filter alone keeps it then. A city
// or a province is most of what a deployment holds; ANDing a token that nearly every case has
// made the walk slower (a city's search of 油烟: 39 ms with it, 18 ms without, at 1M cases).
std::string scope_token_of(const std::string& first, const std::string& last) {
  auto level = domain::level_of_code(first);
  if (!level || *level < domain::Level::kCounty) return "";
  if (domain::scope_range(first).second != last) return "";
  return fmt::format("{}{}", kScopeMark, first);
}

// Whether every stored case lies in [first, last): then a scope of that range keeps them all.
// Two seeks of cases_place (SQLite answers a lone min() or max() from the index).
Result<bool> scope_holds_every_case(Sql& sql, const std::string& first, const std::string& last) {
  auto row = sql.query_one(
      "SELECT (SELECT min(place_code) FROM cases), (SELECT max(place_code) FROM cases)", {});
  if (!row) return row.error();
  if (row->is_null(0)) return true;
  return row->text(0) >= first && row->text(1) < last;
}

}  // namespace

std::vector<std::string> scope_tokens(std::string_view place_code) {
  std::vector<std::string> out;
  for (std::size_t length : {6, 9, 12}) {
    if (length > place_code.size()) break;
    out.push_back(fmt::format("{}{}", kScopeMark, place_code.substr(0, length)));
  }
  return out;
}

text::IndexTerms terms_of(std::string_view place_code, const std::string& description,
                          const std::string& address, const std::string& reply) {
  text::IndexTerms t;
  for (const std::string* field : {&description, &address, &reply}) {
    text::append_index_terms(*field, t);
  }
  for (const std::string& token : scope_tokens(place_code)) {
    if (!t.unigrams.empty()) t.unigrams += ' ';
    t.unigrams += token;
  }
  return t;
}

Result<void> index_case(Sql& sql, const domain::Case& c) {
  return index_terms(sql, c.number, terms_of(c.place_code, c.description, c.address, c.reply));
}

Result<void> reindex_case(Sql& sql, const domain::Case& c, const text::IndexTerms& before) {
  text::IndexTerms now = terms_of(c.place_code, c.description, c.address, c.reply);
  if (sql.dialect() == Dialect::kPostgres) {
    auto r = sql.exec(fmt::format("UPDATE case_search SET document = {} || {} WHERE number = $1",
                                  kDocument, week_lexemes("$4::text", "created_at")),
                      {c.number, now.sequence, now.unigrams, c.place_code});
    if (!r) return r.error();
    return {};
  }
  // A contentless FTS5 table forgets a row by being told its old tokens.
  if (auto r = queue_sqlite(sql, "delete", c.number, before); !r) return r;
  return index_terms(sql, c.number, now);
}

Result<void> prepare_writer(Sql& sql) {
  if (sql.dialect() != Dialect::kSqlite) return {};
  return sql.exec_script(
      "CREATE TEMP TABLE IF NOT EXISTS case_search_pending ("
      "seq INTEGER PRIMARY KEY, command TEXT, row INTEGER NOT NULL, sequence TEXT NOT NULL, "
      "unigrams TEXT NOT NULL)");
}

Result<void> write_pending(Sql& sql) {
  if (sql.dialect() != Dialect::kSqlite) return {};
  auto any = sql.query("SELECT 1 FROM temp.case_search_pending LIMIT 1", {});
  if (!any) return any.error();
  if (any->empty()) return {};
  // In the order queued: a case indexed, changed and re-indexed in one transaction is forgotten
  // after it was indexed. One statement: one new segment for the whole transaction.
  if (auto r = sql.exec(
          "INSERT INTO case_search (case_search, rowid, sequence, unigrams) "
          "SELECT command, row, sequence, unigrams FROM temp.case_search_pending ORDER BY seq");
      !r) {
    return r.error();
  }
  if (auto r = sql.exec("DELETE FROM temp.case_search_pending"); !r) return r.error();
  return {};
}

namespace {

// Indexes rows of {rowid, sequence, unigrams} on SQLite, a thousand per statement: inside a
// transaction FTS5 writes its pending terms out as a new segment at every statement (its
// xSavepoint), so a statement per case makes a segment per case and merges without end.
Result<void> index_sqlite_rows(Sql& sql, const std::vector<Value>& flat) {
  constexpr std::size_t kRowsPerStatement = 1000;
  const std::size_t rows = flat.size() / kIndexRowWidth;
  for (std::size_t first = 0; first < rows; first += kRowsPerStatement) {
    const std::size_t n = std::min(kRowsPerStatement, rows - first);
    auto begin = flat.begin() + static_cast<std::ptrdiff_t>(first * kIndexRowWidth);
    std::vector<Value> params(begin, begin + static_cast<std::ptrdiff_t>(n * kIndexRowWidth));
    auto r = sql.exec("INSERT INTO case_search (rowid, sequence, unigrams) VALUES " +
                          values_placeholders(n, kIndexRowWidth),
                      Params(params));
    if (!r) return r.error();
  }
  return {};
}

}  // namespace

Result<void> index_rows(Sql& sql, const std::vector<std::vector<Value>>& rows) {
  if (sql.dialect() == Dialect::kSqlite) {
    // The rowids of a chunk's cases in one read, then multi-row inserts (index_sqlite_rows).
    constexpr std::size_t kChunk = 500;
    std::unordered_map<std::string, std::int64_t> rowids;
    std::vector<Value> numbers;
    std::vector<Value> flat;
    for (std::size_t at = 0; at < rows.size(); at += kChunk) {
      const std::size_t n = std::min(kChunk, rows.size() - at);
      numbers.clear();
      for (std::size_t i = at; i < at + n; ++i) numbers.push_back(rows[i][0]);
      auto found = sql.query(fmt::format("SELECT number, rowid FROM cases WHERE number IN {}",
                                         values_placeholders(1, n)),
                             Params(numbers));
      if (!found) return found.error();
      rowids.clear();
      for (const Row& r : *found) rowids.emplace(r.text(0), r.int64(1));
      for (std::size_t i = at; i < at + n; ++i) {
        auto it = rowids.find(std::get<std::string>(rows[i][0]));
        if (it == rowids.end()) continue;
        flat.insert(flat.end(), {it->second, rows[i][1], rows[i][2]});
      }
    }
    return index_sqlite_rows(sql, flat);
  }
  // PostgreSQL: COPY into a staging table, then one INSERT … SELECT.
  if (auto r = sql.exec("CREATE TEMP TABLE IF NOT EXISTS case_search_staging "
                        "(number TEXT, sequence TEXT, unigrams TEXT) ON COMMIT DELETE ROWS");
      !r) {
    return r.error();
  }
  constexpr std::string_view kColumns[] = {"number", "sequence", "unigrams"};
  if (auto r = sql.bulk_insert("case_search_staging", kColumns, rows); !r) return r.error();
  auto r = sql.exec(fmt::format(
      "INSERT INTO case_search (number, created_at, document) "
      "SELECT s.number, c.created_at, setweight(to_tsvector('simple', s.sequence), 'A') || "
      "setweight(to_tsvector('simple', s.unigrams), 'B') || {} "
      "FROM case_search_staging s JOIN cases c ON c.number = s.number",
      week_lexemes("c.place_code", "c.created_at")));
  if (!r) return r.error();
  if (auto d = sql.exec("DELETE FROM case_search_staging"); !d) return d.error();
  return {};
}

Result<void> index_all_cases(Sql& sql) {
  // Oldest first, which is the order they were stored in (nearly: by rowid on SQLite), so that
  // FTS5 appends to its pending terms instead of flushing a segment at every smaller rowid.
  const bool lite = sql.dialect() == Dialect::kSqlite;
  constexpr std::int64_t kChunk = 5000;
  std::int64_t after_created = std::numeric_limits<std::int64_t>::min();
  std::string after_number;
  for (;;) {
    auto rows = sql.query(
        fmt::format("SELECT number, place_code, description, address, reply, created_at, {} "
                    "FROM cases WHERE (created_at, number) > ($1, $2) "
                    "ORDER BY created_at, number LIMIT $3",
                    lite ? "rowid" : "0"),
        {after_created, after_number, kChunk});
    if (!rows) return rows.error();
    if (rows->empty()) return {};
    std::vector<std::vector<Value>> batch;
    std::vector<Value> flat;
    for (const Row& r : *rows) {
      text::IndexTerms t = terms_of(r.text(1), r.text(2), r.text(3), r.text(4));
      if (lite) {
        flat.insert(flat.end(), {r.int64(6), std::move(t.sequence), std::move(t.unigrams)});
      } else {
        batch.push_back({r.text(0), std::move(t.sequence), std::move(t.unigrams)});
      }
    }
    if (auto r = lite ? index_sqlite_rows(sql, flat) : index_rows(sql, batch); !r) {
      return r.error();
    }
    after_created = rows->back().int64(5);
    after_number = rows->back().text(0);
  }
}

namespace {

// The page's rows of the statements below: kListedColumns, then description, address, reply.
Result<Found> found_from_row(const Row& r, double score) {
  auto c = cases::listed_from_row(r);
  if (!c) return c.error();
  return Found{.c = std::move(*c),
               .description = r.text(10),
               .address = r.text(11),
               .reply = r.text(12),
               .score = score};
}

// Whether a page's case lies outside q's scope: an index out of step with `cases` (find()).
bool outside(const Row& r, const cases::ListQuery& q) {
  return r.text(3) < q.place_first || r.text(3) >= q.place_last;
}

// find() one way on SQLite: index_only takes the window from the match alone, else every match
// of the window is joined to `cases` for the list's filters. *stale is set when an index-only
// page holds a case outside q's scope or no case at all (an index out of step with `cases`):
// the caller then asks again with the join, which is the rule.
Result<FoundPage> find_in_sqlite(Sql& sql, const text::SearchQuery& query,
                                 const cases::ListQuery& q, int offset, int window_size,
                                 const std::string& scope, bool index_only, bool* stale) {
  // The list's filters and parameters, without its cursor (none when the match alone decides);
  // then the match, the window, the limit and the offset.
  cases::ListFilter f =
      index_only ? cases::ListFilter{} : cases::list_filter(q, /*with_cursor=*/false);
  const std::string terms = fts5_match(query);
  const std::string match =
      f.param(scope.empty() ? terms : fmt::format("{} AND \"{}\"", terms, scope));
  const std::string rank_terms = f.param(static_cast<std::int64_t>(query.terms.size()));
  const std::string window = f.param(std::int64_t{window_size});
  const std::string limit = f.param(std::int64_t{q.limit});
  const std::string skip = f.param(std::int64_t{offset});
  // `found`: the newest window + 1 matches (one more says whether there are older ones), with
  // their scores; `page`: the newest window of them, best first. The count comes with every
  // row, and alone in one row of NULLs when the page is empty. CROSS JOIN keeps FTS5 the outer
  // loop, so that its newest-first walk, not an index of `cases`, drives the window. Ties go
  // by rowid (the order cases were stored in).
  const std::string found =
      index_only
          ? fmt::format(
                "SELECT rowid AS id, jiceng_rank(case_search, {}) AS score FROM case_search "
                "WHERE case_search MATCH {} ORDER BY rowid DESC LIMIT {} + 1",
                rank_terms, match, window)
          : fmt::format(
                "SELECT c.rowid AS id, jiceng_rank(case_search, {}) AS score "
                "FROM case_search CROSS JOIN cases c ON c.rowid = case_search.rowid "
                "WHERE case_search MATCH {} AND {} ORDER BY case_search.rowid DESC LIMIT {} + 1",
                rank_terms, match, f.where, window);
  const std::string statement = fmt::format(
      "WITH found AS MATERIALIZED ({}), "
      "page AS (SELECT * FROM (SELECT * FROM found ORDER BY id DESC LIMIT {}) w "
      "ORDER BY score DESC, id DESC LIMIT {} OFFSET {}) "
      "SELECT {}, c.description, c.address, c.reply, p.score, t.total, p.id "
      "FROM (SELECT count(*) AS total FROM found) t LEFT JOIN page p ON TRUE "
      "LEFT JOIN cases c ON c.rowid = p.id "
      "ORDER BY p.score DESC, p.id DESC",
      found, window, limit, skip, cases::kListedColumns);
  auto rows = sql.query(statement, Params(f.params));
  if (!rows) return rows.error();
  FoundPage out;
  out.hits.reserve(rows->size());
  for (const Row& r : *rows) {
    const std::int64_t total = r.int64(14);
    out.ranked = static_cast<int>(std::min<std::int64_t>(total, window_size));
    out.more_matches = total > window_size;
    if (r.is_null(15)) continue;  // the page is empty
    if (r.is_null(0) || outside(r, q)) {
      *stale = true;
      return out;
    }
    auto hit = found_from_row(r, r.float64(13));
    if (!hit) return hit.error();
    out.hits.push_back(std::move(*hit));
  }
  return out;
}

// The spans of weeks a PostgreSQL search asks in turn, newest first (find_in_postgres); then
// everything older.
constexpr int kSpanWeeks[] = {1, 3, 12, 48};

// find() one way on PostgreSQL. GIN hands its matches over in no order, so taking the newest
// window from the whole match read every match of a frequent word (a city's 垃圾: 178,000 of a
// million cases, over a second). Every document holds the lexemes of its case's week in the
// deployment and in each scope of its place (week_lexemes), so the window is asked for span by
// span: the newest stored case's week, the three before it, the twelve before those, the
// forty-eight before those, then everything older, each span's matches sorted newest first and
// cut at what the window still lacks, until it is full. A span is one GIN match, the query
// ANDed with the scope's weeks, which GIN's fast scan answers by walking the weeks' short
// posting lists (a township's week holds its own cases only) and skipping through the words';
// a frequent word fills the window within a few weeks, a rare word's whole doclist is short.
// Only the spans' matches are ranked (ts_rank_cd), and only the page's cases read. index_only
// and *stale as find_in_sqlite.
Result<FoundPage> find_in_postgres(Sql& sql, const text::SearchQuery& query,
                                   const cases::ListQuery& q, int offset, int window_size,
                                   const std::string& scope, bool index_only, bool* stale) {
  FoundPage out;
  // For the rest of this read transaction: plan each statement for its own tsquery (each is
  // prepared once per connection, its tsquery a parameter, and after five runs PostgreSQL
  // would plan it once for any tsquery, without the words' and weeks' frequencies), and
  // without parallel workers, whose start took 25 to 95 ms of a span that needs 2.
  if (auto r = sql.query("SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
                         "set_config('max_parallel_workers_per_gather', '0', true)",
                         {});
      !r) {
    return r.error();
  }
  auto newest = sql.query_one("SELECT max(created_at) FROM cases", {});
  if (!newest) return newest.error();
  if (newest->is_null(0)) return out;
  const std::string terms = tsquery(query);
  const std::string match = scope.empty() ? terms : fmt::format("{} & '{}'", terms, scope);
  // The weeks of the scope (τ360603w2969) hold its cases only; without a scope token, the
  // deployment's (τw2969).
  const std::string_view scope_code =
      scope.empty() ? std::string_view() : std::string_view(scope).substr(kScopeMark.size());
  struct Match {
    std::string number;
    std::int64_t created_at = 0;
    double score = 0;
  };
  std::vector<Match> found;  // newest first
  const auto wanted = static_cast<std::size_t>(window_size) + 1;
  std::int64_t week = newest->int64(0) / kWeekMicros;  // the newest week not asked yet
  for (std::size_t span = 0; span <= std::size(kSpanWeeks) && found.size() < wanted; ++span) {
    cases::ListFilter f =
        index_only ? cases::ListFilter{} : cases::list_filter(q, /*with_cursor=*/false);
    std::string condition;
    if (span < std::size(kSpanWeeks)) {
      std::string weeks;
      for (int i = 0; i < kSpanWeeks[span]; ++i, --week) {
        weeks += fmt::format("{}'{}{}w{}'", i ? " | " : "", kWeekMark, scope_code, week);
      }
      condition = fmt::format("s.document @@ to_tsquery('simple', {})",
                              f.param(fmt::format("{} & ({})", terms, weeks)));
    } else {
      condition = fmt::format("s.document @@ to_tsquery('simple', {}) AND s.created_at < {}",
                              f.param(match), f.param((week + 1) * kWeekMicros));
    }
    if (!index_only && !f.where.empty()) condition += " AND " + f.where;
    const std::string rank_terms = f.param(terms);
    const std::string need = f.param(static_cast<std::int64_t>(wanted - found.size()));
    // Each match is ranked as it is read (its document is in the row the match reads): cheaper
    // than looking up the kept ones again (a random read each), though a span may hold a few
    // times what the window lacks.
    auto rows =
        sql.query(fmt::format("SELECT s.number, s.created_at, "
                              "ts_rank_cd(s.document, to_tsquery('simple', {}), 1) "
                              "FROM case_search s{} WHERE {} "
                              "ORDER BY s.created_at DESC, s.number DESC LIMIT {}",
                              rank_terms, index_only ? "" : " JOIN cases c ON c.number = s.number",
                              condition, need),
                  Params(f.params));
    if (!rows) return rows.error();
    for (const Row& r : *rows) found.push_back({r.text(0), r.int64(1), r.float64(2)});
  }
  out.ranked = static_cast<int>(std::min(found.size(), wanted - 1));
  out.more_matches = found.size() == wanted;
  // The window, best first; ties newest first.
  found.resize(static_cast<std::size_t>(out.ranked));
  std::sort(found.begin(), found.end(), [](const Match& a, const Match& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.created_at != b.created_at) return a.created_at > b.created_at;
    return a.number > b.number;
  });
  const auto first = std::min(found.size(), static_cast<std::size_t>(std::max(offset, 0)));
  const auto last = std::min(found.size(), first + static_cast<std::size_t>(std::max(q.limit, 0)));
  if (first == last) return out;
  std::vector<Value> numbers;
  for (std::size_t i = first; i < last; ++i) numbers.emplace_back(found[i].number);
  auto rows = sql.query(fmt::format("SELECT {}, c.description, c.address, c.reply FROM cases c "
                                    "WHERE c.number IN {}",
                                    cases::kListedColumns, values_placeholders(1, numbers.size())),
                        Params(numbers));
  if (!rows) return rows.error();
  std::unordered_map<std::string, const Row*> by_number;
  for (const Row& r : *rows) by_number.emplace(r.text(0), &r);
  for (std::size_t i = first; i < last; ++i) {
    auto it = by_number.find(found[i].number);
    if (it == by_number.end() || outside(*it->second, q)) {
      *stale = true;
      return out;
    }
    auto hit = found_from_row(*it->second, found[i].score);
    if (!hit) return hit.error();
    out.hits.push_back(std::move(*hit));
  }
  return out;
}

Result<FoundPage> find_in(Sql& sql, const text::SearchQuery& query, const cases::ListQuery& q,
                          int offset, int window_size, const std::string& scope, bool index_only,
                          bool* stale) {
  return sql.dialect() == Dialect::kSqlite
             ? find_in_sqlite(sql, query, q, offset, window_size, scope, index_only, stale)
             : find_in_postgres(sql, query, q, offset, window_size, scope, index_only, stale);
}

}  // namespace

Result<FoundPage> find(Sql& sql, const text::SearchQuery& query, const cases::ListQuery& q,
                       int offset, int window_size) {
  const std::string scope = scope_token_of(q.place_first, q.place_last);
  // When the match alone decides (no filter but the scope, and the scope is its token or holds
  // every case: a city's leader), the window is taken from the index without reading a case,
  // and only the page's cases are read. Otherwise each match of the window is looked up in
  // `cases` for the filters: most of a frequent word's search.
  bool index_only = false;
  if (!cases::list_filter(q, false).beyond_scope) {
    if (!scope.empty()) {
      index_only = true;
    } else {
      auto all = scope_holds_every_case(sql, q.place_first, q.place_last);
      if (!all) return all.error();
      index_only = *all;
    }
  }
  bool stale = false;
  auto page = find_in(sql, query, q, offset, window_size, scope, index_only, &stale);
  if (!page || !stale) return page;
  spdlog::warn(
      "search: the index holds a case that is not where it says; searched with the "
      "cases' places instead");
  return find_in(sql, query, q, offset, window_size, scope, false, &stale);
}

}  // namespace jiceng::store::search
