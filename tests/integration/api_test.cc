// The HTTP API end to end: a real server on a loopback port, over the real Jiangxi division
// tree imported from the pinned npm package, on SQLite and on PostgreSQL.
#include <fmt/format.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "http/errors.h"
#include "integration/api_fixture.h"
#include "integration/openapi_check.h"

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
  auto ready = get_json("/readyz", 200);
  EXPECT_EQ(ready.at("status").as_string(), "ready");
  // The demo's official calendar (chinese-days) has every year from 2004 to its last.
  EXPECT_GE(ready.at("calendar_covered_until").as_int64(), 2026) << ready;
  EXPECT_TRUE(ready.at("calendar_missing_years").as_array().empty()) << ready;
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

// The statuses a route can answer, from what the route is: a write with a body documents 400
// and 413, one read by a signed-in role 401 and 403, a path capture 404, If-Match 412 (and 428
// when required), Idempotency-Key 422; and every route 400, 500 and 503 (the guard refuses a
// method override; the server may be busy). Under /open311/v2 the spec's statuses stand in
// (401 is 403; 409, 412, 422 and 428 are 400).
std::set<std::string> statuses_a_route_can_answer(const http::Route& r) {
  const bool open311 = r.pattern.starts_with("/open311/");
  auto as = [open311](unsigned status) {
    return std::to_string(open311 ? http::open311_status(status) : status);
  };
  std::set<std::string> out{std::to_string(r.success), "400", "500", "503"};
  if (r.body.kind != http::BodyDoc::Kind::kNone) out.insert("413");
  if (r.policy.who == http::Policy::Who::kRoles) {
    out.insert(as(401));
    out.insert(as(403));
  }
  if (r.method != "GET" && (r.policy.who == http::Policy::Who::kRoles || r.policy.identify)) {
    out.insert(as(403));  // the CSRF token
  }
  if (r.pattern.find('{') != std::string::npos) out.insert(as(404));
  if (r.if_match != http::IfMatch::kUnread) out.insert(as(412));
  if (r.if_match == http::IfMatch::kRequired) out.insert(as(428));
  if (r.idempotency_key) out.insert(as(422));
  for (const auto& a : r.answers) out.insert(as(a.status));
  return out;
}

// Each operation: the statuses above with the error schema (Retry-After on 429 and 503), the
// headers the route reads, and its body; the commands' 409s and the rate limits' 429s are
// there. The document is then validated by a real OpenAPI validator below.
TEST_P(Api, EveryOperationDocumentsItsStatusesHeadersAndBody) {
  auto doc = get_json("/api/v1/openapi.json", 200);
  const auto& paths = doc.at("paths").as_object();
  for (const auto& r : router_->routes()) {
    const std::string where = r.method + " " + r.pattern;
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto* item = paths.if_contains(r.pattern);
    ASSERT_TRUE(item && item->as_object().contains(method)) << where << ": no operation";
    const auto& op = item->at(method).as_object();
    EXPECT_FALSE(op.at("summary").as_string().empty()) << where;
    const auto& responses = op.at("responses").as_object();
    for (const std::string& status : statuses_a_route_can_answer(r)) {
      ASSERT_TRUE(responses.contains(status)) << where << " does not document " << status;
      const auto& answer = responses.at(status).as_object();
      EXPECT_FALSE(answer.at("description").as_string().empty()) << where << " " << status;
      if (status.starts_with('2')) continue;
      const std::string schema =
          r.pattern.starts_with("/open311/") ? "Open311Errors" : std::string("Error");
      const auto& content = answer.at("content").as_object();
      ASSERT_FALSE(content.empty()) << where << " " << status;
      for (const auto& [type, media] : content) {
        EXPECT_EQ(media.at("schema").at("$ref").as_string(), "#/components/schemas/" + schema)
            << where << " " << status << " " << type;
      }
      if (status == "429" || status == "503") {
        EXPECT_TRUE(answer.at("headers").as_object().contains("Retry-After")) << where;
      }
    }
    // The headers it reads.
    std::map<std::string, bool> headers;  // name: required
    for (const auto& p : op.at("parameters").as_array()) {
      if (p.at("in") == "header")
        headers[std::string(p.at("name").as_string())] = p.at("required").as_bool();
    }
    EXPECT_TRUE(headers.contains("Accept-Language")) << where;
    EXPECT_EQ(headers.contains("If-Match"), r.if_match != http::IfMatch::kUnread) << where;
    if (r.if_match == http::IfMatch::kRequired) {
      EXPECT_TRUE(headers["If-Match"]) << where;
    }
    EXPECT_EQ(headers.contains("Idempotency-Key"), r.idempotency_key) << where;
    // Its body: JSON bodies refuse unknown members.
    EXPECT_EQ(op.contains("requestBody"), r.body.kind != http::BodyDoc::Kind::kNone) << where;
    if (r.body.kind == http::BodyDoc::Kind::kJson) {
      const auto& schema = op.at("requestBody").at("content").at("application/json").at("schema");
      EXPECT_EQ(schema.at("additionalProperties"), false) << where;
      EXPECT_EQ(schema.at("properties").as_object().size(), r.body.fields.size()) << where;
    }
  }
  // What the routes declare, checked in the document itself.
  const auto& command = paths.at("/api/v1/cases/{number}/commands/{command}").at("post");
  EXPECT_NE(
      command.at("responses").at("409").at("description").as_string().find("allowed_commands"),
      std::string::npos);
  EXPECT_TRUE(command.at("responses").as_object().contains("428"));
  const auto& open311 = paths.at("/open311/v2/requests.json").at("post");
  EXPECT_TRUE(open311.at("responses").as_object().contains("429"));
  EXPECT_TRUE(open311.at("requestBody")
                  .at("content")
                  .as_object()
                  .contains("application/x-www-form-urlencoded"));
  EXPECT_TRUE(paths.at("/api/v1/session").at("post").at("responses").as_object().contains("429"));
}

// The document is valid OpenAPI 3.0 by a validator that is not ours (@readme/openapi-parser,
// tests/integration/openapi_validate.mjs): the schema and the rules beyond it.
TEST_P(Api, OpenApiDocumentPassesAnOpenApiValidator) {
  auto reply = get("/api/v1/openapi.json");
  ASSERT_EQ(reply.res.result_int(), 200u);
  const std::string file = std::string(JICENG_BINARY_DIR) + "/openapi-" +
                           testing::to_string(GetParam()) + "-" + std::to_string(::getpid()) +
                           ".json";
  {
    std::ofstream out(file);
    out << reply.res.body();
    ASSERT_TRUE(out.good()) << file;
  }
  const std::string command = "node " + std::string(JICENG_SOURCE_DIR) +
                              "/tests/integration/openapi_validate.mjs " + file + " 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) output += buf.data();
  const int status = ::pclose(pipe);
  std::remove(file.c_str());
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("valid: OpenAPI 3.0.3"), std::string::npos) << output;
}

// The suite's own check of the document against what the server answered
// (integration/openapi_check.h) finds a status a route answers but does not declare.
TEST_P(Api, AnUndeclaredAnswerIsFound) {
  http::Router router;
  router.add({.method = "GET",
              .pattern = "/teapot",
              .summary = "Answers 418, which it does not declare",
              .policy = http::Policy::kPublic,
              .handler = [](const http::Request&) { return http::Response{.status = 418}; }});
  http::Metrics metrics;
  metrics.bind(router);
  metrics.observe(0, "GET", 200, std::chrono::milliseconds(1));
  testing::expect_answers_documented(router, metrics);  // 200 is documented
  metrics.observe(0, "GET", 418, std::chrono::milliseconds(1));
  EXPECT_NONFATAL_FAILURE(testing::expect_answers_documented(router, metrics),
                          "GET /teapot answered 418");
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
  // The clock its deadline belongs to, which the workbench names the deadline by.
  EXPECT_FALSE(c.at("deadline_at").is_null());
  EXPECT_EQ(c.at("clock").as_string(), "handling") << "a demand's own limit runs from intake";

  auto tracked = get("/api/v1/track/" + code);
  ASSERT_EQ(tracked.res.result_int(), 200u) << tracked.res.body();
  EXPECT_EQ(tracked.res.body().find("赵六"), std::string::npos) << "no personal data";
  EXPECT_EQ(tracked.res.body().find(contact), std::string::npos) << "no personal data";
  auto t = json::parse(tracked.res.body());
  EXPECT_EQ(t.at("number"), c.at("number"));
  EXPECT_FALSE(t.at("unit").as_string().empty());
  EXPECT_EQ(t.at("timeline").as_array().size(), 1u);
  // The registration's routing note is not shown to the public, in neither language.
  EXPECT_EQ(t.at("timeline").at(0).at("note"), "");
  EXPECT_TRUE(t.at("timeline").at(0).at("note_en").is_null());
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
  const std::string contact = "idem-" + tag + "@example.cn";
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
      {R"({"category":"env","place":"360602001001","description":"x","anonymous":true})", 400,
       "env.noise"},
      {R"({"category":"env.noise","place":"360602001001","description":"x","anonymous":true,"point":{"lat":0,"lon":0}})",
       400, "outside China"},
      {R"({"category":"env.noise","place":"360602001001","description":"x","name":"王五","contact":"123"})",
       400, "phone number"},
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
      // Fields are named as the body names them (name, contact), not as the store does.
      {R"({"category":"env.noise","place":"360602001001","description":"x"})", 400,
       R"("field":"name")"},
      {R"({"category":"env.noise","place":"360602001001","description":"x","name":"王五"})", 400,
       R"("field":"contact")"},
      {R"({"category":"env.noise","place":"360602001001","description":"x","anonymous":true,"name":"王五"})",
       400, R"("field":"anonymous")"},
      // Blank in any script: ideographic spaces, zero-width spaces, a byte-order mark.
      {R"({"category":"env.noise","place":"360602001001","description":"\u3000\u3000","anonymous":true})",
       400, "description: is required"},
      {R"({"category":"env.noise","place":"360602001001","description":"\u200b\ufeff\u200b","anonymous":true})",
       400, "description: is required"},
      // TESTS.md S9: a field given twice (Boost.JSON would keep the last silently), also in a
      // nested object; control characters; bad UTF-8; nesting past 32 levels.
      {R"({"category":"env.noise","place":"360602001001","description":"x","description":"y","anonymous":true})",
       400, R"("field":"description")"},
      {R"({"category":"env.noise","place":"360602001001","description":"x","anonymous":true,"point":{"lat":28,"lat":29,"lon":117}})",
       400, "lat: is given twice"},
      {R"({"category":"env.noise","place":"360602001001","description":"a\u0000b","anonymous":true})",
       400, "control character"},
      {R"({"category":"env.noise","place":"360602001001","description":"\u001b[31m","anonymous":true})",
       400, "control character"},
      {"{\"category\":\"env.noise\",\"place\":\"360602001001\",\"description\":\"\xff\xfe\","
       "\"anonymous\":true}",
       400, "JSON"},
      {std::string(40, '[') + std::string(40, ']'), 400, "too deep"},
      // A number past a double's range reads as infinity, which Boost.JSON writes back as
      // "Infinity", not JSON (found by json_body_fuzz).
      {R"({"category":"env.noise","place":"360602001001","description":"x","anonymous":true,"point":{"lat":1e400,"lon":117}})",
       400, "too large"},
  };
  for (const auto& k : cases) {
    http::testing::TestClient client(server_->port());
    auto r =
        client.request("POST", "/api/v1/cases", k.body, {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.res.result_int(), k.status) << k.body.substr(0, 120) << " → " << r.res.body();
    EXPECT_NE(r.res.body().find(k.mentions), std::string::npos) << r.res.body();
  }
}

// A place outside the deployment (鹰潭市) would register a case no unit and no staff could see.
TEST_P(Api, PlacesOutsideTheDeploymentAreRefused) {
  auto row = db_->read_value([](store::Sql& sql) {
    return sql.query_one(
        "SELECT code FROM jurisdiction WHERE level = 5 AND code NOT LIKE '3606%' ORDER BY code "
        "LIMIT 1",
        {});
  });
  ASSERT_TRUE(row) << row.error().message;
  const std::string outside = row->text(0);
  const std::string body = R"({"category":"urban.sanitation","place":")" + outside +
                           R"(","description":"路灯坏了","anonymous":true})";
  http::testing::TestClient client(server_->port());
  auto en = client.request("POST", "/api/v1/cases", body,
                           {{"Content-Type", "application/json"}, {"Accept-Language", "en"}});
  ASSERT_EQ(en.res.result_int(), 400u) << en.res.body();
  auto e = json::parse(en.res.body()).at("error");
  EXPECT_EQ(e.at("code"), "invalid_argument");
  EXPECT_EQ(e.at("field"), "place");
  EXPECT_EQ(std::string(e.at("message").as_string()),
            "place: " + outside + " lies outside this deployment (3606)");
  auto zh = client.request("POST", "/api/v1/cases", body,
                           {{"Content-Type", "application/json"}, {"Accept-Language", "zh-CN"}});
  ASSERT_EQ(zh.res.result_int(), 400u) << zh.res.body();
  EXPECT_NE(zh.res.body().find("不在本系统的服务范围"), std::string::npos) << zh.res.body();
  auto n = db_->read_value([&](store::Sql& sql) {
    return sql.query_one("SELECT COUNT(*) FROM cases WHERE place_code = $1", {outside});
  });
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->int64(0), 0);
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
  // A demand's dispatch and rework, and only they, take a time limit (交办/改派/返工 "限 N
  // 个工作日办结"); a petition's time is the statute's.
  for (const auto* table : {&demand, &petition}) {
    for (const auto& t : table->at("transitions").as_array()) {
      const auto& command = t.at("command").as_string();
      EXPECT_EQ(t.at("takes_time_limit").as_bool(),
                table == &demand &&
                    (command == "assign" || command == "redispatch" || command == "reopen"))
          << command;
    }
  }
  EXPECT_EQ(get_json("/api/v1/workflows/dispute", 404).at("error").at("code").as_string(),
            "not_found");
}

// A case filed through the public form, and commands given inside jiceng (the workflow's own
// rules, no access rules) to bring it where a test needs it.
class Tracking : public testing::ApiFixture {
 protected:
  static std::string text(const json::value& v) {
    return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
  }
  struct Filed {
    std::string number;
    std::string code;
  };
  Filed file(const std::string& name, const std::string& contact, const std::string& address,
             const std::string& description) {
    const json::object body{{"category", "urban.sanitation"},
                            {"place", "360602001001"},
                            {"description", description},
                            {"name", name},
                            {"contact", contact},
                            {"address", address}};
    http::testing::TestClient client(server_->port());
    auto r = client.request("POST", "/api/v1/cases", json::serialize(body),
                            {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.res.result_int(), 201u) << r.res.body();
    if (r.res.result_int() != 201) return {};
    auto v = json::parse(r.res.body());
    return {std::string(v.at("number").as_string()),
            std::string(v.at("tracking_code").as_string())};
  }
  Filed file() {
    static int n = 0;
    const std::string tag = testing::to_string(GetParam()) + std::to_string(++n);
    return file("跟踪测试" + tag, "1381111" + std::to_string(::getpid() % 10000) + tag,
                "跟踪路" + tag + "号", "跟踪测试描述 " + tag);
  }
  // A case of the person with this contact (written as they like: compared in its normal form),
  // registered by an operator from their call, in village `place`: only a contact staff recorded
  // tells who is the same person (a typed one proves nothing).
  Filed phoned_in(const std::string& contact, const char* place = "360602001001",
                  const std::string& name = "同一人") {
    static int n = 0;
    const std::string tag = testing::to_string(GetParam()) + "p" + std::to_string(++n);
    domain::Intake in;
    in.category_code = "urban.sanitation";
    in.place_code = place;
    in.submitter_name = name;
    in.submitter_contact = contact;
    in.description = "跟踪测试描述 " + tag;
    in.channel = domain::Channel::kPhone;
    auto r = app_->cases.register_case(in, app::Actor{.name = "operator", .staff = true});
    EXPECT_TRUE(r) << r.error().message;
    if (!r) return {};
    EXPECT_FALSE(r->repeat_of) << "another village: not linked as a repeat on registration";
    return {r->registered.number, r->registered.tracking_code};
  }
  domain::Case inside(const std::string& number, domain::Command command,
                      app::CommandInput in = {}) {
    auto r = app_->cases.apply(number, command, in, app::CaseService::kCurrentVersion,
                               app::Actor{.name = "system", .staff = true});
    EXPECT_TRUE(r) << domain::to_string(command) << ": " << r.error().message;
    return r ? *r : domain::Case{};
  }
  domain::Case stored(const std::string& number) {
    auto d = app_->cases.get(number);
    EXPECT_TRUE(d) << number;
    return d ? d->c : domain::Case{};
  }
  http::testing::Reply post(const std::string& target, const std::string& body,
                            std::string_view language = "en") {
    http::testing::TestClient client(server_->port());
    return client.request(
        "POST", target, body,
        {{"Content-Type", "application/json"}, {"Accept-Language", std::string(language)}});
  }
};

// A resident's follow_up by tracking code carrying a "reply" is refused (in English and
// Chinese) and leaves the official answer and the moment it was given (the start of the review
// window) as they were; the text rules of notes hold on this public route too.
TEST_P(Tracking, AFollowUpCannotRewriteTheReply) {
  const Filed f = file();
  ASSERT_FALSE(f.code.empty());
  auto c = stored(f.number);
  inside(f.number, domain::Command::kAccept);
  inside(f.number, domain::Command::kAssign, {.unit_id = c.unit_id});
  const std::string answer = "已安排清运，今后每日巡查。";
  c = inside(f.number, domain::Command::kResolve, {.reply = answer});
  ASSERT_TRUE(c.replied_at);
  const std::string target = "/api/v1/track/" + f.code + "/commands/follow_up";
  const std::string rewrite = R"({"rating":"satisfied","reply":"答复已被改写"})";
  auto en = post(target, rewrite);
  ASSERT_EQ(en.res.result_int(), 400u) << en.res.body();
  auto e = json::parse(en.res.body()).at("error");
  EXPECT_EQ(e.at("code"), "invalid_argument");
  EXPECT_EQ(text(e.at("message")), "reply: the command follow_up takes no reply");
  EXPECT_EQ(e.at("field"), "reply");
  auto zh = post(target, rewrite, "zh-CN");
  ASSERT_EQ(zh.res.result_int(), 400u) << zh.res.body();
  EXPECT_EQ(text(json::parse(zh.res.body()).at("error").at("message")), "答复：该操作不填写答复");
  for (const std::string& bad :
       {std::string(R"({"rating":"satisfied","note":"响铃\u0007"})"),
        std::string(R"({"rating":"satisfied","note":"\u202e反向"})"),
        R"({"rating":"satisfied","note":")" + std::string(2001, 'n') + R"("})"}) {
    auto r = post(target, bad);
    EXPECT_EQ(r.res.result_int(), 400u) << bad.substr(0, 60) << " → " << r.res.body();
    EXPECT_EQ(json::parse(r.res.body()).at("error").at("field"), "note") << r.res.body();
  }
  // A time limit is a dispatch's, and has a shape.
  auto limited = post(target, R"({"rating":"satisfied","time_limit":{"amount":3,"unit":"hours"}})");
  ASSERT_EQ(limited.res.result_int(), 400u) << limited.res.body();
  EXPECT_EQ(text(json::parse(limited.res.body()).at("error").at("message")),
            "time_limit: the command follow_up takes no time limit");
  for (const char* bad : {R"({"rating":"satisfied","time_limit":3})",
                          R"({"rating":"satisfied","time_limit":{"amount":3}})",
                          R"({"rating":"satisfied","time_limit":{"amount":3,"unit":"weeks"}})",
                          R"({"rating":"satisfied","time_limit":{"amount":"3","unit":"hours"}})"}) {
    auto r = post(target, bad, "zh-CN");
    EXPECT_EQ(r.res.result_int(), 400u) << bad << " → " << r.res.body();
    EXPECT_EQ(json::parse(r.res.body()).at("error").at("field"), "time_limit") << r.res.body();
  }
  auto after = stored(f.number);
  EXPECT_EQ(after.version, c.version) << "the refusals changed nothing";
  EXPECT_EQ(after.reply, answer);
  EXPECT_EQ(after.replied_at, c.replied_at);
  EXPECT_EQ(after.rating, domain::Rating::kNone);

  auto rated = post(target, R"({"rating":"satisfied","note":"清运及时\n谢谢"})");
  ASSERT_EQ(rated.res.result_int(), 200u) << rated.res.body();
  after = stored(f.number);
  EXPECT_EQ(after.rating, domain::Rating::kSatisfied);
  EXPECT_EQ(after.reply, answer);
  EXPECT_EQ(after.replied_at, c.replied_at);
  EXPECT_EQ(text(get_json("/api/v1/track/" + f.code, 200).at("reply")), answer);
}

// Only public events, without who or which unit, and none of the submitter's data anywhere.
TEST_P(Tracking, ShowsPublicEventsAndNoPersonalData) {
  const std::string tag = testing::to_string(GetParam()) + std::to_string(::getpid());
  const std::string name = "隐私测试" + tag;
  const std::string contact = "1382222" + std::to_string(::getpid() % 10000);
  const std::string address = "保密路" + tag + "号";
  const std::string description = "仅工作人员可见的描述 " + tag;
  const Filed f = file(name, contact, address, description);
  ASSERT_FALSE(f.code.empty());
  auto c = stored(f.number);
  inside(f.number, domain::Command::kAccept);
  inside(f.number, domain::Command::kAssign, {.unit_id = c.unit_id});
  const std::string internal = "内部退单理由" + tag;
  inside(f.number, domain::Command::kReturn, {.note = internal});

  auto reply = get("/api/v1/track/" + f.code);
  ASSERT_EQ(reply.res.result_int(), 200u) << reply.res.body();
  const std::string& body = reply.res.body();
  for (const std::string& secret : {name, contact, address, description, internal}) {
    EXPECT_EQ(body.find(secret), std::string::npos) << secret << " in " << body;
  }
  for (std::string_view key :
       {"actor", "unit_id", "submitter", "contact", "description", "address", "tracking_code"}) {
    EXPECT_EQ(body.find("\"" + std::string(key) + "\""), std::string::npos) << key;
  }
  auto v = json::parse(body);
  std::vector<std::string> events;
  for (const auto& e : v.at("timeline").as_array()) {
    events.emplace_back(e.at("event").as_string());
    EXPECT_EQ(e.as_object().size(), 6u) << e;  // at, event, state, state_zh, note, note_en
  }
  auto history = app_->cases.get(f.number);
  ASSERT_TRUE(history);
  std::vector<std::string> expected;
  for (const auto& e : history->events) {
    if (e.is_public) expected.push_back(e.command);
  }
  ASSERT_LT(expected.size(), history->events.size()) << "the return is internal";
  EXPECT_EQ(events, expected);
  EXPECT_EQ(v.at("state"), "returned");
}

// A petition's case file says until when its unit may object to it (退单, 5 working days of
// receipt, Art. 23); a demand's never does, nor a petition once answered.
TEST_P(Tracking, APetitionsFileShowsTheObjectionWindow) {
  const auto file_of = [&](domain::CaseKind kind) {
    domain::Intake in;
    in.kind = kind;
    in.category_code = "urban.sanitation";
    in.place_code = "360602001001";
    in.submitter_name = "异议期测试";
    in.submitter_contact =
        fmt::format("137{:08}", (::getpid() * 13 + static_cast<int>(kind)) % 100000000);
    in.description = "异议期测试 " + testing::to_string(GetParam());
    in.channel = domain::Channel::kLetter;
    auto r = app_->cases.register_case(in, app::Actor{.name = "operator", .staff = true});
    EXPECT_TRUE(r) << r.error().message;
    const std::string number = r ? r->registered.number : "";
    inside(number, domain::Command::kAccept);
    inside(number, domain::Command::kAssign, {.unit_id = stored(number).unit_id});
    return number;
  };
  const app::Actor reader{.name = "system", .staff = true};
  const std::string petition = file_of(domain::CaseKind::kPetition);
  auto d = app_->cases.read(petition, reader);
  ASSERT_TRUE(d) << d.error().message;
  ASSERT_TRUE(d->objection_until);
  const Instant now =
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  // 5 working days: at least 5 days on, and within a fortnight even across a holiday.
  EXPECT_GT(*d->objection_until, now + std::chrono::days(5));
  EXPECT_LT(*d->objection_until, now + std::chrono::days(15));
  inside(petition, domain::Command::kResolve, {.reply = "已处理。"});
  d = app_->cases.read(petition, reader);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->objection_until) << "answered: no return any more";
  const std::string demand = file_of(domain::CaseKind::kDemand);
  d = app_->cases.read(demand, reader);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->objection_until);
}

// The tracking page offers only what would succeed now: after a satisfied rating a demand is
// not taken higher (the guard wants 不满意), and after an unsatisfied one it is.
TEST_P(Tracking, OffersOnlyCommandsThatWouldSucceed) {
  const auto answered = [&] {
    const Filed f = file();
    inside(f.number, domain::Command::kAccept);
    inside(f.number, domain::Command::kAssign, {.unit_id = stored(f.number).unit_id});
    inside(f.number, domain::Command::kResolve, {.reply = "已清运完毕。"});
    return f;
  };
  const auto offered = [&](const Filed& f) {
    return get_json("/api/v1/track/" + f.code, 200).at("allowed_commands");
  };
  const Filed pleased = answered();
  EXPECT_EQ(offered(pleased), json::array({"follow_up"}));
  auto rated =
      post("/api/v1/track/" + pleased.code + "/commands/follow_up", R"({"rating":"satisfied"})");
  ASSERT_EQ(rated.res.result_int(), 200u) << rated.res.body();
  EXPECT_EQ(offered(pleased), json::array()) << "a satisfied answer is not escalated";
  auto refused =
      post("/api/v1/track/" + pleased.code + "/commands/escalate", R"({"note":"再看看"})");
  EXPECT_EQ(refused.res.result_int(), 409u) << refused.res.body();
  EXPECT_EQ(json::parse(refused.res.body()).at("error").at("allowed"), offered(pleased))
      << "the refusal lists what the page offers";

  const Filed displeased = answered();
  rated = post("/api/v1/track/" + displeased.code + "/commands/follow_up",
               R"({"rating":"unsatisfied"})");
  ASSERT_EQ(rated.res.result_int(), 200u) << rated.res.body();
  EXPECT_EQ(offered(displeased), json::array({"escalate"}));
}

// A petition's review (复查, Art. 35) is offered on its tracking page while the 30 days from
// the written reply run, and after them neither offered nor accepted: the page follows the
// clock, not only the state.
TEST_P(Tracking, APetitionsReviewIsOfferedOnlyWithinItsWindow) {
  domain::Intake in;
  in.kind = domain::CaseKind::kPetition;
  in.category_code = "urban.sanitation";
  in.place_code = "360602001001";
  in.submitter_name = "复查人";
  in.submitter_contact = fmt::format("135{:08}", (::getpid() * 7 + 9) % 100000000);
  in.description = "复查期限测试 " + testing::to_string(GetParam());
  in.channel = domain::Channel::kLetter;
  auto r = app_->cases.register_case(in, app::Actor{.name = "operator", .staff = true});
  ASSERT_TRUE(r) << r.error().message;
  const std::string number = r->registered.number;
  const std::string code = r->registered.tracking_code;
  inside(number, domain::Command::kAccept);
  inside(number, domain::Command::kAssign, {.unit_id = stored(number).unit_id});
  inside(number, domain::Command::kResolve, {.reply = "经核查，已责令清运。"});
  const auto offers_review = [&] {
    const auto offered = get_json("/api/v1/track/" + code, 200).at("allowed_commands");
    for (const auto& c : offered.as_array()) {
      if (c == "request_review") return true;
    }
    return false;
  };
  EXPECT_TRUE(offers_review()) << "within the 30 days";
  clock_.advance(std::chrono::days(40));
  EXPECT_FALSE(offers_review()) << "40 days after the reply";
  auto late = post("/api/v1/track/" + code + "/commands/request_review", R"({"note":"不服"})");
  EXPECT_EQ(late.res.result_int(), 409u) << late.res.body();
  EXPECT_EQ(stored(number).state, domain::CaseState::kResolved);
}

// A repeat merged into another case is tracked where the matter stands: the other case's
// state, unit, deadline and reply, handled_in naming it, both public timelines in time order;
// the code's commands act on that case, except the rating of its answer, which is its own
// submitter's.
TEST_P(Tracking, ARepeatShowsAndActsOnTheCaseThatCarriesIt) {
  // The same person, who gave their number two ways.
  const std::string mobile = fmt::format("139{:08}", (::getpid() * 7 + 1) % 100000000);
  const Filed open = phoned_in(mobile);
  const Filed repeat =
      phoned_in("+86 " + mobile.substr(0, 3) + " " + mobile.substr(3, 4) + " " + mobile.substr(7),
                "360602001002");
  ASSERT_FALSE(open.code.empty() || repeat.code.empty());
  inside(repeat.number, domain::Command::kMerge,
         {.note = "同一垃圾堆", .target_case = open.number});
  auto t = get_json("/api/v1/track/" + repeat.code, 200);
  auto o = get_json("/api/v1/track/" + open.code, 200);
  EXPECT_EQ(text(t.at("number")), repeat.number);
  EXPECT_EQ(text(t.at("merged_into")), open.number);
  EXPECT_EQ(text(t.at("handled_in")), open.number);
  EXPECT_EQ(text(o.at("handled_in")), open.number);
  EXPECT_EQ(text(o.at("merged_into")), "");
  for (const char* key : {"state", "unit", "deadline_at", "reply", "rating"}) {
    EXPECT_EQ(t.at(key), o.at(key)) << key;
  }
  EXPECT_EQ(t.at("state"), "registered");
  EXPECT_EQ(t.at("allowed_commands"), json::array({"escalate"}));

  // Escalation by the repeat's code moves the open case, not the merged one.
  const auto before = stored(open.number);
  const auto repeat_before = stored(repeat.number);
  auto up = post("/api/v1/track/" + repeat.code + "/commands/escalate", R"({"note":"村里不管"})");
  ASSERT_EQ(up.res.result_int(), 200u) << up.res.body();
  EXPECT_EQ(text(json::parse(up.res.body()).at("number")), open.number);
  const auto escalated = stored(open.number);
  EXPECT_EQ(escalated.version, before.version + 1);
  EXPECT_NE(escalated.unit_id, before.unit_id);
  EXPECT_EQ(stored(repeat.number).version, repeat_before.version);

  // Answered: the repeat's page shows the answer; rating it is the open case's submitter's.
  inside(open.number, domain::Command::kAccept);
  inside(open.number, domain::Command::kAssign, {.unit_id = escalated.unit_id});
  inside(open.number, domain::Command::kResolve, {.reply = "已清运完毕。"});
  t = get_json("/api/v1/track/" + repeat.code, 200);
  o = get_json("/api/v1/track/" + open.code, 200);
  for (const char* key : {"state", "unit", "deadline_at", "reply", "rating"}) {
    EXPECT_EQ(t.at(key), o.at(key)) << key;
  }
  EXPECT_EQ(text(t.at("reply")), "已清运完毕。");
  EXPECT_EQ(t.at("allowed_commands"), json::array()) << t;
  EXPECT_EQ(o.at("allowed_commands"), json::array({"follow_up"})) << o;
  std::vector<std::string> events;
  Instant previous{};
  for (const auto& e : t.at("timeline").as_array()) {
    events.emplace_back(e.at("event").as_string());
    const auto at = parse_instant_utc(e.at("at").as_string());
    ASSERT_TRUE(at) << e;
    EXPECT_LE(previous, *at) << "in time order: " << t.at("timeline");
    previous = *at;
  }
  // Both registrations, the repeat's merge, the open case's escalation, acceptance… answer.
  for (const char* event : {"merge", "escalate", "resolve"}) {
    EXPECT_NE(std::find(events.begin(), events.end(), event), events.end()) << event;
  }
  EXPECT_EQ(std::count(events.begin(), events.end(), "register"), 2);
  EXPECT_EQ(events.size(), o.at("timeline").as_array().size() + 2) << "its register and merge";

  auto rate = post("/api/v1/track/" + repeat.code + "/commands/follow_up",
                   R"({"rating":"unsatisfied"})", "zh-CN");
  ASSERT_EQ(rate.res.result_int(), 409u) << rate.res.body();
  EXPECT_NE(rate.res.body().find(open.number), std::string::npos) << rate.res.body();
  EXPECT_NE(rate.res.body().find("评价"), std::string::npos) << rate.res.body();
  EXPECT_EQ(stored(open.number).rating, domain::Rating::kNone);
  auto own =
      post("/api/v1/track/" + open.code + "/commands/follow_up", R"({"rating":"satisfied"})");
  EXPECT_EQ(own.res.result_int(), 200u) << own.res.body();
  // Rated by its submitter, who is this person too: the rating shows on both pages.
  EXPECT_EQ(get_json("/api/v1/track/" + repeat.code, 200).at("rating"), "satisfied");
}

// Another name on the same phone is another person (a household shares one): merged by the
// office, their page does not show the reply written to the first caller.
TEST_P(Tracking, ASharedPhoneWithAnotherNameIsAnotherPerson) {
  const std::string mobile = fmt::format("136{:08}", (::getpid() * 7 + 5) % 100000000);
  const Filed open = phoned_in(mobile, "360602001001", "张三");
  const Filed other = phoned_in(mobile, "360602001002", "张三的妻子");
  ASSERT_FALSE(open.code.empty() || other.code.empty());
  inside(other.number, domain::Command::kMerge, {.target_case = open.number});
  const auto c = stored(open.number);
  inside(open.number, domain::Command::kAccept);
  inside(open.number, domain::Command::kAssign, {.unit_id = c.unit_id});
  const std::string answer = "张先生：您反映的垃圾已于今日清运。";
  inside(open.number, domain::Command::kResolve, {.reply = answer});
  EXPECT_EQ(get_json("/api/v1/track/" + open.code, 200).at("reply_shared"), true);
  auto t = get_json("/api/v1/track/" + other.code, 200);
  EXPECT_EQ(t.at("reply_shared"), false) << t;
  EXPECT_NE(text(t.at("reply")), answer);
}

// Staff merge other people's reports too (并单): the repeat's page shows where the matter stands
// and that and when it was answered, but not the reply written to the other person, their
// rating, nor the notes of their timeline; Open311's record of the repeat shows none of it
// either.
TEST_P(Tracking, ARepeatOfAnotherPersonDoesNotShowTheirAnswer) {
  const Filed open = file();
  const Filed repeat = file();
  ASSERT_FALSE(open.code.empty() || repeat.code.empty());
  inside(repeat.number, domain::Command::kMerge,
         {.note = "同一垃圾堆", .target_case = open.number});
  auto t = get_json("/api/v1/track/" + repeat.code, 200);
  EXPECT_EQ(text(t.at("handled_in")), open.number);
  EXPECT_EQ(text(t.at("reply")), "") << "not answered yet";
  EXPECT_TRUE(t.at("answered_at").is_null()) << t;

  const auto c = stored(open.number);
  inside(open.number, domain::Command::kAccept);
  inside(open.number, domain::Command::kAssign, {.unit_id = c.unit_id});
  const std::string answer = "张先生：您反映的垃圾已于今日清运。";
  const std::string remark = "已电话告知张先生";
  inside(open.number, domain::Command::kResolve, {.note = remark, .reply = answer});
  auto rated = post("/api/v1/track/" + open.code + "/commands/follow_up",
                    R"({"rating":"unsatisfied","note":"我家门口还有"})");
  ASSERT_EQ(rated.res.result_int(), 200u) << rated.res.body();

  auto o = get_json("/api/v1/track/" + open.code, 200);
  EXPECT_EQ(text(o.at("reply")), answer);
  EXPECT_EQ(o.at("reply_shared"), true);
  auto page = get("/api/v1/track/" + repeat.code);
  ASSERT_EQ(page.res.result_int(), 200u) << page.res.body();
  for (const std::string& secret : {answer, remark, std::string("我家门口还有")}) {
    EXPECT_EQ(page.res.body().find(secret), std::string::npos)
        << secret << " in " << page.res.body();
  }
  t = json::parse(page.res.body());
  for (const char* key : {"state", "unit", "deadline_at", "answered_at"}) {
    EXPECT_EQ(t.at(key), o.at(key)) << key;
  }
  EXPECT_FALSE(t.at("answered_at").is_null());
  EXPECT_EQ(t.at("reply_shared"), false);
  EXPECT_EQ(t.at("rating"), "") << "no rating, as on an unrated case";
  const std::string line = text(t.at("reply"));
  EXPECT_NE(line.find("承办单位"), std::string::npos) << line;
  EXPECT_NE(line.find("handling unit"), std::string::npos) << line;
  bool resolved = false;
  for (const auto& e : t.at("timeline").as_array()) {
    EXPECT_NE(e.at("event"), "follow_up") << "their rating: " << e;
    resolved = resolved || e.at("event") == "resolve";
  }
  EXPECT_TRUE(resolved) << "that it was answered: " << t.at("timeline");

  auto request = get("/open311/v2/requests/" + repeat.number + ".json");
  ASSERT_EQ(request.res.result_int(), 200u) << request.res.body();
  for (const std::string& secret : {answer, remark, std::string("我家门口还有")}) {
    EXPECT_EQ(request.res.body().find(secret), std::string::npos) << secret;
  }
}

// Typing someone's phone number into the public form does not make one that person: a report
// filed so and merged into their case (并单) shows neither their reply nor their notes. What its
// holder writes when acting on that case by its own code (an escalation's reason) stays off the
// case's public page, while its staff see it and whose it is.
TEST_P(Tracking, ATypedContactIsNotTheSamePerson) {
  const std::string mobile = fmt::format("137{:08}", (::getpid() * 7 + 3) % 100000000);
  const Filed open = phoned_in(mobile);
  const Filed typed = file("路人", mobile, "跟踪路1号", "跟踪测试描述 typed");
  ASSERT_FALSE(open.code.empty() || typed.code.empty());
  EXPECT_NE(typed.number, open.number) << "a typed contact links no repeat either";
  inside(typed.number, domain::Command::kMerge, {.target_case = open.number});

  const std::string words = "我是王五，电话13922223333，住3号楼";
  auto up = post("/api/v1/track/" + typed.code + "/commands/escalate",
                 json::serialize(json::object{{"note", words}}));
  ASSERT_EQ(up.res.result_int(), 200u) << up.res.body();
  const auto escalated = stored(open.number);
  inside(open.number, domain::Command::kAccept);
  inside(open.number, domain::Command::kAssign, {.unit_id = escalated.unit_id});
  const std::string answer = "赵六先生：已为您家（5号楼502室）疏通。";
  inside(open.number, domain::Command::kResolve, {.reply = answer});

  auto theirs = get("/api/v1/track/" + typed.code);
  ASSERT_EQ(theirs.res.result_int(), 200u) << theirs.res.body();
  EXPECT_EQ(theirs.res.body().find(answer), std::string::npos) << theirs.res.body();
  EXPECT_EQ(json::parse(theirs.res.body()).at("reply_shared"), false);

  auto own = get("/api/v1/track/" + open.code);
  ASSERT_EQ(own.res.result_int(), 200u) << own.res.body();
  EXPECT_EQ(own.res.body().find(words), std::string::npos) << own.res.body();
  const auto o = json::parse(own.res.body());
  EXPECT_EQ(text(o.at("reply")), answer) << "their own reply";
  bool escalation = false;
  for (const auto& e : o.at("timeline").as_array()) {
    escalation = escalation || e.at("event") == "escalate";
  }
  EXPECT_TRUE(escalation) << "that it was escalated: " << o.at("timeline");

  auto staff = app_->cases.get(open.number);
  ASSERT_TRUE(staff);
  bool seen = false;
  for (const auto& e : staff->events) {
    if (e.command != "escalate") continue;
    seen = true;
    EXPECT_NE(e.note.find(words), std::string::npos) << e.note;
    EXPECT_EQ(e.actor, "resident (" + typed.number + ")");
  }
  EXPECT_TRUE(seen);
}

// A resident escalating a case that is already with the deployment's top unit: recorded as a
// public event for that unit's supervision; the case stays where it is.
TEST_P(Tracking, AResidentsEscalationAtTheTopIsRecorded) {
  const Filed f = file();
  ASSERT_FALSE(f.code.empty());
  for (int i = 0; i < 3; ++i) inside(f.number, domain::Command::kEscalate, {.note = "提级"});
  auto staff = app_->cases.apply(f.number, domain::Command::kEscalate, {.note = "再上一级"},
                                 app::CaseService::kCurrentVersion,
                                 app::Actor{.name = "system", .staff = true});
  ASSERT_FALSE(staff) << "three levels up from the village is the city's top";
  ASSERT_EQ(staff.error().code, ErrorCode::kFailedPrecondition) << staff.error().message;
  const auto top = stored(f.number);
  const auto unit_before = get_json("/api/v1/track/" + f.code, 200).at("unit");
  auto r = post("/api/v1/track/" + f.code + "/commands/escalate", R"({"note":"市里也不处理"})");
  ASSERT_EQ(r.res.result_int(), 200u) << r.res.body();
  const auto after = stored(f.number);
  EXPECT_EQ(after.unit_id, top.unit_id);
  EXPECT_EQ(after.state, top.state);
  EXPECT_EQ(after.version, top.version + 1);
  auto t = get_json("/api/v1/track/" + f.code, 200);
  EXPECT_EQ(t.at("unit"), unit_before);
  EXPECT_EQ(t.at("state"), "registered");
  const auto& last = t.at("timeline").as_array().back();
  EXPECT_EQ(last.at("event"), "escalate");
  const std::string note(last.at("note").as_string());
  EXPECT_NE(note.find("提级请求已记录"), std::string::npos) << note;
  EXPECT_NE(note.find("市里也不处理"), std::string::npos) << note;
}

// A tracking code is found whatever its letters' case and dashes: a retry with the same
// Idempotency-Key, the code written another way, is the first answer again, not a second
// escalation; the same key on another case is that case's.
TEST_P(Tracking, AnIdempotentCommandIsKeyedByTheCaseNotThePath) {
  const Filed f = file();
  const Filed g = file();
  ASSERT_FALSE(f.code.empty() || g.code.empty());
  const auto before = stored(f.number);
  std::string bare = f.code;
  std::erase(bare, '-');
  std::string lower = f.code;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const std::string key = "esc-" + f.number;
  std::string first_body;
  for (const std::string& code : {f.code, lower, bare}) {
    http::testing::TestClient client(server_->port());
    auto r = client.request("POST", "/api/v1/track/" + code + "/commands/escalate",
                            R"({"note":"请上级处理"})",
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
    ASSERT_EQ(r.res.result_int(), 200u) << code << ": " << r.res.body();
    if (first_body.empty()) {
      first_body = r.res.body();
    } else {
      EXPECT_EQ(r.res["Idempotent-Replayed"], "true") << code;
      EXPECT_EQ(r.res.body(), first_body) << code;
    }
  }
  EXPECT_EQ(stored(f.number).version, before.version + 1) << "one escalation";
  http::testing::TestClient client(server_->port());
  auto other = client.request("POST", "/api/v1/track/" + g.code + "/commands/escalate",
                              R"({"note":"请上级处理"})",
                              {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
  ASSERT_EQ(other.res.result_int(), 200u) << other.res.body();
  EXPECT_NE(other.res["Idempotent-Replayed"], "true");
}

// The workflow's refusals speak Chinese too: an escalation of a case that has no unit, a
// command that does not exist.
TEST_P(Tracking, RefusalsInChineseAndEnglish) {
  const Filed f = file();
  ASSERT_FALSE(f.code.empty());
  auto cleared = db_->write([&](store::Sql& sql) -> Result<void> {
    auto r = sql.exec("UPDATE cases SET unit_id = NULL WHERE number = $1", {f.number});
    if (!r) return r.error();
    return {};
  });
  ASSERT_TRUE(cleared) << cleared.error().message;
  const std::string target = "/api/v1/track/" + f.code + "/commands/escalate";
  auto en = post(target, R"({"note":"没人管"})");
  ASSERT_EQ(en.res.result_int(), 409u) << en.res.body();
  EXPECT_EQ(text(json::parse(en.res.body()).at("error").at("message")),
            "the case has no unit to escalate from; allowed now: none");
  EXPECT_EQ(json::parse(en.res.body()).at("error").at("allowed"), json::array())
      << "every refused command's 409 lists what could succeed, never itself";
  auto zh = post(target, R"({"note":"没人管"})", "zh-CN");
  ASSERT_EQ(zh.res.result_int(), 409u) << zh.res.body();
  EXPECT_EQ(text(json::parse(zh.res.body()).at("error").at("message")),
            "案件尚无承办单位，无法提级；现在可以：无");
  auto unknown = post("/api/v1/track/" + f.code + "/commands/fly", "{}", "zh-CN");
  ASSERT_EQ(unknown.res.result_int(), 404u) << unknown.res.body();
  EXPECT_EQ(text(json::parse(unknown.res.body()).at("error").at("message")), "未知的操作：fly");
}

INSTANTIATE_TEST_SUITE_P(Stores, Tracking, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

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
