// GET /api/v1/search on both stores: two-character words, phrases, traditional queries,
// ranking, re-indexing on update, the backfill, bad queries, and scope — no foreign case in
// results, snippets or pages, and never the case that accuses the caller's unit; the scope
// tokens in the index (a case that moves is found where it now is, and no query finds them), a
// city's search that reads only its page, and the window of the newest matches that a search
// ranks.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "integration/access_fixture.h"
#include "store/case_repo.h"
#include "store/search_repo.h"
#include "text/query.h"

namespace jiceng::testing {
namespace {

namespace json = boost::json;
using domain::Role;

class SearchApi : public AccessFixture {
 protected:
  // A word no other case holds, so that a test sees only its own cases: "qx3sqlite7".
  std::string tag() {
    std::string t = unique("qx");
    std::erase(t, '.');
    return t;
  }

  // Files a case with this description at place (anonymously); returns its number.
  std::string file(const std::string& place, const std::string& description,
                   const std::string& address = "") {
    json::object body{{"category", "urban.sanitation"},
                      {"place", place},
                      {"description", description},
                      {"address", address},
                      {"name", "欧阳纠纷"},
                      {"contact", "13912345678"}};
    auto r = call(nullptr, "POST", "/api/v1/cases", json::serialize(body));
    EXPECT_EQ(r.res.result_int(), 201u) << r.res.body();
    auto v = body_json(r);
    return v.is_object() ? std::string(v.at("number").as_string()) : "";
  }

  // The numbers a search answers, in order; and the whole body in *body.
  std::vector<std::string> search(const Session& s, const std::string& query_string,
                                  json::value* body = nullptr) {
    auto r = call(&s, "GET", "/api/v1/search?" + query_string);
    EXPECT_EQ(r.res.result_int(), 200u) << query_string << ": " << r.res.body();
    auto v = body_json(r);
    if (body) *body = v;
    std::vector<std::string> out;
    if (!v.is_object()) return out;
    for (const auto& item : v.at("items").as_array()) {
      out.emplace_back(item.at("number").as_string());
    }
    return out;
  }

  static std::string q(std::string_view text) {
    std::string out = "q=";
    for (unsigned char c : text) {
      if (std::isalnum(c)) {
        out += static_cast<char>(c);
      } else {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%%%02X", c);
        out += hex;
      }
    }
    return out;
  }

  static std::string snippet_of(const json::value& body, const std::string& number) {
    for (const auto& item : body.at("items").as_array()) {
      if (item.at("number").as_string() == number) {
        return std::string(item.at("snippet").as_string());
      }
    }
    return "";
  }

  // A village of 余江区 in another township than `village`.
  std::string village_elsewhere(const std::string& village) {
    auto [first, last] = domain::scope_range(kYujiang);
    auto row = db_->read_value([&](store::Sql& sql) {
      return sql.query_one(
          "SELECT code FROM jurisdiction WHERE level = 5 AND code >= $1 AND code < $2 "
          "AND substr(code, 1, 9) <> $3 ORDER BY code LIMIT 1",
          {first, last, village.substr(0, 9)});
    });
    EXPECT_TRUE(row);
    return row ? row->text(0) : "";
  }
};

TEST_P(SearchApi, FindsPairsPhrasesAndTraditionalText) {
  const std::string t = tag();
  const std::string village = village_in(kYujiang);
  const std::string boundary = file(village, "两户因宅基地边界发生纠纷，请求村委会调解。" + t);
  const std::string lamp = file(village, "路灯坏了，晚上很黑。" + t);
  const std::string traditional = file(village, "鄰里糾紛多次協商未果，請求調解 " + t);
  Session staff = account_session("search.staff", Role::kOperator);

  json::value counted;
  auto both = search(staff, q("纠纷 " + t), &counted);
  EXPECT_EQ(std::set(both.begin(), both.end()), (std::set{boundary, traditional}));
  EXPECT_EQ(counted.at("ranked").as_int64(), 2);
  EXPECT_FALSE(counted.at("more_matches").as_bool());
  EXPECT_EQ(search(staff, q("\"宅基地边界\" " + t)), std::vector{boundary});
  EXPECT_TRUE(search(staff, q("\"边界宅基地\" " + t)).empty());  // a phrase keeps its order
  EXPECT_EQ(search(staff, q("路灯 " + t)), std::vector{lamp});
  EXPECT_EQ(search(staff, q("灯 " + t)), std::vector{lamp});  // one character

  json::value body;
  auto found = search(staff, q("糾紛 " + t), &body);  // a traditional query
  EXPECT_EQ(std::set(found.begin(), found.end()), (std::set{boundary, traditional}));
  EXPECT_NE(snippet_of(body, boundary).find("<mark>纠纷</mark>"), std::string::npos);
  EXPECT_NE(snippet_of(body, traditional).find("<mark>糾紛</mark>"), std::string::npos)
      << "the snippet shows the text as it was written";
  for (const auto& item : body.at("items").as_array()) {
    EXPECT_EQ(item.at("field").as_string(), "description");
    EXPECT_FALSE(item.as_object().contains("name"));
    EXPECT_FALSE(item.as_object().contains("contact"));
  }
  // Names and contacts are not indexed: search cannot look people up.
  EXPECT_TRUE(search(staff, q("欧阳 " + t)).empty());
  EXPECT_TRUE(search(staff, q("13912345678")).empty());
}

TEST_P(SearchApi, RanksTheBetterMatchFirst) {
  const std::string t = tag();
  const std::string village = village_in(kYujiang);
  const std::string once =
      file(village,
           "村里修路的事情想反映一下，施工期间车辆进出不便，另外还有一些邻里纠纷没有处理，"
           "希望有关部门统筹考虑，尽快安排人员到现场查看情况。" +
               t);
  const std::string thrice = file(village, "纠纷，纠纷，还是纠纷。" + t);
  Session staff = account_session("search.rank", Role::kOperator);
  EXPECT_EQ(search(staff, q("纠纷 " + t)), (std::vector{thrice, once}));
}

TEST_P(SearchApi, ReindexesWhenTheTextChangesAndBackfills) {
  const std::string t = tag();
  const std::string number = file(village_in(kYujiang), "下水道堵塞。" + t);
  Session staff = account_session("search.reindex", Role::kOperator);
  auto c = app_->cases.get(number);
  ASSERT_TRUE(c);
  domain::Case changed = c->c;
  changed.reply = "已疏通管道，恢复正常。" + t;
  changed.version += 1;
  ASSERT_TRUE(db_->write([&](store::Sql& sql) { return store::cases::update(sql, changed); }));
  json::value body;
  EXPECT_EQ(search(staff, q("疏通 " + t), &body), std::vector{number});
  EXPECT_EQ(body.at("items").at(0).at("field").as_string(), "reply");
  changed.reply = "已清理完毕。" + t;
  changed.version += 1;
  ASSERT_TRUE(db_->write([&](store::Sql& sql) { return store::cases::update(sql, changed); }));
  EXPECT_TRUE(search(staff, q("疏通 " + t)).empty()) << "the old reply is forgotten";
  EXPECT_EQ(search(staff, q("清理 " + t)), std::vector{number});

  // The migration's backfill: an emptied index is rebuilt from the stored cases.
  ASSERT_TRUE(db_->write([&](store::Sql& sql) -> Result<void> {
    auto r = sql.exec(sql.dialect() == store::Dialect::kSqlite
                          ? "INSERT INTO case_search (case_search) VALUES ('delete-all')"
                          : "DELETE FROM case_search");
    if (!r) return r.error();
    return {};
  }));
  EXPECT_TRUE(search(staff, q("清理 " + t)).empty());
  ASSERT_TRUE(db_->write([](store::Sql& sql) { return store::search::index_all_cases(sql); }));
  EXPECT_EQ(search(staff, q("清理 " + t)), std::vector{number});
  EXPECT_EQ(search(staff, q("下水道 " + t)), std::vector{number});
}

// On SQLite the index's writes wait until just before the commit (store/search_repo.h): a case
// changed twice in one transaction is found by its last text only, and a write rolled back
// leaves nothing of its own in the index.
TEST_P(SearchApi, IndexesATransactionInOrderAndForgetsARolledBackWrite) {
  const std::string t = tag();
  const std::string number = file(village_in(kYujiang), "井盖缺失。" + t);
  Session staff = account_session("search.batch", Role::kOperator);
  auto c = app_->cases.get(number);
  ASSERT_TRUE(c);
  domain::Case changed = c->c;
  ASSERT_TRUE(db_->write([&](store::Sql& sql) -> Result<void> {
    changed.reply = "已补装井盖。" + t;
    changed.version += 1;
    if (auto r = store::cases::update(sql, changed); !r) return r;
    changed.reply = "已派人看护。" + t;
    changed.version += 1;
    return store::cases::update(sql, changed);
  }));
  EXPECT_TRUE(search(staff, q("补装 " + t)).empty());
  EXPECT_EQ(search(staff, q("看护 " + t)), std::vector{number});

  auto failed = db_->write([&](store::Sql& sql) -> Result<void> {
    domain::Case again = changed;
    again.reply = "已加固围挡。" + t;
    again.version += 1;
    if (auto r = store::cases::update(sql, again); !r) return r;
    return Error::invalid_argument("rejected on purpose");
  });
  EXPECT_FALSE(failed);
  EXPECT_TRUE(search(staff, q("围挡 " + t)).empty());
  EXPECT_EQ(search(staff, q("看护 " + t)), std::vector{number});
  if (db_->dialect() == store::Dialect::kSqlite) {
    EXPECT_TRUE(db_->write([](store::Sql& sql) -> Result<void> {
      auto r = sql.exec("INSERT INTO case_search (case_search) VALUES ('integrity-check')");
      if (!r) return r.error();
      return {};
    }));
  }
}

TEST_P(SearchApi, NeverShowsCasesOutsideTheCallersScope) {
  const std::string t = tag();
  const std::string village = village_in(kYujiang);
  const std::string township = village.substr(0, 9);
  const std::string mine = file(village, "山塘漏水引发纠纷 mine " + t);
  const std::string other_township =
      file(village_elsewhere(village), "山塘漏水引发纠纷 othertownship " + t);
  const std::string other_county = file(village_in(kYuehu), "山塘漏水引发纠纷 othercounty " + t);
  const std::string accusing = file(village, "举报：山塘漏水引发纠纷 accusing " + t);
  const std::int64_t unit = unit_in(village, kYujiang);
  ASSERT_TRUE(db_->write([&](store::Sql& sql) -> Result<void> {
    auto r = sql.exec("UPDATE cases SET accused_unit_id = $1 WHERE number = $2", {unit, accusing});
    if (!r) return r.error();
    return {};
  }));

  Session county = account_session("search.county", Role::kOperator, kYujiang);
  auto all = search(county, q("纠纷 " + t));
  EXPECT_EQ(std::set(all.begin(), all.end()), (std::set{mine, other_township, accusing}));

  Session cadre = account_session("search.township", Role::kCadre, township);
  json::value body;
  auto in_township = search(cadre, q("纠纷 " + t), &body);
  EXPECT_EQ(std::set(in_township.begin(), in_township.end()), (std::set{mine, accusing}));
  const std::string text = json::serialize(body);
  for (std::string_view foreign : {"othertownship", "othercounty"}) {
    EXPECT_EQ(text.find(foreign), std::string::npos) << foreign << " leaked: " << text;
  }
  // Page by page, one at a time: the pages end with the caller's own cases.
  std::set<std::string> paged;
  json::value page;
  for (int offset = 0; offset < 5; ++offset) {
    auto hits = search(cadre, q("纠纷 " + t) + "&limit=1&offset=" + std::to_string(offset), &page);
    paged.insert(hits.begin(), hits.end());
    if (!page.as_object().contains("next")) break;
    EXPECT_EQ(page.at("next").as_string(), std::to_string(offset + 1));
  }
  EXPECT_EQ(paged, (std::set{mine, accusing}));
  EXPECT_FALSE(page.as_object().contains("next"));
  // A place outside the scope holds nothing for them.
  EXPECT_TRUE(search(cadre, q("纠纷 " + t) + "&place=" + std::string(kYuehu)).empty());

  // The accused unit's own staff never find the case that accuses it.
  Session accused = account_session("search.accused", Role::kHandler, kYujiang, unit);
  auto seen = search(accused, q("纠纷 " + t));
  EXPECT_EQ(std::set(seen.begin(), seen.end()), (std::set{mine, other_township}));
  EXPECT_TRUE(search(accused, q("举报 " + t)).empty());

  // The search is audited, with the hits it showed.
  EXPECT_EQ(search(cadre, q("mine " + t)), std::vector{mine});
  bool audited = false;
  for (const auto& e : audit_of(mine)) audited = audited || e.action == "case.search";
  EXPECT_TRUE(audited);
}

// A city's leader: while every case lies in the city, the scope needs no case read (the window
// comes from the index alone); once a case lies outside it, that case is kept out again.
TEST_P(SearchApi, ACitysLeaderFindsTheCitysCasesAndNoOther) {
  const std::string t = tag();
  const std::string yujiang = file(village_in(kYujiang), "夜间油烟扰民 " + t);
  const std::string yuehu = file(village_in(kYuehu), "烧烤油烟扰民 " + t);
  Session city = account_session("search.city", Role::kLeader, "3606");
  Session province = account_session("search.province", Role::kLeader, "36");
  auto found = search(city, q("油烟 " + t));
  EXPECT_EQ(std::set(found.begin(), found.end()), (std::set{yujiang, yuehu}));

  // The case moves to a village of 南昌市 (3601): outside the city, inside the province.
  auto c = app_->cases.get(yuehu);
  ASSERT_TRUE(c);
  domain::Case moved = c->c;
  moved.place_code = village_in("3601");
  moved.version += 1;
  ASSERT_TRUE(db_->write([&](store::Sql& sql) { return store::cases::update(sql, moved); }));
  json::value body;
  EXPECT_EQ(search(city, q("油烟 " + t), &body), std::vector{yujiang});
  EXPECT_EQ(json::serialize(body).find("烧烤"), std::string::npos) << json::serialize(body);
  found = search(province, q("油烟 " + t));
  EXPECT_EQ(std::set(found.begin(), found.end()), (std::set{yujiang, yuehu}));

  // And back, so that the other tests' store holds only the city's cases.
  moved.place_code = c->c.place_code;
  moved.version += 1;
  ASSERT_TRUE(db_->write([&](store::Sql& sql) { return store::cases::update(sql, moved); }));
  found = search(city, q("油烟 " + t));
  EXPECT_EQ(std::set(found.begin(), found.end()), (std::set{yujiang, yuehu}));
}

// The scope tokens are the speed, the cases' places the rule: a case whose place changed behind
// the index's back (nothing in jiceng does that) is still never shown outside its scope.
TEST_P(SearchApi, AnIndexOutOfStepShowsNoForeignCase) {
  const std::string t = tag();
  const std::string village = village_in(kYujiang);
  const std::string stays = file(village, "垃圾清运不及时 stays " + t);
  const std::string leaves = file(village, "垃圾清运不及时 leaves " + t);
  ASSERT_TRUE(db_->write([&](store::Sql& sql) -> Result<void> {
    auto r = sql.exec("UPDATE cases SET place_code = $1 WHERE number = $2",
                      {village_in(kYuehu), leaves});
    if (!r) return r.error();
    return {};
  }));
  Session cadre = account_session("search.stale", Role::kCadre, village.substr(0, 9));
  json::value body;
  EXPECT_EQ(search(cadre, q("垃圾 " + t), &body), std::vector{stays});
  EXPECT_EQ(json::serialize(body).find("leaves"), std::string::npos) << json::serialize(body);
  Session county = account_session("search.stale.county", Role::kOperator, kYujiang);
  EXPECT_EQ(search(county, q("垃圾 " + t)), std::vector{stays});
}

TEST_P(SearchApi, FindsACaseWhereItNowIsAndNoQueryFindsAPlaceToken) {
  const std::string t = tag();
  const std::string village = village_in(kYujiang);
  const std::string elsewhere = village_elsewhere(village);
  const std::string number = file(village, "水渠堵塞影响灌溉 " + t);
  Session here = account_session("search.here", Role::kCadre, village.substr(0, 9));
  Session there = account_session("search.there", Role::kCadre, elsewhere.substr(0, 9));
  EXPECT_EQ(search(here, q("灌溉 " + t)), std::vector{number});
  EXPECT_TRUE(search(there, q("灌溉 " + t)).empty());

  // The case moves to the other township (as a transfer moves it): the index follows.
  auto c = app_->cases.get(number);
  ASSERT_TRUE(c);
  domain::Case moved = c->c;
  moved.place_code = elsewhere;
  moved.version += 1;
  ASSERT_TRUE(db_->write([&](store::Sql& sql) { return store::cases::update(sql, moved); }));
  EXPECT_TRUE(search(here, q("灌溉 " + t)).empty());
  EXPECT_EQ(search(there, q("灌溉 " + t)), std::vector{number});
  Session county = account_session("search.moved", Role::kOperator, kYujiang);
  EXPECT_EQ(search(county, q("灌溉 " + t)), std::vector{number});

  // The place's codes are no words of the case: neither as typed nor with the scope mark.
  for (const std::string& code : {elsewhere, elsewhere.substr(0, 9), std::string(kYujiang)}) {
    EXPECT_TRUE(search(county, q(code + " " + t)).empty()) << code;
    EXPECT_TRUE(search(county, q(std::string(store::search::kScopeMark) + code + " " + t)).empty())
        << code;
  }
  EXPECT_EQ(store::search::scope_tokens("360603101"),
            (std::vector<std::string>{"π360603", "π360603101"}));
}

TEST_P(SearchApi, RanksOnlyTheNewestMatchesOfTheWindow) {
  const std::string t = tag();
  const std::string village = village_in(kYujiang);
  // The oldest is the best match, but it falls out of a window of two.
  const std::string oldest = file(village, "纠纷，纠纷，纠纷。" + t);
  const std::string middle = file(village, "邻里纠纷，请求调解。" + t);
  const std::string newest = file(village, "宅基地纠纷又起，纠纷不断。" + t);
  auto query = text::parse_query("纠纷 " + t);
  ASSERT_TRUE(query);
  store::cases::ListQuery scope;
  std::tie(scope.place_first, scope.place_last) = domain::scope_range(village.substr(0, 9));
  // The numbers of a page, after checking that it is best first.
  auto numbers = [](const store::search::FoundPage& page) {
    std::set<std::string> out;
    for (std::size_t i = 0; i < page.hits.size(); ++i) {
      if (i > 0) {
        EXPECT_GE(page.hits[i - 1].score, page.hits[i].score);
      }
      out.insert(page.hits[i].c.number);
    }
    return out;
  };
  auto page = db_->read_value(
      [&](store::Sql& sql) { return store::search::find(sql, *query, scope, 0, 2); });
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(numbers(*page), (std::set{newest, middle}));
  EXPECT_EQ(page->ranked, 2);
  EXPECT_TRUE(page->more_matches);
  auto past = db_->read_value(
      [&](store::Sql& sql) { return store::search::find(sql, *query, scope, 2, 2); });
  ASSERT_TRUE(past);
  EXPECT_TRUE(past->hits.empty()) << "the oldest is not ranked, on no page";
  EXPECT_EQ(past->ranked, 2);
  auto all = db_->read_value(
      [&](store::Sql& sql) { return store::search::find(sql, *query, scope, 0, 3); });
  ASSERT_TRUE(all);
  EXPECT_EQ(numbers(*all), (std::set{oldest, newest, middle}));
  EXPECT_EQ(all->hits.front().c.number, oldest) << "the best match, once it is in the window";
  EXPECT_EQ(all->ranked, 3);
  EXPECT_FALSE(all->more_matches);
}

TEST_P(SearchApi, RefusesBadQueriesAndNonStaff) {
  Session staff = account_session("search.bad", Role::kOperator);
  for (std::string query : {std::string("q="), q("   "), q("！？。，"), q("😡😡"),
                            q(std::string(101, 'a')), std::string("")}) {
    auto r = call(&staff, "GET", "/api/v1/search?" + query, "", {{"Accept-Language", "zh-CN"}});
    EXPECT_EQ(r.res.result_int(), 400u) << query << ": " << r.res.body();
    auto v = body_json(r);
    ASSERT_TRUE(v.is_object()) << r.res.body();
    std::string message(v.at("error").at("message").as_string());
    EXPECT_FALSE(message.empty());
    EXPECT_EQ(message.find("q:"), std::string::npos) << "a Chinese message: " << message;
  }
  auto en = call(&staff, "GET", "/api/v1/search?" + q("！？"), "", {{"Accept-Language", "en"}});
  EXPECT_EQ(en.res.result_int(), 400u);
  EXPECT_NE(en.res.body().find("no word"), std::string::npos) << en.res.body();
  EXPECT_EQ(call(&staff, "GET", "/api/v1/search?" + q("纠纷") + "&offset=1001").res.result_int(),
            400u);

  Session resident = account_session("search.resident", Role::kResident);
  EXPECT_EQ(call(&resident, "GET", "/api/v1/search?" + q("纠纷")).res.result_int(), 403u);
  EXPECT_EQ(call(nullptr, "GET", "/api/v1/search?" + q("纠纷")).res.result_int(), 401u);
}

INSTANTIATE_TEST_SUITE_P(Stores, SearchApi, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng::testing
