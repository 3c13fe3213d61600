#include "app/catalogue.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/catalogue_repo.h"
#include "store/jurisdiction_repo.h"
#include "text/normalize.h"

namespace jiceng::app {

Result<std::vector<domain::Category>> CatalogueService::categories() {
  return db_.read_value([](store::Sql& sql) { return store::catalogue::categories(sql); });
}

Result<std::vector<std::string>> CatalogueService::category_subtree(std::string_view code) {
  auto top = category(code);
  if (!top) return top.error();
  return db_.read_value([&](store::Sql& sql) -> Result<std::vector<std::string>> {
    auto snapshot = catalogue_.get(sql);
    if (!snapshot) return snapshot.error();
    // Parents come before their children in the snapshot: one pass collects the subtree.
    std::vector<std::string> codes{top->code};
    for (const domain::Category& c : (*snapshot)->categories) {
      if (std::find(codes.begin(), codes.end(), c.parent_code) != codes.end()) {
        codes.push_back(c.code);
      }
    }
    return codes;
  });
}

Result<domain::Category> CatalogueService::category(std::string_view code) {
  if (!domain::is_category_code(code)) {
    return Error::invalid_argument(fmt::format("code: '{}' is not a category code", code))
        .zh(fmt::format("分类代码“{}”格式不正确", code));
  }
  return db_.read_value([&](store::Sql& sql) -> Result<domain::Category> {
    auto found = store::catalogue::find_category(sql, code);
    if (!found) return found.error();
    if (!*found) {
      return Error::not_found(fmt::format("no category has the code {}", code))
          .zh(fmt::format("没有代码为 {} 的分类", code));
    }
    return std::move(**found);
  });
}

Result<std::vector<domain::RoutingRule>> CatalogueService::routing_rules() {
  return db_.read_value([](store::Sql& sql) { return store::catalogue::routing_rules(sql); });
}

Result<domain::RoutingRule> CatalogueService::routing_rule(std::int64_t id) {
  return db_.read_value([&](store::Sql& sql) -> Result<domain::RoutingRule> {
    auto found = store::catalogue::find_routing_rule(sql, id);
    if (!found) return found.error();
    if (!*found) {
      return Error::not_found(fmt::format("no routing rule has the id {}", id))
          .zh(fmt::format("没有编号为 {} 的派单规则", id));
    }
    return std::move(**found);
  });
}

Result<std::vector<domain::Unit>> CatalogueService::units_for_place(
    std::string_view place, store::catalogue::UnitsListed listed, bool below,
    std::string_view category) {
  if (auto level = domain::level_of_code(place); !level) return level.error();
  return db_.read_value([&](store::Sql& sql) -> Result<std::vector<domain::Unit>> {
    auto node = store::jurisdictions::find(sql, place);
    if (!node) return node.error();
    if (!*node) {
      return Error::not_found(fmt::format("no jurisdiction has the code {}", place))
          .zh(fmt::format("行政区划中没有代码 {}", place));
    }
    auto chain = store::catalogue::units_on_chain(sql, place, listed);
    if (!chain) return chain;
    if (below) {
      auto lower = store::catalogue::units_below(sql, place);
      if (!lower) return lower.error();
      chain->insert(chain->end(), std::make_move_iterator(lower->begin()),
                    std::make_move_iterator(lower->end()));
    }
    if (category.empty()) return chain;
    auto snapshot = catalogue_.get(sql);
    if (!snapshot) return snapshot.error();
    const auto path = domain::category_path((*snapshot)->categories, category);
    if (path.empty()) {
      return Error::invalid_argument(fmt::format("category: no category has the code {}", category))
          .zh(fmt::format("分类（category）：没有代码为 {} 的分类", category));
    }
    std::erase_if(*chain, [&](const domain::Unit& u) {
      return u.kind == domain::UnitKind::kCountyDepartment &&
             !domain::department_may_handle((*snapshot)->rules, path, u.department);
    });
    return chain;
  });
}

Result<domain::Unit> CatalogueService::unit(std::int64_t id) {
  return db_.read_value([&](store::Sql& sql) -> Result<domain::Unit> {
    auto unit = store::catalogue::find_unit(sql, id);
    if (!unit) return unit.error();
    if (!*unit) {
      return Error::not_found(fmt::format("no unit has the id {}", id))
          .zh(fmt::format("没有编号为 {} 的单位", id));
    }
    return std::move(**unit);
  });
}

Result<std::shared_ptr<const CatalogueSnapshot>> CatalogueCache::get(store::Sql& sql) {
  auto version = store::catalogue::version(sql);
  if (!version) return version.error();
  {
    std::lock_guard lock(mu_);
    if (kept_ && kept_->version == *version) return kept_;
  }
  auto categories = store::catalogue::categories(sql);
  if (!categories) return categories.error();
  auto rules = store::catalogue::routing_rules(sql);
  if (!rules) return rules.error();
  // Keywords are matched in text::match_form, on the description's match form (plan_dispatch,
  // competent_for): full-width, case and spaces aside.
  for (domain::RoutingRule& r : *rules) {
    for (std::string& k : r.keywords) k = text::match_form(k);
  }
  auto loaded = std::make_shared<const CatalogueSnapshot>(
      CatalogueSnapshot{*version, std::move(*categories), std::move(*rules)});
  std::lock_guard lock(mu_);
  if (!kept_ || kept_->version < loaded->version) kept_ = loaded;
  return loaded;
}

Result<DispatchPlan> plan_dispatch(store::Sql& sql, CatalogueCache& catalogue,
                                   const DispatchRequest& request) {
  if (auto level = domain::level_of_code(request.place_code); !level) return level.error();
  auto place = store::jurisdictions::find(sql, request.place_code);
  if (!place) return place.error();
  if (!*place) {
    return Error::invalid_argument(
               fmt::format("no jurisdiction has the code {}", request.place_code))
        .zh(fmt::format("行政区划中没有代码 {}", request.place_code));
  }
  auto snapshot = catalogue.get(sql);
  if (!snapshot) return snapshot.error();
  const auto& categories = (*snapshot)->categories;
  auto category = std::find_if(categories.begin(), categories.end(),
                               [&](const auto& c) { return c.code == request.category_code; });
  if (category == categories.end()) {
    return Error::invalid_argument(
               fmt::format("no category has the code {}", request.category_code))
        .zh(fmt::format("没有代码为 {} 的分类", request.category_code));
  }
  if (!category->active) {
    return Error::invalid_argument(
               fmt::format("the category {} is no longer in use", request.category_code))
        .zh(fmt::format("分类 {} 已停用", request.category_code));
  }
  const auto path = domain::category_path(categories, request.category_code);
  DispatchPlan plan;
  const std::string description = text::match_form(request.description);
  plan.decision = domain::route((*snapshot)->rules, {.kind = request.kind,
                                                     .category_path = path,
                                                     .category_level = category->routing_level,
                                                     .place_code = request.place_code,
                                                     .description = description});
  auto units = store::catalogue::units_on_chain(sql, request.place_code);
  if (!units) return units.error();
  plan.unit = domain::pick_unit(*units,
                                {.place_code = request.place_code,
                                 .kind = request.kind,
                                 .department = plan.decision.department},
                                plan.decision.level);
  return plan;
}

Result<bool> competent_for(store::Sql& sql, CatalogueCache& catalogue, const domain::Unit& unit,
                           std::string_view category_code, std::string_view description) {
  if (unit.kind != domain::UnitKind::kCountyDepartment) return true;
  auto snapshot = catalogue.get(sql);
  if (!snapshot) return snapshot.error();
  const auto path = domain::category_path((*snapshot)->categories, category_code);
  return domain::department_handles((*snapshot)->rules, path, text::match_form(description),
                                    unit.department);
}

Result<std::optional<domain::Unit>> plan_escalation(store::Sql& sql, const domain::Unit& current,
                                                    const domain::UnitQuery& query) {
  if (auto level = domain::level_of_code(query.place_code); !level) return level.error();
  auto units = store::catalogue::units_on_chain(sql, query.place_code);
  if (!units) return units.error();
  return domain::escalation_target(*units, query, current);
}

}  // namespace jiceng::app
