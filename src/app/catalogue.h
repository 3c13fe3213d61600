// Use cases over the catalogue: the category tree and the units a case can go to, and the
// dispatch plan (派单) for a case, which the case commands compute inside their own transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "domain/catalogue.h"
#include "domain/routing.h"
#include "domain/workflow.h"
#include "store/catalogue_repo.h"
#include "store/database.h"

namespace jiceng::app {

// The category tree (in tree order) and the dispatch catalogue, as one transaction saw them.
struct CatalogueSnapshot {
  std::int64_t version = 0;  // store::catalogue::version
  std::vector<domain::Category> categories;
  std::vector<domain::RoutingRule> rules;  // keywords in text::match_form, as they are matched
};

// Keeps the last catalogue loaded, so that routing a case does not reload and sort the whole
// tree. Correct across processes: the store's counter is read in the caller's transaction.
// Thread-safe.
class CatalogueCache {
 public:
  // The catalogue as sql's transaction sees it: the kept one while the store's counter matches
  // it (one indexed read), else loaded anew (and kept, unless a newer one is kept already).
  [[nodiscard]] Result<std::shared_ptr<const CatalogueSnapshot>> get(store::Sql& sql);

 private:
  std::mutex mu_;
  std::shared_ptr<const CatalogueSnapshot> kept_;  // guarded by mu_
};

class CatalogueService {
 public:
  explicit CatalogueService(store::Database& db) : db_(db) {}

  // Every category, active or not, parents before their children.
  [[nodiscard]] Result<std::vector<domain::Category>> categories();
  // kInvalidArgument for a malformed code, kNotFound when no category has it.
  [[nodiscard]] Result<domain::Category> category(std::string_view code);
  // The code and those of every category below it in the tree (by parent, whatever the codes
  // look like), retired ones too: what a filter by that category covers. The errors of
  // category().
  [[nodiscard]] Result<std::vector<std::string>> category_subtree(std::string_view code);
  // The whole dispatch catalogue, by id.
  [[nodiscard]] Result<std::vector<domain::RoutingRule>> routing_rules();
  // kNotFound when no rule has this id.
  [[nodiscard]] Result<domain::RoutingRule> routing_rule(std::int64_t id);
  // The active units on the node `place` and its ancestors, from the top down: the units that
  // can handle a case placed there (with kAll, the retired ones too). kInvalidArgument for a
  // malformed code, kNotFound for an unknown one.
  // With `below`, the active units on the node's children follow (store::catalogue::
  // units_below): a case may be dispatched down, which narrows its place.
  // With a `category`, only the county departments that the dispatch catalogue may send such a
  // matter to (domain::department_may_handle) are listed: the others a dispatch would be
  // refused. kInvalidArgument for an unknown category.
  [[nodiscard]] Result<std::vector<domain::Unit>> units_for_place(
      std::string_view place,
      store::catalogue::UnitsListed listed = store::catalogue::UnitsListed::kActive,
      bool below = false, std::string_view category = {});
  // kNotFound when no unit has this id.
  [[nodiscard]] Result<domain::Unit> unit(std::int64_t id);

 private:
  store::Database& db_;
  CatalogueCache catalogue_;  // the tree and the rules units_for_place filters by
};

struct DispatchRequest {
  domain::CaseKind kind = domain::CaseKind::kDemand;
  std::string category_code{};
  std::string place_code{};
  std::string description{};
};

struct DispatchPlan {
  domain::RoutingDecision decision{};  // level, department and the rule applied
  std::optional<domain::Unit> unit{};  // nullopt when no unit on the place's chain can take it
};

// Where a new case goes: the dispatch catalogue and the category decide the level
// (domain::route), then the unit is picked on the place's chain (domain::pick_unit). Runs in the
// caller's transaction. kInvalidArgument for a malformed place code, an unknown place or
// category, or an inactive category.
[[nodiscard]] Result<DispatchPlan> plan_dispatch(store::Sql& sql, CatalogueCache& catalogue,
                                                 const DispatchRequest& request);

// Whether `unit` is competent for cases of `category_code`: village committees, township
// governments, petition bureaus and hotline centres take any matter of their place; a county
// department only matters the dispatch catalogue sends it (domain::department_handles).
[[nodiscard]] Result<bool> competent_for(store::Sql& sql, CatalogueCache& catalogue,
                                         const domain::Unit& unit, std::string_view category_code,
                                         std::string_view description);

// The unit one level up from `current` for a case at `place_code` (domain::escalation_target);
// nullopt at the top. Runs in the caller's transaction. kInvalidArgument for a malformed place.
[[nodiscard]] Result<std::optional<domain::Unit>> plan_escalation(store::Sql& sql,
                                                                  const domain::Unit& current,
                                                                  const domain::UnitQuery& query);

}  // namespace jiceng::app
