#include "domain/case_stats.h"

#include <algorithm>

#include "domain/deadline.h"

namespace jiceng::domain {

namespace {

bool is_resolved(CaseState s) {
  switch (s) {
    case CaseState::kResolved:
    case CaseState::kFollowedUp:
    case CaseState::kClosed:
    case CaseState::kUnderReview:
    case CaseState::kReviewed:
    case CaseState::kUnderReReview:
      return true;
    default:
      return false;
  }
}

// The lengths of the codes on a chain: province, city, county, township, village.
constexpr std::size_t kCodeLengths[] = {2, 4, 6, 9, 12};

}  // namespace

CaseFacts& CaseFacts::operator+=(const CaseFacts& o) {
  for (std::size_t i = 0; i < n.size(); ++i) n[i] += o.n[i];
  return *this;
}

CaseFacts& CaseFacts::operator-=(const CaseFacts& o) {
  for (std::size_t i = 0; i < n.size(); ++i) n[i] -= o.n[i];
  return *this;
}

bool CaseFacts::zero() const {
  return std::all_of(n.begin(), n.end(), [](std::int64_t v) { return v == 0; });
}

CaseFacts facts_of(const Case& c, std::span<const CaseEvent> events) {
  CaseFacts f;
  using S = StatCounter;
  bool accepted = false;
  bool declined = false;
  int last_resolve = 0;
  for (const CaseEvent& e : events) {
    if (e.command == "accept") accepted = true;
    if (e.command == "decline") declined = true;
    if (e.command == "resolve") last_resolve = e.seq;
    if (e.command == "escalate") ++f[S::kEscalations];
  }
  bool breached_before_reply = std::any_of(events.begin(), events.end(), [&](const CaseEvent& e) {
    return e.command == "breach" && e.seq < last_resolve;
  });
  const bool resolved = is_resolved(c.state);
  f[S::kReceived] = 1;
  f[S::kMerged] = c.state == CaseState::kMerged;
  f[S::kResponded] = accepted || declined;
  f[S::kAccepted] = accepted;
  f[S::kDeclined] = c.state == CaseState::kDeclined;
  f[S::kResolved] = resolved;
  f[S::kOnTime] = resolved && !breached_before_reply;
  f[S::kClosed] = c.state == CaseState::kClosed;
  f[S::kRated] = c.rating != Rating::kNone;
  f[S::kSatisfied] = c.rating == Rating::kSatisfied || c.rating == Rating::kBasicallySatisfied;
  const bool open = c.state != CaseState::kClosed && c.state != CaseState::kDeclined &&
                    c.state != CaseState::kMerged;
  f[S::kOpen] = open;
  f[S::kOverdue] = c.breached;
  return f;
}

StatRates rates_of(const CaseFacts& f) {
  using S = StatCounter;
  auto ratio = [](std::int64_t part, std::int64_t whole) -> std::optional<double> {
    if (whole <= 0) return std::nullopt;
    return static_cast<double>(part) / static_cast<double>(whole);
  };
  return {.response = ratio(f[S::kResponded], f[S::kReceived] - f[S::kMerged]),
          .resolution = ratio(f[S::kResolved], f[S::kAccepted]),
          .satisfaction = ratio(f[S::kSatisfied], f[S::kRated]),
          .on_time = ratio(f[S::kOnTime], f[S::kResolved])};
}

std::int64_t day_bucket(Date d) { return d.time_since_epoch().count(); }

std::int64_t month_bucket(Date d) {
  std::chrono::year_month_day ymd(d);
  return static_cast<std::int64_t>(static_cast<int>(ymd.year())) * 12 +
         static_cast<unsigned>(ymd.month()) - 1;
}

Date date_of_day_bucket(std::int64_t bucket) { return Date(std::chrono::days(bucket)); }

Date first_day_of_month_bucket(std::int64_t bucket) {
  const auto year = static_cast<int>(bucket / 12);
  const auto month = static_cast<unsigned>(bucket % 12 + 1);
  return Date(std::chrono::year(year) / std::chrono::month(month) / 1);
}

void add_case_facts(StatDeltas& out, const Case& c, const CaseFacts& facts, int sign) {
  const Date day = china_date(c.received_at);
  const std::pair<StatGrain, std::int64_t> buckets[] = {{StatGrain::kDay, day_bucket(day)},
                                                        {StatGrain::kMonth, month_bucket(day)},
                                                        {StatGrain::kTotal, 0}};
  for (std::size_t len : kCodeLengths) {
    if (len > c.place_code.size()) break;
    for (const auto& [grain, bucket] : buckets) {
      StatKey key{c.place_code.substr(0, len), grain, bucket, c.kind, c.category_code};
      CaseFacts& slot = out[key];
      for (std::size_t i = 0; i < kStatCounterCount; ++i) slot.n[i] += sign * facts.n[i];
      if (slot.zero()) out.erase(key);
    }
  }
}

}  // namespace jiceng::domain
