// The router, target parsing, the error table and the metrics text, without sockets.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <stdexcept>

#include "http/errors.h"
#include "http/metrics.h"
#include "http/router.h"

namespace jiceng::http {
namespace {

using namespace std::chrono_literals;

Route route(std::string method, std::string pattern) {
  return Route{.method = std::move(method),
               .pattern = std::move(pattern),
               .policy = Policy::kPublic,
               .handler = [](const Request&) { return Response{}; }};
}

Target target(std::string_view t) {
  auto r = parse_target(t);
  EXPECT_TRUE(r) << t;
  return r ? *r : Target{};
}

// TESTS.md S5: a route without a declared policy cannot enter a router.
TEST(Router, RefusesRoutesWithoutPolicy) {
  Router router;
  Route r = route("GET", "/x");
  r.policy = Policy::kUndeclared;
  EXPECT_THROW(router.add(std::move(r)), std::invalid_argument);
  EXPECT_TRUE(router.routes().empty());
}

TEST(Router, MatchesLiteralsAndCaptures) {
  Router router;
  router.add(route("GET", "/a/{id}"));
  router.add(route("GET", "/a/new"));
  router.add(route("POST", "/a/{key}"));
  router.add(route("GET", "/a/{id}/b"));
  router.add(route("GET", "/"));

  struct Case {
    const char* method;
    const char* target;
    RouteMatch::Outcome outcome;
    const char* pattern;  // kFound
    const char* detail;   // the capture for kFound, Allow for kMethodNotAllowed
  } cases[] = {
      {"GET", "/a/7", RouteMatch::Outcome::kFound, "/a/{id}", "7"},
      {"POST", "/a/7", RouteMatch::Outcome::kFound, "/a/{key}", "7"},
      {"GET", "/a/new", RouteMatch::Outcome::kFound, "/a/new", ""},
      {"GET", "/a/x%2Fy/b", RouteMatch::Outcome::kFound, "/a/{id}/b", "x/y"},
      {"GET", "/", RouteMatch::Outcome::kFound, "/", ""},
      {"HEAD", "/a/7", RouteMatch::Outcome::kFound, "/a/{id}", "7"},
      {"HEAD", "/a/new", RouteMatch::Outcome::kFound, "/a/new", ""},
      {"POST", "/a/new", RouteMatch::Outcome::kMethodNotAllowed, "", "GET, HEAD"},
      {"DELETE", "/a/7", RouteMatch::Outcome::kMethodNotAllowed, "", "GET, HEAD, POST"},
      {"GET", "/a", RouteMatch::Outcome::kNotFound, "", ""},
      {"GET", "/a/7/", RouteMatch::Outcome::kNotFound, "", ""},
      {"GET", "/a/7/b/c", RouteMatch::Outcome::kNotFound, "", ""},
      {"get", "/a/7", RouteMatch::Outcome::kMethodNotAllowed, "", "GET, HEAD, POST"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.target);
    RouteMatch m = router.match(c.method, target(c.target));
    ASSERT_EQ(m.outcome, c.outcome);
    if (c.outcome == RouteMatch::Outcome::kFound) {
      EXPECT_EQ(m.route->pattern, c.pattern);
      EXPECT_EQ(&router.routes()[m.index], m.route);
      if (*c.detail != '\0') {
        ASSERT_EQ(m.params.size(), 1u);
        EXPECT_EQ(m.params.begin()->second, c.detail);
      } else {
        EXPECT_TRUE(m.params.empty());
      }
    } else if (c.outcome == RouteMatch::Outcome::kMethodNotAllowed) {
      EXPECT_EQ(m.allow, c.detail);
    }
  }
}

TEST(Router, RejectsMalformedRoutes) {
  for (const char* pattern : {"", "a/b", "/a/{", "/a/{}", "/a/x{id}", "/a/{id}/{id}", "/{a}{b}"}) {
    Router router;
    EXPECT_THROW(router.add(route("GET", pattern)), std::invalid_argument) << pattern;
  }
  Router router;
  router.add(route("GET", "/a/{id}"));
  EXPECT_THROW(router.add(route("GET", "/a/{other}")), std::invalid_argument);
  EXPECT_NO_THROW(router.add(route("PUT", "/a/{other}")));
  EXPECT_THROW(router.add(Route{.method = "GET", .pattern = "/b"}), std::invalid_argument);
  // Both kinds of handler at once.
  Route both = route("GET", "/c");
  both.async_handler = [](const Request&, const Responder&) {};
  EXPECT_THROW(router.add(std::move(both)), std::invalid_argument);
  // Off the pool, only public routes that do not authenticate (authentication may write).
  for (Runs runs : {Runs::kInline, Runs::kShortRead}) {
    Route staff = route("GET", "/d");
    staff.policy = Policy::only(domain::RoleSet{domain::Role::kOperator}, ScopeCheck::kSubtree);
    staff.runs = runs;
    EXPECT_THROW(router.add(std::move(staff)), std::invalid_argument);
    Route identified = route("GET", "/d");
    identified.policy = Policy::public_identified();
    identified.runs = runs;
    EXPECT_THROW(router.add(std::move(identified)), std::invalid_argument);
  }
  Route short_read = route("GET", "/d");
  short_read.runs = Runs::kShortRead;
  EXPECT_NO_THROW(router.add(std::move(short_read)));
}

TEST(ParseTarget, DecodesPathSegmentsAndQuery) {
  auto t = target("/x/%E9%B9%B0%E6%BD%AD/a+b?q=%E9%B9%B0+%E6%BD%AD&limit=5&q=2&&empty=&bare");
  EXPECT_EQ(t.path, "/x/鹰潭/a+b");
  EXPECT_EQ(t.segments, (std::vector<std::string>{"x", "鹰潭", "a+b"}));
  EXPECT_EQ(t.query, (StringMap{{"q", "鹰 潭"}, {"limit", "5"}, {"empty", ""}, {"bare", ""}}));

  for (const char* bad : {"", "x", "http://host/x", "/%", "/%G0", "/a?%", "/a?x=%C3", "/a?x=%C3%28",
                          "/a?x=%F4%90%80%80", "/a?x=%00", "/a%00b", "/\xff"}) {
    auto r = parse_target(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(Utf8, ValidatesWellFormedness) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("ascii"));
  EXPECT_TRUE(is_valid_utf8("鹰潭 \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  for (const char* bad : {"\x80", "\xC0\x80", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\xF8\x88\x80\x80\x80", "\xE9\xB9", "\xE9\x41\x41"}) {
    EXPECT_FALSE(is_valid_utf8(bad)) << bad;
  }
}

TEST(Errors, StatusTableAndBody) {
  struct Case {
    ErrorCode code;
    unsigned status;
  } cases[] = {{ErrorCode::kInvalidArgument, 400},
               {ErrorCode::kNotFound, 404},
               {ErrorCode::kAlreadyExists, 409},
               {ErrorCode::kConflict, 409},
               {ErrorCode::kFailedPrecondition, 409},
               {ErrorCode::kPermissionDenied, 403},
               {ErrorCode::kUnauthenticated, 401},
               {ErrorCode::kPayloadTooLarge, 413},
               {ErrorCode::kResourceExhausted, 429},
               {ErrorCode::kUnavailable, 503},
               {ErrorCode::kInternal, 500}};
  for (const auto& c : cases) {
    Response res = error_response({c.code, "detail \"quoted\""}, "rid");
    EXPECT_EQ(res.status, c.status) << to_string(c.code);
    auto body = boost::json::parse(res.body);
    EXPECT_EQ(body.at("error").at("code").as_string(), to_string(c.code));
    EXPECT_EQ(body.at("error").at("request_id"), "rid");
    bool hidden = c.code == ErrorCode::kInternal || c.code == ErrorCode::kUnavailable;
    EXPECT_EQ(res.body.find("detail") == std::string::npos, hidden) << res.body;
    bool retry = c.code == ErrorCode::kResourceExhausted || c.code == ErrorCode::kUnavailable;
    bool has_retry = false;
    for (const auto& [name, value] : res.headers) has_retry |= name == "Retry-After";
    EXPECT_EQ(has_retry, retry) << to_string(c.code);
  }
}

// A store's own words (table and constraint names) never reach the caller, whatever the code.
TEST(Errors, RawMessagesOfDependenciesAreHidden) {
  for (ErrorCode code : {ErrorCode::kInvalidArgument, ErrorCode::kAlreadyExists,
                         ErrorCode::kConflict, ErrorCode::kNotFound}) {
    Error e{code, "UNIQUE constraint failed: account.username", {}, true};
    for (bool chinese : {false, true}) {
      Response res = error_response(e, "rid", chinese);
      EXPECT_EQ(res.body.find("constraint"), std::string::npos) << res.body;
      EXPECT_EQ(res.body.find("account"), std::string::npos) << res.body;
      EXPECT_NE(res.body.find("rid"), std::string::npos) << res.body;
    }
  }
}

TEST(Metrics, RendersCountersAndCumulativeHistograms) {
  Router router;
  router.add(route("GET", "/a/{id}"));
  router.add(route("POST", "/b"));
  Metrics metrics;
  metrics.bind(router);
  metrics.observe(0, "GET", 200, 300us);
  metrics.observe(0, "GET", 200, 3ms);
  metrics.observe(0, "GET", 404, 20s);
  metrics.observe(std::nullopt, "BREW", 404, 1ms);
  metrics.add_collector([](std::string& out) { out += "jiceng_store_up 1\n"; });
  std::string text = metrics.render();
  for (const char* line :
       {"jiceng_http_requests_total{route=\"/a/{id}\",method=\"GET\",status=\"200\"} 2\n",
        "jiceng_http_requests_total{route=\"/a/{id}\",method=\"GET\",status=\"404\"} 1\n",
        "jiceng_http_requests_total{route=\"unmatched\",method=\"other\",status=\"404\"} 1\n",
        "jiceng_http_request_duration_seconds_bucket{route=\"/a/{id}\",method=\"GET\","
        "le=\"0.0005\"} 1\n",
        "jiceng_http_request_duration_seconds_bucket{route=\"/a/{id}\",method=\"GET\","
        "le=\"0.005\"} 2\n",
        "jiceng_http_request_duration_seconds_bucket{route=\"/a/{id}\",method=\"GET\","
        "le=\"10\"} 2\n",
        "jiceng_http_request_duration_seconds_bucket{route=\"/a/{id}\",method=\"GET\","
        "le=\"+Inf\"} 3\n",
        "jiceng_http_request_duration_seconds_count{route=\"/a/{id}\",method=\"GET\"} 3\n",
        "jiceng_http_request_duration_seconds_count{route=\"/b\",method=\"POST\"} 0\n",
        "# TYPE jiceng_http_requests_in_flight gauge\njiceng_http_requests_in_flight 0\n",
        "jiceng_store_up 1\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
  }
  EXPECT_EQ(text.find("method=\"HEAD\""), std::string::npos);  // never seen, not rendered
}

}  // namespace
}  // namespace jiceng::http
