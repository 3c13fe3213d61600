// The jurisdiction tree over HTTP (行政区划查询).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>
#include <string>

#include "http/api.h"
#include "http/errors.h"
#include "http/json.h"

namespace jiceng::http {
namespace {

namespace json = boost::json;

json::object summary(const domain::Jurisdiction& j) {
  return json::object{{"code", j.code}, {"name", j.name}, {"level", domain::to_string(j.level)}};
}

json::value parent_code(const domain::Jurisdiction& j) {
  if (j.parent_code.empty()) return nullptr;
  return json::string(j.parent_code);
}

json::object list_json(const std::vector<domain::Jurisdiction>& nodes) {
  json::array items;
  for (const auto& j : nodes) {
    json::object item = summary(j);
    item["parent_code"] = parent_code(j);
    items.push_back(std::move(item));
  }
  return json::object{{"items", std::move(items)}};
}

json::object detail_json(const app::JurisdictionDetail& detail) {
  json::object body = summary(detail.node);
  body["parent_code"] = parent_code(detail.node);
  json::array ancestors;
  for (const auto& a : detail.ancestors) ancestors.push_back(summary(a));
  body["ancestors"] = std::move(ancestors);
  body["child_count"] = detail.child_count;
  return body;
}

Response get(app::JurisdictionService& service, const Request& req) {
  auto detail = service.get(req.params.at("code"));
  if (!detail) return error_response(detail.error(), req);
  return json_response(detail_json(*detail));
}

Response deployment(app::JurisdictionService& service, const Request& req) {
  auto root = service.deployment_root();
  if (!root) return error_response(root.error(), req);
  return json_response(json::object{{"root", detail_json(*root)}});
}

Response descendants(app::JurisdictionService& service, const Request& req) {
  auto nodes = service.descendants(req.params.at("code"));
  if (!nodes) return error_response(nodes.error(), req);
  return json_response(list_json(*nodes));
}

Response children(app::JurisdictionService& service, const Request& req) {
  auto nodes = service.children(req.params.at("code"));
  if (!nodes) return error_response(nodes.error(), req);
  return json_response(list_json(*nodes));
}

// The limit query parameter: absent means the maximum; else an integer in 1..max.
Result<int> parse_limit(const Request& req, int max) {
  auto text = req.query_value("limit");
  if (!text) return max;
  int limit = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
  if (ec != std::errc() || end != text->data() + text->size() || limit < 1 || limit > max) {
    return Error::invalid_argument("limit must be an integer from 1 to " + std::to_string(max));
  }
  return limit;
}

Response search(app::JurisdictionService& service, const Request& req) {
  auto q = req.query_value("q");
  if (!q || q->empty()) {
    return error_response(Error::invalid_argument("the query parameter q is required"), req);
  }
  auto limit = parse_limit(req, app::JurisdictionService::kMaxSearchResults);
  if (!limit) return error_response(limit.error(), req);
  auto nodes = service.search(*q, *limit);
  if (!nodes) return error_response(nodes.error(), req);
  return json_response(list_json(*nodes));
}

}  // namespace

void add_jurisdiction_routes(Router& router, app::JurisdictionService& service) {
  router.add({.method = "GET",
              .pattern = "/api/v1/jurisdictions",
              .summary = "Find jurisdictions whose name contains q",
              .query_params = {{.name = "q",
                                .description = "text the name contains, e.g. 鹰潭",
                                .required = true},
                               {.name = "limit",
                                .description = "at most this many results (1 to 50, default 50)",
                                .type = "integer"}},
              .policy = Policy::kPublic,
              .handler = [&service](const Request& req) { return search(service, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/jurisdictions/{code}",
              .summary = "A jurisdiction with its ancestors and number of children",
              .policy = Policy::kPublic,
              .runs = Runs::kShortRead,
              .handler = [&service](const Request& req) { return get(service, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/jurisdictions/{code}/descendants",
              .summary = "Every jurisdiction below code, ordered by code (parents first); 409 "
                         "when there are more than 5,000 (use /children)",
              .answers = {{409, "more than 5,000 descendants: use /children"}},
              .policy = Policy::kPublic,
              .handler = [&service](const Request& req) { return descendants(service, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/deployment",
              .summary = "The deployment: its root jurisdiction (e.g. 鹰潭市), as "
                         "/api/v1/jurisdictions/{code} gives it",
              .answers = {{404, "no deployment has been set up"}},
              .policy = Policy::kPublic,
              .handler = [&service](const Request& req) { return deployment(service, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/jurisdictions/{code}/children",
              .summary = "The children of a jurisdiction, ordered by code",
              .policy = Policy::kPublic,
              .handler = [&service](const Request& req) { return children(service, req); }});
}

}  // namespace jiceng::http
