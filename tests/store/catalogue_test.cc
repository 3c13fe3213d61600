// The catalogue on both stores: the seeded category tree and dispatch catalogue, category
// upserts, the demo units, unit lookup along a place's chain, and dispatch plans end to end.
#include "app/catalogue.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "store/catalogue_repo.h"
#include "store/jurisdiction_repo.h"
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
  EXPECT_EQ(find("env.light"), light);
  light.name_zh = "夜间光污染";
  light.routing_level = Level::kCounty;
  ASSERT_TRUE(upsert(light));
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
  auto mediation = insert({.name = "童家镇应急办",
                           .kind = UnitKind::kCountyDepartment,
                           .department = "应急局",
                           .jurisdiction_code = "360602100",
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

INSTANTIATE_TEST_SUITE_P(Stores, Catalogue, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng::store
