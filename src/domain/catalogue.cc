#include "domain/catalogue.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "common/utf8.h"

namespace jiceng::domain {

bool is_category_code(std::string_view code) {
  if (code.empty() || code.size() > 40 || code.front() < 'a' || code.front() > 'z') return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

bool about_a_place(std::string_view category_code) {
  const std::string_view group = category_code.substr(0, category_code.find('.'));
  return group == "urban" || group == "env" || group == "safety" || group == "transport" ||
         group == "utility";
}

namespace {

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

// What is wrong with a name (English, Chinese), or nullopt when nothing is.
std::optional<std::pair<std::string, std::string>> name_problem(std::string_view name) {
  auto length = utf8_length(name);
  if (!length)
    return std::pair{std::string("is not valid UTF-8"), std::string("不是有效的 UTF-8 文本")};
  if (name.empty() || name.find_first_not_of(" \t") == std::string_view::npos) {
    return std::pair{std::string("is required"), std::string("不能为空")};
  }
  if (*length > kMaxCatalogueName) {
    return std::pair{fmt::format("is longer than {} characters", kMaxCatalogueName),
                     fmt::format("不能超过 {} 个字", kMaxCatalogueName)};
  }
  return std::nullopt;
}

}  // namespace

Result<void> check_category(const Category& c) {
  if (!is_category_code(c.code)) {
    return Error::invalid_argument(
               fmt::format("code: '{}' must be 1 to 40 characters of a-z, 0-9, '_' or '.', "
                           "starting with a letter (e.g. env.noise)",
                           c.code))
        .zh(fmt::format("分类代码（code）“{}”须为 1 至 40 个小写字母、数字、“_”或“.”，以字母开头"
                        "（如 env.noise）",
                        c.code));
  }
  if (!c.parent_code.empty() && !is_category_code(c.parent_code)) {
    return Error::invalid_argument(fmt::format("parent_code: '{}' is malformed", c.parent_code))
        .zh(fmt::format("上级分类代码（parent_code）“{}”格式不正确", c.parent_code));
  }
  if (c.parent_code == c.code) {
    return Error::invalid_argument(fmt::format("parent_code: {} cannot be its own parent", c.code))
        .zh(fmt::format("分类 {} 不能是自己的上级", c.code));
  }
  for (auto [field, name, zh] : {std::tuple{"name_zh", &c.name_zh, "中文名称"},
                                 std::tuple{"name_en", &c.name_en, "英文名称"}}) {
    if (auto problem = name_problem(*name)) {
      return Error::invalid_argument(fmt::format("{}: {}", field, problem->first))
          .zh(fmt::format("{}（{}）{}", zh, field, problem->second));
    }
  }
  const bool hours = c.time_limit.unit == PeriodUnit::kHours;
  const int most = hours ? kMaxTimeLimitHours : kMaxTimeLimitDays;
  if (c.time_limit.amount < 1 || c.time_limit.amount > most) {
    return Error::invalid_argument(
               fmt::format("time_limit: the amount is 1 to {} {}", most, hours ? "hours" : "days"))
        .zh(fmt::format("办理时限（time_limit）须为 1 至 {} {}", most, hours ? "小时" : "天"));
  }
  if (c.routing_level < Level::kCounty) {
    return Error::invalid_argument("routing_level: village, township or county")
        .zh("派单层级（routing_level）须为 village（村）、township（乡镇）或 county（县）");
  }
  return {};
}

Result<void> check_unit(const Unit& u) {
  if (auto problem = name_problem(u.name)) {
    return Error::invalid_argument("name: " + problem->first)
        .zh("单位名称（name）" + problem->second);
  }
  if ((u.kind == UnitKind::kCountyDepartment) == u.department.empty()) {
    return Error::invalid_argument(
               "department: a county department, and only it, names its department (e.g. 人社局)")
        .zh("所属部门（department）：县直部门必须填写（如 人社局），其他单位不填");
  }
  if (auto problem = name_problem(u.department); problem && !u.department.empty()) {
    return Error::invalid_argument("department: " + problem->first)
        .zh("所属部门（department）" + problem->second);
  }
  auto level = level_of_code(u.jurisdiction_code);
  if (!level) return level.error();
  bool fits = false;
  switch (u.kind) {
    case UnitKind::kVillageCommittee:
      fits = *level == Level::kVillage;
      break;
    case UnitKind::kTownshipGovernment:
      fits = *level == Level::kTownship;
      break;
    case UnitKind::kCountyDepartment:
      fits = *level == Level::kCounty;
      break;
    case UnitKind::kPetitionBureau:
    case UnitKind::kHotlineCenter:
      fits = *level <= Level::kCounty;
      break;
  }
  if (!fits) {
    return Error::invalid_argument(fmt::format("kind: a {} does not sit on a {} ({})",
                                               to_string(u.kind), to_string(*level),
                                               u.jurisdiction_code))
        .zh(fmt::format("单位类型（kind）：{}不能设在该层级的区划（{}）", label_zh(u.kind),
                        u.jurisdiction_code));
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
