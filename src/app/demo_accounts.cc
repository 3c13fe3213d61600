#include "app/demo_accounts.h"

#include <sodium.h>

#include <optional>

#include "app/imports.h"
#include "store/account_repo.h"
#include "store/catalogue_repo.h"

namespace jiceng::app {
namespace {

using domain::Role;

// 15 random bytes as 20 base64url characters: a password no list holds.
std::string random_password() {
  unsigned char raw[15];
  randombytes_buf(raw, sizeof raw);
  char out[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

struct Places {
  std::string root;     // 3606 鹰潭市
  std::string county;   // 余江区
  std::string village;  // the first village of the county
  std::optional<domain::Unit> township_government;
  std::optional<domain::Unit> hotline_center;
};

Result<Places> find_places(App& app, const std::string& root) {
  return app.db.read_value([&](store::Sql& sql) -> Result<Places> {
    Places p{.root = root,
             .county = root + "03",
             .village = {},
             .township_government = {},
             .hotline_center = {}};
    auto [first, last] = domain::scope_range(p.county);
    auto rows = sql.query(
        "SELECT code FROM jurisdiction WHERE level = 5 AND code >= $1 AND code < $2 "
        "ORDER BY code LIMIT 1",
        {first, last});
    if (!rows) return rows.error();
    if (rows->empty()) return Error::failed_precondition("the demo county has no villages");
    p.village = rows->front().text(0);
    auto units = store::catalogue::units_on_chain(sql, p.village);
    if (!units) return units.error();
    for (auto& u : *units) {
      if (u.kind == domain::UnitKind::kTownshipGovernment) p.township_government = u;
      if (u.kind == domain::UnitKind::kHotlineCenter) p.hotline_center = u;
    }
    if (!p.township_government) {
      return Error::failed_precondition("the demo village has no township government unit");
    }
    return p;
  });
}

}  // namespace

Result<std::vector<DemoAccount>> create_demo_accounts(App& app) {
  auto exists = app.db.read_value(
      [](store::Sql& sql) { return store::accounts::find_by_username(sql, "demo.admin"); });
  if (!exists) return exists.error();
  if (*exists) return std::vector<DemoAccount>{};
  auto root = deployment_root(app.db);
  if (!root) return root.error();
  auto places = find_places(app, *root);
  if (!places) return places.error();
  const domain::Unit& township = *places->township_government;
  std::optional<std::int64_t> hotline;
  if (places->hotline_center) hotline = places->hotline_center->id;
  struct Plan {
    const char* username;
    Role role;
    std::string scope;
    std::optional<std::int64_t> unit;
    std::string unit_name;
  };
  const std::string township_code = township.jurisdiction_code;
  const std::vector<Plan> plans = {
      {"demo.operator", Role::kOperator, places->root, hotline,
       places->hotline_center ? places->hotline_center->name : ""},
      {"demo.handler", Role::kHandler, township_code, township.id, township.name},
      {"demo.head", Role::kUnitHead, township_code, township.id, township.name},
      {"demo.mediator", Role::kMediator, township_code, std::nullopt, ""},
      {"demo.correction", Role::kCorrectionOfficer, places->county, std::nullopt, ""},
      {"demo.grid", Role::kGridWorker, places->village, std::nullopt, ""},
      {"demo.cadre", Role::kCadre, places->village, std::nullopt, ""},
      {"demo.leader", Role::kLeader, places->county, std::nullopt, ""},
      {"demo.auditor", Role::kAuditor, places->root, std::nullopt, ""},
      {"demo.admin", Role::kAdmin, places->root, std::nullopt, ""},  // last: marks "done"
  };
  std::vector<DemoAccount> out;
  auto add = [&](const NewAccount& a, std::string unit_name) -> Result<void> {
    auto created = app.access.create_account(a, std::nullopt, {.remote = "demo"});
    if (!created) return created.error();
    out.push_back({a.username, a.password, std::string(domain::to_string(a.role)), a.scope_code,
                   std::move(unit_name), created->totp_secret});
    return {};
  };
  // A resident, for the citizen portal.
  if (auto r = add({.username = "13800138000",
                    .password = random_password(),
                    .role = Role::kResident,
                    .scope_code = "",
                    .unit_id = std::nullopt,
                    .display_name = "演示群众"},
                   "");
      !r) {
    // Already there from an interrupted earlier run: the staff accounts still follow.
    if (r.error().code != ErrorCode::kAlreadyExists) return r.error();
  }
  for (const Plan& p : plans) {
    auto r = add({.username = p.username,
                  .password = random_password(),
                  .role = p.role,
                  .scope_code = p.scope,
                  .unit_id = p.unit,
                  .display_name = std::string("演示") + std::string(domain::label_zh(p.role))},
                 p.unit_name);
    if (!r && r.error().code != ErrorCode::kAlreadyExists) return r.error();
  }
  return out;
}

}  // namespace jiceng::app
