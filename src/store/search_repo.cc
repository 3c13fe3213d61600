#include "store/search_repo.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace jiceng::store::search {

namespace {

// The PostgreSQL document of a row's two token columns ($2 and $3).
constexpr std::string_view kDocument =
    "setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B')";

Result<void> index_terms(Sql& sql, const std::string& number, const text::IndexTerms& t) {
  Result<std::int64_t> r =
      sql.dialect() == Dialect::kSqlite
          ? sql.exec(
                "INSERT INTO case_search (rowid, sequence, unigrams) "
                "SELECT rowid, $2, $3 FROM cases WHERE number = $1",
                {number, t.sequence, t.unigrams})
          : sql.exec(fmt::format("INSERT INTO case_search (number, document) "
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

}  // namespace

text::IndexTerms terms_of(const std::string& description, const std::string& address,
                          const std::string& reply) {
  text::IndexTerms t;
  for (const std::string* field : {&description, &address, &reply}) {
    text::append_index_terms(*field, t);
  }
  return t;
}

Result<void> index_case(Sql& sql, const domain::Case& c) {
  return index_terms(sql, c.number, terms_of(c.description, c.address, c.reply));
}

Result<void> reindex_case(Sql& sql, const domain::Case& c, const text::IndexTerms& before) {
  text::IndexTerms now = terms_of(c.description, c.address, c.reply);
  if (sql.dialect() == Dialect::kPostgres) {
    auto r =
        sql.exec(fmt::format("UPDATE case_search SET document = {} WHERE number = $1", kDocument),
                 {c.number, now.sequence, now.unigrams});
    if (!r) return r.error();
    return {};
  }
  // A contentless FTS5 table forgets a row by being told its old tokens.
  auto r = sql.exec(
      "INSERT INTO case_search (case_search, rowid, sequence, unigrams) "
      "SELECT 'delete', rowid, $2, $3 FROM cases WHERE number = $1",
      {c.number, before.sequence, before.unigrams});
  if (!r) return r.error();
  return index_terms(sql, c.number, now);
}

Result<void> index_rows(Sql& sql, const std::vector<std::vector<Value>>& rows) {
  if (sql.dialect() == Dialect::kSqlite) {
    // The rowids of a chunk's cases in one read, then plain inserts: an FTS5 `INSERT … SELECT`
    // per row costs three times as much (the virtual table materialises every SELECT).
    constexpr std::size_t kChunk = 256;
    std::unordered_map<std::string, std::int64_t> rowids;
    std::vector<Value> numbers;
    for (std::size_t at = 0; at < rows.size(); at += kChunk) {
      const std::size_t n = std::min(kChunk, rows.size() - at);
      numbers.clear();
      for (std::size_t i = at; i < at + n; ++i) numbers.push_back(rows[i][0]);
      auto found = sql.query(
          fmt::format("SELECT number, rowid FROM cases WHERE number IN {}",
                      values_placeholders(1, n)),
          Params(numbers));
      if (!found) return found.error();
      rowids.clear();
      for (const Row& r : *found) rowids.emplace(r.text(0), r.int64(1));
      for (std::size_t i = at; i < at + n; ++i) {
        auto it = rowids.find(std::get<std::string>(rows[i][0]));
        if (it == rowids.end()) continue;
        auto r = sql.exec("INSERT INTO case_search (rowid, sequence, unigrams) VALUES ($1, $2, $3)",
                          {it->second, rows[i][1], rows[i][2]});
        if (!r) return r.error();
      }
    }
    return {};
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
  constexpr std::int64_t kChunk = 5000;
  std::string after;
  for (;;) {
    auto rows = sql.query(
        "SELECT number, description, address, reply FROM cases WHERE number > $1 "
        "ORDER BY number LIMIT $2",
        {after, kChunk});
    if (!rows) return rows.error();
    if (rows->empty()) return {};
    std::vector<std::vector<Value>> batch;
    batch.reserve(rows->size());
    for (const Row& r : *rows) {
      text::IndexTerms t = terms_of(r.text(1), r.text(2), r.text(3));
      batch.push_back({r.text(0), std::move(t.sequence), std::move(t.unigrams)});
    }
    if (auto r = index_rows(sql, batch); !r) return r.error();
    after = rows->back().text(0);
  }
}

Result<std::vector<Found>> find(Sql& sql, const text::SearchQuery& query, const cases::ListQuery& q,
                                int offset) {
  // The list's filters and parameters, without its cursor; then the match, the limit and the
  // offset.
  cases::ListFilter f = cases::list_filter(q, /*with_cursor=*/false);
  const bool lite = sql.dialect() == Dialect::kSqlite;
  const std::string match = f.param(lite ? fts5_match(query) : tsquery(query));
  const std::string limit = f.param(std::int64_t{q.limit});
  const std::string skip = f.param(std::int64_t{offset});
  const std::string statement =
      lite ? fmt::format(
                 "SELECT {}, c.description, c.address, c.reply, "
                 "-bm25(case_search, 1.0, 0.5) AS score "
                 "FROM case_search JOIN cases c ON c.rowid = case_search.rowid "
                 "WHERE case_search MATCH {} AND {} "
                 "ORDER BY score DESC, c.created_at DESC, c.number DESC LIMIT {} OFFSET {}",
                 cases::kListedColumns, match, f.where, limit, skip)
           : fmt::format(
                 "SELECT {}, c.description, c.address, c.reply, "
                 "ts_rank_cd(s.document, to_tsquery('simple', {}), 1) AS score "
                 "FROM case_search s JOIN cases c ON c.number = s.number "
                 "WHERE s.document @@ to_tsquery('simple', {}) AND {} ORDER BY score DESC, "
                 "c.created_at DESC, c.number DESC LIMIT {} OFFSET {}",
                 cases::kListedColumns, match, match, f.where, limit, skip);
  auto rows = sql.query(statement, Params(f.params));
  if (!rows) return rows.error();
  std::vector<Found> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    auto c = cases::listed_from_row(r);
    if (!c) return c.error();
    out.push_back(Found{.c = std::move(*c),
                        .description = r.text(10),
                        .address = r.text(11),
                        .reply = r.text(12),
                        .score = r.float64(13)});
  }
  return out;
}

}  // namespace jiceng::store::search
