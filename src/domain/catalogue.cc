#include "domain/catalogue.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace jiceng::domain {

namespace {

bool valid_code(std::string_view code) {
  if (code.empty() || code.size() > 40 || code.front() < 'a' || code.front() > 'z') return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

// "<village>" as the name of its committee: names that already end in 委员会 or 委会 stay.
std::string committee_name(std::string_view village) {
  if (village.ends_with("委员会") || village.ends_with("委会")) return std::string(village);
  if (village.ends_with("村")) return fmt::format("{}民委员会", village);
  if (village.ends_with("社区")) return fmt::format("{}居委会", village);
  return std::string(village);  // 生活区 of a farm and the like: the name is the unit's
}

// The government of a township: 镇/乡 人民政府, 街道办事处, the 管理委员会 of a zone; a state
// farm or forest farm (…场) is its own unit.
std::string township_unit_name(std::string_view township) {
  if (township.ends_with("街道")) return fmt::format("{}办事处", township);
  if (township.ends_with("镇") || township.ends_with("乡")) {
    return fmt::format("{}人民政府", township);
  }
  if (township.ends_with("场")) return std::string(township);
  return fmt::format("{}管理委员会", township);
}

}  // namespace

Result<void> check_category(const Category& c) {
  if (!valid_code(c.code)) {
    return Error::invalid_argument(fmt::format(
        "category code '{}' must be 1 to 40 characters of a-z, 0-9, '_' or '.', starting with a "
        "letter (e.g. env.noise)",
        c.code));
  }
  if (!c.parent_code.empty() && !valid_code(c.parent_code)) {
    return Error::invalid_argument(fmt::format("parent code '{}' is malformed", c.parent_code));
  }
  if (c.parent_code == c.code) {
    return Error::invalid_argument(fmt::format("category {} cannot be its own parent", c.code));
  }
  if (c.name_zh.empty() || c.name_en.empty()) {
    return Error::invalid_argument(
        fmt::format("category {} needs a Chinese and an English name", c.code));
  }
  if (c.time_limit.amount < 1) {
    return Error::invalid_argument(
        fmt::format("category {} needs a time limit of at least 1", c.code));
  }
  if (c.routing_level < Level::kCounty) {
    return Error::invalid_argument(
        fmt::format("category {}: the routing level is village, township or county", c.code));
  }
  return {};
}

std::vector<Category> tree_order(std::vector<Category> categories) {
  std::sort(categories.begin(), categories.end(), [](const Category& a, const Category& b) {
    return std::tie(a.sort_order, a.code) < std::tie(b.sort_order, b.code);
  });
  std::map<std::string, std::vector<const Category*>, std::less<>> children;
  for (const Category& c : categories) children[c.parent_code].push_back(&c);
  std::vector<Category> out;
  out.reserve(categories.size());
  // Depth-first from the top level; a stack of sibling lists, each walked in order.
  std::vector<std::pair<const std::vector<const Category*>*, std::size_t>> stack;
  stack.emplace_back(&children[""], 0);
  while (!stack.empty()) {
    auto& [siblings, next] = stack.back();
    if (next == siblings->size()) {
      stack.pop_back();
      continue;
    }
    const Category* c = (*siblings)[next++];
    out.push_back(*c);
    if (auto it = children.find(c->code); it != children.end()) stack.emplace_back(&it->second, 0);
  }
  return out;
}

std::vector<std::string> category_path(std::span<const Category> categories,
                                       std::string_view code) {
  std::map<std::string_view, std::string_view> parent_of;
  for (const Category& c : categories) parent_of[c.code] = c.parent_code;
  std::vector<std::string> path;
  for (std::string_view at = code; !at.empty();) {
    auto it = parent_of.find(at);
    if (it == parent_of.end() || path.size() > categories.size()) return {};
    path.emplace_back(at);
    at = it->second;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::string_view to_string(UnitKind kind) {
  switch (kind) {
    case UnitKind::kVillageCommittee:
      return "village_committee";
    case UnitKind::kTownshipGovernment:
      return "township_government";
    case UnitKind::kCountyDepartment:
      return "county_department";
    case UnitKind::kPetitionBureau:
      return "petition_bureau";
    case UnitKind::kHotlineCenter:
      return "hotline_center";
  }
  return "unknown";
}

std::string_view label_zh(UnitKind kind) {
  switch (kind) {
    case UnitKind::kVillageCommittee:
      return "村(居)委会";
    case UnitKind::kTownshipGovernment:
      return "乡镇政府/街道办";
    case UnitKind::kCountyDepartment:
      return "县直部门";
    case UnitKind::kPetitionBureau:
      return "信访局";
    case UnitKind::kHotlineCenter:
      return "12345热线中心";
  }
  return "未知";
}

Result<UnitKind> unit_kind_from_string(std::string_view s) {
  for (UnitKind k : kAllUnitKinds) {
    if (to_string(k) == s) return k;
  }
  return Error::invalid_argument(fmt::format(
      "unknown unit kind '{}' (village_committee, township_government, county_department, "
      "petition_bureau or hotline_center)",
      s));
}

Level level_of(const Unit& unit) {
  auto level = level_of_code(unit.jurisdiction_code);
  return level ? *level : Level::kVillage;
}

std::vector<Unit> demo_units(const Jurisdiction& node) {
  auto unit = [&](std::string name, UnitKind kind, std::string department = {}) {
    return Unit{.name = std::move(name),
                .kind = kind,
                .department = std::move(department),
                .jurisdiction_code = node.code};
  };
  std::vector<Unit> out;
  switch (node.level) {
    case Level::kProvince:
    case Level::kCity:
      out.push_back(unit(node.name + "12345热线中心", UnitKind::kHotlineCenter));
      out.push_back(unit(node.name + "信访局", UnitKind::kPetitionBureau));
      break;
    case Level::kCounty:
      out.push_back(unit(node.name + "信访局", UnitKind::kPetitionBureau));
      for (std::string_view d : kDemoDepartments) {
        out.push_back(
            unit(fmt::format("{}{}", node.name, d), UnitKind::kCountyDepartment, std::string(d)));
      }
      break;
    case Level::kTownship:
      out.push_back(unit(township_unit_name(node.name), UnitKind::kTownshipGovernment));
      break;
    case Level::kVillage:
      out.push_back(unit(committee_name(node.name), UnitKind::kVillageCommittee));
      break;
  }
  return out;
}

}  // namespace jiceng::domain
