#include "store/catalogue_repo.h"

#include <fmt/format.h>

#include <array>
#include <set>
#include <string>
#include <utility>

#include "store/jurisdiction_repo.h"

namespace jiceng::store::catalogue {

namespace {

Value text_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return s;
}

std::int64_t flag(bool b) { return b ? 1 : 0; }

Result<domain::Level> level_from_column(std::int64_t v) {
  auto level = domain::level_from_int(static_cast<int>(v));
  if (!level) return Error::internal(fmt::format("stored level {} is out of range", v));
  return *level;
}

constexpr std::string_view kCategoryColumns =
    "SELECT code, parent_code, name_zh, name_en, time_limit_amount, time_limit_unit, "
    "routing_level, active, sort_order, version FROM category";

Result<domain::Category> category_from_row(const Row& row) {
  auto unit = domain::period_unit_from_string(row.text(5));
  if (!unit) return Error::internal("stored time limit unit: " + unit.error().message);
  auto level = level_from_column(row.int64(6));
  if (!level) return level.error();
  return domain::Category{
      .code = row.text(0),
      .parent_code = row.text(1),
      .name_zh = row.text(2),
      .name_en = row.text(3),
      .time_limit = {static_cast<int>(row.int64(4)), *unit},
      .routing_level = *level,
      .active = row.int64(7) != 0,
      .sort_order = static_cast<int>(row.int64(8)),
      .version = row.int64(9),
  };
}

Result<std::vector<domain::Category>> all_categories(Sql& sql) {
  auto rows = sql.query(kCategoryColumns, {});
  if (!rows) return rows.error();
  std::vector<domain::Category> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    auto c = category_from_row(r);
    if (!c) return c.error();
    out.push_back(std::move(*c));
  }
  return out;
}

constexpr std::string_view kUnitColumns =
    "SELECT id, name, kind, department, jurisdiction_code, active, version FROM unit";

Result<domain::Unit> unit_from_row(const Row& row) {
  auto kind = domain::unit_kind_from_string(row.text(2));
  if (!kind) return Error::internal("stored unit kind: " + kind.error().message);
  return domain::Unit{
      .id = row.int64(0),
      .name = row.text(1),
      .kind = *kind,
      .department = row.text(3),
      .jurisdiction_code = row.text(4),
      .active = row.int64(5) != 0,
      .version = row.int64(6),
  };
}

Result<std::vector<domain::Unit>> many_units(Result<Rows> rows) {
  if (!rows) return rows.error();
  std::vector<domain::Unit> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    auto u = unit_from_row(r);
    if (!u) return u.error();
    out.push_back(std::move(*u));
  }
  return out;
}

constexpr std::string_view kRuleColumns =
    "SELECT id, kind, category_code, place_code, keywords, level, department, priority, version "
    "FROM routing_rule";

Result<domain::RoutingRule> rule_from_row(const Row& row) {
  domain::RoutingRule rule{
      .id = row.int64(0),
      .category_code = row.text(2),
      .place_code = row.text(3),
      .keywords = domain::split_keywords(row.text(4)),
      .department = row.text(6),
      .priority = static_cast<int>(row.int64(7)),
      .version = row.int64(8),
  };
  if (!row.is_null(1)) {
    auto kind = domain::case_kind_from_string(row.text(1));
    if (!kind) return Error::internal("stored rule kind: " + kind.error().message);
    rule.kind = *kind;
  }
  auto level = level_from_column(row.int64(5));
  if (!level) return level.error();
  rule.level = *level;
  return rule;
}

// kInvalidArgument, about `field`, when no jurisdiction has the code.
Result<void> require_node(Sql& sql, std::string_view field, std::string_view code) {
  auto node = jurisdictions::find(sql, code);
  if (!node) return node.error();
  if (!*node) {
    return Error::invalid_argument(fmt::format("{}: no jurisdiction has the code {}", field, code))
        .zh(fmt::format("{}：没有代码为 {} 的区划", field, code));
  }
  return {};
}

// The answer to an edit made from an older read (If-Match names another version).
Error stale() {
  return Error::conflict(
             "the record changed since you read it: read it again and reapply your change")
      .zh("该记录在您读取后已被修改，请重新读取后再修改");
}

Result<void> require_version(std::int64_t stored, std::int64_t expected) {
  if (stored != expected) return stale();
  return {};
}

Error unit_not_found(std::int64_t id) {
  return Error::not_found(fmt::format("no unit has the id {}", id))
      .zh(fmt::format("没有编号为 {} 的单位", id));
}

Error category_not_found(std::string_view field, std::string_view code) {
  return Error::invalid_argument(fmt::format("{}: no category has the code {}", field, code))
      .zh(fmt::format("{}：没有代码为 {} 的分类", field, code));
}

Error rule_not_found(std::int64_t id) {
  return Error::not_found(fmt::format("no routing rule has the id {}", id))
      .zh(fmt::format("没有编号为 {} 的派单规则", id));
}

// The rule's columns from kind to priority, in the order of insert_routing_rule.
std::vector<Value> rule_values(const domain::RoutingRule& rule) {
  Value kind = nullptr;
  if (rule.kind) kind = std::string(domain::to_string(*rule.kind));
  return {kind,
          text_or_null(rule.category_code),
          text_or_null(rule.place_code),
          text_or_null(domain::join_keywords(rule.keywords)),
          std::int64_t{static_cast<int>(rule.level)},
          text_or_null(rule.department),
          std::int64_t{rule.priority}};
}

// kAlreadyExists when another unit than `self` on the node has the name.
Result<void> require_free_name(Sql& sql, std::string_view node, std::string_view name,
                               std::int64_t self) {
  auto rows =
      sql.query("SELECT id FROM unit WHERE jurisdiction_code = $1 AND name = $2 AND id <> $3",
                {std::string(node), std::string(name), self});
  if (!rows) return rows.error();
  if (!rows->empty()) {
    return Error::already_exists(fmt::format("name: {} already has a unit named {}", node, name))
        .zh(fmt::format("单位名称（name）：区划 {} 已有名为“{}”的单位", node, name));
  }
  return {};
}

// domain::check_rule, then that the category and place it names exist.
Result<void> check_rule_references(Sql& sql, const domain::RoutingRule& rule) {
  if (auto ok = domain::check_rule(rule); !ok) return ok.error();
  if (!rule.category_code.empty()) {
    auto c = find_category(sql, rule.category_code);
    if (!c) return c.error();
    if (!*c) return category_not_found("category_code", rule.category_code);
  }
  if (!rule.place_code.empty()) {
    if (auto node = require_node(sql, "place_code", rule.place_code); !node) return node.error();
  }
  return {};
}

}  // namespace

Result<std::vector<domain::Category>> categories(Sql& sql) {
  auto all = all_categories(sql);
  if (!all) return all.error();
  return domain::tree_order(std::move(*all));
}

Result<std::optional<domain::Category>> find_category(Sql& sql, std::string_view code) {
  auto rows = sql.query(std::string(kCategoryColumns) + " WHERE code = $1", {std::string(code)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<domain::Category>();
  auto c = category_from_row(rows->front());
  if (!c) return c.error();
  return std::optional(std::move(*c));
}

Result<void> upsert_category(Sql& sql, const domain::Category& c) {
  if (auto ok = domain::check_category(c); !ok) return ok;
  if (!c.parent_code.empty()) {
    auto all = all_categories(sql);
    if (!all) return all.error();
    auto parent_path = domain::category_path(*all, c.parent_code);
    if (parent_path.empty()) {
      return Error::invalid_argument(fmt::format("no category has the code {}", c.parent_code));
    }
    for (const std::string& code : parent_path) {
      if (code == c.code) {
        return Error::invalid_argument(fmt::format(
            "{} cannot move under {}: that is inside its own subtree", c.code, c.parent_code));
      }
    }
  }
  auto r = sql.exec(
      "INSERT INTO category (code, parent_code, name_zh, name_en, time_limit_amount, "
      "time_limit_unit, routing_level, active, sort_order) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
      "ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, "
      "name_zh = excluded.name_zh, name_en = excluded.name_en, "
      "time_limit_amount = excluded.time_limit_amount, "
      "time_limit_unit = excluded.time_limit_unit, routing_level = excluded.routing_level, "
      "active = excluded.active, sort_order = excluded.sort_order, "
      "version = category.version + 1",
      {c.code, text_or_null(c.parent_code), c.name_zh, c.name_en, std::int64_t{c.time_limit.amount},
       std::string(domain::to_string(c.time_limit.unit)),
       std::int64_t{static_cast<int>(c.routing_level)}, flag(c.active),
       std::int64_t{c.sort_order}});
  if (!r) return r.error();
  return {};
}

Result<void> set_category_active(Sql& sql, std::string_view code, bool active) {
  auto changed = sql.exec("UPDATE category SET active = $2 WHERE code = $1",
                          {std::string(code), flag(active)});
  if (!changed) return changed.error();
  if (*changed == 0) return Error::not_found(fmt::format("no category has the code {}", code));
  return {};
}

Result<domain::Category> insert_category(Sql& sql, const domain::Category& c) {
  if (auto ok = domain::check_category(c); !ok) return ok.error();
  auto taken = find_category(sql, c.code);
  if (!taken) return taken.error();
  if (*taken) {
    return Error::already_exists(fmt::format("code: a category with the code {} exists", c.code))
        .zh(fmt::format("分类代码（code）：{} 已存在", c.code));
  }
  if (!c.parent_code.empty()) {
    auto parent = find_category(sql, c.parent_code);
    if (!parent) return parent.error();
    if (!*parent) return category_not_found("parent_code", c.parent_code);
    if (!(*parent)->active) {
      return Error::failed_precondition(
                 fmt::format("parent_code: {} is retired; no new category goes under it",
                             c.parent_code))
          .zh(fmt::format("上级分类（parent_code）{} 已停用，不能在其下新建分类", c.parent_code));
    }
  }
  domain::Category stored = c;
  stored.version = 1;
  auto r = sql.exec(
      "INSERT INTO category (code, parent_code, name_zh, name_en, time_limit_amount, "
      "time_limit_unit, routing_level, active, sort_order, version) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)",
      {c.code, text_or_null(c.parent_code), c.name_zh, c.name_en, std::int64_t{c.time_limit.amount},
       std::string(domain::to_string(c.time_limit.unit)),
       std::int64_t{static_cast<int>(c.routing_level)}, flag(c.active),
       std::int64_t{c.sort_order}});
  if (!r) return r.error();
  return stored;
}

Result<domain::Category> update_category(Sql& sql, const domain::Category& c,
                                         std::int64_t expected_version) {
  auto stored = find_category(sql, c.code);
  if (!stored) return stored.error();
  if (!*stored) {
    return Error::not_found(fmt::format("no category has the code {}", c.code))
        .zh(fmt::format("没有代码为 {} 的分类", c.code));
  }
  if (auto fresh = require_version((*stored)->version, expected_version); !fresh) {
    return fresh.error();
  }
  if (c.parent_code != (*stored)->parent_code) {
    return Error::invalid_argument("parent_code: a category stays under its parent")
        .zh("上级分类（parent_code）不能修改");
  }
  if (auto ok = domain::check_category(c); !ok) return ok.error();
  if (c.active && !(*stored)->active && !c.parent_code.empty()) {
    auto parent = find_category(sql, c.parent_code);
    if (!parent) return parent.error();
    if (*parent && !(*parent)->active) {
      return Error::failed_precondition(
                 fmt::format("active: {} is retired; bring it back first", c.parent_code))
          .zh(fmt::format("启用状态（active）：上级分类 {} 已停用，请先启用上级分类",
                          c.parent_code));
    }
  }
  if (!c.active && (*stored)->active) {
    auto children = sql.query(
        "SELECT code FROM category WHERE parent_code = $1 AND active = 1 "
        "ORDER BY code LIMIT 1",
        {c.code});
    if (!children) return children.error();
    if (!children->empty()) {
      const std::string child = children->front().text(0);
      return Error::failed_precondition(
                 fmt::format("active: {} has active sub-categories ({}…); retire them first",
                             c.code, child))
          .zh(fmt::format("启用状态（active）：{} 还有在用的下级分类（{} 等），请先停用下级分类",
                          c.code, child));
    }
  }
  auto changed = sql.exec(
      "UPDATE category SET name_zh = $3, name_en = $4, time_limit_amount = $5, "
      "time_limit_unit = $6, routing_level = $7, active = $8, sort_order = $9, "
      "version = version + 1 WHERE code = $1 AND version = $2",
      {c.code, expected_version, c.name_zh, c.name_en, std::int64_t{c.time_limit.amount},
       std::string(domain::to_string(c.time_limit.unit)),
       std::int64_t{static_cast<int>(c.routing_level)}, flag(c.active),
       std::int64_t{c.sort_order}});
  if (!changed) return changed.error();
  if (*changed == 0) return stale();
  domain::Category out = c;
  out.version = expected_version + 1;
  return out;
}

Result<std::optional<domain::Unit>> find_unit(Sql& sql, std::int64_t id) {
  auto units = many_units(sql.query(std::string(kUnitColumns) + " WHERE id = $1", {id}));
  if (!units) return units.error();
  if (units->empty()) return std::optional<domain::Unit>();
  return std::optional(std::move(units->front()));
}

Result<std::vector<domain::Unit>> units_on_chain(Sql& sql, std::string_view place_code,
                                                 UnitsListed listed) {
  // The chain's codes are the place's code prefixes (at most five levels).
  std::array<std::string, 5> codes;
  std::size_t n = 0;
  for (std::string c(place_code); !c.empty() && n < codes.size(); c = domain::parent_code_of(c)) {
    codes[n++] = c;
  }
  const char* active = listed == UnitsListed::kActive ? " WHERE active = 1 AND" : " WHERE";
  return many_units(sql.query(std::string(kUnitColumns) + active +
                                  " jurisdiction_code IN ($1, $2, $3, $4, $5) "
                                  "ORDER BY LENGTH(jurisdiction_code), id",
                              {codes[0], codes[1], codes[2], codes[3], codes[4]}));
}

Result<std::vector<domain::Unit>> units_below(Sql& sql, std::string_view place_code) {
  return many_units(sql.query(std::string(kUnitColumns) +
                                  " WHERE active = 1 AND jurisdiction_code IN "
                                  "(SELECT code FROM jurisdiction WHERE parent_code = $1) "
                                  "ORDER BY jurisdiction_code, id",
                              {std::string(place_code)}));
}

Result<std::int64_t> insert_unit(Sql& sql, const domain::Unit& unit) {
  if (auto ok = domain::check_unit(unit); !ok) return ok.error();
  if (auto node = require_node(sql, "jurisdiction_code", unit.jurisdiction_code); !node)
    return node.error();
  if (auto free = require_free_name(sql, unit.jurisdiction_code, unit.name, 0); !free) {
    return free.error();
  }
  auto row = sql.query_one(
      "INSERT INTO unit (name, kind, department, jurisdiction_code, active) "
      "VALUES ($1, $2, $3, $4, $5) RETURNING id",
      {unit.name, std::string(domain::to_string(unit.kind)), text_or_null(unit.department),
       unit.jurisdiction_code, flag(unit.active)});
  if (!row) return row.error();
  return row->int64(0);
}

Result<domain::Unit> update_unit(Sql& sql, const domain::Unit& unit,
                                 std::int64_t expected_version) {
  auto stored = find_unit(sql, unit.id);
  if (!stored) return stored.error();
  if (!*stored) return unit_not_found(unit.id);
  if (auto fresh = require_version((*stored)->version, expected_version); !fresh)
    return fresh.error();
  if (auto ok = domain::check_unit(unit); !ok) return ok.error();
  if (unit.jurisdiction_code != (*stored)->jurisdiction_code) {
    if (auto node = require_node(sql, "jurisdiction_code", unit.jurisdiction_code); !node)
      return node.error();
    auto used = sql.query(
        "SELECT 1 FROM cases WHERE unit_id = $1 UNION ALL SELECT 1 FROM account WHERE unit_id = $1 "
        "LIMIT 1",
        {unit.id});
    if (!used) return used.error();
    if (!used->empty()) {
      return Error::failed_precondition(
                 "jurisdiction_code: a unit that holds cases or has staff accounts stays on its "
                 "node; create a unit on the new node and retire this one")
          .zh("所在区划（jurisdiction_"
              "code）：已有案件或工作人员账号的单位不能迁移；请在新区划新建单位并停用本单位");
    }
  }
  if (unit.jurisdiction_code != (*stored)->jurisdiction_code || unit.name != (*stored)->name) {
    if (auto free = require_free_name(sql, unit.jurisdiction_code, unit.name, unit.id); !free) {
      return free.error();
    }
  }
  auto changed = sql.exec(
      "UPDATE unit SET name = $3, kind = $4, department = $5, jurisdiction_code = $6, "
      "active = $7, version = version + 1 WHERE id = $1 AND version = $2",
      {unit.id, expected_version, unit.name, std::string(domain::to_string(unit.kind)),
       text_or_null(unit.department), unit.jurisdiction_code, flag(unit.active)});
  if (!changed) return changed.error();
  if (*changed == 0) return stale();
  domain::Unit out = unit;
  out.version = expected_version + 1;
  return out;
}

Result<int> seed_demo_units(Sql& sql, std::string_view root_code) {
  if (auto level = domain::level_of_code(root_code); !level) return level.error();
  auto root = jurisdictions::find(sql, root_code);
  if (!root) return root.error();
  if (!*root) return Error::not_found(fmt::format("no jurisdiction has the code {}", root_code));
  // Division codes are digits only, so the prefix needs no LIKE escaping.
  const std::string subtree = std::string(root_code) + "%";
  auto nodes = sql.query(
      "SELECT code, name, level, parent_code FROM jurisdiction WHERE code LIKE $1 "
      "ORDER BY level, code",
      {subtree});
  if (!nodes) return nodes.error();
  auto existing_rows = sql.query(
      "SELECT jurisdiction_code, name FROM unit WHERE jurisdiction_code LIKE $1", {subtree});
  if (!existing_rows) return existing_rows.error();
  std::set<std::pair<std::string, std::string>> existing;
  for (const Row& r : *existing_rows) existing.emplace(r.text(0), r.text(1));

  std::vector<std::vector<Value>> rows;
  for (const Row& r : *nodes) {
    auto level = level_from_column(r.int64(2));
    if (!level) return level.error();
    domain::Jurisdiction node{r.text(0), r.text(1), *level, r.text(3)};
    for (domain::Unit& u : domain::demo_units(node)) {
      if (existing.contains({u.jurisdiction_code, u.name})) continue;
      rows.push_back({std::move(u.name), std::string(domain::to_string(u.kind)),
                      text_or_null(u.department), std::move(u.jurisdiction_code), flag(true)});
    }
  }
  if (rows.empty()) return 0;
  static constexpr std::array<std::string_view, 5> kCols = {"name", "kind", "department",
                                                            "jurisdiction_code", "active"};
  if (auto r = sql.bulk_insert("unit", kCols, rows); !r) return r.error();
  return static_cast<int>(rows.size());
}

Result<std::vector<domain::RoutingRule>> routing_rules(Sql& sql) {
  auto rows = sql.query(std::string(kRuleColumns) + " ORDER BY id", {});
  if (!rows) return rows.error();
  std::vector<domain::RoutingRule> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    auto rule = rule_from_row(r);
    if (!rule) return rule.error();
    out.push_back(std::move(*rule));
  }
  return out;
}

Result<std::int64_t> insert_routing_rule(Sql& sql, const domain::RoutingRule& rule) {
  if (auto ok = check_rule_references(sql, rule); !ok) return ok.error();
  const std::vector<Value> values = rule_values(rule);
  auto rows = sql.query(
      "INSERT INTO routing_rule (kind, category_code, place_code, keywords, level, department, "
      "priority) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
      Params(values));
  if (!rows) return rows.error();
  if (rows->empty()) return Error::internal("INSERT … RETURNING id gave no row");
  return rows->front().int64(0);
}

Result<std::optional<domain::RoutingRule>> find_routing_rule(Sql& sql, std::int64_t id) {
  auto rows = sql.query(std::string(kRuleColumns) + " WHERE id = $1", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<domain::RoutingRule>();
  auto rule = rule_from_row(rows->front());
  if (!rule) return rule.error();
  return std::optional(std::move(*rule));
}

Result<domain::RoutingRule> update_routing_rule(Sql& sql, const domain::RoutingRule& rule,
                                                std::int64_t expected_version) {
  auto stored = find_routing_rule(sql, rule.id);
  if (!stored) return stored.error();
  if (!*stored) return rule_not_found(rule.id);
  if (auto fresh = require_version((*stored)->version, expected_version); !fresh) {
    return fresh.error();
  }
  if (auto ok = check_rule_references(sql, rule); !ok) return ok.error();
  std::vector<Value> values = rule_values(rule);
  values.emplace_back(rule.id);
  values.emplace_back(expected_version);
  auto changed = sql.exec(
      "UPDATE routing_rule SET kind = $1, category_code = $2, place_code = $3, keywords = $4, "
      "level = $5, department = $6, priority = $7, version = version + 1 "
      "WHERE id = $8 AND version = $9",
      Params(values));
  if (!changed) return changed.error();
  if (*changed == 0) return stale();
  domain::RoutingRule out = rule;
  out.version = expected_version + 1;
  return out;
}

Result<void> delete_routing_rule(Sql& sql, std::int64_t id, std::int64_t expected_version) {
  auto stored = find_routing_rule(sql, id);
  if (!stored) return stored.error();
  if (!*stored) return rule_not_found(id);
  if (auto fresh = require_version((*stored)->version, expected_version); !fresh) return fresh;
  auto changed =
      sql.exec("DELETE FROM routing_rule WHERE id = $1 AND version = $2", {id, expected_version});
  if (!changed) return changed.error();
  if (*changed == 0) return stale();
  return {};
}

Result<std::int64_t> version(Sql& sql) {
  auto row = sql.query_one("SELECT version FROM catalogue_version WHERE id = 1", {});
  if (!row) return row.error();
  return row->int64(0);
}

}  // namespace jiceng::store::catalogue
