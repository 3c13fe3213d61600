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

std::vector<std::string> chain_of(std::string_view place_code) {
  std::vector<std::string> out;
  for (std::size_t len : kCodeLengths) {
    if (len > place_code.size()) break;
    out.emplace_back(place_code.substr(0, len));
  }
  return out;
}

std::size_t StatAccumulator::KeyHash::operator()(const Key& k) const {
  std::uint64_t h = k.area * 0x9e3779b97f4a7c15ULL;
  h ^= static_cast<std::uint64_t>(k.bucket) + 0x7f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= (std::uint64_t{k.category} << 16 | std::uint64_t{k.grain} << 8 | k.kind) + (h << 6) +
       (h >> 2);
  return static_cast<std::size_t>(h);
}

void StatAccumulator::add(const Case& c, const CaseFacts& facts) {
  auto [it, fresh] =
      category_index_.try_emplace(c.category_code, static_cast<std::uint32_t>(categories_.size()));
  if (fresh) categories_.push_back(c.category_code);
  const Date day = china_date(c.received_at);
  const std::pair<StatGrain, std::int64_t> buckets[] = {{StatGrain::kDay, day_bucket(day)},
                                                        {StatGrain::kMonth, month_bucket(day)},
                                                        {StatGrain::kTotal, 0}};
  std::uint64_t digits = 0;
  std::size_t done = 0;
  for (std::size_t len : kCodeLengths) {
    if (len > c.place_code.size()) break;
    for (; done < len; ++done)
      digits = digits * 10 + static_cast<std::uint64_t>(c.place_code[done] - '0');
    for (const auto& [grain, bucket] : buckets) {
      for (std::uint32_t category : {it->second, std::uint32_t{0}}) {
        Key key{.area = len * 1'000'000'000'000ULL + digits,
                .bucket = bucket,
                .category = category,
                .grain = static_cast<std::uint8_t>(grain),
                .kind = static_cast<std::uint8_t>(c.kind)};
        sums_[key] += facts;
      }
    }
  }
}

std::vector<StatRow> StatAccumulator::rows() const {
  std::vector<StatRow> out;
  out.reserve(sums_.size());
  for (const auto& [k, facts] : sums_) {
    const auto len = static_cast<int>(k.area / 1'000'000'000'000ULL);
    const std::uint64_t digits = k.area % 1'000'000'000'000ULL;
    std::string code(static_cast<std::size_t>(len), '0');
    std::uint64_t rest = digits;
    for (int i = len - 1; i >= 0; --i, rest /= 10) {
      code[static_cast<std::size_t>(i)] = static_cast<char>('0' + rest % 10);
    }
    out.push_back({StatKey{std::move(code), static_cast<StatGrain>(k.grain), k.bucket,
                           static_cast<CaseKind>(k.kind), categories_[k.category]},
                   facts});
  }
  return out;
}

void add_case_facts(StatDeltas& out, const Case& c, const CaseFacts& facts, int sign) {
  const Date day = china_date(c.received_at);
  const std::pair<StatGrain, std::int64_t> buckets[] = {{StatGrain::kDay, day_bucket(day)},
                                                        {StatGrain::kMonth, month_bucket(day)},
                                                        {StatGrain::kTotal, 0}};
  for (std::size_t len : kCodeLengths) {
    if (len > c.place_code.size()) break;
    for (const auto& [grain, bucket] : buckets) {
      for (const std::string& category : {c.category_code, std::string()}) {
        StatKey key{c.place_code.substr(0, len), grain, bucket, c.kind, category};
        CaseFacts& slot = out[key];
        for (std::size_t i = 0; i < kStatCounterCount; ++i) slot.n[i] += sign * facts.n[i];
        if (slot.zero()) out.erase(key);
      }
    }
  }
}

}  // namespace jiceng::domain
