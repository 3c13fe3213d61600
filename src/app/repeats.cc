#include "app/repeats.h"

#include <algorithm>

namespace jiceng::app {

std::optional<RepeatCandidate> weigh(const store::repeats::Probe& probe,
                                     const store::repeats::Match& match, const RepeatRules& rules) {
  RepeatCandidate out{.c = match.c};
  out.text = text::similarity(probe.signature.minhash, match.minhash);
  out.same_text = out.text >= rules.min_text;
  out.same_person = probe.signature.contact_key && match.contact_key == probe.signature.contact_key;
  out.same_place = match.place_code == probe.place_code;
  out.same_category = match.category_code == probe.category_code;
  if (!out.same_text && !out.same_person) return std::nullopt;
  const double text = out.same_text ? out.text : 0.0;
  out.score = 1 - (1 - 0.8 * text) * (out.same_person ? 0.4 : 1.0) *
                      (out.same_place ? 0.8 : 1.0) * (out.same_category ? 0.85 : 1.0);
  if (out.score < rules.min_score) return std::nullopt;
  return out;
}

Result<std::vector<RepeatCandidate>> find_repeats(store::Sql& sql,
                                                  const store::repeats::Probe& probe,
                                                  store::cases::ListQuery scope, Instant now,
                                                  const RepeatRules& rules) {
  scope.created_from = now - std::chrono::days(rules.window_days);
  scope.limit = rules.per_way;
  auto matches = store::repeats::find(sql, probe, scope);
  if (!matches) return matches.error();
  std::vector<RepeatCandidate> out;
  for (const auto& m : *matches) {
    if (auto c = weigh(probe, m, rules)) out.push_back(std::move(*c));
  }
  std::sort(out.begin(), out.end(), [](const RepeatCandidate& a, const RepeatCandidate& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.c.created_at > b.c.created_at;
  });
  if (out.size() > static_cast<std::size_t>(rules.limit)) out.resize(rules.limit);
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
