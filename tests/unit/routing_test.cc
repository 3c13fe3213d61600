// The catalogue's pure rules: category tree order, routing rules, unit picking and escalation,
// and the names of the demo units.
#include "domain/routing.h"

#include <gtest/gtest.h>

namespace jiceng::domain {
namespace {

using K = CaseKind;
using L = Level;

// --- categories ---------------------------------------------------------------------------

Category cat(std::string code, std::string parent, int sort) {
  return Category{.code = std::move(code),
                  .parent_code = std::move(parent),
                  .name_zh = "名",
                  .name_en = "name",
                  .time_limit = {7, PeriodUnit::kCalendarDays},
                  .routing_level = L::kTownship,
                  .sort_order = sort};
}

TEST(Categories, TreeOrderPutsParentsFirstAndKeepsSubtreesTogether) {
  std::vector<Category> all = {cat("env.noise", "env", 2),
                               cat("utility", "", 20),
                               cat("env", "", 10),
                               cat("env.air", "env", 1),
                               cat("utility.gas", "utility", 1),
                               cat("orphan", "missing", 0),
                               cat("env.air.dust", "env.air", 1)};
  std::vector<std::string> codes;
  for (const auto& c : tree_order(all)) codes.push_back(c.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"env", "env.air", "env.air.dust", "env.noise",
                                             "utility", "utility.gas"}));
}

TEST(Categories, PathFromTheTopDown) {
  std::vector<Category> all = {
      cat("env", "", 1),      cat("env.air", "env", 1), cat("env.air.dust", "env.air", 1),
      cat("lost", "gone", 1), cat("a", "b", 1),         cat("b", "a", 1)};
  EXPECT_EQ(category_path(all, "env.air.dust"),
            (std::vector<std::string>{"env", "env.air", "env.air.dust"}));
  EXPECT_EQ(category_path(all, "env"), (std::vector<std::string>{"env"}));
  EXPECT_TRUE(category_path(all, "nope").empty());
  EXPECT_TRUE(category_path(all, "lost").empty());
  EXPECT_TRUE(category_path(all, "a").empty());  // a cycle ends, empty
}

TEST(Categories, Checks) {
  struct Case {
    const char* what;
    Category c;
    bool ok;
  };
  Category good = cat("env.noise", "env", 1);
  auto with = [&](auto change) {
    Category c = good;
    change(c);
    return c;
  };
  const Case cases[] = {
      {"good", good, true},
      {"top level", cat("env", "", 1), true},
      {"empty code", with([](Category& c) { c.code = ""; }), false},
      {"upper case", with([](Category& c) { c.code = "Env"; }), false},
      {"digit first", with([](Category& c) { c.code = "1env"; }), false},
      {"chinese code", with([](Category& c) { c.code = "环境"; }), false},
      {"long code", with([](Category& c) { c.code = std::string(41, 'a'); }), false},
      {"bad parent", with([](Category& c) { c.parent_code = "E-1"; }), false},
      {"own parent", with([](Category& c) { c.parent_code = c.code; }), false},
      {"no zh name", with([](Category& c) { c.name_zh = ""; }), false},
      {"no en name", with([](Category& c) { c.name_en = ""; }), false},
      {"zero limit", with([](Category& c) { c.time_limit.amount = 0; }), false},
      {"city level", with([](Category& c) { c.routing_level = L::kCity; }), false},
      {"village level", with([](Category& c) { c.routing_level = L::kVillage; }), true},
  };
  for (const auto& c : cases) EXPECT_EQ(check_category(c.c).has_value(), c.ok) << c.what;
}

// --- routing rules ------------------------------------------------------------------------

TEST(Keywords, SplitAndJoin) {
  EXPECT_EQ(split_keywords("燃气, 泄漏"), (std::vector<std::string>{"燃气", "泄漏"}));
  EXPECT_EQ(split_keywords("拖欠，工资、欠薪,,"),
            (std::vector<std::string>{"拖欠", "工资", "欠薪"}));
  EXPECT_TRUE(split_keywords(" , ").empty());
  EXPECT_EQ(join_keywords(split_keywords("a ,b")), "a,b");
  EXPECT_EQ(join_keywords({}), "");
}

TEST(Rules, Checks) {
  EXPECT_TRUE(check_rule({.level = L::kVillage}));
  EXPECT_TRUE(check_rule({.place_code = "360602", .level = L::kCounty, .department = "人社局"}));
  EXPECT_FALSE(check_rule({.level = L::kCity}));
  EXPECT_FALSE(check_rule({.level = L::kTownship, .department = "人社局"}));
  EXPECT_FALSE(check_rule({.place_code = "36060", .level = L::kTownship}));
  EXPECT_FALSE(check_rule({.keywords = {" "}, .level = L::kTownship}));
  EXPECT_FALSE(check_rule({.keywords = {"a,b"}, .level = L::kTownship}));
  EXPECT_FALSE(check_rule({.keywords = {"拖欠、工资"}, .level = L::kTownship}));
  EXPECT_FALSE(check_rule({.keywords = {" 燃气"}, .level = L::kTownship}));
  EXPECT_FALSE(check_rule({.keywords = {"\u200b"}, .level = L::kTownship}));  // zero-width space
  EXPECT_FALSE(check_rule({.keywords = {"\u3000"}, .level = L::kTownship}));  // ideographic space
  EXPECT_TRUE(check_rule({.keywords = {"燃气", "泄漏"}, .level = L::kTownship}));
}

// A small dispatch catalogue; ids name the rules in the cases below.
const std::vector<RoutingRule> kRules = {
    {.id = 1, .category_code = "labour.wages", .level = L::kCounty, .department = "人社局"},
    {.id = 2, .keywords = {"燃气"}, .level = L::kCounty, .department = "住建局"},
    {.id = 3, .category_code = "land", .level = L::kCounty, .department = "自然资源局"},
    {.id = 4, .kind = K::kPetition, .category_code = "land", .level = L::kCounty},
    {.id = 5, .category_code = "land.homestead", .level = L::kTownship},
    // 月湖区 handles its own environment cases in the townships.
    {.id = 6, .category_code = "env", .place_code = "360602", .level = L::kTownship},
    {.id = 7, .category_code = "env", .level = L::kCounty, .department = "生态环境局"},
    {.id = 8, .keywords = {"燃气", "泄漏"}, .level = L::kCounty, .department = "应急局"},
    {.id = 9, .category_code = "other", .level = L::kVillage, .priority = 1},
    {.id = 10, .category_code = "other", .level = L::kTownship, .priority = 5},
    {.id = 11, .category_code = "civil", .level = L::kTownship},
    {.id = 12, .category_code = "civil", .level = L::kVillage},
    {.id = 13, .category_code = "neighbour", .level = L::kVillage},
};

TEST(Route, MostSpecificRuleThenCategoryLevel) {
  const std::string kVillage = "360602001001";  // under 月湖区 360602
  const std::string kOtherVillage = "360681100001";
  struct Case {
    const char* what;
    K kind;
    std::vector<std::string> path;
    L category_level;
    std::string place;
    std::string description;
    RoutingDecision want;
  } cases[] = {
      // clang-format off
      {"parent rule outside 月湖区", K::kDemand, {"env", "env.noise"}, L::kVillage,
       kOtherVillage, "楼下广场舞太吵", {L::kCounty, "生态环境局", 7}},
      {"rule on the category itself", K::kDemand, {"labour", "labour.wages"}, L::kTownship,
       kVillage, "老板跑了", {L::kCounty, "人社局", 1}},
      {"nothing matches", K::kDemand, {"urban", "urban.road"}, L::kTownship, kVillage,
       "路面坑洼", {L::kTownship, "", std::nullopt}},
      {"keyword anywhere", K::kDemand, {"urban", "urban.road"}, L::kTownship, kVillage,
       "路边燃气管道破损", {L::kCounty, "住建局", 2}},
      {"all keywords needed: two beat one", K::kDemand, {"urban"}, L::kTownship, kVillage,
       "闻到燃气泄漏的味道", {L::kCounty, "应急局", 8}},
      {"category beats keywords", K::kDemand, {"labour", "labour.wages"}, L::kTownship, kVillage,
       "工地燃气泄漏，工资未发", {L::kCounty, "人社局", 1}},
      {"parent rule applies to a child", K::kDemand, {"land", "land.compensation"}, L::kCounty,
       kVillage, "补偿款未到位", {L::kCounty, "自然资源局", 3}},
      {"child rule beats parent rule", K::kDemand, {"land", "land.homestead"}, L::kCounty,
       kVillage, "宅基地审批", {L::kTownship, "", 5}},
      {"stated kind beats any kind", K::kPetition, {"land", "land.compensation"}, L::kCounty,
       kVillage, "补偿款未到位", {L::kCounty, "", 4}},
      {"kind mismatch skips the rule", K::kDemand, {"land"}, L::kCounty, kVillage, "",
       {L::kCounty, "自然资源局", 3}},
      {"place beats category depth", K::kDemand, {"env", "env.noise"}, L::kCounty, kVillage,
       "噪声", {L::kTownship, "", 6}},
      {"place rule skipped outside its subtree", K::kDemand, {"env"}, L::kCounty, kOtherVillage,
       "", {L::kCounty, "生态环境局", 7}},
      {"priority breaks ties", K::kDemand, {"other"}, L::kTownship, kVillage, "",
       {L::kTownship, "", 10}},
      {"lower id breaks full ties", K::kDemand, {"civil", "civil.dibao"}, L::kTownship, kVillage,
       "", {L::kTownship, "", 11}},
      {"village rule clamped to a township place", K::kDemand, {"neighbour"}, L::kTownship,
       "360602001", "", {L::kTownship, "", 13}},
      {"village rule at a village", K::kDemand, {"neighbour"}, L::kTownship, kVillage, "",
       {L::kVillage, "", 13}},
      {"clamped: category village at a township", K::kDemand, {"urban"}, L::kVillage,
       "360602001", "", {L::kTownship, "", std::nullopt}},
      {"clamped to the city", K::kDemand, {"urban"}, L::kVillage, "3606", "",
       {L::kCity, "", std::nullopt}},
      {"county rule at a county stays", K::kDemand, {"labour", "labour.wages"}, L::kTownship,
       "360602", "", {L::kCounty, "人社局", 1}},
      // clang-format on
  };
  for (const auto& c : cases) {
    CaseToRoute in{.kind = c.kind,
                   .category_path = c.path,
                   .category_level = c.category_level,
                   .place_code = c.place,
                   .description = c.description};
    EXPECT_EQ(route(kRules, in), c.want) << c.what;
  }
}

TEST(Route, NoRulesAtAll) {
  std::vector<std::string> path = {"env"};
  auto d = route({}, {.kind = K::kDemand,
                      .category_path = path,
                      .category_level = L::kVillage,
                      .place_code = "360602001001",
                      .description = ""});
  EXPECT_EQ(d, (RoutingDecision{L::kVillage, "", std::nullopt}));
}

// --- units --------------------------------------------------------------------------------

Unit unit(std::int64_t id, UnitKind kind, std::string code, std::string department = {},
          bool active = true) {
  return Unit{.id = id,
              .name = "u" + std::to_string(id),
              .kind = kind,
              .department = std::move(department),
              .jurisdiction_code = std::move(code),
              .active = active};
}

std::optional<std::int64_t> id_of(const std::optional<Unit>& u) {
  if (!u) return std::nullopt;
  return u->id;
}

// The chain of 江边街道 in 月湖区, plus units elsewhere that must never be picked.
const std::vector<Unit> kUnits = {
    unit(1, UnitKind::kHotlineCenter, "3606"),
    unit(2, UnitKind::kPetitionBureau, "3606"),
    unit(3, UnitKind::kPetitionBureau, "360602"),
    unit(4, UnitKind::kCountyDepartment, "360602", "人社局"),
    unit(5, UnitKind::kCountyDepartment, "360602", "住建局"),
    unit(6, UnitKind::kTownshipGovernment, "360602001"),
    unit(7, UnitKind::kVillageCommittee, "360602001001"),
    unit(8, UnitKind::kVillageCommittee, "360602001002"),                  // a sibling village
    unit(9, UnitKind::kCountyDepartment, "360681", "人社局"),              // another county
    unit(10, UnitKind::kTownshipGovernment, "360602002"),                  // a sibling township
    unit(11, UnitKind::kCountyDepartment, "360602", "生态环境局", false),  // inactive
    unit(12, UnitKind::kVillageCommittee, "360602001003"),
    unit(13, UnitKind::kVillageCommittee, "360602001003"),  // two on one node: lower id
};

TEST(PickUnit, OnTheChainAtTheLevel) {
  struct Case {
    const char* what;
    std::string place;
    K kind;
    std::string department;
    L level;
    std::optional<std::int64_t> want;
  } cases[] = {
      {"village committee", "360602001001", K::kDemand, "", L::kVillage, 7},
      {"the place's own village only", "360602001002", K::kDemand, "", L::kVillage, 8},
      {"township government", "360602001001", K::kDemand, "", L::kTownship, 6},
      {"county department", "360602001001", K::kDemand, "人社局", L::kCounty, 4},
      {"the chain's county, not another", "360602001001", K::kPetition, "人社局", L::kCounty, 4},
      {"county petition: 信访局", "360602001001", K::kPetition, "", L::kCounty, 3},
      {"county demand without hotline: 信访局", "360602001001", K::kDemand, "", L::kCounty, 3},
      {"unknown department: the general unit", "360602001001", K::kDemand, "公安局", L::kCounty, 3},
      {"inactive department: the general unit", "360602001001", K::kDemand, "生态环境局",
       L::kCounty, 3},
      {"city demand: hotline", "360602001001", K::kDemand, "", L::kCity, 1},
      {"city petition: 信访局", "360602001001", K::kPetition, "", L::kCity, 2},
      {"village without committee: township", "360602001009", K::kDemand, "", L::kVillage, 6},
      {"township without government: county", "360602003001", K::kDemand, "", L::kTownship, 3},
      {"below the place: the place's level up", "360602001", K::kDemand, "", L::kVillage, 6},
      {"lowest id on a node", "360602001003", K::kDemand, "", L::kVillage, 12},
      {"nothing at or above", "360602001001", K::kDemand, "", L::kProvince, std::nullopt},
      {"another city: nothing", "360102001001", K::kDemand, "", L::kVillage, std::nullopt},
  };
  for (const auto& c : cases) {
    auto got = pick_unit(
        kUnits, {.place_code = c.place, .kind = c.kind, .department = c.department}, c.level);
    EXPECT_EQ(id_of(got), c.want) << c.what;
  }
}

TEST(PickUnit, CountyHotlineServesDemandsWhenPresent) {
  auto units = kUnits;
  units.push_back(unit(20, UnitKind::kHotlineCenter, "360602"));
  UnitQuery q{.place_code = "360602001001", .kind = K::kDemand};
  EXPECT_EQ(pick_unit(units, q, L::kCounty)->id, 20);
  q.kind = K::kPetition;
  EXPECT_EQ(pick_unit(units, q, L::kCounty)->id, 3);
}

TEST(Escalation, OneLevelUpTheChain) {
  const Unit& village = kUnits[6];
  const Unit& township = kUnits[5];
  const Unit& county_bureau = kUnits[2];
  const Unit& county_dept = kUnits[3];
  const Unit& city_hotline = kUnits[0];
  const Unit& city_bureau = kUnits[1];
  struct Case {
    const char* what;
    Unit current;
    K kind;
    std::string department;
    std::optional<std::int64_t> want;
  } cases[] = {
      {"village → township", village, K::kDemand, "", 6},
      {"township → county 信访局 (petition)", township, K::kPetition, "", 3},
      {"township → county department", township, K::kDemand, "人社局", 4},
      {"county department → city hotline", county_dept, K::kDemand, "人社局", 1},
      {"county 信访局 → city 信访局", county_bureau, K::kPetition, "", 2},
      {"city → none (top)", city_hotline, K::kDemand, "", std::nullopt},
      {"city 信访局 → none (top)", city_bureau, K::kPetition, "", std::nullopt},
      {"a unit off the chain climbs the chain", kUnits[7], K::kDemand, "", 6},
  };
  for (const auto& c : cases) {
    auto got = escalation_target(
        kUnits, {.place_code = "360602001001", .kind = c.kind, .department = c.department},
        c.current);
    EXPECT_EQ(id_of(got), c.want) << c.what;
  }
}

// --- demo units ---------------------------------------------------------------------------

TEST(DemoUnits, NamesAndKinds) {
  struct Case {
    Jurisdiction node;
    std::string first_name;
    UnitKind kind;
    std::size_t count;
  } cases[] = {
      // clang-format off
      {{"3606", "鹰潭市", L::kCity, "36"}, "鹰潭市12345热线中心", UnitKind::kHotlineCenter, 2},
      {{"360602", "月湖区", L::kCounty, "3606"}, "月湖区信访局", UnitKind::kPetitionBureau, 13},
      {{"360602001", "江边街道", L::kTownship, "360602"}, "江边街道办事处",
       UnitKind::kTownshipGovernment, 1},
      {{"360602100", "童家镇", L::kTownship, "360602"}, "童家镇人民政府",
       UnitKind::kTownshipGovernment, 1},
      {{"360603200", "平定乡", L::kTownship, "360603"}, "平定乡人民政府",
       UnitKind::kTownshipGovernment, 1},
      {{"360603408", "余江县工业园区", L::kTownship, "360603"}, "余江县工业园区管理委员会",
       UnitKind::kTownshipGovernment, 1},
      {{"360681502", "西窑林场", L::kTownship, "360681"}, "西窑林场",
       UnitKind::kTownshipGovernment, 1},
      {{"360602100201", "童家村民委员会", L::kVillage, "360602100"}, "童家村民委员会",
       UnitKind::kVillageCommittee, 1},
      {{"360602001001", "龙凤居委会", L::kVillage, "360602001"}, "龙凤居委会",
       UnitKind::kVillageCommittee, 1},
      {{"360602001002", "鹰南社区", L::kVillage, "360602001"}, "鹰南社区居委会",
       UnitKind::kVillageCommittee, 1},
      {{"360602001003", "塔桥村", L::kVillage, "360602001"}, "塔桥村民委员会",
       UnitKind::kVillageCommittee, 1},
      // clang-format on
  };
  for (const auto& c : cases) {
    auto units = demo_units(c.node);
    ASSERT_EQ(units.size(), c.count) << c.node.name;
    EXPECT_EQ(units[0].name, c.first_name);
    EXPECT_EQ(units[0].kind, c.kind);
    for (const auto& u : units) {
      EXPECT_EQ(u.jurisdiction_code, c.node.code);
      EXPECT_EQ(u.kind == UnitKind::kCountyDepartment, !u.department.empty()) << u.name;
    }
  }
  auto county = demo_units({"360681", "贵溪市", L::kCounty, "3606"});
  EXPECT_EQ(county[3].name, "贵溪市人社局");
  EXPECT_EQ(county[3].department, "人社局");
}

TEST(UnitKinds, RoundTrip) {
  for (UnitKind k : kAllUnitKinds) {
    auto back = unit_kind_from_string(to_string(k));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, k);
    EXPECT_FALSE(label_zh(k).empty());
  }
  EXPECT_FALSE(unit_kind_from_string("bureau"));
}

// Competence for transfers: a county department handles what the catalogue sends it.
TEST(Competence, DepartmentsHandleWhatTheCatalogueSendsThem) {
  const std::vector<RoutingRule> rules = {
      {.id = 1, .category_code = "labour", .level = Level::kCounty, .department = "人社局"},
      {.id = 2, .keywords = {"燃气"}, .level = Level::kCounty, .department = "住建局"},
      {.id = 3, .category_code = "land.homestead", .level = Level::kTownship},
  };
  const std::vector<std::string> wages = {"labour", "labour.wages"};
  const std::vector<std::string> noise = {"env", "env.noise"};
  EXPECT_TRUE(department_handles(rules, wages, "老板拖欠工资三个月", "人社局"));
  EXPECT_FALSE(department_handles(rules, noise, "夜间施工噪音", "人社局"));
  // A keyword rule makes the department competent only for matters that mention it.
  EXPECT_TRUE(department_handles(rules, noise, "楼下燃气管道漏气还很吵", "住建局"));
  EXPECT_FALSE(department_handles(rules, noise, "夜间施工噪音", "住建局"));
  // A rule without a department grants nobody anything.
  EXPECT_FALSE(department_handles(rules, {{"land", "land.homestead"}}, "宅基地纠纷", ""));
}

}  // namespace
}  // namespace jiceng::domain
