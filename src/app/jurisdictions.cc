#include "app/jurisdictions.h"

#include <fmt/format.h>

#include "app/imports.h"
#include "common/utf8.h"
#include "store/jurisdiction_repo.h"

namespace jiceng::app {

namespace {

Error unknown_code(std::string_view code) {
  return Error::not_found(fmt::format("no jurisdiction has the code {}", code))
      .zh(fmt::format("没有代码为 {} 的行政区划", code));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<JurisdictionDetail> JurisdictionService::get(std::string_view code) {
  if (auto level = domain::level_of_code(code); !level) return level.error();
  return db_.read_value([&](store::Sql& sql) -> Result<JurisdictionDetail> {
    auto node = store::jurisdictions::find(sql, code);
    if (!node) return node.error();
    if (!*node) return unknown_code(code);
    JurisdictionDetail out;
    out.node = std::move(**node);
    auto ancestors = store::jurisdictions::ancestors(sql, out.node);
    if (!ancestors) return ancestors.error();
    out.ancestors = std::move(*ancestors);
    auto count = store::jurisdictions::child_count(sql, code);
    if (!count) return count.error();
    out.child_count = *count;
    return out;
  });
}

Result<std::vector<domain::Jurisdiction>> JurisdictionService::children(std::string_view code) {
  if (auto level = domain::level_of_code(code); !level) return level.error();
  return db_.read_value([&](store::Sql& sql) -> Result<std::vector<domain::Jurisdiction>> {
    auto node = store::jurisdictions::find(sql, code);
    if (!node) return node.error();
    if (!*node) return unknown_code(code);
    return store::jurisdictions::children(sql, code);
  });
}

Result<std::vector<domain::Jurisdiction>> JurisdictionService::descendants(std::string_view code) {
  if (auto level = domain::level_of_code(code); !level) return level.error();
  return db_.read_value([&](store::Sql& sql) -> Result<std::vector<domain::Jurisdiction>> {
    auto node = store::jurisdictions::find(sql, code);
    if (!node) return node.error();
    if (!*node) return unknown_code(code);
    auto below = store::jurisdictions::descendants(sql, code, kMaxDescendants + 1);
    if (below && below->size() > static_cast<std::size_t>(kMaxDescendants)) {
      return Error::failed_precondition(
                 fmt::format("{} has more than {} places below it; list them level by level "
                             "with /children",
                             code, kMaxDescendants))
          .zh(fmt::format("{} 以下的区划超过 {} 个，请逐级查询下级区划", code, kMaxDescendants));
    }
    return below;
  });
}

Result<JurisdictionDetail> JurisdictionService::deployment_root() {
  auto root = app::deployment_root(db_);
  if (!root) return root.error();
  return get(*root);
}

Result<std::vector<domain::Jurisdiction>> JurisdictionService::search(std::string_view q,
                                                                      int limit) {
  q = trim(q);
  if (q.empty()) return Error::invalid_argument("the search text q is empty");
  if (utf8_length(q).value_or(0) > 50)
    return Error::invalid_argument("the search text q is longer than 50 characters");
  if (limit < 1 || limit > kMaxSearchResults) {
    return Error::invalid_argument(
        fmt::format("limit must be between 1 and {}", kMaxSearchResults));
  }
  return db_.read_value(
      [&](store::Sql& sql) { return store::jurisdictions::search(sql, q, limit); });
}

}  // namespace jiceng::app
