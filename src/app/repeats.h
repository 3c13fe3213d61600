// Repeat detection at intake: the cases a new (or typed-in) case may repeat, scored. The
// signatures and the three ways of finding matches are store/repeat_repo.h; this is how a
// match is weighed and which ones are shown. Who may see them is the caller's: CaseService's
// registration (staff only) and CaseSearch::similar.
#pragma once

#include <string>
#include <vector>

#include "app/audit_trail.h"
#include "common/date.h"
#include "store/case_repo.h"
#include "store/repeat_repo.h"
#include "store/sql.h"

namespace jiceng::app {

struct RepeatCandidate {
  store::cases::ListedCase c;
  double score = 0;  // 0..1: how likely the new case repeats this one
  double text = 0;   // the estimated overlap of their topic words (Jaccard, 0..1)
  bool same_text = false;
  bool same_person = false;  // the same contact key (never shown: the contact itself)
  bool same_place = false;
  bool same_category = false;
};

struct RepeatRules {
  // Recent: registered in the last window_days (and not merged into another case).
  int window_days = 90;
  // Topic-word overlap from which the texts count as similar.
  double min_text = 0.25;
  // Candidates need similar text or the same person, and at least this score.
  double min_score = 0.35;
  // The most matches looked at per way (per band for the text), and the most candidates
  // returned. Each match costs a random read of its signature, each candidate one of its case
  // (docs/PERFORMANCE.md, "Repeat candidates").
  int per_way = 12;
  int limit = 10;
  // The newest rows of a band looked through for per_way matches in the caller's scope: a
  // narrow scope (a township) finds fewer than per_way among a shared band's rows rather than
  // walking thousands of them.
  int band_fanout = 200;
};

// The score of a match and its reasons: a noisy-or of the evidence,
// 1 − (1 − 0.8·text)(1 − 0.6·person)(1 − 0.2·place)(1 − 0.15·category), so that identical text
// alone gives 0.8, the same person alone 0.6, the same place and category alone 0.32 (not a
// candidate), and each added reason raises the score. nullopt when it is not a candidate. The
// candidate's case holds only what the match knows (number, place and category as registered,
// creation time) until find_repeats reads it.
std::optional<RepeatCandidate> weigh(const store::repeats::Probe& probe,
                                     const store::repeats::Match& match, const RepeatRules& rules);

// The candidates for a probe among the cases that `scope` admits (its place range, resident and
// hidden unit; its window is set here from `now`), best first, at most rules.limit. Matches
// are found and weighed on their signatures (registered place in the scope), and the best
// are then read from `cases` under the scope's filters as the cases are now, merged cases
// left out.
[[nodiscard]] Result<std::vector<RepeatCandidate>> find_repeats(
    store::Sql& sql, const store::repeats::Probe& probe, store::cases::ListQuery scope,
    Instant now, const RepeatRules& rules = {});

// The audit entry of a reading of candidates (action case.similar, the candidates' numbers as
// the object), in the caller's transaction.
[[nodiscard]] Result<void> audit_candidates(store::Sql& sql, Instant at,
                                            const std::vector<RepeatCandidate>& candidates,
                                            const domain::Principal& reader,
                                            const RequestContext& context);

}  // namespace jiceng::app
