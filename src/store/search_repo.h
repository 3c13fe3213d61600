// The full-text index of cases (migrations/0009_search.*.sql, re-indexed with the cases' places
// by 0014_search_scope.*.sql), inside the caller's transaction.
// What is indexed: a case's description, address and reply, through text::append_index_terms;
// never the submitter's name or contact, so that search cannot become a way to look people up.
// And the case's place, as one scope token per level of its code from the county down
// (scope_tokens), so that a search walks only the matches inside the caller's scope.
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

// The scope tokens of a place: kScopeMark and each code its code starts with, from the county
// down (360603101 → π360603 π360603101). π is a letter to both stores' tokenizers
// but never part of a token of jiceng's (text/tokenize.h), so no text and no query holds one.
inline constexpr std::string_view kScopeMark = "π";
std::vector<std::string> scope_tokens(std::string_view place_code);

// On PostgreSQL a document also holds the lexemes of its case's week, in the deployment and in
// each scope of its place: kWeekMark, the scope's code, w and the number of whole weeks
// (kWeekMicros) from 1970 to its created_at (τw2969 τ360603w2969 τ360603101w2969 … for 27
// November 2026 in a village of 360603101), so that a search can ask for its scope's newest
// weeks first (migration 0021; find).
inline constexpr std::string_view kWeekMark = "τ";
inline constexpr std::int64_t kWeekMicros = std::int64_t{7} * 24 * 3600 * 1000000;

// The tokens of a case's searchable fields, and its place's scope tokens at the end of the
// unigrams.
text::IndexTerms terms_of(std::string_view place_code, const std::string& description,
                          const std::string& address, const std::string& reply);

// Indexes a case just inserted (cases::insert calls it).
[[nodiscard]] Result<void> index_case(Sql& sql, const domain::Case& c);
// Re-indexes a case whose searchable fields or place were `before` and are now c's
// (cases::update calls it when they changed).
[[nodiscard]] Result<void> reindex_case(Sql& sql, const domain::Case& c,
                                        const text::IndexTerms& before);

// On SQLite, index_case and reindex_case only queue their rows, in a temporary table of the
// writer's connection: FTS5 writes a new segment of the index (and merges segments) whenever a
// statement or savepoint ends with rows pending, so a statement per case inside the writer's
// savepoint per write made a segment per case, the largest part of a case's write. write_pending
// moves the rows of the whole transaction into the index in one statement just before its
// commit (store::open_database sets prepare_writer and before_commit to these); a write rolled
// back takes its queued rows with its savepoint. A search inside the writing transaction itself
// would not see them; none is made. PostgreSQL indexes at once, and both are no-ops there.
[[nodiscard]] Result<void> prepare_writer(Sql& sql);
[[nodiscard]] Result<void> write_pending(Sql& sql);

// Rows for index_rows: number, sequence, unigrams.
inline constexpr std::size_t kIndexRowWidth = 3;
// Indexes many cases already stored (the demo fill, the migration's backfill): rows of
// {number, IndexTerms::sequence, IndexTerms::unigrams}. A row whose case does not exist is
// skipped. Fastest in the order the cases were stored (SQLite's FTS5 then appends).
[[nodiscard]] Result<void> index_rows(Sql& sql, const std::vector<std::vector<Value>>& rows);
// Indexes every stored case (the migration that creates the index).
[[nodiscard]] Result<void> index_all_cases(Sql& sql);

// A search ranks the newest kWindow matches only: FTS5 hands them over newest first (by rowid,
// i.e. the order cases were stored in) and stops; PostgreSQL's GIN has no order, so the window
// is asked for week by week, newest first (by created_at; search_repo.cc, find_in_postgres).
// Either way a frequent word costs about the window, not its 178,000 matches. The scope (a place
// range that is one code's subtree) is one more term of the match, so the window holds only the
// scope's cases.
inline constexpr int kWindow = 2000;

// A search page: among the cases that hold every term of `query` and match the list filters of
// `q` (its place range, hidden unit and filters; its cursor fields are ignored), the newest
// `window` (kWindow but in tests), best match first (SQLite: jiceng_rank, store/sqlite_rank.h;
// PostgreSQL: ts_rank_cd), ties newest first (SQLite: the case stored last; PostgreSQL: by
// created_at, then number); `offset` rows skipped, at most q.limit. When q has no filter but
// its scope and the scope is a scope token or holds every stored case, the window comes from
// the index alone and only the page's cases are read.
struct Found {
  cases::ListedCase c;
  std::string description;
  std::string address;
  std::string reply;
  double score = 0;  // higher is better; comparable only within one store
};
struct FoundPage {
  std::vector<Found> hits;
  int ranked = 0;             // how many matches were ranked: all of them, or `window`
  bool more_matches = false;  // older matches than the ranked ones exist and were not ranked
};
[[nodiscard]] Result<FoundPage> find(Sql& sql, const text::SearchQuery& query,
                                     const cases::ListQuery& q, int offset, int window = kWindow);

}  // namespace jiceng::store::search
