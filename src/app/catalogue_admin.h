// The administrators' edits of the catalogue (目录维护): the category tree, the dispatch
// catalogue (派单目录) and the units. Each edit runs in the caller's write transaction (so that
// an Idempotency-Key's record commits with it), checks who may make it, names the version it
// read (If-Match), and writes its audit entry in the same transaction.
//
// Who: administrators only, and only over what their scope covers. Categories apply to the
// whole deployment, and so do routing rules without a place: they need a scope that covers the
// deployment's root. A rule with a place, and a unit, need a scope that covers its node (both
// the old and the new one when it moves).
//
// Routing and deadlines see an edit from the next case on, without a restart: the deadline code
// reads the category when it needs it, the units are read per case, and the kept category tree
// and rules (CatalogueCache) are reloaded when the store's catalogue_version moved (raised by
// triggers on both tables).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/audit_trail.h"
#include "common/date.h"
#include "common/error.h"
#include "domain/access.h"
#include "domain/catalogue.h"
#include "domain/routing.h"
#include "store/database.h"

namespace jiceng::app {

// What PATCH /api/v1/categories/{code} may change; unset members stay as they are.
struct CategoryPatch {
  std::optional<std::string> name_zh{};
  std::optional<std::string> name_en{};
  std::optional<domain::Period> time_limit{};
  std::optional<domain::Level> routing_level{};
  std::optional<bool> active{};  // false retires the category (it is never deleted)
  std::optional<int> sort_order{};
};

// What PATCH /api/v1/routing-rules/{id} may change; unset members stay as they are. An empty
// category or place code, and an inner nullopt kind, mean "any".
struct RoutingRulePatch {
  std::optional<std::optional<domain::CaseKind>> kind{};
  std::optional<std::string> category_code{};
  std::optional<std::string> place_code{};
  std::optional<std::vector<std::string>> keywords{};
  std::optional<domain::Level> level{};
  std::optional<std::string> department{};
  std::optional<int> priority{};
};

// What PATCH /api/v1/units/{id} may change; unset members stay as they are.
struct UnitPatch {
  std::optional<std::string> name{};
  std::optional<domain::UnitKind> kind{};
  std::optional<std::string> department{};  // "" for none
  std::optional<std::string> jurisdiction_code{};
  std::optional<bool> active{};
};

// Every edit answers kPermissionDenied when `by` is not an administrator or its scope does not
// cover what the edit touches, kFailedPrecondition when a global item is edited before a
// deployment is set up, kConflict when expected_version is not the stored version, and
// otherwise the store's validation errors (store/catalogue_repo.h), each in English and Chinese.
class CatalogueAdmin {
 public:
  CatalogueAdmin(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // A new category, top-level or under an existing active parent; returned as stored.
  [[nodiscard]] Result<domain::Category> create_category(store::Sql& sql,
                                                         const domain::Category& category,
                                                         const domain::Principal& by,
                                                         const RequestContext& ctx) const;
  // kNotFound when there is no category with this code.
  [[nodiscard]] Result<domain::Category> update_category(store::Sql& sql, std::string_view code,
                                                         const CategoryPatch& patch,
                                                         std::int64_t expected_version,
                                                         const domain::Principal& by,
                                                         const RequestContext& ctx) const;

  [[nodiscard]] Result<domain::RoutingRule> create_rule(store::Sql& sql,
                                                        const domain::RoutingRule& rule,
                                                        const domain::Principal& by,
                                                        const RequestContext& ctx) const;
  // kNotFound when there is no rule with this id.
  [[nodiscard]] Result<domain::RoutingRule> update_rule(store::Sql& sql, std::int64_t id,
                                                        const RoutingRulePatch& patch,
                                                        std::int64_t expected_version,
                                                        const domain::Principal& by,
                                                        const RequestContext& ctx) const;
  [[nodiscard]] Result<void> delete_rule(store::Sql& sql, std::int64_t id,
                                         std::int64_t expected_version, const domain::Principal& by,
                                         const RequestContext& ctx) const;

  [[nodiscard]] Result<domain::Unit> create_unit(store::Sql& sql, const domain::Unit& unit,
                                                 const domain::Principal& by,
                                                 const RequestContext& ctx) const;
  // kNotFound when there is no unit with this id.
  [[nodiscard]] Result<domain::Unit> update_unit(store::Sql& sql, std::int64_t id,
                                                 const UnitPatch& patch,
                                                 std::int64_t expected_version,
                                                 const domain::Principal& by,
                                                 const RequestContext& ctx) const;

  // After an edit failed (its transaction rolled back): a refusal for want of rights
  // (kPermissionDenied) is audited with outcome "denied" in a transaction of its own, then done
  // receives the refusal (or the audit write's error); any other error goes to done at once.
  // done runs on a store writer thread: it must be quick and must not block.
  void audit_refusal_async(const domain::Principal& by, AuditEvent event, const RequestContext& ctx,
                           Error refusal, std::function<void(Error)> done) const;

 private:
  // The audit entry of an edit that succeeded.
  [[nodiscard]] Result<void> audit(store::Sql& sql, const domain::Principal& by, std::string action,
                                   std::string object_type, std::string object_id,
                                   const RequestContext& ctx) const;

  store::Database& db_;
  const Clock& clock_;
};

}  // namespace jiceng::app
