// The full-text index of cases (migrations/0009_search.*.sql), inside the caller's transaction.
// What is indexed: a case's description, address and reply, through text::append_index_terms;
// never the submitter's name or contact, so that search cannot become a way to look people up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/case.h"
#include "store/case_repo.h"
#include "store/sql.h"
#include "text/query.h"
#include "text/tokenize.h"

namespace jiceng::store::search {

// The tokens of a case's searchable fields.
text::IndexTerms terms_of(const std::string& description, const std::string& address,
                          const std::string& reply);

// Indexes a case just inserted (cases::insert calls it).
[[nodiscard]] Result<void> index_case(Sql& sql, const domain::Case& c);
// Re-indexes a case whose searchable fields were `before` and are now c's (cases::update calls
// it when they changed).
[[nodiscard]] Result<void> reindex_case(Sql& sql, const domain::Case& c,
                                        const text::IndexTerms& before);

// Rows for index_rows: number, sequence, unigrams.
inline constexpr std::size_t kIndexRowWidth = 3;
// Indexes many cases already stored (the demo fill, the migration's backfill): rows of
// {number, IndexTerms::sequence, IndexTerms::unigrams}. A row whose case does not exist is
// skipped.
[[nodiscard]] Result<void> index_rows(Sql& sql, const std::vector<std::vector<Value>>& rows);
// Indexes every stored case (the migration that creates the index).
[[nodiscard]] Result<void> index_all_cases(Sql& sql);

// A search page: the cases that hold every term of `query` and match the list filters of `q`
// (its place range, hidden unit and filters; its cursor fields are ignored), best match first
// (SQLite: bm25; PostgreSQL: ts_rank_cd), `offset` rows skipped, at most q.limit.
struct Found {
  cases::ListedCase c;
  std::string description;
  std::string address;
  std::string reply;
  double score = 0;  // higher is better; comparable only within one store
};
[[nodiscard]] Result<std::vector<Found>> find(Sql& sql, const text::SearchQuery& query,
                                              const cases::ListQuery& q, int offset);

}  // namespace jiceng::store::search
