#include "app/catalogue_admin.h"

#include <fmt/format.h>

#include <utility>

#include "app/imports.h"
#include "store/catalogue_repo.h"

namespace jiceng::app {

namespace {

Result<void> require_admin(const domain::Principal& by) {
  if (by.role == domain::Role::kAdmin) return {};
  return Error{ErrorCode::kPermissionDenied, "only administrators change the catalogue",
               "只有系统管理员可以维护分类、派单规则和单位"};
}

// A global item (a category, a rule for anywhere) touches the whole deployment: the scope must
// cover its root.
Result<void> require_whole_deployment(store::Sql& sql, const domain::Principal& by,
                                      std::string_view what, std::string_view what_zh) {
  auto root = deployment_root_in(sql);
  if (!root) return root.error();
  if (!*root) {
    return Error::failed_precondition("no deployment has been set up (run: jiceng demo)")
        .zh("尚未设置部署区划（请先运行 jiceng demo）");
  }
  if (domain::in_scope(by.scope_code, **root)) return {};
  return Error{ErrorCode::kPermissionDenied,
               fmt::format("{} apply to the whole deployment ({}): only an administrator whose "
                           "scope covers it may change them",
                           what, **root),
               fmt::format("{}适用于整个部署区划（{}），只有管辖范围覆盖该区划的管理员可以修改",
                           what_zh, **root)};
}

Result<void> require_node_in_scope(const domain::Principal& by, std::string_view field,
                                   std::string_view code) {
  if (domain::in_scope(by.scope_code, code)) return {};
  return Error{ErrorCode::kPermissionDenied,
               fmt::format("{}: {} lies outside your scope ({})", field, code, by.scope_code),
               fmt::format("{}：{} 不在您的管辖范围（{}）内", field, code, by.scope_code)};
}

// A rule for a place needs the place in scope; a rule for anywhere, the whole deployment.
Result<void> require_rule_in_scope(store::Sql& sql, const domain::Principal& by,
                                   const domain::RoutingRule& rule) {
  if (rule.place_code.empty()) {
    return require_whole_deployment(sql, by, "routing rules without a place", "不限区划的派单规则");
  }
  return require_node_in_scope(by, "place_code", rule.place_code);
}

Result<void> require_category_admin(store::Sql& sql, const domain::Principal& by) {
  if (auto ok = require_admin(by); !ok) return ok;
  return require_whole_deployment(sql, by, "categories", "分类");
}

// The stored rule `id`, when `by` may edit it: kNotFound when there is none.
Result<domain::RoutingRule> editable_rule(store::Sql& sql, std::int64_t id,
                                          const domain::Principal& by) {
  if (auto ok = require_admin(by); !ok) return ok.error();
  auto found = store::catalogue::find_routing_rule(sql, id);
  if (!found) return found.error();
  if (!*found) {
    return Error::not_found(fmt::format("no routing rule has the id {}", id))
        .zh(fmt::format("没有编号为 {} 的派单规则", id));
  }
  if (auto ok = require_rule_in_scope(sql, by, **found); !ok) return ok.error();
  return std::move(**found);
}

template <class T>
void apply(const std::optional<T>& patch, T& field) {
  if (patch) field = *patch;
}

}  // namespace

Result<void> CatalogueAdmin::audit(store::Sql& sql, const domain::Principal& by, std::string action,
                                   std::string object_type, std::string object_id,
                                   const RequestContext& ctx) const {
  return record_audit(sql, clock_.now(), AuditActor::of(by),
                      {.action = std::move(action),
                       .object_type = std::move(object_type),
                       .object_id = std::move(object_id)},
                      ctx);
}

void CatalogueAdmin::audit_refusal_async(const domain::Principal& by, AuditEvent event,
                                         const RequestContext& ctx, Error refusal,
                                         std::function<void(Error)> done) const {
  if (refusal.code != ErrorCode::kPermissionDenied) return done(std::move(refusal));
  event.outcome = "denied";
  db_.write_async(
      [now = clock_.now(), who = AuditActor::of(by), event = std::move(event),
       context = ctx](store::Sql& sql) { return record_audit(sql, now, who, event, context); },
      [refusal = std::move(refusal), done = std::move(done)](Result<void> wrote) mutable {
        done(wrote ? std::move(refusal) : wrote.error());
      });
}

Result<domain::Category> CatalogueAdmin::create_category(store::Sql& sql,
                                                         const domain::Category& category,
                                                         const domain::Principal& by,
                                                         const RequestContext& ctx) const {
  if (auto ok = require_category_admin(sql, by); !ok) return ok.error();
  auto stored = store::catalogue::insert_category(sql, category);
  if (!stored) return stored.error();
  if (auto ok = audit(sql, by, "category.create", "category", stored->code, ctx); !ok) {
    return ok.error();
  }
  return stored;
}

Result<domain::Category> CatalogueAdmin::update_category(store::Sql& sql, std::string_view code,
                                                         const CategoryPatch& patch,
                                                         std::int64_t expected_version,
                                                         const domain::Principal& by,
                                                         const RequestContext& ctx) const {
  if (auto ok = require_category_admin(sql, by); !ok) return ok.error();
  auto found = store::catalogue::find_category(sql, code);
  if (!found) return found.error();
  if (!*found) {
    return Error::not_found(fmt::format("no category has the code {}", code))
        .zh(fmt::format("没有代码为 {} 的分类", code));
  }
  domain::Category c = std::move(**found);
  apply(patch.name_zh, c.name_zh);
  apply(patch.name_en, c.name_en);
  apply(patch.time_limit, c.time_limit);
  apply(patch.routing_level, c.routing_level);
  apply(patch.active, c.active);
  apply(patch.sort_order, c.sort_order);
  auto stored = store::catalogue::update_category(sql, c, expected_version);
  if (!stored) return stored.error();
  if (auto ok = audit(sql, by, "category.update", "category", c.code, ctx); !ok) {
    return ok.error();
  }
  return stored;
}

Result<domain::RoutingRule> CatalogueAdmin::create_rule(store::Sql& sql,
                                                        const domain::RoutingRule& rule,
                                                        const domain::Principal& by,
                                                        const RequestContext& ctx) const {
  if (auto ok = require_admin(by); !ok) return ok.error();
  if (auto ok = require_rule_in_scope(sql, by, rule); !ok) return ok.error();
  auto id = store::catalogue::insert_routing_rule(sql, rule);
  if (!id) return id.error();
  if (auto ok = audit(sql, by, "routing_rule.create", "routing_rule", std::to_string(*id), ctx);
      !ok) {
    return ok.error();
  }
  domain::RoutingRule stored = rule;
  stored.id = *id;
  stored.version = 1;
  return stored;
}

Result<domain::RoutingRule> CatalogueAdmin::update_rule(store::Sql& sql, std::int64_t id,
                                                        const RoutingRulePatch& patch,
                                                        std::int64_t expected_version,
                                                        const domain::Principal& by,
                                                        const RequestContext& ctx) const {
  auto rule = editable_rule(sql, id, by);
  if (!rule) return rule.error();
  apply(patch.kind, rule->kind);
  apply(patch.category_code, rule->category_code);
  apply(patch.place_code, rule->place_code);
  apply(patch.keywords, rule->keywords);
  apply(patch.level, rule->level);
  apply(patch.department, rule->department);
  apply(patch.priority, rule->priority);
  if (auto ok = require_rule_in_scope(sql, by, *rule); !ok) return ok.error();
  auto stored = store::catalogue::update_routing_rule(sql, *rule, expected_version);
  if (!stored) return stored.error();
  if (auto ok = audit(sql, by, "routing_rule.update", "routing_rule", std::to_string(id), ctx);
      !ok) {
    return ok.error();
  }
  return stored;
}

Result<void> CatalogueAdmin::delete_rule(store::Sql& sql, std::int64_t id,
                                         std::int64_t expected_version, const domain::Principal& by,
                                         const RequestContext& ctx) const {
  auto rule = editable_rule(sql, id, by);
  if (!rule) return rule.error();
  if (auto ok = store::catalogue::delete_routing_rule(sql, id, expected_version); !ok) return ok;
  return audit(sql, by, "routing_rule.delete", "routing_rule", std::to_string(id), ctx);
}

Result<domain::Unit> CatalogueAdmin::create_unit(store::Sql& sql, const domain::Unit& unit,
                                                 const domain::Principal& by,
                                                 const RequestContext& ctx) const {
  if (auto ok = require_admin(by); !ok) return ok.error();
  if (auto level = domain::level_of_code(unit.jurisdiction_code); !level) return level.error();
  if (auto ok = require_node_in_scope(by, "jurisdiction_code", unit.jurisdiction_code); !ok) {
    return ok.error();
  }
  auto id = store::catalogue::insert_unit(sql, unit);
  if (!id) return id.error();
  if (auto ok = audit(sql, by, "unit.create", "unit", std::to_string(*id), ctx); !ok) {
    return ok.error();
  }
  domain::Unit stored = unit;
  stored.id = *id;
  stored.version = 1;
  return stored;
}

Result<domain::Unit> CatalogueAdmin::update_unit(store::Sql& sql, std::int64_t id,
                                                 const UnitPatch& patch,
                                                 std::int64_t expected_version,
                                                 const domain::Principal& by,
                                                 const RequestContext& ctx) const {
  if (auto ok = require_admin(by); !ok) return ok.error();
  auto found = store::catalogue::find_unit(sql, id);
  if (!found) return found.error();
  if (!*found) {
    return Error::not_found(fmt::format("no unit has the id {}", id))
        .zh(fmt::format("没有编号为 {} 的单位", id));
  }
  domain::Unit u = std::move(**found);
  if (auto ok = require_node_in_scope(by, "jurisdiction_code", u.jurisdiction_code); !ok) {
    return ok.error();
  }
  apply(patch.name, u.name);
  apply(patch.kind, u.kind);
  apply(patch.department, u.department);
  apply(patch.jurisdiction_code, u.jurisdiction_code);
  apply(patch.active, u.active);
  if (auto level = domain::level_of_code(u.jurisdiction_code); !level) return level.error();
  if (auto ok = require_node_in_scope(by, "jurisdiction_code", u.jurisdiction_code); !ok) {
    return ok.error();
  }
  auto stored = store::catalogue::update_unit(sql, u, expected_version);
  if (!stored) return stored.error();
  if (auto ok = audit(sql, by, "unit.update", "unit", std::to_string(id), ctx); !ok) {
    return ok.error();
  }
  return stored;
}

}  // namespace jiceng::app
