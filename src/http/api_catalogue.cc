// The catalogue over HTTP, read by anyone: the category tree (分类树), the dispatch catalogue
// (派单目录) and the units (单位) that can handle a case at a place. Administrators edit them
// through api_catalogue_admin.cc.
#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>
#include <string>

#include "http/api.h"
#include "http/catalogue_json.h"
#include "http/errors.h"
#include "http/json.h"
#include "store/catalogue_repo.h"

namespace jiceng::http {
namespace {

namespace json = boost::json;

json::value text_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return json::string(s);
}

}  // namespace

json::object category_json(const domain::Category& c) {
  return json::object{
      {"code", c.code},
      {"parent_code", text_or_null(c.parent_code)},
      {"name_zh", c.name_zh},
      {"name_en", c.name_en},
      {"time_limit", json::object{{"amount", c.time_limit.amount},
                                  {"unit", domain::to_string(c.time_limit.unit)}}},
      {"routing_level", domain::to_string(c.routing_level)},
      {"active", c.active},
      {"sort_order", c.sort_order},
      {"version", c.version},
  };
}

json::object unit_json(const domain::Unit& u) {
  return json::object{
      {"id", u.id},
      {"name", u.name},
      {"kind", domain::to_string(u.kind)},
      {"kind_zh", domain::label_zh(u.kind)},
      {"department", text_or_null(u.department)},
      {"jurisdiction_code", u.jurisdiction_code},
      {"level", domain::to_string(domain::level_of(u))},
      {"active", u.active},
      {"version", u.version},
  };
}

json::object rule_json(const domain::RoutingRule& r) {
  json::array keywords;
  for (const auto& k : r.keywords) keywords.emplace_back(k);
  json::object out{
      {"id", r.id},
      {"category_code", text_or_null(r.category_code)},
      {"place_code", text_or_null(r.place_code)},
      {"keywords", std::move(keywords)},
      {"level", domain::to_string(r.level)},
      {"department", text_or_null(r.department)},
      {"priority", r.priority},
      {"version", r.version},
  };
  out["kind"] = r.kind ? json::value(domain::to_string(*r.kind)) : json::value(nullptr);
  return out;
}

Result<std::int64_t> path_id(const Request& req, std::string_view what, std::string_view what_zh) {
  const std::string& text = req.params.at("id");
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id < 1) {
    return Error::invalid_argument(fmt::format("the id of {} is a positive integer", what))
        .zh(fmt::format("{}编号须为正整数", what_zh));
  }
  return id;
}

namespace {

Response categories(app::CatalogueService& service, const Request& req) {
  auto all = service.categories();
  if (!all) return error_response(all.error(), req);
  json::array items;
  for (const auto& c : *all) items.push_back(category_json(c));
  return json_response(json::object{{"items", std::move(items)}});
}

Response units_for_place(app::CatalogueService& service, const Request& req) {
  auto place = req.query_value("place");
  if (!place || place->empty()) {
    return error_response(Error::invalid_argument("the query parameter place is required"), req);
  }
  auto retired = bool_query(req, "include_retired");
  if (!retired) return error_response(retired.error(), req);
  auto below = bool_query(req, "below");
  if (!below) return error_response(below.error(), req);
  auto units = service.units_for_place(
      *place,
      *retired ? store::catalogue::UnitsListed::kAll : store::catalogue::UnitsListed::kActive,
      *below, req.query_value("category").value_or(""));
  if (!units) return error_response(units.error(), req);
  json::array items;
  for (const auto& u : *units) items.push_back(unit_json(u));
  return json_response(json::object{{"items", std::move(items)}});
}

Response unit(app::CatalogueService& service, const Request& req) {
  auto id = path_id(req, "a unit", "单位");
  if (!id) return error_response(id.error(), req);
  auto found = service.unit(*id);
  if (!found) return error_response(found.error(), req);
  Response res = json_response(unit_json(*found));
  add_version_etag(res, found->version);
  return res;
}

Response category(app::CatalogueService& service, const Request& req) {
  auto found = service.category(req.params.at("code"));
  if (!found) return error_response(found.error(), req);
  Response res = json_response(category_json(*found));
  add_version_etag(res, found->version);
  return res;
}

Response routing_rules(app::CatalogueService& service, const Request& req) {
  auto all = service.routing_rules();
  if (!all) return error_response(all.error(), req);
  json::array items;
  for (const auto& r : *all) items.push_back(rule_json(r));
  return json_response(json::object{{"items", std::move(items)}});
}

Response routing_rule(app::CatalogueService& service, const Request& req) {
  auto id = path_id(req, "a routing rule", "派单规则");
  if (!id) return error_response(id.error(), req);
  auto found = service.routing_rule(*id);
  if (!found) return error_response(found.error(), req);
  Response res = json_response(rule_json(*found));
  add_version_etag(res, found->version);
  return res;
}

}  // namespace

void add_catalogue_routes(Router& router, app::CatalogueService& service) {
  router.add({.method = "GET",
              .pattern = "/api/v1/categories",
              .summary = "The category tree, parents before children, with each category's "
                         "default time limit and routing level",
              .policy = Policy::kPublic,
              .handler = [&service](const Request& req) { return categories(service, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/categories/{code}",
              .summary = "A category by code, with its default time limit and routing level. "
                         "ETag: its version, for If-Match on PATCH",
              .policy = Policy::kPublic,
              .handler = [&service](const Request& req) { return category(service, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/routing-rules",
              .summary = "The dispatch catalogue (派单目录), by id: the rules that refine a "
                         "category's routing level by kind, category (and its descendants), "
                         "place (and its subtree) and keywords, each with its version",
              .policy = Policy::kPublic,
              .handler = [&service](const Request& req) { return routing_rules(service, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/routing-rules/{id}",
              .summary = "A routing rule by id. ETag: its version, for If-Match on PATCH and "
                         "DELETE",
              .policy = Policy::kPublic,
              .handler = [&service](const Request& req) { return routing_rule(service, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/units",
              .summary = "The active units on a place and its ancestors, from the top down: "
                         "those that can handle a case there (retired ones too on request)",
              .query_params = {{.name = "place",
                                .description = "a division code, e.g. 360602001001",
                                .required = true},
                               {.name = "include_retired",
                                .description = "true: retired (inactive) units too, each with "
                                               "active false; false (the default): active only"},
                               {.name = "below",
                                .description = "true: then the active units on the place's "
                                               "children, by code (交办 down: a case dispatched "
                                               "below its place narrows to the unit's node)"},
                               {.name = "category",
                                .description = "a category code: only the county departments "
                                               "the dispatch catalogue may send such a matter "
                                               "to (a rule with keywords counts); other units "
                                               "are listed as without it"}},
              .answers = {{404, "no jurisdiction has the code in place"}},
              .policy = Policy::kPublic,
              .handler = [&service](const Request& req) { return units_for_place(service, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/units/{id}",
              .summary = "A unit by id. ETag: its version, for If-Match on PATCH",
              .policy = Policy::kPublic,
              .handler = [&service](const Request& req) { return unit(service, req); }});
}

}  // namespace jiceng::http
