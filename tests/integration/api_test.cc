// The HTTP API end to end: a real server on a loopback port, over the real Jiangxi division
// tree imported from the pinned npm package, on SQLite and on PostgreSQL.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <map>
#include <set>
#include <thread>

#include "http/errors.h"
#include "integration/api_fixture.h"

namespace jiceng {
namespace {

namespace json = boost::json;
using testing::Backend;

using Api = testing::ApiFixture;

TEST_P(Api, JurisdictionWithAncestorsAndChildCount) {
  auto v = get_json("/api/v1/jurisdictions/360602", 200);
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.at("name").as_string(), "月湖区");
  EXPECT_EQ(v.at("level").as_string(), "county");
  EXPECT_EQ(v.at("parent_code").as_string(), "3606");
  const auto& anc = v.at("ancestors").as_array();
  ASSERT_EQ(anc.size(), 2u);
  EXPECT_EQ(anc[0].at("name").as_string(), "江西省");
  EXPECT_EQ(anc[1].at("name").as_string(), "鹰潭市");
  EXPECT_GT(v.at("child_count").as_int64(), 0);

  auto province = get_json("/api/v1/jurisdictions/36", 200);
  EXPECT_TRUE(province.at("parent_code").is_null());
  EXPECT_TRUE(province.at("ancestors").as_array().empty());
  EXPECT_EQ(province.at("child_count").as_int64(), 11);  // 江西省 has 11 prefecture-level cities
}

TEST_P(Api, ChildrenOfYingtan) {
  auto v = get_json("/api/v1/jurisdictions/3606/children", 200);
  std::vector<std::string> names;
  for (const auto& item : v.at("items").as_array()) names.emplace_back(item.at("name").as_string());
  EXPECT_EQ(names, (std::vector<std::string>{"月湖区", "余江区", "贵溪市"}));
  auto village_children = get_json("/api/v1/jurisdictions/360602001001/children", 200);
  EXPECT_TRUE(village_children.at("items").as_array().empty());
}

// The deployment's root, and its whole tree for a client that searches it itself.
TEST_P(Api, DeploymentAndItsDescendants) {
  auto d = get_json("/api/v1/deployment", 200);
  EXPECT_EQ(d.at("root").at("code"), "3606");
  EXPECT_EQ(d.at("root").at("name"), "鹰潭市");
  EXPECT_EQ(d.at("root").at("child_count"), 3);
  auto below = get_json("/api/v1/jurisdictions/3606/descendants", 200);
  const auto& items = below.at("items").as_array();
  ASSERT_GT(items.size(), 500u);  // 3 counties, their townships and villages
  std::set<std::string> seen;
  for (const auto& item : items) {
    std::string code(item.at("code").as_string());
    EXPECT_TRUE(code.starts_with("3606") && code != "3606") << code;
    EXPECT_TRUE(seen.contains(std::string(item.at("parent_code").as_string())) ||
                item.at("parent_code") == "3606")
        << code << " comes after its parent";
    seen.insert(code);
  }
  EXPECT_TRUE(seen.contains("360602001001"));
  EXPECT_TRUE(get_json("/api/v1/jurisdictions/360602001001/descendants", 200)
                  .at("items")
                  .as_array()
                  .empty());
  // A province is too large for one answer: drill down instead.
  EXPECT_EQ(get_json("/api/v1/jurisdictions/36/descendants", 409).at("error").at("code"),
            "failed_precondition");
  get_json("/api/v1/jurisdictions/3699/descendants", 404);
}

TEST_P(Api, SearchPutsTheCityFirst) {
  auto v = get_json("/api/v1/jurisdictions?q=%E9%B9%B0%E6%BD%AD", 200);  // 鹰潭
  const auto& items = v.at("items").as_array();
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0].at("code").as_string(), "3606");
  EXPECT_LE(items.size(), 50u);
  auto many = get_json("/api/v1/jurisdictions?q=%E6%9D%91", 200);  // 村: thousands match
  EXPECT_EQ(many.at("items").as_array().size(), 50u);
  auto few = get_json("/api/v1/jurisdictions?q=%E6%9D%91&limit=5", 200);
  EXPECT_EQ(few.at("items").as_array().size(), 5u);
}

TEST_P(Api, BadInputAndUnknownCodes) {
  struct Case {
    const char* target;
    unsigned status;
    const char* code;
  } cases[] = {
      {"/api/v1/jurisdictions/3699", 404, "not_found"},
      {"/api/v1/jurisdictions/369999999999", 404, "not_found"},
      {"/api/v1/jurisdictions/3699/children", 404, "not_found"},
      {"/api/v1/jurisdictions/36a", 400, "invalid_argument"},
      {"/api/v1/jurisdictions/360", 400, "invalid_argument"},
      {"/api/v1/jurisdictions?q=", 400, "invalid_argument"},
      {"/api/v1/jurisdictions", 400, "invalid_argument"},
      {"/api/v1/jurisdictions?q=%E6%9D%91&limit=0", 400, "invalid_argument"},
      {"/api/v1/jurisdictions?q=%E6%9D%91&limit=51", 400, "invalid_argument"},
      {"/api/v1/jurisdictions?q=%E6%9D%91&limit=x", 400, "invalid_argument"},
      {"/api/v1/jurisdictions?q=%FF", 400, "invalid_argument"},
      {"/api/v1/nothing-here", 404, "not_found"},
  };
  for (const auto& c : cases) {
    auto v = get_json(c.target, c.status);
    ASSERT_TRUE(v.is_object()) << c.target;
    EXPECT_EQ(v.at("error").at("code").as_string(), c.code) << c.target;
    EXPECT_FALSE(v.at("error").at("message").as_string().empty()) << c.target;
  }
}

TEST_P(Api, HealthAndReadiness) {
  EXPECT_EQ(get_json("/healthz", 200).at("status").as_string(), "ok");
  EXPECT_EQ(get_json("/readyz", 200).at("status").as_string(), "ready");
  auto doc = get_json("/api/v1/openapi.json", 200);
  EXPECT_TRUE(doc.at("paths").as_object().contains("/api/v1/jurisdictions/{code}"));
}

// TESTS.md S5 over the real route table: every route states who may call it, and the
// OpenAPI document lists every route.
TEST_P(Api, EveryRouteDeclaresAPolicyAndIsDocumented) {
  auto doc = get_json("/api/v1/openapi.json", 200);
  const auto& paths = doc.at("paths").as_object();
  ASSERT_FALSE(router_->routes().empty());
  for (const auto& r : router_->routes()) {
    EXPECT_NE(r.policy, http::Policy::kUndeclared) << r.method << " " << r.pattern;
    EXPECT_TRUE(paths.contains(r.pattern)) << r.pattern << " is missing from the OpenAPI document";
  }
}

TEST_P(Api, ResidentSubmitsAndTracks) {
  http::testing::TestClient client(server_->port());
  const std::string contact =
      "1370000" + std::to_string(::getpid() % 10000) + testing::to_string(GetParam());
  const std::string body =
      R"({"category":"urban.sanitation","place":"360602001001",)"
      R"("description":"<b>垃圾</b>堆放多日无人清运","name":"赵六","contact":")" +
      contact + R"("})";
  auto created =
      client.request("POST", "/api/v1/cases", body, {{"Content-Type", "application/json"}});
  ASSERT_EQ(created.res.result_int(), 201u) << created.res.body();
  auto c = json::parse(created.res.body());
  const std::string code(c.at("tracking_code").as_string());
  EXPECT_EQ(created.res[boost::beast::http::field::location], "/api/v1/track/" + code);
  EXPECT_EQ(c.at("state").as_string(), "registered");

  auto tracked = get("/api/v1/track/" + code);
  ASSERT_EQ(tracked.res.result_int(), 200u) << tracked.res.body();
  EXPECT_EQ(tracked.res.body().find("赵六"), std::string::npos) << "no personal data";
  EXPECT_EQ(tracked.res.body().find(contact), std::string::npos) << "no personal data";
  auto t = json::parse(tracked.res.body());
  EXPECT_EQ(t.at("number"), c.at("number"));
  EXPECT_FALSE(t.at("unit").as_string().empty());
  EXPECT_EQ(t.at("timeline").as_array().size(), 1u);
  // A resident may only escalate a registered case (with a reason); accepting is staff's.
  EXPECT_EQ(t.at("allowed_commands"), json::array({"escalate"})) << tracked.res.body();

  // The same contact about the same matter through the public form is a new case: a typed
  // contact proves nothing, and linking on it would tell anyone whether that number has an
  // open case (repeats are linked for signed-in residents and staff registrations).
  auto again =
      client.request("POST", "/api/v1/cases", body, {{"Content-Type", "application/json"}});
  ASSERT_EQ(again.res.result_int(), 201u) << again.res.body();
  auto a = json::parse(again.res.body());
  EXPECT_FALSE(a.as_object().contains("repeat_of")) << again.res.body();
  EXPECT_NE(a.at("number"), c.at("number"));
  EXPECT_EQ(again.res.body().find(code), std::string::npos);
  EXPECT_EQ(get_json("/api/v1/track/0000-0000-0000", 404).at("error").at("code").as_string(),
            "not_found");
}

// TESTS.md C3 and C4: a retried submission with its Idempotency-Key returns the first answer
// and creates nothing more, even when the retries race; another body under the key is 422.
TEST_P(Api, IdempotentSubmissions) {
  const std::string tag = std::to_string(::getpid()) + testing::to_string(GetParam());
  const std::string contact = "idem-" + tag;
  const std::string body = R"({"category":"urban.lighting","place":"360602001001",)"
                           R"("description":"路灯坏了","name":"钱七","contact":")" +
                           contact + R"("})";
  const http::testing::Headers headers = {{"Content-Type", "application/json"},
                                          {"Idempotency-Key", "k1-" + tag}};
  http::testing::TestClient client(server_->port());
  auto first = client.request("POST", "/api/v1/cases", body, headers);
  ASSERT_EQ(first.res.result_int(), 201u) << first.res.body();
  auto again = client.request("POST", "/api/v1/cases", body, headers);
  ASSERT_EQ(again.res.result_int(), 201u) << again.res.body();
  EXPECT_EQ(again.res.body(), first.res.body());
  EXPECT_EQ(again.res["Idempotent-Replayed"], "true");
  auto other = client.request("POST", "/api/v1/cases", body + " ", headers);
  EXPECT_EQ(other.res.result_int(), 422u) << other.res.body();

  // 16 clients race with one new key: one case, one answer.
  const http::testing::Headers race = {{"Content-Type", "application/json"},
                                       {"Idempotency-Key", "k2-" + tag}};
  const std::string race_body = R"({"category":"urban.road","place":"360602001001",)"
                                R"("description":"路面塌陷","name":"钱七","contact":")" +
                                contact + R"("})";
  std::vector<std::string> answers(16);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    threads.emplace_back([&, i] {
      http::testing::TestClient c(server_->port());
      auto r = c.request("POST", "/api/v1/cases", race_body, race);
      answers[i] = std::to_string(r.res.result_int()) + " " + r.res.body();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& a : answers) EXPECT_EQ(a, answers.front());
  EXPECT_EQ(answers.front().substr(0, 3), "201");
  auto n = db_->read_value([&](store::Sql& sql) {
    return sql.query_one("SELECT COUNT(*) FROM cases WHERE submitter_contact = $1", {contact});
  });
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->int64(0), 2) << "one case per key";
  auto bad_key = client.request("POST", "/api/v1/cases", body,
                                {{"Content-Type", "application/json"}, {"Idempotency-Key", "a b"}});
  EXPECT_EQ(bad_key.res.result_int(), 400u);
}

TEST_P(Api, BadSubmissionsChangeNothing) {
  struct Case {
    std::string body;
    unsigned status;
    const char* mentions;
  } cases[] = {
      {"not json", 400, "JSON"},
      {"[]", 400, "object"},
      {R"({"category":"env.noise","place":"360602001001","description":"x","anonymous":true,"extra":1})",
       400, "extra"},
      {R"({"category":"env.noise","place":"360602001001","anonymous":true})", 400, "description"},
      {R"({"category":"no.such","place":"360602001001","description":"x","anonymous":true})", 400,
       "category"},
      {R"({"category":"env.noise","place":"3606","description":"x","anonymous":true})", 400,
       "place"},
      {R"({"category":"env.noise","place":"369999999999","description":"x","anonymous":true})", 400,
       "place"},
      {R"({"category":"env.noise","place":"360602001001","description":"x","anonymous":true,"point":{"lat":95,"lon":1}})",
       400, "point"},
      {R"({"category":"env.noise","place":"360602001001","description":")" +
           std::string(4001, 'a') + R"(","anonymous":true})",
       400, "4000"},
      {R"({"category":"env.noise","place":"360602001001","description":"x","anonymous":true,"channel":"letter"})",
       403, "staff"},
      {R"({"category":"env.noise","place":"360602001001","description":"x"})", 400,
       "submitter_name"},
  };
  for (const auto& k : cases) {
    http::testing::TestClient client(server_->port());
    auto r =
        client.request("POST", "/api/v1/cases", k.body, {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.res.result_int(), k.status) << k.body.substr(0, 120) << " → " << r.res.body();
    EXPECT_NE(r.res.body().find(k.mentions), std::string::npos) << r.res.body();
  }
}

// Bad input answers in the user's language: Chinese when Accept-Language prefers it.
TEST_P(Api, ErrorsInChineseOrEnglish) {
  http::testing::TestClient client(server_->port());
  const std::string body =
      R"({"category":"env.noise","place":"360602001001","description":" ","anonymous":true})";
  auto zh = client.request(
      "POST", "/api/v1/cases", body,
      {{"Content-Type", "application/json"}, {"Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"}});
  EXPECT_EQ(zh.res.result_int(), 400u);
  EXPECT_NE(zh.res.body().find("诉求内容"), std::string::npos) << zh.res.body();
  auto en = client.request(
      "POST", "/api/v1/cases", body,
      {{"Content-Type", "application/json"}, {"Accept-Language", "en-US,en;q=0.9,zh;q=0.5"}});
  EXPECT_NE(en.res.body().find("description: is required"), std::string::npos) << en.res.body();
  // Both name the field, so that a form shows the message beside it.
  for (const auto* r : {&zh, &en}) {
    EXPECT_EQ(json::parse(r->res.body()).at("error").at("field"), "description") << r->res.body();
  }
  auto not_input = client.request("GET", "/api/v1/jurisdictions/3699");
  EXPECT_FALSE(json::parse(not_input.res.body()).at("error").as_object().contains("field"));
  auto code = client.request("GET", "/api/v1/jurisdictions/36a", "", {{"Accept-Language", "zh"}});
  EXPECT_NE(code.res.body().find("区划代码"), std::string::npos) << code.res.body();
  EXPECT_TRUE(http::prefers_chinese("zh-CN"));
  EXPECT_FALSE(http::prefers_chinese("en, zh"));
  EXPECT_FALSE(http::prefers_chinese("zh;q=0, en"));
  EXPECT_FALSE(http::prefers_chinese(std::nullopt));
  // q-values decide, not the order; ranges are case-insensitive; a tie goes to the first.
  EXPECT_TRUE(http::prefers_chinese("en;q=0.5, zh-CN"));
  EXPECT_TRUE(http::prefers_chinese("ZH-cn"));
  EXPECT_FALSE(http::prefers_chinese("zh-TW;q=0.9, EN;q=0.95"));
  EXPECT_TRUE(http::prefers_chinese("fr, zh-Hans;q=0.8, en;q=0.7"));
  EXPECT_FALSE(http::prefers_chinese("zhx, english"));
  EXPECT_FALSE(http::prefers_chinese("zh;q=2, en;q=0.1"));  // a malformed q is ignored
}

TEST_P(Api, WorkflowTables) {
  auto petition = get_json("/api/v1/workflows/petition", 200);
  bool review = false;
  for (const auto& t : petition.at("transitions").as_array()) {
    review = review || t.at("command").as_string() == "request_review";
  }
  EXPECT_TRUE(review);
  auto demand = get_json("/api/v1/workflows/demand", 200);
  for (const auto& s : demand.at("states").as_array()) {
    EXPECT_NE(s.at("name").as_string(), "under_review") << "demands have no review";
  }
  EXPECT_EQ(get_json("/api/v1/workflows/dispute", 404).at("error").at("code").as_string(),
            "not_found");
}

// PostgreSQL goes away under a running server: /readyz and store-backed routes answer 503 with
// a clean JSON error, /healthz stays 200, and everything recovers when the store is back.
class ApiStoreDown : public testing::ApiFixture {};

TEST_P(ApiStoreDown, CleanUnavailableThenRecovery) {
  const char* ctl = std::getenv("JICENG_TEST_PG_CTL");
  ASSERT_TRUE(ctl) << "run under scripts/with-pg";
  ASSERT_EQ(get("/readyz").res.result_int(), 200u);
  ASSERT_EQ(std::system((std::string(ctl) + " stop -m fast >/dev/null").c_str()), 0);
  auto down = get_json("/readyz", 503);
  EXPECT_EQ(down.at("error").at("code").as_string(), "unavailable");
  auto api = get_json("/api/v1/jurisdictions/3606", 503);
  EXPECT_EQ(api.at("error").at("code").as_string(), "unavailable");
  EXPECT_EQ(api.at("error").at("message").as_string().find("SQLSTATE"), json::string::npos)
      << "internals must not leak: " << api;
  EXPECT_EQ(get("/healthz").res.result_int(), 200u);
  EXPECT_NE(get("/readyz").res.find("Retry-After"), get("/readyz").res.end());
  ASSERT_EQ(std::system((std::string(ctl) + " start >/dev/null").c_str()), 0);
  EXPECT_EQ(get_json("/readyz", 200).at("status").as_string(), "ready");
  EXPECT_EQ(get_json("/api/v1/jurisdictions/3606", 200).at("name").as_string(), "鹰潭市");
}

std::vector<Backend> postgres_only() {
  std::vector<Backend> out;
  for (Backend b : testing::backends()) {
    if (b == Backend::kPostgres) out.push_back(b);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Stores, ApiStoreDown, ::testing::ValuesIn(postgres_only()),
                         [](const auto& p) { return testing::to_string(p.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ApiStoreDown);

INSTANTIATE_TEST_SUITE_P(Stores, Api, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng
