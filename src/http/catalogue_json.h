// The catalogue's records as the API shows them, shared by the public reads (api_catalogue.cc)
// and the administrators' edits (api_catalogue_admin.cc). Each carries its version, the ETag an
// edit sends back in If-Match.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string_view>

#include "common/error.h"
#include "domain/catalogue.h"
#include "domain/routing.h"
#include "http/router.h"

namespace jiceng::http {

// {code, parent_code, name_zh, name_en, time_limit {amount, unit}, routing_level, active,
// sort_order, version}
boost::json::object category_json(const domain::Category& c);
// {id, name, kind, kind_zh, department, jurisdiction_code, level, active, version}
boost::json::object unit_json(const domain::Unit& u);
// {id, kind, category_code, place_code, keywords [], level, department, priority, version}; null
// for "any" kind, category or place and for no department.
boost::json::object rule_json(const domain::RoutingRule& r);

// The path's {id}: a positive whole number; kInvalidArgument (en, zh) naming `what` ("a unit")
// otherwise.
[[nodiscard]] Result<std::int64_t> path_id(const Request& req, std::string_view what,
                                           std::string_view what_zh);

}  // namespace jiceng::http
