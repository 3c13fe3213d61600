// The catalogue on both stores: the seeded category tree and dispatch catalogue, category
// upserts, the demo units, unit lookup along a place's chain, and dispatch plans end to end.
#include "app/catalogue.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "app/catalogue_admin.h"
#include "store/audit_repo.h"
#include "store/catalogue_repo.h"
#include "store/jurisdiction_repo.h"
#include "store/settings_repo.h"
#include "support/test_db.h"

namespace jiceng::store {
namespace {

using domain::CaseKind;
using domain::Category;
using domain::Jurisdiction;
using domain::Level;
using domain::PeriodUnit;
using domain::UnitKind;
using testing::Backend;

class Catalogue : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = testing::open_fresh(GetParam());
    ASSERT_TRUE(db_);
  }
  Database& db() { return *db_; }

  // 鹰潭市 with two counties, three townships and three villages; 南昌市 beside it.
  void import_small_tree() {
    std::vector<Jurisdiction> tree = {
        {"36", "江西省", Level::kProvince, ""},
        {"3606", "鹰潭市", Level::kCity, "36"},
        {"360602", "月湖区", Level::kCounty, "3606"},
        {"360681", "贵溪市", Level::kCounty, "3606"},
        {"360602001", "江边街道", Level::kTownship, "360602"},
        {"360602100", "童家镇", Level::kTownship, "360602"},
        {"360681502", "西窑林场", Level::kTownship, "360681"},
        {"360602001001", "龙凤居委会", Level::kVillage, "360602001"},
        {"360602100201", "童家村民委员会", Level::kVillage, "360602100"},
        {"360602100202", "鹰南社区", Level::kVillage, "360602100"},
        {"3601", "南昌市", Level::kCity, "36"},
        {"360102", "东湖区", Level::kCounty, "3601"},
    };
    auto r =
        db().write_value([&](Sql& sql) { return jurisdictions::upsert_all(sql, tree, nullptr); });
    ASSERT_TRUE(r) << r.error().message;
  }
  Result<int> seed(std::string_view root) {
    return db().write_value([&](Sql& sql) { return catalogue::seed_demo_units(sql, root); });
  }
  std::map<std::string, std::int64_t> units_per_kind() {
    auto rows = db().read_value(
        [](Sql& sql) { return sql.query("SELECT kind, COUNT(*) FROM unit GROUP BY kind", {}); });
    EXPECT_TRUE(rows);
    std::map<std::string, std::int64_t> out;
    if (rows) {
      for (const Row& r : *rows) out[r.text(0)] = r.int64(1);
    }
    return out;
  }
  std::vector<domain::Unit> chain(std::string_view place) {
    auto units = db().read_value([&](Sql& sql) { return catalogue::units_on_chain(sql, place); });
    EXPECT_TRUE(units) << units.error().message;
    return units ? *units : std::vector<domain::Unit>{};
  }

  std::unique_ptr<Database> db_;
};

TEST_P(Catalogue, MigrationSeedsTheCategoryTree) {
  auto all = db().read_value([](Sql& sql) { return catalogue::categories(sql); });
  ASSERT_TRUE(all) << all.error().message;
  std::set<std::string> seen;
  std::map<std::string, int> children;
  std::vector<std::string> top;
  for (const Category& c : *all) {
    EXPECT_TRUE(domain::check_category(c)) << c.code;
    EXPECT_TRUE(c.active) << c.code;
    if (c.parent_code.empty()) {
      top.push_back(c.name_zh);
    } else {
      EXPECT_TRUE(seen.contains(c.parent_code)) << c.code << " comes before its parent";
      ++children[c.parent_code];
    }
    EXPECT_TRUE(seen.insert(c.code).second) << c.code << " twice";
  }
  EXPECT_EQ(top,
            (std::vector<std::string>{"城乡建设", "环境保护", "劳动和社会保障", "农业农村",
                                      "土地征收与房屋拆迁", "医疗卫生", "教育", "公共安全",
                                      "市场监管", "交通运输", "民政与救助", "水电气暖", "其他"}));
  for (const Category& c : *all) {
    if (!c.parent_code.empty()) continue;
    EXPECT_GE(children[c.code], 3) << c.code;
    EXPECT_LE(children[c.code], 6) << c.code;
  }
  struct Limit {
    const char* code;
    domain::Period period;
    Level level;
  } limits[] = {
      {"safety.gas_leak", {2, PeriodUnit::kHours}, Level::kCounty},
      {"utility.power_outage", {24, PeriodUnit::kHours}, Level::kTownship},
      {"env.noise", {7, PeriodUnit::kCalendarDays}, Level::kTownship},
      {"land.compensation", {15, PeriodUnit::kCalendarDays}, Level::kCounty},
      {"labour.wages", {15, PeriodUnit::kCalendarDays}, Level::kCounty},
      {"other.enquiry", {3, PeriodUnit::kWorkingDays}, Level::kTownship},
      {"other.neighbour", {7, PeriodUnit::kCalendarDays}, Level::kVillage},
  };
  for (const auto& l : limits) {
    auto c = db().read_value([&](Sql& sql) { return catalogue::find_category(sql, l.code); });
    ASSERT_TRUE(c && *c) << l.code;
    EXPECT_EQ((*c)->time_limit, l.period) << l.code;
    EXPECT_EQ((*c)->routing_level, l.level) << l.code;
  }
}

TEST_P(Catalogue, MigrationSeedsValidRoutingRules) {
  auto rules = db().read_value([](Sql& sql) { return catalogue::routing_rules(sql); });
  ASSERT_TRUE(rules) << rules.error().message;
  ASSERT_GE(rules->size(), 10u);
  auto all = db().read_value([](Sql& sql) { return catalogue::categories(sql); });
  ASSERT_TRUE(all);
  bool gas_keyword = false;
  for (const auto& r : *rules) {
    EXPECT_TRUE(domain::check_rule(r)) << r.id;
    if (!r.category_code.empty()) {
      EXPECT_FALSE(domain::category_path(*all, r.category_code).empty()) << r.category_code;
    }
    gas_keyword = gas_keyword || (r.keywords == std::vector<std::string>{"燃气"} &&
                                  r.department == "住建局" && r.level == Level::kCounty);
  }
  EXPECT_TRUE(gas_keyword);
}

TEST_P(Catalogue, UpsertAndDeactivateCategories) {
  Category light{.code = "env.light",
                 .parent_code = "env",
                 .name_zh = "光污染",
                 .name_en = "Light pollution",
                 .time_limit = {5, PeriodUnit::kWorkingDays},
                 .routing_level = Level::kTownship,
                 .sort_order = 9};
  auto upsert = [&](const Category& c) {
    return db().write([&](Sql& sql) { return catalogue::upsert_category(sql, c); });
  };
  auto find = [&](std::string_view code) {
    auto c = db().read_value([&](Sql& sql) { return catalogue::find_category(sql, code); });
    EXPECT_TRUE(c);
    return c ? *c : std::nullopt;
  };
  ASSERT_TRUE(upsert(light));
  light.version = 1;
  EXPECT_EQ(find("env.light"), light);
  light.name_zh = "夜间光污染";
  light.routing_level = Level::kCounty;
  ASSERT_TRUE(upsert(light));
  light.version = 2;  // a replacement raises the row's version
  EXPECT_EQ(find("env.light"), light);

  Category bad = light;
  bad.parent_code = "nope";
  EXPECT_EQ(upsert(bad).error().code, ErrorCode::kInvalidArgument);
  bad = *find("env");
  bad.parent_code = "env.light";  // under its own grandchild
  EXPECT_EQ(upsert(bad).error().code, ErrorCode::kInvalidArgument);
  bad = light;
  bad.code = "Env Light";
  EXPECT_EQ(upsert(bad).error().code, ErrorCode::kInvalidArgument);

  ASSERT_TRUE(
      db().write([](Sql& sql) { return catalogue::set_category_active(sql, "env.light", false); }));
  EXPECT_FALSE(find("env.light")->active);
  auto missing =
      db().write([](Sql& sql) { return catalogue::set_category_active(sql, "zzz", true); });
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  // Tree order keeps the new child inside its parent's subtree.
  auto all = db().read_value([](Sql& sql) { return catalogue::categories(sql); });
  ASSERT_TRUE(all);
  std::vector<std::string> env_children;
  for (const auto& c : *all) {
    if (c.parent_code == "env") env_children.push_back(c.code);
  }
  EXPECT_EQ(env_children.back(), "env.light");
}

TEST_P(Catalogue, SeedDemoUnitsIsIdempotent) {
  import_small_tree();
  auto first = seed("3606");
  ASSERT_TRUE(first) << first.error().message;
  // city 2, counties 2 × (信访局 + 12 departments), townships 3, villages 3.
  EXPECT_EQ(*first, 2 + 2 * 13 + 3 + 3);
  auto again = seed("3606");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(units_per_kind(), (std::map<std::string, std::int64_t>{{"county_department", 24},
                                                                   {"hotline_center", 1},
                                                                   {"petition_bureau", 3},
                                                                   {"township_government", 3},
                                                                   {"village_committee", 3}}));
  EXPECT_TRUE(chain("360102").empty()) << "南昌 is outside the deployment";

  // A county seeded on its own afterwards adds nothing new; a new node gets its units.
  auto county = seed("360602");
  ASSERT_TRUE(county);
  EXPECT_EQ(*county, 0);
  auto nanchang = seed("3601");
  ASSERT_TRUE(nanchang);
  EXPECT_EQ(*nanchang, 2 + 13);

  EXPECT_EQ(seed("36a").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(seed("3699").error().code, ErrorCode::kNotFound);
}

TEST_P(Catalogue, UnitsAlongThePlaceChain) {
  import_small_tree();
  ASSERT_TRUE(seed("3606"));
  auto units = chain("360602100202");
  ASSERT_EQ(units.size(), 2u + 13u + 1u + 1u);
  EXPECT_EQ(units[0].name, "鹰潭市12345热线中心");
  EXPECT_EQ(units[0].kind, UnitKind::kHotlineCenter);
  EXPECT_EQ(units[1].name, "鹰潭市信访局");
  EXPECT_EQ(units[2].name, "月湖区信访局");
  EXPECT_EQ(units[15].name, "童家镇人民政府");
  EXPECT_EQ(units[16].name, "鹰南社区居委会");
  std::set<std::string> departments;
  for (const auto& u : units) {
    EXPECT_TRUE(std::string("360602100202").starts_with(u.jurisdiction_code)) << u.name;
    if (u.kind == UnitKind::kCountyDepartment) departments.insert(u.department);
  }
  EXPECT_EQ(departments.size(), 12u);
  EXPECT_TRUE(departments.contains("人社局"));

  auto by_id = db().read_value([&](Sql& sql) { return catalogue::find_unit(sql, units[16].id); });
  ASSERT_TRUE(by_id && *by_id);
  EXPECT_EQ(**by_id, units[16]);
  auto none = db().read_value([](Sql& sql) { return catalogue::find_unit(sql, 999999); });
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  // Inserted units get fresh ids; inactive ones are not on the chain.
  auto insert = [&](domain::Unit u) {
    return db().write_value([&](Sql& sql) { return catalogue::insert_unit(sql, u); });
  };
  auto mediation = insert({.name = "月湖区应急管理局",
                           .kind = UnitKind::kCountyDepartment,
                           .department = "应急管理局",
                           .jurisdiction_code = "360602",
                           .active = false});
  ASSERT_TRUE(mediation) << mediation.error().message;
  EXPECT_GT(*mediation, units.back().id);
  EXPECT_EQ(chain("360602100202").size(), units.size());
  EXPECT_EQ(insert({.name = "童家镇人民政府",
                    .kind = UnitKind::kTownshipGovernment,
                    .jurisdiction_code = "360602100"})
                .error()
                .code,
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(
      insert({.name = "x", .kind = UnitKind::kCountyDepartment, .jurisdiction_code = "360602"})
          .error()
          .code,
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(insert({.name = "x", .kind = UnitKind::kPetitionBureau, .jurisdiction_code = "3699"})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  // A unit's kind must suit its node's level (domain::check_unit).
  EXPECT_EQ(insert({.name = "x",
                    .kind = UnitKind::kCountyDepartment,
                    .department = "应急局",
                    .jurisdiction_code = "360602100"})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
}

TEST_P(Catalogue, RoutingRulesRoundTrip) {
  import_small_tree();
  domain::RoutingRule rule{.kind = CaseKind::kPetition,
                           .category_code = "env",
                           .place_code = "360602",
                           .keywords = {"化工厂", "异味"},
                           .level = Level::kCounty,
                           .department = "生态环境局",
                           .priority = 3};
  auto id = db().write_value([&](Sql& sql) { return catalogue::insert_routing_rule(sql, rule); });
  ASSERT_TRUE(id) << id.error().message;
  auto rules = db().read_value([](Sql& sql) { return catalogue::routing_rules(sql); });
  ASSERT_TRUE(rules);
  rule.id = *id;
  rule.version = 1;
  EXPECT_EQ(rules->back(), rule);

  auto insert_error = [&](domain::RoutingRule r) {
    auto out = db().write_value([&](Sql& sql) { return catalogue::insert_routing_rule(sql, r); });
    return out ? ErrorCode::kInternal : out.error().code;
  };
  EXPECT_EQ(insert_error({.category_code = "nope", .level = Level::kTownship}),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(insert_error({.place_code = "360699", .level = Level::kTownship}),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(insert_error({.level = Level::kTownship, .department = "人社局"}),
            ErrorCode::kInvalidArgument);
}

TEST_P(Catalogue, DispatchAndEscalationPlans) {
  import_small_tree();
  ASSERT_TRUE(seed("3606"));
  struct Case {
    const char* what;
    CaseKind kind;
    const char* category;
    const char* place;
    const char* description;
    Level level;
    const char* unit;
  } cases[] = {
      {"unpaid wages: county 人社局", CaseKind::kDemand, "labour.wages", "360602100201", "老板欠薪",
       Level::kCounty, "月湖区人社局"},
      {"rubbish: the village", CaseKind::kDemand, "env.waste", "360602100201", "垃圾没人清运",
       Level::kVillage, "童家村民委员会"},
      {"noise: the township", CaseKind::kDemand, "env.noise", "360602001001", "夜间施工",
       Level::kTownship, "江边街道办事处"},
      {"gas keyword: county 住建局", CaseKind::kDemand, "urban.road", "360602100201",
       "路面下燃气管道", Level::kCounty, "月湖区住建局"},
      {"petition on demolition: 信访局", CaseKind::kPetition, "land.demolition", "360602100201",
       "强拆", Level::kCounty, "月湖区信访局"},
      {"village matter at a township place", CaseKind::kDemand, "other.neighbour", "360602100", "",
       Level::kTownship, "童家镇人民政府"},
      {"a forest farm is its own unit", CaseKind::kDemand, "civil.elderly", "360681502", "",
       Level::kTownship, "西窑林场"},
      {"at the city: the hotline", CaseKind::kDemand, "urban.road", "3606", "", Level::kCity,
       "鹰潭市12345热线中心"},
  };
  app::CatalogueCache cache;  // kept across the calls: a change below must reach it
  for (const auto& c : cases) {
    auto plan = db().read_value([&](Sql& sql) {
      return app::plan_dispatch(sql, cache, {c.kind, c.category, c.place, c.description});
    });
    ASSERT_TRUE(plan) << c.what << ": " << plan.error().message;
    EXPECT_EQ(plan->decision.level, c.level) << c.what;
    ASSERT_TRUE(plan->unit) << c.what;
    EXPECT_EQ(plan->unit->name, c.unit) << c.what;
  }

  auto plan_error = [&](const char* category, const char* place) {
    auto plan = db().read_value([&](Sql& sql) {
      return app::plan_dispatch(sql, cache, {CaseKind::kDemand, category, place, ""});
    });
    return plan ? ErrorCode::kInternal : plan.error().code;
  };
  EXPECT_EQ(plan_error("nope", "360602100201"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(plan_error("env", "3606021002"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(plan_error("env", "360602100299"), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(
      db().write([](Sql& sql) { return catalogue::set_category_active(sql, "env", false); }));
  EXPECT_EQ(plan_error("env", "360602100201"), ErrorCode::kInvalidArgument);

  // Escalation walks up the chain: village → township → county → city → nothing.
  const char* place = "360602100201";
  std::vector<std::string> names;
  auto current = chain(place).back();
  for (int guard = 0; guard < 6; ++guard) {
    auto up = db().read_value([&](Sql& sql) {
      return app::plan_escalation(sql, current, {.place_code = place, .kind = CaseKind::kPetition});
    });
    ASSERT_TRUE(up) << up.error().message;
    if (!*up) break;
    current = **up;
    names.push_back(current.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"童家镇人民政府", "月湖区信访局", "鹰潭市信访局"}));
}

// The administrators' edits (app::CatalogueAdmin) over 鹰潭市 as the deployment: who may make
// them, the tree's rules, versions, the audit entry of each, and routing that follows an edit
// from the next case on.
class CatalogueAdminTest : public Catalogue {
 protected:
  void SetUp() override {
    Catalogue::SetUp();
    import_small_tree();
    ASSERT_TRUE(seed("3606"));
    ASSERT_TRUE(db().write([](Sql& sql) { return settings::put(sql, "deployment.root", "3606"); }));
  }
  static domain::Principal admin(std::string scope, domain::Role role = domain::Role::kAdmin) {
    return {.role = role, .id = 7, .username = "admin." + scope, .scope_code = std::move(scope)};
  }
  app::CatalogueAdmin service() { return app::CatalogueAdmin(*db_, clock_); }
  std::vector<audit::Entry> audit_of(const std::string& id) {
    auto found = db().read_value(
        [&](Sql& sql) { return audit::find(sql, {.object_id = id, .limit = 100}); });
    EXPECT_TRUE(found);
    return found ? *found : std::vector<audit::Entry>{};
  }
  Result<app::DispatchPlan> plan(const char* category, const char* place, const char* text = "") {
    return db().read_value([&](Sql& sql) {
      return app::plan_dispatch(sql, cache_, {CaseKind::kDemand, category, place, text});
    });
  }

  SystemClock clock_;
  app::RequestContext ctx_{.remote = "127.0.0.1", .request_id = "r-1", .purpose = ""};
  app::CatalogueCache cache_;  // kept across edits: each must reach it
};

TEST_P(CatalogueAdminTest, Categories) {
  const auto root = admin("3606");
  Category pets{.code = "pets",
                .name_zh = "宠物管理",
                .name_en = "Pets",
                .time_limit = {5, PeriodUnit::kWorkingDays},
                .routing_level = Level::kTownship};
  Category dogs = pets;
  dogs.code = "pets.dogs";
  dogs.parent_code = "pets";
  dogs.name_zh = "犬只扰民";
  dogs.name_en = "Dogs";
  dogs.routing_level = Level::kVillage;
  auto create = [&](const Category& c, const domain::Principal& by) {
    return db().write_value([&](Sql& sql) { return service().create_category(sql, c, by, ctx_); });
  };
  auto update = [&](std::string_view code, const app::CategoryPatch& p, std::int64_t version,
                    const domain::Principal& by) {
    return db().write_value(
        [&](Sql& sql) { return service().update_category(sql, code, p, version, by, ctx_); });
  };
  auto made = create(pets, root);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->version, 1);
  ASSERT_TRUE(create(dogs, root));
  auto entries = audit_of("pets.dogs");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, "category.create");
  EXPECT_EQ(entries[0].object_type, "category");
  EXPECT_EQ(entries[0].actor, "admin.3606");
  EXPECT_EQ(entries[0].request_id, "r-1");

  // Refusals: each in English and Chinese, and none changes anything.
  struct Refusal {
    const char* what;
    Result<Category> result;
    ErrorCode code;
  };
  Category orphan = dogs;
  orphan.code = "pets.cats";
  orphan.parent_code = "nope";
  Category slow = dogs;
  slow.code = "pets.slow";
  slow.time_limit = {367, PeriodUnit::kCalendarDays};
  Category unnamed = dogs;
  unnamed.code = "pets.unnamed";
  unnamed.name_en = " ";
  Refusal refusals[] = {
      {"duplicate code", create(dogs, root), ErrorCode::kAlreadyExists},
      {"unknown parent", create(orphan, root), ErrorCode::kInvalidArgument},
      {"limit past a year", create(slow, root), ErrorCode::kInvalidArgument},
      {"blank name", create(unnamed, root), ErrorCode::kInvalidArgument},
      {"county admin: not the whole deployment", create(slow, admin("360602")),
       ErrorCode::kPermissionDenied},
      {"a leader", create(slow, admin("3606", domain::Role::kLeader)),
       ErrorCode::kPermissionDenied},
      {"stale version", update("pets.dogs", {.name_zh = "狗"}, 2, root), ErrorCode::kConflict},
      {"unknown category", update("pets.fish", {.name_zh = "鱼"}, 1, root), ErrorCode::kNotFound},
      {"zero limit", update("pets.dogs", {.time_limit = domain::Period{0}}, 1, root),
       ErrorCode::kInvalidArgument},
      {"retire a parent with an active child", update("pets", {.active = false}, 1, root),
       ErrorCode::kFailedPrecondition},
  };
  for (const auto& r : refusals) {
    ASSERT_FALSE(r.result) << r.what;
    EXPECT_EQ(r.result.error().code, r.code) << r.what << ": " << r.result.error().message;
    EXPECT_FALSE(r.result.error().message_zh.empty()) << r.what << ": " << r.result.error().message;
  }
  EXPECT_EQ(audit_of("pets.dogs").size(), 1u) << "refused edits leave no entry";

  // Routing follows an edit from the next case on: the cached tree is reloaded.
  auto before = plan("pets.dogs", "360602100201");
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(before->decision.level, Level::kVillage);
  auto changed =
      update("pets.dogs", {.name_zh = "犬只管理", .routing_level = Level::kCounty}, 1, root);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->version, 2);
  EXPECT_EQ(changed->name_zh, "犬只管理");
  EXPECT_EQ(changed->name_en, "Dogs") << "unnamed fields stay";
  auto after = plan("pets.dogs", "360602100201");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->decision.level, Level::kCounty);
  ASSERT_TRUE(after->unit);
  EXPECT_EQ(after->unit->name, "月湖区信访局") << "a county has no hotline: its 信访局";

  // Retiring: children first; a retired parent takes no new child and no child back.
  ASSERT_TRUE(update("pets.dogs", {.active = false}, 2, root));
  EXPECT_EQ(plan("pets.dogs", "360602100201").error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(update("pets", {.active = false}, 1, root));
  Category birds = dogs;
  birds.code = "pets.birds";
  EXPECT_EQ(create(birds, root).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(update("pets.dogs", {.active = true}, 3, root).error().code,
            ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(update("pets", {.active = true}, 2, root));
  ASSERT_TRUE(update("pets.dogs", {.active = true}, 3, root));
  auto stored =
      db().read_value([](Sql& sql) { return catalogue::find_category(sql, "pets.dogs"); });
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->version, 4);
  EXPECT_EQ(audit_of("pets.dogs").size(), 4u);
}

TEST_P(CatalogueAdminTest, RoutingRules) {
  const auto root = admin("3606");
  const auto county = admin("360602");
  auto create = [&](const domain::RoutingRule& r, const domain::Principal& by) {
    return db().write_value([&](Sql& sql) { return service().create_rule(sql, r, by, ctx_); });
  };
  auto update = [&](std::int64_t id, const app::RoutingRulePatch& p, std::int64_t version,
                    const domain::Principal& by) {
    return db().write_value(
        [&](Sql& sql) { return service().update_rule(sql, id, p, version, by, ctx_); });
  };
  auto remove = [&](std::int64_t id, std::int64_t version, const domain::Principal& by) {
    return db().write([&](Sql& sql) { return service().delete_rule(sql, id, version, by, ctx_); });
  };
  // Noise in 月湖区 mentioning 广场舞 goes to the county's 住建局 — once a rule says so.
  const char* village = "360602100201";
  auto before = plan("env.noise", village, "广场舞噪音");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->decision.level, Level::kTownship);
  domain::RoutingRule rule{.category_code = "env.noise",
                           .place_code = "360602",
                           .keywords = {"广场舞"},
                           .level = Level::kCounty,
                           .department = "住建局"};
  auto made = create(rule, county);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->version, 1);
  auto after = plan("env.noise", village, "广场舞噪音");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->decision.rule_id, made->id);
  EXPECT_EQ(after->unit->name, "月湖区住建局");
  EXPECT_EQ(audit_of(std::to_string(made->id)).front().action, "routing_rule.create");

  // Scope: a rule for anywhere needs the whole deployment; another county's place is refused.
  domain::RoutingRule anywhere = rule;
  anywhere.place_code.clear();
  EXPECT_EQ(create(anywhere, county).error().code, ErrorCode::kPermissionDenied);
  domain::RoutingRule guixi = rule;
  guixi.place_code = "360681";
  EXPECT_EQ(create(guixi, county).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(update(made->id, {.place_code = std::string()}, 1, county).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(create(anywhere, admin("360681")).error().code, ErrorCode::kPermissionDenied);
  // Validation, in English and Chinese.
  for (const auto& bad : {domain::RoutingRule{.category_code = "nope", .level = Level::kTownship},
                          domain::RoutingRule{.place_code = "360699", .level = Level::kTownship},
                          domain::RoutingRule{.level = Level::kTownship, .department = "人社局"},
                          domain::RoutingRule{.keywords = {"a,b"}, .level = Level::kTownship},
                          domain::RoutingRule{.level = Level::kCity}}) {
    auto r = create(bad, root);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << r.error().message;
    EXPECT_FALSE(r.error().message_zh.empty()) << r.error().message;
  }

  // Updates name the version they read; unnamed fields stay.
  EXPECT_EQ(update(made->id, {.priority = 5}, 2, county).error().code, ErrorCode::kConflict);
  auto changed =
      update(made->id, {.kind = std::optional(CaseKind::kPetition), .priority = 5}, 1, county);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->version, 2);
  EXPECT_EQ(changed->keywords, rule.keywords);
  auto demand = plan("env.noise", village, "广场舞噪音");
  ASSERT_TRUE(demand);
  EXPECT_FALSE(demand->decision.rule_id) << "the rule is for petitions now";
  auto stored =
      db().read_value([&](Sql& sql) { return catalogue::find_routing_rule(sql, made->id); });
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ(**stored, *changed);

  EXPECT_EQ(remove(made->id, 1, county).error().code, ErrorCode::kConflict);
  EXPECT_EQ(remove(made->id, 2, admin("360681")).error().code, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(remove(made->id, 2, county));
  EXPECT_EQ(remove(made->id, 2, county).error().code, ErrorCode::kNotFound);
  auto gone =
      db().read_value([&](Sql& sql) { return catalogue::find_routing_rule(sql, made->id); });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
  EXPECT_EQ(audit_of(std::to_string(made->id)).size(), 3u);
}

TEST_P(CatalogueAdminTest, Units) {
  const auto county = admin("360602");
  auto create = [&](const domain::Unit& u, const domain::Principal& by) {
    return db().write_value([&](Sql& sql) { return service().create_unit(sql, u, by, ctx_); });
  };
  auto update = [&](std::int64_t id, const app::UnitPatch& p, std::int64_t version,
                    const domain::Principal& by) {
    return db().write_value(
        [&](Sql& sql) { return service().update_unit(sql, id, p, version, by, ctx_); });
  };
  domain::Unit culture{.name = "月湖区文旅局",
                       .kind = UnitKind::kCountyDepartment,
                       .department = "文旅局",
                       .jurisdiction_code = "360602"};
  auto made = create(culture, county);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->version, 1);
  EXPECT_GT(made->id, 0);
  EXPECT_EQ(audit_of(std::to_string(made->id)).front().action, "unit.create");

  struct Bad {
    const char* what;
    domain::Unit unit;
    ErrorCode code;
  } bad[] = {
      {"the same name on the node", culture, ErrorCode::kAlreadyExists},
      {"another county",
       {.name = "贵溪市文旅局",
        .kind = UnitKind::kCountyDepartment,
        .department = "文旅局",
        .jurisdiction_code = "360681"},
       ErrorCode::kPermissionDenied},
      {"a department at a township",
       {.name = "童家镇文旅站",
        .kind = UnitKind::kCountyDepartment,
        .department = "文旅局",
        .jurisdiction_code = "360602100"},
       ErrorCode::kInvalidArgument},
      {"a department without its name",
       {.name = "月湖区某局", .kind = UnitKind::kCountyDepartment, .jurisdiction_code = "360602"},
       ErrorCode::kInvalidArgument},
      {"a node outside the tree",
       {.name = "月湖区某局", .kind = UnitKind::kPetitionBureau, .jurisdiction_code = "360602999"},
       ErrorCode::kInvalidArgument},
  };
  for (const auto& b : bad) {
    auto r = create(b.unit, county);
    ASSERT_FALSE(r) << b.what;
    EXPECT_EQ(r.error().code, b.code) << b.what << ": " << r.error().message;
    EXPECT_FALSE(r.error().message_zh.empty()) << b.what;
  }

  // Retired units take no new case; renamed ones keep their id.
  EXPECT_EQ(update(made->id, {.active = false}, 2, county).error().code, ErrorCode::kConflict);
  EXPECT_EQ(update(made->id, {.active = false}, 1, admin("360681")).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(update(made->id, {.jurisdiction_code = "360681"}, 1, county).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(update(999999, {.active = false}, 1, county).error().code, ErrorCode::kNotFound);
  auto renamed = update(made->id, {.name = "月湖区文化广电旅游局", .active = false}, 1, county);
  ASSERT_TRUE(renamed) << renamed.error().message;
  EXPECT_EQ(renamed->version, 2);
  EXPECT_EQ(renamed->department, "文旅局");
  for (const auto& u : chain("360602100201")) EXPECT_NE(u.id, made->id) << "retired";
  auto stored = db().read_value([&](Sql& sql) { return catalogue::find_unit(sql, made->id); });
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ(**stored, *renamed);
  // A unit without cases or accounts may move to another node of the scope.
  auto second = create({.name = "鹰南社区第二居委会",
                        .kind = UnitKind::kVillageCommittee,
                        .jurisdiction_code = "360602100202"},
                       county);
  ASSERT_TRUE(second) << second.error().message;
  auto moved = update(second->id, {.jurisdiction_code = "360602001001"}, 1, county);
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->jurisdiction_code, "360602001001");
  EXPECT_EQ(chain("360602001001").back().id, second->id) << "on its new chain";
  EXPECT_EQ(audit_of(std::to_string(made->id)).size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Stores, Catalogue, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });
INSTANTIATE_TEST_SUITE_P(Stores, CatalogueAdminTest, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng::store
