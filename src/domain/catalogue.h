// The catalogue that cases hang on: the category tree (分类树), each category with its default
// time limit (时限) and the lowest level that can handle it, and the units (单位) that handle
// cases, each sitting on a node of the jurisdiction tree.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "domain/deadline.h"
#include "domain/jurisdiction.h"

namespace jiceng::domain {

// A category of demands and petitions, e.g. "env" 环境保护 with the child "env.noise" 噪声扰民.
// (Members have initializers so that designated initializers may leave any of them out.)
struct Category {
  std::string code{};         // short ASCII, see check_category
  std::string parent_code{};  // "" for a top-level category
  std::string name_zh{};
  std::string name_en{};
  Period time_limit{};                     // the default limit for handling a case
  Level routing_level = Level::kTownship;  // the lowest level that can handle it (village..county)
  bool active = true;                      // inactive categories are kept for old cases only
  int sort_order = 0;                      // among siblings, ascending
  std::int64_t version = 0;                // the stored row's version (If-Match); 0 until stored

  bool operator==(const Category&) const = default;
};

// A category code: 1 to 40 characters of [a-z0-9_.], starting with a letter.
bool is_category_code(std::string_view code);

// Whether a category's matters are about a place (a road, a drain, noise, a hazard, a bus
// line: the groups urban, env, safety, transport, utility and their sub-categories) rather
// than about a person's circumstances (welfare, health, wages, schooling, land, a neighbour).
// Only the former show their point to the public (Open311): on a map of a village, a welfare
// or medical matter's point is a household's door. Other groups, an administrator's new ones
// too, keep theirs to staff.
bool about_a_place(std::string_view category_code);

// The longest name of a category or a unit, in characters.
inline constexpr std::size_t kMaxCatalogueName = 100;
// The longest time limit a category may set, per unit: a year, whatever it is counted in.
inline constexpr int kMaxTimeLimitHours = 24 * 366;
inline constexpr int kMaxTimeLimitDays = 366;

// Ok when the category is well formed: code and parent code of 1 to 40 characters from
// [a-z0-9_.], starting with a letter; not its own parent; both names non-empty, valid UTF-8
// and at most kMaxCatalogueName characters; a time limit of 1 to a year (kMaxTimeLimitHours or
// kMaxTimeLimitDays); a routing level of village, township or county. kInvalidArgument
// otherwise, in English and Chinese, the message starting with the field ("code: …").
[[nodiscard]] Result<void> check_category(const Category& category);

// The categories in tree order: every parent before its children, siblings by sort_order then
// code, each subtree kept together. Categories that cannot be reached from a top-level one (a
// missing parent) are left out.
std::vector<Category> tree_order(std::vector<Category> categories);

// The codes from the top-level ancestor down to `code` itself; empty when `code` is unknown or
// an ancestor is missing.
std::vector<std::string> category_path(std::span<const Category> categories, std::string_view code);

// What kind of body a unit is.
enum class UnitKind {
  kVillageCommittee,    // 村(居)委会
  kTownshipGovernment,  // 乡镇政府/街道办
  kCountyDepartment,    // 县直部门 (住建局, 人社局, …)
  kPetitionBureau,      // 信访局
  kHotlineCenter,       // 12345热线中心
};
inline constexpr UnitKind kAllUnitKinds[] = {
    UnitKind::kVillageCommittee, UnitKind::kTownshipGovernment, UnitKind::kCountyDepartment,
    UnitKind::kPetitionBureau, UnitKind::kHotlineCenter};
std::string_view to_string(UnitKind kind);  // "village_committee", …
std::string_view label_zh(UnitKind kind);   // "村(居)委会", …
[[nodiscard]] Result<UnitKind> unit_kind_from_string(std::string_view s);

struct Unit {
  std::int64_t id = 0;  // 0 until stored
  std::string name{};
  UnitKind kind = UnitKind::kVillageCommittee;
  std::string department{};  // county departments only, e.g. "住建局"; "" for other kinds
  std::string jurisdiction_code{};
  bool active = true;
  std::int64_t version = 0;  // the stored row's version (If-Match); 0 until stored

  bool operator==(const Unit&) const = default;
};

// Ok when the unit is well formed: a name of 1 to kMaxCatalogueName characters (valid UTF-8);
// a department exactly when it is a county department (at most kMaxCatalogueName characters);
// a valid jurisdiction code whose level suits the kind — a village committee on a village, a
// township government on a township, a county department on a county, a petition bureau or a
// hotline centre on a county, city or province. kInvalidArgument otherwise, in English and
// Chinese, the message starting with the field ("kind: …").
[[nodiscard]] Result<void> check_unit(const Unit& unit);

// The level of the node the unit sits on. Precondition: jurisdiction_code is a valid code.
Level level_of(const Unit& unit);

// The departments every county of the demo has (县直部门).
inline constexpr std::string_view kDemoDepartments[] = {
    "住建局", "生态环境局", "人社局",     "农业农村局", "自然资源局", "卫健委",
    "教育局", "公安局",     "市场监管局", "交通运输局", "民政局",     "水务局"};

// The units a demo deployment puts on `node` (ids 0): a province or city gets its 12345 hotline
// centre and its 信访局; a county its 信访局 and one unit per kDemoDepartments entry; a township
// its government ("<镇/乡>人民政府", "<街道>办事处"); a village its committee, named after the
// village without doubling a 委员会 suffix.
std::vector<Unit> demo_units(const Jurisdiction& node);

}  // namespace jiceng::domain
