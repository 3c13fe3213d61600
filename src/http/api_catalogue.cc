// The catalogue over HTTP: the category tree (分类树) and the units (单位) that can handle a
// case at a place. Read-only until the Access milestone brings administration.
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

json::value text_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return json::string(s);
}

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
  };
}

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
  auto units = service.units_for_place(*place);
  if (!units) return error_response(units.error(), req);
  json::array items;
  for (const auto& u : *units) items.push_back(unit_json(u));
  return json_response(json::object{{"items", std::move(items)}});
}

Response unit(app::CatalogueService& service, const Request& req) {
  const std::string& text = req.params.at("id");
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id < 1) {
    return error_response(Error::invalid_argument("a unit id is a positive integer"), req);
  }
  auto found = service.unit(id);
  if (!found) return error_response(found.error(), req);
  return json_response(unit_json(*found));
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
              .pattern = "/api/v1/units",
              .summary = "The active units on a place and its ancestors, from the top down: "
                         "those that can handle a case there",
              .query_params = {{.name = "place",
                                .description = "a division code, e.g. 360602001001",
                                .required = true}},
              .policy = Policy::kPublic,
              .handler = [&service](const Request& req) { return units_for_place(service, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/units/{id}",
              .summary = "A unit by id",
              .policy = Policy::kPublic,
              .handler = [&service](const Request& req) { return unit(service, req); }});
}

}  // namespace jiceng::http
