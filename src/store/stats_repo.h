// The dashboard's aggregates (table case_stat, migration 0008; domain/case_stats.h) and the
// lists beside them, in portable SQL, inside the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/case_stats.h"
#include "store/sql.h"

namespace jiceng::store::stats {

// Adds each delta to its row of case_stat (created at zero when missing). Each key at most
// once.
[[nodiscard]] Result<void> add(Sql& sql, std::span<const domain::StatRow> deltas);

// Moves the case's facts in case_stat from `before` (nullptr for a new case) with the first
// `events_before` of its events to `after` with all its events as stored now, and lists its
// new escalate events in case_escalation under the chain of its place, and its counts for
// hotspots and warnings (signals::record_change): call it after the case's row and new events
// were written, in the same transaction.
// `after_words` as signals::record_change takes them.
[[nodiscard]] Result<void> record_change(Sql& sql, const domain::Case* before,
                                         std::size_t events_before, const domain::Case& after,
                                         const std::vector<std::string>* after_words = nullptr);

// A run of buckets of one grain: lo <= bucket <= hi.
struct BucketRange {
  domain::StatGrain grain = domain::StatGrain::kMonth;
  std::int64_t lo = 0;
  std::int64_t hi = -1;  // empty when hi < lo
};

// The sums of one area over the ranges, per category; kind "" for both kinds.
struct CategorySums {
  std::string category_code;
  domain::CaseFacts facts;
};
[[nodiscard]] Result<std::vector<CategorySums>> by_category(Sql& sql, std::string_view area,
                                                            std::span<const BucketRange> ranges,
                                                            std::string_view kind);
// The sums of one area over the ranges.
[[nodiscard]] Result<domain::CaseFacts> total(Sql& sql, std::string_view area,
                                              std::span<const BucketRange> ranges,
                                              std::string_view kind);
// The sums of one area per bucket of one range, in bucket order (buckets without cases left
// out).
struct BucketSums {
  std::int64_t bucket = 0;
  domain::CaseFacts facts;
};
[[nodiscard]] Result<std::vector<BucketSums>> by_bucket(Sql& sql, std::string_view area,
                                                        const BucketRange& range,
                                                        std::string_view kind);

// case_stat rows that differ from case_stat_recount (the same sums recounted from the cases
// and their events), as "area/grain/bucket/kind/category: column stored vs recounted" lines;
// empty when they agree. Reads every case: for tests and checks, not for requests.
[[nodiscard]] Result<std::vector<std::string>> differences_from_recount(Sql& sql);

// Up to `limit` overdue cases (running deadline breached) of the subtree [first, last), the most
// overdue first, leaving out those that accuse `hide_from_unit` (0: none). No personal data.
struct OverdueCase {
  std::string number;
  domain::CaseKind kind = domain::CaseKind::kDemand;
  std::string category_code;
  std::string place_code;
  std::string place_name;
  std::optional<std::int64_t> unit_id;
  std::string unit_name;
  Instant deadline_at{};
};
[[nodiscard]] Result<std::vector<OverdueCase>> overdue(Sql& sql, std::string_view first,
                                                       std::string_view last, std::string_view kind,
                                                       std::int64_t hide_from_unit, int limit);

// Up to `limit` escalations (提级) made in [from, to) of cases that were in `area`'s subtree
// then, newest first; `automatic` when the scheduler made it on a breached deadline.
struct Escalation {
  std::string number;
  Instant at{};
  domain::CaseKind kind = domain::CaseKind::kDemand;
  std::string category_code;
  std::string place_code;
  std::string place_name;
  std::optional<std::int64_t> unit_id;  // the unit it went up to
  std::string unit_name;
  bool automatic = false;
};
[[nodiscard]] Result<std::vector<Escalation>> escalations(Sql& sql, std::string_view area,
                                                          Instant from, Instant to,
                                                          std::string_view kind,
                                                          std::int64_t hide_from_unit, int limit);

}  // namespace jiceng::store::stats
