// GET /api/v1/stats over HTTP on SQLite and PostgreSQL: who may ask, for which areas, what a
// township user sees, and the answers to bad input in zh and en; and the rising categories and
// topic words of GET /api/v1/signals/rising.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "integration/access_fixture.h"

namespace jiceng {
namespace {

namespace json = boost::json;
using domain::Role;

class StatsApi : public testing::AccessFixture {
 protected:
  // The n-th village below `under` in code order.
  std::string village(std::string_view under, int n) {
    auto [first, last] = domain::scope_range(under);
    auto row = db_->read_value([&](store::Sql& sql) {
      return sql.query_one(
          "SELECT code FROM jurisdiction WHERE level = 5 AND code >= $1 AND code < $2 "
          "ORDER BY code LIMIT 1 OFFSET $3",
          {first, last, std::int64_t{n}});
    });
    EXPECT_TRUE(row) << under;
    return row ? row->text(0) : "";
  }
  // The dashboard as `s`; expects 200.
  json::object stats(const Session& s, const std::string& query = "") {
    auto r = call(&s, "GET", "/api/v1/stats" + query);
    EXPECT_EQ(r.res.result_int(), 200u) << query << ": " << r.res.body();
    auto v = testing::body_json(r);
    return v.is_object() ? v.as_object() : json::object{};
  }
  static std::int64_t received(const json::object& o) {
    return o.at("figures").at("received").as_int64();
  }
};

TEST_P(StatsApi, ATownshipUserSeesOnlyTheirTownship) {
  const std::string here = village(testing::kYujiang, 0);
  std::string there = here;
  for (int i = 1; there.substr(0, 9) == here.substr(0, 9); ++i) {
    there = village(testing::kYujiang, i * 10);
  }
  const std::string township = here.substr(0, 9);
  auto cadre = account_session("stats.cadre", Role::kCadre, township);
  auto leader = account_session("stats.leader", Role::kLeader);
  auto before_own = stats(cadre);
  auto before_county = stats(leader);
  file_case(here);
  file_case(there);
  auto own = stats(cadre);
  EXPECT_EQ(own.at("area").at("code").as_string(), township);
  EXPECT_EQ(received(own), received(before_own) + 1);
  EXPECT_EQ(own.at("now").at("open").as_int64(), before_own.at("now").at("open").as_int64() + 1);
  for (const auto& sub : own.at("sub_areas").as_array()) {
    EXPECT_TRUE(std::string(sub.at("code").as_string()).starts_with(township)) << sub;
  }
  // The county's leader sees both, and each in its township's row.
  auto county = stats(leader);
  EXPECT_EQ(county.at("area").at("code").as_string(), testing::kYujiang);
  EXPECT_EQ(received(county), received(before_county) + 2);
  std::int64_t in_rows = 0;
  for (const auto& sub : county.at("sub_areas").as_array()) {
    in_rows += sub.at("figures").at("received").as_int64();
  }
  if (!county.at("own_cases").is_null()) {
    in_rows += county.at("own_cases").at("figures").at("received").as_int64();
  }
  EXPECT_EQ(in_rows, received(county));
  // The cadre asks for the other township, the county, another county: not found.
  for (std::string area :
       {there.substr(0, 9), std::string(testing::kYujiang), std::string(testing::kYuehu)}) {
    auto r = call(&cadre, "GET", "/api/v1/stats?area=" + area);
    EXPECT_EQ(r.res.result_int(), 404u) << area << ": " << r.res.body();
  }
  auto by_village = stats(leader, "?area=" + here + "&from=2020-01-01&interval=month");
  EXPECT_GE(received(by_village), 1);
  EXPECT_EQ(by_village.at("sub_areas").as_array().size(), 0u);
  EXPECT_EQ(by_village.at("period").at("interval").as_string(), "month");
}

TEST_P(StatsApi, OnlyStaffWhoSeeCasesMayAsk) {
  auto resident = account_session("stats.resident", Role::kResident);
  auto admin = account_session("stats.admin", Role::kAdmin);
  EXPECT_EQ(call(&resident, "GET", "/api/v1/stats").res.result_int(), 403u);
  EXPECT_EQ(call(&admin, "GET", "/api/v1/stats").res.result_int(), 403u);
  EXPECT_EQ(call(nullptr, "GET", "/api/v1/stats").res.result_int(), 401u);
}

TEST_P(StatsApi, BadInputAnswers400InTheUsersLanguage) {
  auto leader = account_session("stats.leader.bad", Role::kLeader);
  struct Case {
    std::string query;
    std::string en;  // a piece of the English message
    std::string zh;  // a piece of the Chinese one
  } cases[] = {
      {"?area=36060", "area", "区划"},
      {"?from=2026-13-01", "from", "开始日期"},
      {"?to=yesterday", "to", "结束日期"},
      {"?from=2026-05-02&to=2026-05-01", "starts after", "晚于"},
      {"?from=2020-01-01&to=2026-01-01&interval=day", "interval", "粒度"},
      {"?interval=hour", "interval", "粒度"},
      {"?kind=complaint", "kind", "类型"},
  };
  for (const auto& c : cases) {
    for (auto [language, piece] : {std::pair{"en", c.en}, std::pair{"zh-CN", c.zh}}) {
      auto r = call(&leader, "GET", "/api/v1/stats" + c.query, {}, {{"Accept-Language", language}});
      EXPECT_EQ(r.res.result_int(), 400u) << c.query << ": " << r.res.body();
      auto v = testing::body_json(r);
      ASSERT_TRUE(v.is_object()) << r.res.body();
      std::string message(v.at("error").at("message").as_string());
      EXPECT_NE(message.find(piece), std::string::npos)
          << c.query << " " << language << ": " << message;
    }
  }
}

// The dashboard's rising topics: categories by default, topic words with dimension=word (each
// item names its word), and a clear 400 for another dimension.
TEST_P(StatsApi, RisingAnswersCategoriesOrWords) {
  auto leader = account_session("stats.leader.rising", Role::kLeader);
  const std::string place = village(testing::kYujiang, 3);
  for (int i = 0; i < 6; ++i) {
    json::object body{{"category", "env.water"},
                      {"place", place},
                      {"description", "村口化工厂偷排废水，池塘死鱼漂满水面"},
                      {"name", "村民"},
                      {"contact", "1397000000" + std::to_string(i)}};
    auto r = call(nullptr, "POST", "/api/v1/cases", json::serialize(body));
    ASSERT_EQ(r.res.result_int(), 201u) << r.res.body();
  }
  auto words = call(&leader, "GET",
                    "/api/v1/signals/rising?limit=200&dimension=word&area=" + place.substr(0, 9));
  ASSERT_EQ(words.res.result_int(), 200u) << words.res.body();
  auto items = testing::body_json(words).at("items").as_array();
  bool found = false;
  for (const auto& item : items) {
    EXPECT_TRUE(item.as_object().contains("word")) << json::serialize(item);
    found = found || item.at("word").as_string() == "化工厂";
  }
  EXPECT_TRUE(found) << words.res.body();
  auto categories = call(&leader, "GET", "/api/v1/signals/rising?area=" + place.substr(0, 9));
  ASSERT_EQ(categories.res.result_int(), 200u) << categories.res.body();
  const json::value listed = testing::body_json(categories);
  for (const auto& item : listed.at("items").as_array()) {
    EXPECT_TRUE(item.as_object().contains("category")) << json::serialize(item);
  }
  for (auto [language, piece] : {std::pair{"en", "dimension"}, std::pair{"zh-CN", "维度"}}) {
    auto r = call(&leader, "GET", "/api/v1/signals/rising?dimension=topic", {},
                  {{"Accept-Language", language}});
    EXPECT_EQ(r.res.result_int(), 400u) << r.res.body();
    EXPECT_NE(r.res.body().find(piece), std::string::npos) << r.res.body();
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, StatsApi, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng
