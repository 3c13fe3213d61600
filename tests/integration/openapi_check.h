// The OpenAPI document against what the server did: every status a test saw a route answer
// must be one the document lists for that route's operation. Called when a server of the
// integration suites stops, so that the whole suite, not one test, keeps the document honest:
// a handler that starts answering a new status fails the suite until the route declares it
// (Route::answers, http/router.h).
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "http/metrics.h"
#include "http/openapi.h"
#include "http/router.h"

namespace jiceng::testing {

// (route pattern, method, status) for each series of jiceng_http_requests_total with a count.
inline std::set<std::tuple<std::string, std::string, unsigned>> observed_answers(
    const http::Metrics& metrics) {
  std::set<std::tuple<std::string, std::string, unsigned>> out;
  static const std::regex kSeries(
      R"re(jiceng_http_requests_total\{route="([^"]*)",method="([^"]*)",status="(\d+)"\} \d+)re");
  std::istringstream in(metrics.render());
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, kSeries)) {
      out.emplace(m[1].str(), m[2].str(), static_cast<unsigned>(std::stoul(m[3].str())));
    }
  }
  return out;
}

// Fails for each (route, status) seen that the document does not list.
inline void expect_answers_documented(const http::Router& router, const http::Metrics& metrics) {
  auto doc = boost::json::parse(http::openapi_document(router, {.version = "test"}));
  const auto& paths = doc.at("paths").as_object();
  for (const auto& [route, method, status] : observed_answers(metrics)) {
    bool in_table = false;
    for (const http::Route& r : router.routes())
      in_table |= r.pattern == route && r.method == method;
    if (!in_table) continue;  // unmatched requests, the web UI's fallback
    std::string op = method;
    for (char& c : op) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto* responses = paths.at(route).at(op).as_object().if_contains("responses");
    EXPECT_TRUE(responses && responses->as_object().contains(std::to_string(status)))
        << method << " " << route << " answered " << status
        << ", which its OpenAPI operation does not list: declare it in the route's answers";
  }
}

}  // namespace jiceng::testing
