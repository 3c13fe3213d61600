#include "domain/routing.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "common/utf8.h"
#include "domain/case_intake.h"

namespace jiceng::domain {

namespace {

// How specific a matching rule is; larger compares as more specific.
using Specificity = std::tuple<std::size_t, std::size_t, std::size_t, bool, int>;

// The rule's specificity for the case, or nullopt when it does not match.
std::optional<Specificity> match(const RoutingRule& rule, const CaseToRoute& c) {
  if (rule.kind && *rule.kind != c.kind) return std::nullopt;
  if (!c.place_code.starts_with(rule.place_code)) return std::nullopt;
  std::size_t category_depth = 0;
  if (!rule.category_code.empty()) {
    auto it = std::find(c.category_path.begin(), c.category_path.end(), rule.category_code);
    if (it == c.category_path.end()) return std::nullopt;
    category_depth = static_cast<std::size_t>(it - c.category_path.begin()) + 1;
  }
  for (const std::string& k : rule.keywords) {
    if (c.description.find(k) == std::string_view::npos) return std::nullopt;
  }
  return Specificity{rule.place_code.size(), category_depth, rule.keywords.size(),
                     rule.kind.has_value(), rule.priority};
}

bool on_chain(const Unit& u, std::string_view place_code) {
  return u.active && level_of_code(u.jurisdiction_code) &&
         place_code.starts_with(u.jurisdiction_code);
}

// The general units of a level, in order of preference.
std::vector<UnitKind> general_kinds(Level level, CaseKind kind) {
  if (level == Level::kVillage) return {UnitKind::kVillageCommittee};
  if (level == Level::kTownship) return {UnitKind::kTownshipGovernment};
  if (kind == CaseKind::kPetition) return {UnitKind::kPetitionBureau, UnitKind::kHotlineCenter};
  return {UnitKind::kHotlineCenter, UnitKind::kPetitionBureau};
}

// The lowest-id unit of `candidates` that satisfies pred.
template <class Pred>
const Unit* first(const std::vector<const Unit*>& candidates, Pred pred) {
  const Unit* best = nullptr;
  for (const Unit* u : candidates) {
    if (pred(*u) && (!best || u->id < best->id)) best = u;
  }
  return best;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<void> check_rule(const RoutingRule& rule) {
  if (rule.level < Level::kCounty) {
    return Error::invalid_argument("level: a routing rule's level is village, township or county")
        .zh("派单层级（level）须为 village（村）、township（乡镇）或 county（县）");
  }
  if (!rule.department.empty() && rule.level != Level::kCounty) {
    return Error::invalid_argument(
               "department: only a county-level routing rule names a department")
        .zh("承办部门（department）只能用于县级（county）派单规则");
  }
  if (utf8_length(rule.department).value_or(kMaxCatalogueName + 1) > kMaxCatalogueName) {
    return Error::invalid_argument(
               fmt::format("department: valid UTF-8, at most {} characters", kMaxCatalogueName))
        .zh(fmt::format("承办部门（department）须为有效文本，不超过 {} 个字", kMaxCatalogueName));
  }
  if (!rule.category_code.empty()) {
    if (!is_category_code(rule.category_code)) {
      return Error::invalid_argument(
                 fmt::format("category_code: '{}' is not a category code", rule.category_code))
          .zh(fmt::format("分类代码（category_code）“{}”格式不正确", rule.category_code));
    }
  }
  if (!rule.place_code.empty()) {
    if (auto level = level_of_code(rule.place_code); !level) return level.error();
  }
  for (const std::string& k : rule.keywords) {
    // Stored joined by commas: a keyword must come back from split_keywords as it is.
    // A keyword nobody can see (zero-width characters, an ideographic space) is empty in the
    // match form keywords are compared in (text::match_form drops them): the rule would take
    // every description. Invisible characters beside visible ones are harmless there.
    if (split_keywords(k) != std::vector<std::string>{k} || is_blank(k)) {
      return Error::invalid_argument(
                 fmt::format("keywords: '{}' is empty or invisible, has spaces around it or holds "
                             "a comma or 、",
                             k))
          .zh(fmt::format("关键词（keywords）“{}”为空或不可见、首尾有空格或含有逗号、顿号", k));
    }
  }
  return {};
}

std::vector<std::string> split_keywords(std::string_view text) {
  std::vector<std::string> out;
  auto add = [&](std::string_view piece) {
    piece = trim(piece);
    if (!piece.empty()) out.emplace_back(piece);
  };
  constexpr std::string_view kSeparators[] = {",", "，", "、"};
  while (!text.empty()) {
    std::size_t at = std::string_view::npos;
    std::size_t width = 0;
    for (std::string_view sep : kSeparators) {
      if (auto p = text.find(sep); p < at) {
        at = p;
        width = sep.size();
      }
    }
    if (at == std::string_view::npos) {
      add(text);
      break;
    }
    add(text.substr(0, at));
    text.remove_prefix(at + width);
  }
  return out;
}

std::string join_keywords(std::span<const std::string> keywords) {
  std::string out;
  for (const std::string& k : keywords) {
    if (!out.empty()) out += ',';
    out += k;
  }
  return out;
}

RoutingDecision route(std::span<const RoutingRule> rules, const CaseToRoute& c) {
  const RoutingRule* best = nullptr;
  Specificity best_score;
  for (const RoutingRule& rule : rules) {
    auto score = match(rule, c);
    if (!score) continue;
    if (!best || *score > best_score || (*score == best_score && rule.id < best->id)) {
      best = &rule;
      best_score = *score;
    }
  }
  RoutingDecision out;
  out.level = c.category_level;
  if (best) {
    out.level = best->level;
    out.department = best->department;
    out.rule_id = best->id;
  }
  if (auto place_level = level_of_code(c.place_code); place_level && out.level > *place_level) {
    out.level = *place_level;
  }
  return out;
}

std::optional<Unit> pick_unit(std::span<const Unit> units, const UnitQuery& query, Level level) {
  for (int l = static_cast<int>(level); l >= static_cast<int>(Level::kProvince); --l) {
    std::vector<const Unit*> here;
    for (const Unit& u : units) {
      if (on_chain(u, query.place_code) && static_cast<int>(level_of(u)) == l) here.push_back(&u);
    }
    if (here.empty()) continue;
    if (!query.department.empty()) {
      if (const Unit* u = first(here, [&](const Unit& x) {
            return x.kind == UnitKind::kCountyDepartment && x.department == query.department;
          })) {
        return *u;
      }
    }
    for (UnitKind k : general_kinds(static_cast<Level>(l), query.kind)) {
      if (const Unit* u = first(here, [&](const Unit& x) { return x.kind == k; })) return *u;
    }
  }
  return std::nullopt;
}

std::optional<Unit> escalation_target(std::span<const Unit> units, const UnitQuery& query,
                                      const Unit& current) {
  const Level level = level_of(current);
  if (level == Level::kProvince) return std::nullopt;
  return pick_unit(units, query, static_cast<Level>(static_cast<int>(level) - 1));
}

namespace {

// department_handles with the description, or department_may_handle without it (nullopt).
bool handles(std::span<const RoutingRule> rules, std::span<const std::string> category_path,
             std::optional<std::string_view> description, std::string_view department) {
  for (const RoutingRule& r : rules) {
    if (r.department.empty() || r.department != department) continue;
    bool category = r.category_code.empty() || std::find(category_path.begin(), category_path.end(),
                                                         r.category_code) != category_path.end();
    bool keywords = !description ||
                    std::all_of(r.keywords.begin(), r.keywords.end(), [&](const std::string& k) {
                      return description->find(k) != std::string_view::npos;
                    });
    if (category && keywords) return true;
  }
  return false;
}

}  // namespace

bool department_handles(std::span<const RoutingRule> rules,
                        std::span<const std::string> category_path, std::string_view description,
                        std::string_view department) {
  return handles(rules, category_path, description, department);
}

bool department_may_handle(std::span<const RoutingRule> rules,
                           std::span<const std::string> category_path,
                           std::string_view department) {
  return handles(rules, category_path, std::nullopt, department);
}

}  // namespace jiceng::domain
