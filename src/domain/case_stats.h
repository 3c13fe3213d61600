// The figures of the leader's dashboard (docs/STATS.md), as facts of one case and the keys they
// are counted under. A case's facts depend only on its row and its events; the store keeps
// their sums per (area, grain, bucket, kind, category) — the case_stat table — and a write
// changes them by facts_of(after) − facts_of(before), so the sums stay exact without a scan.
//
// Every figure is about a cohort: the cases received (received_at, China time) in a period,
// and what has become of them by now.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/date.h"
#include "domain/case.h"

namespace jiceng::domain {

// The counters, in the order of the columns of case_stat.
enum class StatCounter {
  kReceived,     // every case received (受理登记), repeats included
  kMerged,       // linked into an open case as a repeat (并单)
  kResponded,    // got a decision on acceptance: accepted or declined (响应)
  kAccepted,     // accepted (受理) at some point
  kDeclined,     // declined (不予受理)
  kResolved,     // answered in writing and not being reworked (办结)
  kOnTime,       // resolved, and no deadline was breached before the last reply (按期办结)
  kClosed,       // closed (结案)
  kRated,        // rated by the resident at follow-up (回访评价)
  kSatisfied,    // rated 满意 or 基本满意
  kEscalations,  // escalations (提级), by hand or on a breached deadline
  kOpen,         // not closed, declined or merged (在办)
  kOverdue,      // open with its running deadline breached (超期), as the scheduler saw it
};
inline constexpr std::size_t kStatCounterCount = 13;
// The counters' column names: "received", "merged", …
inline constexpr std::array<std::string_view, kStatCounterCount> kStatCounterNames = {
    "received", "merged", "responded", "accepted",    "declined", "resolved", "on_time",
    "closed",   "rated",  "satisfied", "escalations", "open",     "overdue"};

struct CaseFacts {
  std::array<std::int64_t, kStatCounterCount> n{};

  std::int64_t operator[](StatCounter c) const { return n[static_cast<std::size_t>(c)]; }
  std::int64_t& operator[](StatCounter c) { return n[static_cast<std::size_t>(c)]; }
  CaseFacts& operator+=(const CaseFacts& o);
  CaseFacts& operator-=(const CaseFacts& o);
  bool zero() const;
  bool operator==(const CaseFacts&) const = default;
};

// The facts of one case: its row and all its events, in order.
CaseFacts facts_of(const Case& c, std::span<const CaseEvent> events);

// The published rates of a cohort (docs/STATS.md); nullopt when the denominator is 0.
struct StatRates {
  std::optional<double> response;      // 响应率: responded / (received − merged)
  std::optional<double> resolution;    // 解决率: resolved / accepted
  std::optional<double> satisfaction;  // 满意率: (满意 + 基本满意) / rated
  std::optional<double> on_time;       // 按期办结率: on_time / resolved
};
StatRates rates_of(const CaseFacts& f);

// How fine a bucket of case_stat is.
enum class StatGrain { kDay = 1, kMonth = 2, kTotal = 3 };

// Day buckets count days since 1970-01-01; month buckets are year × 12 + month − 1; the total
// has the one bucket 0.
std::int64_t day_bucket(Date d);
std::int64_t month_bucket(Date d);
Date date_of_day_bucket(std::int64_t bucket);
Date first_day_of_month_bucket(std::int64_t bucket);

struct StatKey {
  std::string area_code;  // a node on the case's chain: its province, city, …, its place
  StatGrain grain = StatGrain::kDay;
  std::int64_t bucket = 0;
  CaseKind kind = CaseKind::kDemand;
  // The case's own (leaf) category; "" for the sum over all categories, which the figures of an
  // area read (one row where the categories' are dozens).
  std::string category_code;
  auto operator<=>(const StatKey&) const = default;
};

using StatDeltas = std::map<StatKey, CaseFacts>;

using StatRow = std::pair<StatKey, CaseFacts>;

// Sums the facts of many cases per key, fast enough for the demo fill's millions: integer keys
// in a hash table where StatDeltas compares strings.
class StatAccumulator {
 public:
  // Adds the facts under every key add_case_facts would.
  void add(const Case& c, const CaseFacts& facts);
  // The sums, one row per key, in no particular order.
  std::vector<StatRow> rows() const;
  void clear() { sums_.clear(); }

 private:
  struct Key {
    std::uint64_t area = 0;  // the code's length × 10^12 + its digits
    std::int64_t bucket = 0;
    std::uint32_t category = 0;  // index into categories_
    std::uint8_t grain = 0;
    std::uint8_t kind = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  std::unordered_map<Key, CaseFacts, KeyHash> sums_;
  std::vector<std::string> categories_{""};  // index 0: all categories
  std::unordered_map<std::string, std::uint32_t> category_index_{{"", 0}};
};

// The codes of the nodes on a place's chain, from its province down to the place itself.
std::vector<std::string> chain_of(std::string_view place_code);

// Adds sign × facts to every key the case counts under: each node of its place's chain (from
// the province down to the place), each grain, the buckets of its received day, its category
// and "" (all categories). Entries that
// come to zero are erased.
void add_case_facts(StatDeltas& out, const Case& c, const CaseFacts& facts, int sign);

}  // namespace jiceng::domain
