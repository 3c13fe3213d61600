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
    "routing_level, active, sort_order FROM category";

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

Result<domain::RoutingRule> rule_from_row(const Row& row) {
  domain::RoutingRule rule{
      .id = row.int64(0),
      .category_code = row.text(2),
      .place_code = row.text(3),
      .keywords = domain::split_keywords(row.text(4)),
      .department = row.text(6),
      .priority = static_cast<int>(row.int64(7)),
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

Result<void> require_node(Sql& sql, std::string_view code) {
  auto node = jurisdictions::find(sql, code);
  if (!node) return node.error();
  if (!*node) return Error::invalid_argument(fmt::format("no jurisdiction has the code {}", code));
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
      "active = excluded.active, sort_order = excluded.sort_order",
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

Result<std::optional<domain::Unit>> find_unit(Sql& sql, std::int64_t id) {
  auto units = many_units(sql.query(
      "SELECT id, name, kind, department, jurisdiction_code, active FROM unit WHERE id = $1",
      {id}));
  if (!units) return units.error();
  if (units->empty()) return std::optional<domain::Unit>();
  return std::optional(std::move(units->front()));
}

Result<std::vector<domain::Unit>> units_on_chain(Sql& sql, std::string_view place_code) {
  // The chain's codes are the place's code prefixes (at most five levels).
  std::array<std::string, 5> codes;
  std::size_t n = 0;
  for (std::string c(place_code); !c.empty() && n < codes.size(); c = domain::parent_code_of(c)) {
    codes[n++] = c;
  }
  return many_units(
      sql.query("SELECT id, name, kind, department, jurisdiction_code, active FROM unit "
                "WHERE active = 1 AND jurisdiction_code IN ($1, $2, $3, $4, $5) "
                "ORDER BY LENGTH(jurisdiction_code), id",
                {codes[0], codes[1], codes[2], codes[3], codes[4]}));
}

Result<std::int64_t> insert_unit(Sql& sql, const domain::Unit& unit) {
  if (unit.name.empty()) return Error::invalid_argument("a unit needs a name");
  if ((unit.kind == domain::UnitKind::kCountyDepartment) == unit.department.empty()) {
    return Error::invalid_argument("a county department, and only it, names its department");
  }
  if (auto level = domain::level_of_code(unit.jurisdiction_code); !level) return level.error();
  if (auto node = require_node(sql, unit.jurisdiction_code); !node) return node.error();
  auto row = sql.query_one(
      "INSERT INTO unit (name, kind, department, jurisdiction_code, active) "
      "VALUES ($1, $2, $3, $4, $5) RETURNING id",
      {unit.name, std::string(domain::to_string(unit.kind)), text_or_null(unit.department),
       unit.jurisdiction_code, flag(unit.active)});
  if (!row) return row.error();
  return row->int64(0);
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
  auto rows = sql.query(
      "SELECT id, kind, category_code, place_code, keywords, level, department, priority "
      "FROM routing_rule ORDER BY id",
      {});
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
  if (auto ok = domain::check_rule(rule); !ok) return ok.error();
  if (!rule.category_code.empty()) {
    auto c = find_category(sql, rule.category_code);
    if (!c) return c.error();
    if (!*c) {
      return Error::invalid_argument(
          fmt::format("no category has the code {}", rule.category_code));
    }
  }
  if (!rule.place_code.empty()) {
    if (auto node = require_node(sql, rule.place_code); !node) return node.error();
  }
  Value kind = nullptr;
  if (rule.kind) kind = std::string(domain::to_string(*rule.kind));
  auto row = sql.query_one(
      "INSERT INTO routing_rule (kind, category_code, place_code, keywords, level, department, "
      "priority) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
      {kind, text_or_null(rule.category_code), text_or_null(rule.place_code),
       text_or_null(domain::join_keywords(rule.keywords)),
       std::int64_t{static_cast<int>(rule.level)}, text_or_null(rule.department),
       std::int64_t{rule.priority}});
  if (!row) return row.error();
  return row->int64(0);
}

Result<std::int64_t> version(Sql& sql) {
  auto row = sql.query_one("SELECT version FROM catalogue_version WHERE id = 1", {});
  if (!row) return row.error();
  return row->int64(0);
}

}  // namespace jiceng::store::catalogue
