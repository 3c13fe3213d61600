#include "app/case_search.h"

#include <memory>
#include <utility>

#include "app/audit_trail.h"
#include "store/search_repo.h"
#include "text/snippet.h"

namespace jiceng::app {

namespace {

// Writes the read's audit entry with write_async and hands `value` to done once the entry is
// durable: the worker that made the read is free meanwhile, and the entries of concurrent reads
// share a commit. When the entry cannot be written, done gets that error and never the value.
template <class T, class Audit>
void audit_then(store::Database& db, Audit audit, T value, std::function<void(Result<T>)> done) {
  auto kept = std::make_shared<T>(std::move(value));
  db.write_async(std::move(audit), [kept, done = std::move(done)](Result<void> r) {
    if (!r) return done(r.error());
    done(std::move(*kept));
  });
}

}  // namespace

void CaseSearch::search_async(const Actor& actor, const text::SearchQuery& query,
                              store::cases::ListQuery q, std::string_view place, int offset,
                              std::function<void(Result<SearchPage>)> done) {
  if (!actor.principal || !domain::is_staff(actor.principal->role)) {
    return done(
        Error{ErrorCode::kPermissionDenied, "search is for staff", "案件检索仅供工作人员使用"});
  }
  if (offset < 0 || offset > kMaxOffset) {
    return done(Error::invalid_argument("offset: 0 to " + std::to_string(kMaxOffset))
                    .zh("offset 须在 0 到 " + std::to_string(kMaxOffset) + " 之间"));
  }
  auto any = scope_list_query(*actor.principal, q, place);
  if (!any) return done(any.error());
  store::search::FoundPage found;
  if (*any) {
    auto rows =
        db_.read_value([&](store::Sql& sql) { return store::search::find(sql, query, q, offset); });
    if (!rows) return done(rows.error());
    found = std::move(*rows);
  }
  std::string numbers;
  for (const auto& f : found.hits) numbers += (numbers.empty() ? "" : " ") + f.c.number;
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
  audit_then<SearchPage>(
      db_,
      [at = clock_.now(), who = AuditActor::of(*actor.principal), numbers = std::move(numbers),
       context = actor.context](store::Sql& sql) {
        return record_audit(sql, at, who,
                            {.action = "case.search", .object_type = "case", .object_id = numbers},
                            context);
      },
      std::move(page), std::move(done));
}

void CaseSearch::similar_async(const Actor& actor, const SimilarQuery& in,
                               std::function<void(Result<std::vector<RepeatCandidate>>)> done) {
  if (!actor.principal || !domain::may_register_for_others(actor.principal->role)) {
    return done(Error{ErrorCode::kPermissionDenied,
                      "repeat candidates are for staff who register cases",
                      "重复件提示仅供登记案件的工作人员使用"});
  }
  auto level = domain::level_of_code(in.place_code);
  if (!level || *level < domain::Level::kCounty) {
    return done(Error::invalid_argument("place: the code of a county, township or village")
                    .zh("地点（place）：请填写县、乡镇或村的区划代码"));
  }
  if (in.description.size() > kMaxSimilarText) {
    return done(Error::invalid_argument("description: at most " + std::to_string(kMaxSimilarText) +
                                        " bytes")
                    .zh("描述（description）过长"));
  }
  const domain::Principal& p = *actor.principal;
  std::vector<RepeatCandidate> found;
  store::cases::ListQuery scope;
  auto any = scope_list_query(p, scope, in.place_code.substr(0, 6));
  if (!any) return done(any.error());
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
    if (!rows) return done(rows.error());
    found = std::move(*rows);
  }
  // Made before `found` is moved away below: the entry lists the candidates.
  auto audit = [at = clock_.now(), found, p, context = actor.context](store::Sql& sql) {
    return audit_candidates(sql, at, found, p, context);
  };
  audit_then<std::vector<RepeatCandidate>>(db_, std::move(audit), std::move(found),
                                           std::move(done));
}

}  // namespace jiceng::app
