// Routing (派单): which level, and which unit on the case's place chain, handles a case. Small
// matters stay in the village, large ones in the township, hard ones in the county
// (小事不出村、大事不出镇、难事不出县). A dispatch catalogue (派单目录) of rules refines the
// category's own routing level by kind, place and keywords; escalation (提级) moves a case to
// the unit one level up on the same chain.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "domain/catalogue.h"
#include "domain/jurisdiction.h"
#include "domain/workflow.h"

namespace jiceng::domain {

// One entry of the dispatch catalogue. Empty fields match anything. (Members have initializers
// so that designated initializers may leave any of them out, here and below.)
struct RoutingRule {
  std::int64_t id = 0;
  std::optional<CaseKind> kind{};  // nullopt: demands and petitions
  std::string category_code{};     // the category and all its descendants; "": any
  std::string place_code{};        // the node and its whole subtree; "": anywhere
  // All must appear in the description; empty: no condition. Matched as given: callers pass
  // both in one form (app/catalogue.h: text::match_form).
  std::vector<std::string> keywords{};
  Level level = Level::kTownship;  // village, township or county
  std::string department{};        // county level only: which department, e.g. "人社局"
  int priority = 0;                // higher wins among otherwise equally specific rules
  std::int64_t version = 0;        // the stored row's version (If-Match); 0 until stored

  bool operator==(const RoutingRule&) const = default;
};

// Ok when the level is village, township or county, a department comes only with county level,
// the place code (if any) is a valid division code, and each keyword is non-empty, without
// surrounding spaces and without a separator of split_keywords, and the category code (if any)
// is well formed. kInvalidArgument otherwise, in English and Chinese.
[[nodiscard]] Result<void> check_rule(const RoutingRule& rule);

// "燃气, 泄漏" → {"燃气", "泄漏"}: split at ',', '，' and '、', trimmed, empties dropped.
std::vector<std::string> split_keywords(std::string_view text);
// {"燃气", "泄漏"} → "燃气,泄漏"; "" for none.
std::string join_keywords(std::span<const std::string> keywords);

struct CaseToRoute {
  CaseKind kind = CaseKind::kDemand;
  std::span<const std::string> category_path{};  // from the top-level category down to the case's
  Level category_level = Level::kTownship;       // the case's category's routing level
  std::string_view place_code{};                 // a valid division code (precondition)
  std::string_view description{};
};

struct RoutingDecision {
  Level level = Level::kTownship;
  std::string department{};               // "" when the rule named none, or no rule applied
  std::optional<std::int64_t> rule_id{};  // the rule applied; nullopt: the category's level

  bool operator==(const RoutingDecision&) const = default;
};

// The most specific rule that matches the case decides; without one, the category's routing
// level does. A rule matches when each of its fields matches (kind equal, category on the
// category path, place an ancestor of the case's place or the place itself, every keyword a
// substring of the description). Among matches the more specific wins, compared in this order:
// the deeper place, the deeper category, more keywords, a stated kind, the higher priority;
// then the lower id. The level is then clamped so that it is never below the place's own level
// (a case placed at a township does not go down to a village).
RoutingDecision route(std::span<const RoutingRule> rules, const CaseToRoute& c);

// Whether the dispatch catalogue sends matters like this one to `department`: some rule names the
// department, a category on the case's category path (or any category), and keywords that all
// appear in the description (place, kind and level aside). A transfer or dispatch to a county
// department no such rule names is refused (competence).
bool department_handles(std::span<const RoutingRule> rules,
                        std::span<const std::string> category_path, std::string_view description,
                        std::string_view department);
// The same before the text is known: whether some matter of the category could go to
// `department` (a rule with keywords counts, as the text may hold them). A unit picker offers
// only the departments for which this holds.
bool department_may_handle(std::span<const RoutingRule> rules,
                           std::span<const std::string> category_path, std::string_view department);

// What a unit is picked for.
struct UnitQuery {
  std::string_view place_code{};  // the case's place: a valid division code (precondition)
  CaseKind kind = CaseKind::kDemand;
  std::string_view department{};  // wanted county department; "" for none
};

// The unit that handles a case at `level`, among `units` (any set: only the active units on the
// place's chain — the place and its ancestors — count). At that level: the county department
// named by query.department if there is one; else the level's general unit — the village
// committee, the township government, or above township the 信访局 for petitions and the 12345
// hotline centre for demands (each falling back to the other). When the level has none, the
// nearest level above that has one. nullopt when no level at or above `level` has one. Among
// units of the same kind on a node, the lowest id.
std::optional<Unit> pick_unit(std::span<const Unit> units, const UnitQuery& query, Level level);

// The unit one level up from `current` on the place's chain (village → township → county
// department or 信访局 → city hotline centre or 信访局), picked as pick_unit does from the level
// above current's. nullopt when nothing on the chain is above current (the top).
std::optional<Unit> escalation_target(std::span<const Unit> units, const UnitQuery& query,
                                      const Unit& current);

}  // namespace jiceng::domain
