// The ranking function of search on SQLite: jiceng_rank(case_search, n), an FTS5 auxiliary
// function registered on every connection (store/sqlite.cc).
//
// It is Okapi BM25 (k1 = 1.2, b = 0.75; the sequence column weighs 1, the unigrams column 0.5)
// over the first n phrases of the MATCH — the query's terms; the scope token that follows them
// is not ranked — without the inverse document frequency: FTS5's own bm25() counts every
// phrase's matches in the whole index for it (a pass over the 1,000,000 rows of a city's scope
// token), and among the cases of one AND query every case holds every term, so it would only
// weigh one term against another. Higher is better. A row costs its phrase instances.
#pragma once

#include <sqlite3.h>

#include "common/error.h"

namespace jiceng::store {

// Registers jiceng_rank on `db`. kInternal when the SQLite library has no FTS5.
[[nodiscard]] Result<void> register_search_rank(sqlite3* db);

}  // namespace jiceng::store
