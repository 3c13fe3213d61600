// Queries over the catalogue: categories, units and routing rules, in portable SQL. Each
// function runs inside the caller's transaction (see database.h) and returns the store's errors
// unchanged unless it says otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "domain/catalogue.h"
#include "domain/routing.h"
#include "store/sql.h"

namespace jiceng::store::catalogue {

// Every category, active or not, in tree order (domain::tree_order).
[[nodiscard]] Result<std::vector<domain::Category>> categories(Sql& sql);
// The category with this code, nullopt if there is none.
[[nodiscard]] Result<std::optional<domain::Category>> find_category(Sql& sql,
                                                                    std::string_view code);
// Inserts the category or replaces the one with its code. kInvalidArgument when it is
// malformed (domain::check_category), its parent does not exist, or the parent lies in its own
// subtree.
[[nodiscard]] Result<void> upsert_category(Sql& sql, const domain::Category& category);
// Marks the category active or not. kNotFound when there is none with this code.
[[nodiscard]] Result<void> set_category_active(Sql& sql, std::string_view code, bool active);

// The administrators' edits (app::CatalogueAdmin). Errors name the field they are about, in
// English and Chinese; an edit whose expected_version is not the stored one is kConflict, and
// changes nothing.

// Stores a new category at version 1 and returns it as stored. kInvalidArgument when it is
// malformed (domain::check_category) or its parent does not exist; kAlreadyExists when the code
// is taken; kFailedPrecondition when its parent is retired.
[[nodiscard]] Result<domain::Category> insert_category(Sql& sql, const domain::Category& c);
// Sets the names, time limit, routing level, active flag and sort order of the category
// c.code to c's and returns it as stored (its version raised by one). kNotFound when there is no
// such category; kInvalidArgument when c is malformed or names another parent (a category stays
// where it is); kFailedPrecondition when it would retire a category with an active
// sub-category, or bring one back under a retired parent.
[[nodiscard]] Result<domain::Category> update_category(Sql& sql, const domain::Category& c,
                                                       std::int64_t expected_version);

// The unit with this id, nullopt if there is none.
[[nodiscard]] Result<std::optional<domain::Unit>> find_unit(Sql& sql, std::int64_t id);
// Which units units_on_chain lists: those that can take cases, or retired ones too (the
// administrators' list, where a retired unit is brought back).
enum class UnitsListed { kActive, kAll };
// The active units (or all, retired too) on the node `place_code` and its ancestors, from the
// top down (by level, then id). Precondition: place_code is a valid division code.
[[nodiscard]] Result<std::vector<domain::Unit>> units_on_chain(
    Sql& sql, std::string_view place_code, UnitsListed listed = UnitsListed::kActive);
// The active units on the node's children (its townships, for a county), by code, then id:
// dispatch below a case's place, which says where in that area the matter lies.
[[nodiscard]] Result<std::vector<domain::Unit>> units_below(Sql& sql, std::string_view place_code);
// Stores a new unit (version 1) and returns its id (unit.id is ignored). kInvalidArgument when it
// is malformed (domain::check_unit) or the node does not exist; kAlreadyExists when the node
// has a unit of that name.
[[nodiscard]] Result<std::int64_t> insert_unit(Sql& sql, const domain::Unit& unit);
// Sets the name, kind, department, node and active flag of the unit unit.id to unit's and
// returns it as stored (its version raised by one). kNotFound when there is no such unit;
// errors of insert_unit; kFailedPrecondition when it would move a unit that holds cases or has
// staff accounts to another node.
[[nodiscard]] Result<domain::Unit> update_unit(Sql& sql, const domain::Unit& unit,
                                               std::int64_t expected_version);
// Creates the demo units (domain::demo_units) on `root_code` and every node below it that does
// not already have a unit of the same name; returns how many were created (0 on a second
// call). kInvalidArgument for a malformed code, kNotFound when the node does not exist.
[[nodiscard]] Result<int> seed_demo_units(Sql& sql, std::string_view root_code);

// The counter that every change of the category tree or of the routing rules raises (triggers on
// both tables, migration 0007): equal counters, equal catalogues.
[[nodiscard]] Result<std::int64_t> version(Sql& sql);

// The whole dispatch catalogue, by id.
[[nodiscard]] Result<std::vector<domain::RoutingRule>> routing_rules(Sql& sql);
// Stores a new rule (version 1) and returns its id (rule.id is ignored). kInvalidArgument when
// it is malformed (domain::check_rule) or names an unknown category or place.
[[nodiscard]] Result<std::int64_t> insert_routing_rule(Sql& sql, const domain::RoutingRule& rule);
// The rule with this id, nullopt if there is none.
[[nodiscard]] Result<std::optional<domain::RoutingRule>> find_routing_rule(Sql& sql,
                                                                           std::int64_t id);
// Replaces the rule rule.id by `rule` and returns it as stored (its version raised by one).
// kNotFound when there is no such rule; errors of insert_routing_rule.
[[nodiscard]] Result<domain::RoutingRule> update_routing_rule(Sql& sql,
                                                              const domain::RoutingRule& rule,
                                                              std::int64_t expected_version);
// Deletes the rule (cases keep the level and unit it gave them). kNotFound when there is none.
[[nodiscard]] Result<void> delete_routing_rule(Sql& sql, std::int64_t id,
                                               std::int64_t expected_version);

}  // namespace jiceng::store::catalogue
