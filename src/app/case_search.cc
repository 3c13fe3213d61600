#include "app/case_search.h"

#include "app/audit_trail.h"
#include "store/search_repo.h"
#include "text/snippet.h"

namespace jiceng::app {

Result<std::vector<SearchHit>> CaseSearch::search(const Actor& actor,
                                                  const text::SearchQuery& query,
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
  std::vector<store::search::Found> found;
  if (*any) {
    auto rows =
        db_.read_value([&](store::Sql& sql) { return store::search::find(sql, query, q, offset); });
    if (!rows) return rows.error();
    found = std::move(*rows);
  }
  std::string numbers;
  for (const auto& f : found) numbers += (numbers.empty() ? "" : " ") + f.c.number;
  if (auto r = db_.write([&](store::Sql& sql) {
        return record_audit(sql, clock_.now(), AuditActor::of(*actor.principal),
                            {.action = "case.search", .object_type = "case", .object_id = numbers},
                            actor.context);
      });
      !r) {
    return r.error();
  }
  std::vector<SearchHit> hits;
  hits.reserve(found.size());
  for (auto& f : found) {
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
    hits.push_back(std::move(hit));
  }
  return hits;
}

}  // namespace jiceng::app
