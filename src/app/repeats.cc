#include "app/repeats.h"

#include <algorithm>
#include <map>

namespace jiceng::app {

std::optional<RepeatCandidate> weigh(const store::repeats::Probe& probe,
                                     const store::repeats::Match& match, const RepeatRules& rules) {
  RepeatCandidate out;
  out.c.number = match.number;
  out.c.category_code = match.category_code;
  out.c.place_code = match.place_code;
  out.c.created_at = match.created_at;
  out.text = text::similarity(probe.signature.minhash, match.minhash);
  out.same_text = out.text >= rules.min_text;
  out.same_person = probe.signature.contact_key && match.contact_key == probe.signature.contact_key;
  out.same_place = match.place_code == probe.place_code;
  out.same_category = match.category_code == probe.category_code;
  if (!out.same_text && !out.same_person) return std::nullopt;
  const double text = out.same_text ? out.text : 0.0;
  out.score = 1 - (1 - 0.8 * text) * (out.same_person ? 0.4 : 1.0) * (out.same_place ? 0.8 : 1.0) *
                      (out.same_category ? 0.85 : 1.0);
  if (out.score < rules.min_score) return std::nullopt;
  return out;
}

Result<std::vector<RepeatCandidate>> find_repeats(store::Sql& sql,
                                                  const store::repeats::Probe& probe,
                                                  store::cases::ListQuery scope, Instant now,
                                                  const RepeatRules& rules) {
  scope.created_from = now - std::chrono::days(rules.window_days);
  scope.limit = rules.per_way;
  auto matches = store::repeats::find(sql, probe, scope, rules.band_fanout);
  if (!matches) return matches.error();
  std::vector<RepeatCandidate> ranked;
  for (const auto& m : *matches) {
    if (auto c = weigh(probe, m, rules)) ranked.push_back(std::move(*c));
  }
  std::sort(ranked.begin(), ranked.end(), [](const RepeatCandidate& a, const RepeatCandidate& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.c.created_at > b.c.created_at;
  });
  // The best that the scope admits as the cases are now, read from `cases` a few at a time:
  // usually the first `limit` are all there is to read.
  std::vector<RepeatCandidate> out;
  const auto limit = static_cast<std::size_t>(std::max(1, rules.limit));
  for (std::size_t at = 0; at < ranked.size() && out.size() < limit; at += limit) {
    const std::size_t end = std::min(ranked.size(), at + limit);
    std::vector<std::string> numbers;
    for (std::size_t i = at; i < end; ++i) numbers.push_back(ranked[i].c.number);
    auto listed = store::repeats::admitted(sql, numbers, scope);
    if (!listed) return listed.error();
    std::map<std::string, store::cases::ListedCase, std::less<>> by_number;
    for (auto& c : *listed) by_number.emplace(c.number, std::move(c));
    for (std::size_t i = at; i < end && out.size() < limit; ++i) {
      auto it = by_number.find(ranked[i].c.number);
      if (it == by_number.end()) continue;
      ranked[i].c = std::move(it->second);
      out.push_back(std::move(ranked[i]));
    }
  }
  return out;
}

Result<void> audit_candidates(store::Sql& sql, Instant at,
                              const std::vector<RepeatCandidate>& candidates,
                              const domain::Principal& reader, const RequestContext& context) {
  std::string numbers;
  for (const auto& c : candidates) numbers += (numbers.empty() ? "" : " ") + c.c.number;
  return record_audit(sql, at, AuditActor::of(reader),
                      {.action = "case.similar", .object_type = "case", .object_id = numbers},
                      context);
}

}  // namespace jiceng::app
