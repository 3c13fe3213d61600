#include "domain/burst.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "domain/contact.h"

namespace jiceng::domain {

namespace {

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// The last steps of SplitMix64: every input bit moves every output bit.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr std::int64_t kPersonBits = 24;

// The cell's cases per working day in its season (season_of), 0 when the season is off or
// before the history.
double season_rate(std::span<const CellDay> days, std::int64_t today, std::int64_t history_start,
                   const BurstRules& rules, const DayRhythm& rhythm) {
  const auto [first, last] = season_of(today, rules);
  if (first > last || first < history_start) return 0;
  double weights = 0;
  for (std::int64_t d = first; d <= last; ++d) weights += rhythm.weight(d);
  std::int64_t cases = 0;
  for (const CellDay& d : days) {
    if (d.day >= first && d.day <= last) cases += d.cases;
  }
  return static_cast<double>(cases) / weights;
}

Error no_such(std::string_view what, std::string_view value, std::string_view allowed) {
  return Error::invalid_argument(std::string(what) + ": " + std::string(allowed) + ", not '" +
                                 std::string(value) + "'");
}

}  // namespace

std::string_view to_string(SignalDimension d) {
  return d == SignalDimension::kWord ? "word" : "category";
}

Result<SignalDimension> signal_dimension_from_string(std::string_view s) {
  if (s == "category") return SignalDimension::kCategory;
  if (s == "word") return SignalDimension::kWord;
  return no_such("dimension", s, "category or word");
}

std::int64_t person_pseudonym(std::string_view who) {
  return static_cast<std::int64_t>(mix(fnv1a(who)) & ((std::uint64_t{1} << kPersonBits) - 1));
}

std::int64_t person_of(const Case& c) {
  std::string key;
  if (!c.anonymous) {
    if (std::string contact = normalized_contact(c.submitter_contact); !contact.empty()) {
      key = "contact:" + contact;
    } else if (c.resident_id) {
      key = "resident:" + std::to_string(*c.resident_id);
    } else if (!c.submitter_name.empty()) {
      key = "name:" + c.submitter_name;
    }
  }
  if (key.empty()) key = "case:" + c.number;
  return person_pseudonym(key);
}

std::vector<std::string> signal_areas(std::string_view place_code) {
  std::vector<std::string> out;
  for (std::size_t len : {6, 9, 12}) {
    if (len > place_code.size()) break;
    out.emplace_back(place_code.substr(0, len));
  }
  return out;
}

double poisson_upper_tail(std::int64_t k, double mean) {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  const double kd = static_cast<double>(k);
  if (kd <= mean) {
    // The tail is large: 1 − P(X < k), the lower sum from j = 0.
    double term = std::exp(-mean);
    double lower = 0;
    for (std::int64_t j = 0; j < k; ++j) {
      lower += term;
      term *= mean / static_cast<double>(j + 1);
    }
    return std::clamp(1 - lower, 0.0, 1.0);
  }
  // The tail is small: the terms from k on, which fall at least as fast as mean / (k + 1).
  double term = std::exp(-mean + kd * std::log(mean) - std::lgamma(kd + 1));
  double sum = 0;
  for (std::int64_t j = k; term > sum * 1e-17 && j < k + 100000; ++j) {
    sum += term;
    term *= mean / static_cast<double>(j + 1);
  }
  return std::clamp(sum, 0.0, 1.0);
}

double negative_binomial_upper_tail(std::int64_t k, double mean, double dispersion) {
  if (dispersion <= 1) return poisson_upper_tail(k, mean);
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  const double size = mean / (dispersion - 1);
  const double q = (dispersion - 1) / dispersion;  // 1 − the success probability
  const double kd = static_cast<double>(k);
  if (kd <= mean) {
    // The tail is large: 1 − P(X < k), the lower sum from P(X = 0) = (1 − q)^size.
    double term = std::exp(-size * std::log(dispersion));
    double lower = 0;
    for (std::int64_t j = 0; j < k; ++j) {
      lower += term;
      term *= q * (static_cast<double>(j) + size) / static_cast<double>(j + 1);
    }
    return std::clamp(1 - lower, 0.0, 1.0);
  }
  // The tail is small: the terms from k on. Past the mean each term is the last times
  // q (j + size) / (j + 1) < 1, a ratio that falls towards q when size > 1 and rises towards it
  // otherwise, so the rest of the sum is at most term / (1 − bound).
  double term = std::exp(std::lgamma(kd + size) - std::lgamma(size) - std::lgamma(kd + 1) -
                         size * std::log(dispersion) + kd * std::log(q));
  double sum = 0;
  for (std::int64_t j = k; j < k + 1'000'000; ++j) {
    sum += term;
    const double ratio = q * (static_cast<double>(j) + size) / static_cast<double>(j + 1);
    term *= ratio;
    const double bound = size > 1 ? ratio : q;
    if (term <= sum * 1e-17 * (1 - bound)) break;
  }
  return std::clamp(sum, 0.0, 1.0);
}

double dispersion_of(std::span<const std::int64_t> daily_counts, std::span<const double> weights) {
  if (daily_counts.size() < 2) return 1;
  auto weight = [&](std::size_t i) { return weights.empty() ? 1.0 : weights[i]; };
  double sum = 0;
  double weight_sum = 0;
  for (std::size_t i = 0; i < daily_counts.size(); ++i) {
    sum += static_cast<double>(daily_counts[i]);
    weight_sum += weight(i);
  }
  const double rate = sum / weight_sum;
  if (rate <= 0) return 1;
  double chi_square = 0;
  for (std::size_t i = 0; i < daily_counts.size(); ++i) {
    const double expected = rate * weight(i);
    const double d = static_cast<double>(daily_counts[i]) - expected;
    chi_square += d * d / expected;
  }
  return std::max(1.0, chi_square / static_cast<double>(daily_counts.size() - 1));
}

std::string_view to_string(WarningLevel l) {
  switch (l) {
    case WarningLevel::kBlue:
      return "blue";
    case WarningLevel::kYellow:
      return "yellow";
    case WarningLevel::kOrange:
      return "orange";
    case WarningLevel::kRed:
      return "red";
  }
  return "blue";
}

std::string_view label_zh(WarningLevel l) {
  switch (l) {
    case WarningLevel::kBlue:
      return "蓝色";
    case WarningLevel::kYellow:
      return "黄色";
    case WarningLevel::kOrange:
      return "橙色";
    case WarningLevel::kRed:
      return "红色";
  }
  return "蓝色";
}

Result<WarningLevel> warning_level_from_string(std::string_view s) {
  for (auto l :
       {WarningLevel::kBlue, WarningLevel::kYellow, WarningLevel::kOrange, WarningLevel::kRed}) {
    if (to_string(l) == s) return l;
  }
  return no_such("level", s, "blue, yellow, orange or red");
}

WarningLevel level_of(std::int64_t people, double p_value) {
  if (people >= 50) return WarningLevel::kRed;
  if (people >= 20 || (people >= 10 && p_value < 1e-15)) return WarningLevel::kOrange;
  if (people >= 10 || p_value < 1e-10) return WarningLevel::kYellow;
  return WarningLevel::kBlue;
}

std::pair<std::int64_t, std::int64_t> season_of(std::int64_t today, const BurstRules& rules) {
  const std::int64_t same_day = today - 364;
  if (rules.season_days <= 0) return {same_day, same_day - 1};
  return {same_day - rules.season_days / 2, same_day + rules.season_days / 2};
}

std::optional<Burst> assess_burst(std::span<const CellDay> days, std::int64_t today,
                                  std::int64_t history_start, const BurstRules& rules,
                                  const DayRhythm& rhythm) {
  if (today - history_start + 1 < rules.min_history_days) return std::nullopt;
  const int windows = std::max(1, rules.max_window_days);
  const std::int64_t window_start = today - windows + 1;
  const std::int64_t baseline_start =
      std::max(window_start - rules.baseline_days, std::min(history_start, window_start));
  std::vector<std::int64_t> daily(static_cast<std::size_t>(window_start - baseline_start), 0);
  std::vector<double> weights(daily.size());
  double baseline_days = 0;  // in working days
  for (std::size_t i = 0; i < weights.size(); ++i) {
    weights[i] = rhythm.weight(baseline_start + static_cast<std::int64_t>(i));
    baseline_days += weights[i];
  }
  std::int64_t baseline_cases = 0;
  for (const CellDay& d : days) {
    if (d.day < baseline_start || d.day >= window_start) continue;
    daily[static_cast<std::size_t>(d.day - baseline_start)] += d.cases;
    baseline_cases += d.cases;
  }
  const auto cases_before = static_cast<double>(baseline_cases);
  const double rate =
      std::max({rules.min_rate, baseline_days > 0 ? cases_before / baseline_days : 0.0,
                (cases_before + rules.prior_cases) / (baseline_days + rules.prior_days),
                season_rate(days, today, history_start, rules, rhythm)});
  const bool busy = cases_before >= rules.min_dispersion_rate * baseline_days;
  const double dispersion = busy ? dispersion_of(daily, weights) : 1;
  std::optional<Burst> best;
  std::set<std::int64_t> people;
  std::int64_t cases = 0;
  double window_days = 0;  // in working days
  // Windows grow backwards from today: [today], [today − 1, today], …
  for (int w = 1; w <= windows; ++w) {
    const std::int64_t first = today - w + 1;
    window_days += rhythm.weight(first);
    for (const CellDay& d : days) {
      if (d.day != first) continue;
      cases += d.cases;
      people.insert(d.people.begin(), d.people.end());
    }
    const auto n = static_cast<std::int64_t>(people.size());
    const double expected = rate * window_days;
    if (n < rules.min_people || static_cast<double>(n) < rules.min_ratio * expected) continue;
    const double p = negative_binomial_upper_tail(n, expected, dispersion);
    if (p >= rules.alarm_p || (best && p >= best->p_value)) continue;
    best = Burst{.first_day = first,
                 .cases = cases,
                 .people = n,
                 .baseline_rate = expected / w,
                 .dispersion = dispersion,
                 .p_value = p,
                 .level = level_of(n, p)};
  }
  return best;
}

std::string_view to_string(WarningStatus s) {
  switch (s) {
    case WarningStatus::kNew:
      return "new";
    case WarningStatus::kAcknowledged:
      return "acknowledged";
    case WarningStatus::kHandled:
      return "handled";
    case WarningStatus::kDismissed:
      return "dismissed";
  }
  return "new";
}

std::string_view label_zh(WarningStatus s) {
  switch (s) {
    case WarningStatus::kNew:
      return "新预警";
    case WarningStatus::kAcknowledged:
      return "已签收";
    case WarningStatus::kHandled:
      return "已处置";
    case WarningStatus::kDismissed:
      return "已排除";
  }
  return "新预警";
}

Result<WarningStatus> warning_status_from_string(std::string_view s) {
  for (auto x : {WarningStatus::kNew, WarningStatus::kAcknowledged, WarningStatus::kHandled,
                 WarningStatus::kDismissed}) {
    if (to_string(x) == s) return x;
  }
  return no_such("status", s, "new, acknowledged, handled or dismissed");
}

bool is_open(WarningStatus s) {
  return s == WarningStatus::kNew || s == WarningStatus::kAcknowledged;
}

Result<WarningCommand> warning_command_from_string(std::string_view s) {
  if (s == "acknowledge") return WarningCommand::kAcknowledge;
  if (s == "handle") return WarningCommand::kHandle;
  if (s == "dismiss") return WarningCommand::kDismiss;
  return Error::not_found("no warning command '" + std::string(s) +
                          "' (acknowledge, handle, dismiss)")
      .zh("没有预警操作 " + std::string(s) + "（acknowledge 签收、handle 处置、dismiss 排除）");
}

Result<WarningStatus> apply_warning_command(WarningStatus from, WarningCommand command,
                                            std::string_view note) {
  const bool blank = std::all_of(note.begin(), note.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  });
  switch (command) {
    case WarningCommand::kAcknowledge:
      if (from != WarningStatus::kNew) break;
      return WarningStatus::kAcknowledged;
    case WarningCommand::kHandle:
    case WarningCommand::kDismiss:
      if (!is_open(from)) break;
      if (blank) {
        return command == WarningCommand::kHandle
                   ? Error::invalid_argument("note: say what was done").zh("请填写处置情况（note）")
                   : Error::invalid_argument("note: give the reason for dismissing the warning")
                         .zh("请填写排除预警的理由（note）");
      }
      return command == WarningCommand::kHandle ? WarningStatus::kHandled
                                                : WarningStatus::kDismissed;
  }
  return Error::failed_precondition("the warning is " + std::string(to_string(from)))
      .zh("预警当前状态为" + std::string(label_zh(from)) + "，不能执行此操作");
}

}  // namespace jiceng::domain
