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
  Result<std::int64_t> r = sql.exec(fmt::format("INSERT INTO case_search (number, document) "
                                                "SELECT number, {} FROM cases WHERE number = $1",
                                                kDocument),
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
    auto r =
        sql.exec(fmt::format("UPDATE case_search SET document = {} WHERE number = $1", kDocument),
                 {c.number, now.sequence, now.unigrams});
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
  auto r = sql.exec(
      "INSERT INTO case_search (number, document) "
      "SELECT s.number, setweight(to_tsvector('simple', s.sequence), 'A') || "
      "setweight(to_tsvector('simple', s.unigrams), 'B') "
      "FROM case_search_staging s JOIN cases c ON c.number = s.number");
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

// find() one way: index_only takes the window from the match alone (SQLite), else every match
// of the window is joined to `cases` for the list's filters. *stale is set when an index-only
// page holds a case outside q's scope or no case at all (an index out of step with `cases`):
// the caller then asks again with the join, which is the rule.
Result<FoundPage> find_in(Sql& sql, const text::SearchQuery& query, const cases::ListQuery& q,
                          int offset, int window_size, const std::string& scope, bool index_only,
                          bool* stale) {
  // The list's filters and parameters, without its cursor (none when the match alone decides);
  // then the match, the window, the limit and the offset.
  cases::ListFilter f =
      index_only ? cases::ListFilter{} : cases::list_filter(q, /*with_cursor=*/false);
  const bool lite = sql.dialect() == Dialect::kSqlite;
  const std::string terms = lite ? fts5_match(query) : tsquery(query);
  std::string match = terms;
  if (!scope.empty()) {
    match =
        lite ? fmt::format("{} AND \"{}\"", terms, scope) : fmt::format("{} & '{}'", terms, scope);
  }
  match = f.param(match);
  const std::string rank_terms =
      lite ? f.param(static_cast<std::int64_t>(query.terms.size())) : f.param(terms);
  const std::string window = f.param(std::int64_t{window_size});
  const std::string limit = f.param(std::int64_t{q.limit});
  const std::string skip = f.param(std::int64_t{offset});
  // `found`: the newest window + 1 matches (one more says whether there are older ones), with
  // their scores; `page`: the newest window of them, best first. The count comes with every
  // row, and alone in one row of NULLs when the page is empty. CROSS JOIN keeps FTS5 the outer
  // loop on SQLite, so that its newest-first walk, not an index of `cases`, drives the window.
  // SQLite orders ties by rowid (the order cases were stored in), PostgreSQL by created_at.
  std::string found;
  if (index_only) {
    found = fmt::format(
        "SELECT rowid AS id, jiceng_rank(case_search, {}) AS score FROM case_search "
        "WHERE case_search MATCH {} ORDER BY rowid DESC LIMIT {} + 1",
        rank_terms, match, window);
  } else if (lite) {
    found = fmt::format(
        "SELECT c.rowid AS id, jiceng_rank(case_search, {}) AS score "
        "FROM case_search CROSS JOIN cases c ON c.rowid = case_search.rowid "
        "WHERE case_search MATCH {} AND {} ORDER BY case_search.rowid DESC LIMIT {} + 1",
        rank_terms, match, f.where, window);
  } else {
    found = fmt::format(
        "SELECT c.number AS id, c.created_at, c.number, "
        "ts_rank_cd(s.document, to_tsquery('simple', {}), 1) AS score "
        "FROM case_search s JOIN cases c ON c.number = s.number "
        "WHERE s.document @@ to_tsquery('simple', {}) AND {} "
        "ORDER BY c.created_at DESC, c.number DESC LIMIT {} + 1",
        rank_terms, match, f.where, window);
  }
  const std::string_view newest = lite ? "id DESC" : "created_at DESC, number DESC";
  const std::string statement = fmt::format(
      "WITH found AS MATERIALIZED ({}), "
      "page AS (SELECT * FROM (SELECT * FROM found ORDER BY {} LIMIT {}) w ORDER BY score DESC, "
      "{} LIMIT {} OFFSET {}) "
      "SELECT {}, c.description, c.address, c.reply, p.score, t.total, p.id "
      "FROM (SELECT count(*) AS total FROM found) t LEFT JOIN page p ON TRUE "
      "LEFT JOIN cases c ON c.{} = p.id "
      "ORDER BY p.score DESC, {}",
      found, newest, window, newest, limit, skip, cases::kListedColumns, lite ? "rowid" : "number",
      lite ? "p.id DESC" : "p.created_at DESC, p.number DESC");
  auto rows = sql.query(statement, Params(f.params));
  if (!rows) return rows.error();
  FoundPage out;
  out.hits.reserve(rows->size());
  for (const Row& r : *rows) {
    const std::int64_t total = r.int64(14);
    out.ranked = static_cast<int>(std::min<std::int64_t>(total, window_size));
    out.more_matches = total > window_size;
    if (r.is_null(15)) continue;  // the page is empty
    if (r.is_null(0) || r.text(3) < q.place_first || r.text(3) >= q.place_last) {
      *stale = true;
      return out;
    }
    auto c = cases::listed_from_row(r);
    if (!c) return c.error();
    out.hits.push_back(Found{.c = std::move(*c),
                             .description = r.text(10),
                             .address = r.text(11),
                             .reply = r.text(12),
                             .score = r.float64(13)});
  }
  return out;
}

}  // namespace

Result<FoundPage> find(Sql& sql, const text::SearchQuery& query, const cases::ListQuery& q,
                       int offset, int window_size) {
  const std::string scope = scope_token_of(q.place_first, q.place_last);
  // SQLite: when the match alone decides (no filter but the scope, and the scope is its token or
  // holds every case: a city's leader), the window is taken from the index without reading a
  // case, and only the page's cases are read. Otherwise each match of the window is looked up
  // in `cases` for the filters: most of a frequent word's search.
  bool index_only = false;
  if (sql.dialect() == Dialect::kSqlite && !cases::list_filter(q, false).beyond_scope) {
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
