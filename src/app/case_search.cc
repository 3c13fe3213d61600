#include "app/case_search.h"

#include "app/audit_trail.h"
#include "store/search_repo.h"
#include "text/snippet.h"

namespace jiceng::app {

Result<SearchPage> CaseSearch::search(const Actor& actor, const text::SearchQuery& query,
                                      store::cases::ListQuery q, std::string_view place,
                                      int offset) {
  if (!actor.principal || !domain::is_staff(actor.principal->role)) {
    return Error{ErrorCode::kPermissionDenied, "search is for staff", "案件检索仅供工作人员使用"};
  }
  if (offset < 0 || offset > kMaxOffset) {
    return Error::invalid_argument("offset: 0 to " + std::to_string(kMaxOffset))
        .zh("offset 须在 0 到 " + std::to_string(kMaxOffset) + " 之间");
  }
  auto any = scope_list_query(*actor.principal, q, place);
  if (!any) return any.error();
  store::search::FoundPage found;
  if (*any) {
    auto rows =
        db_.read_value([&](store::Sql& sql) { return store::search::find(sql, query, q, offset); });
    if (!rows) return rows.error();
    found = std::move(*rows);
  }
  std::string numbers;
  for (const auto& f : found.hits) numbers += (numbers.empty() ? "" : " ") + f.c.number;
  if (auto r = db_.write([&](store::Sql& sql) {
        return record_audit(sql, clock_.now(), AuditActor::of(*actor.principal),
                            {.action = "case.search", .object_type = "case", .object_id = numbers},
                            actor.context);
      });
      !r) {
    return r.error();
  }
  SearchPage page{.hits = {}, .ranked = found.ranked, .more_matches = found.more_matches};
  page.hits.reserve(found.hits.size());
  for (auto& f : found.hits) {
    SearchHit hit{.c = std::move(f.c), .field = "", .snippet = "", .score = f.score};
    // The field that holds the most of the query's terms; the first of equals.
    std::size_t best = 0;
    for (auto [field, text] : {std::pair{"description", &f.description},
                               std::pair{"address", &f.address}, std::pair{"reply", &f.reply}}) {
      text::Snippet s = text::snippet_html(*text, query);
      if (s.terms > best) {
        best = s.terms;
        hit.field = field;
        hit.snippet = std::move(s.html);
      }
    }
    page.hits.push_back(std::move(hit));
  }
  return page;
}

Result<std::vector<RepeatCandidate>> CaseSearch::similar(const Actor& actor,
                                                         const SimilarQuery& in) {
  if (!actor.principal || !domain::may_register_for_others(actor.principal->role)) {
    return Error{ErrorCode::kPermissionDenied, "repeat candidates are for staff who register cases",
                 "重复件提示仅供登记案件的工作人员使用"};
  }
  auto level = domain::level_of_code(in.place_code);
  if (!level || *level < domain::Level::kCounty) {
    return Error::invalid_argument("place: the code of a county, township or village")
        .zh("地点（place）：请填写县、乡镇或村的区划代码");
  }
  if (in.description.size() > kMaxSimilarText) {
    return Error::invalid_argument("description: at most " + std::to_string(kMaxSimilarText) +
                                   " bytes")
        .zh("描述（description）过长");
  }
  const domain::Principal& p = *actor.principal;
  std::vector<RepeatCandidate> found;
  store::cases::ListQuery scope;
  auto any = scope_list_query(p, scope, in.place_code.substr(0, 6));
  if (!any) return any.error();
  if (*any) {
    const std::string county = in.place_code.substr(0, 6);
    store::repeats::Probe probe{.number = "",
                                .place_code = in.place_code,
                                .category_code = in.category_code,
                                .signature = store::repeats::signature_of(
                                    county, in.description, in.contact, in.anonymous)};
    if (!domain::sees_contact(p.role)) probe.signature.contact_key.reset();
    auto rows = db_.read_value(
        [&](store::Sql& sql) { return find_repeats(sql, probe, scope, clock_.now()); });
    if (!rows) return rows.error();
    found = std::move(*rows);
  }
  if (auto r = db_.write([&](store::Sql& sql) {
        return audit_candidates(sql, clock_.now(), found, p, actor.context);
      });
      !r) {
    return r.error();
  }
  return found;
}

}  // namespace jiceng::app
