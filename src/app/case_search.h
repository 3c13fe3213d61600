// Full-text search over the cases a staff member may see (GET /api/v1/search): the index and
// its tokens are store/search_repo.h and text/; this is who may search what, the snippets and
// the audit entry. And the repeat candidates of a case being typed in (app/repeats.h).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "app/cases.h"
#include "app/repeats.h"
#include "common/date.h"
#include "store/case_repo.h"
#include "store/database.h"
#include "text/query.h"

namespace jiceng::app {

struct SearchHit {
  store::cases::ListedCase c;
  std::string field;    // where the snippet comes from: description, address or reply
  std::string snippet;  // text::snippet_html: escaped text, matches in <mark>…</mark>
  double score = 0;     // higher is better, within one page's store
};

// What the operator has typed so far into the registration form (POST /api/v1/cases/similar).
struct SimilarQuery {
  std::string place_code;  // required: a county, township or village
  std::string category_code;
  std::string description;
  std::string contact;
  bool anonymous = false;
};

// A search page: its hits, and how many matches were ranked (store/search_repo.h kWindow).
struct SearchPage {
  std::vector<SearchHit> hits;
  int ranked = 0;             // all the matches, or the newest kWindow of them
  bool more_matches = false;  // older matches exist, not ranked: narrow the search to see them
};

class CaseSearch {
 public:
  // The largest offset a search page may start at: ranked results are for reading the best
  // ones, not for walking the whole store.
  static constexpr int kMaxOffset = 1000;

  CaseSearch(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // The cases that hold every term of `query`, among those `actor` (a staff principal) may see
  // with the filters of `q` — the same scope and filters as CaseService::list: their subtree,
  // narrowed to `place`, never a case that accuses their unit — best match first among the
  // newest store::search::kWindow of them, `offset` skipped, at most q.limit. No personal data: the
  // submitter's name and contact are not indexed and not returned. kPermissionDenied for residents,
  // apps and roles that do not read cases; kInvalidArgument for an offset past kMaxOffset. The
  // search is audited (action case.search, the hits' numbers, the purpose; never the query, which
  // may name a person) in a write after the read: when the entry cannot be written, the hits are
  // not returned.
  //
  // The read runs on the calling thread; the audit entry is queued with write_async, so the
  // caller's thread (a worker of the HTTP server) is free while the entry waits for its commit.
  // done receives the page once the entry is durable, on the store's writer thread (it must be
  // quick: hand the result on), or an error at once on the calling thread.
  void search_async(const Actor& actor, const text::SearchQuery& query, store::cases::ListQuery q,
                    std::string_view place, int offset,
                    std::function<void(Result<SearchPage>)> done);

  // The recent cases a case not yet registered may repeat (app/repeats.h), among those `actor`
  // may see — a registrar's subtree (operators, grid workers; kPermissionDenied for others),
  // never a case that accuses their unit — best first. The same person counts only for roles
  // that see contacts. A place outside the caller's scope finds nothing (not an error, so the
  // answer says nothing about other areas). kInvalidArgument for a malformed place or a
  // description over kMaxSimilarText bytes. Audited as case.similar (the candidates' numbers)
  // in a write after the read: when the entry cannot be written, nothing is returned. done is
  // called as search_async's is.
  static constexpr std::size_t kMaxSimilarText = 20000;
  void similar_async(const Actor& actor, const SimilarQuery& in,
                     std::function<void(Result<std::vector<RepeatCandidate>>)> done);

 private:
  store::Database& db_;
  const Clock& clock_;
};

}  // namespace jiceng::app
