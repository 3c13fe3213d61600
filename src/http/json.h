// JSON responses for handlers: the body is always serialized by Boost.JSON.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/date.h"
#include "common/error.h"
#include "domain/deadline.h"
#include "http/router.h"

namespace jiceng::http {

// A response with `body` serialized as JSON (Content-Type application/json; charset=utf-8).
Response json_response(const boost::json::value& body, unsigned status = 200);

// Reads a JSON object body strictly: valid JSON, an object, only the known keys.
// kInvalidArgument otherwise, naming the problem.
[[nodiscard]] Result<boost::json::object> parse_object(std::string_view body,
                                                       const std::set<std::string_view>& known);
// The same for a request: its Content-Type must be application/json (so that a cross-site
// form cannot send it without a CORS preflight), then parse_object.
[[nodiscard]] Result<boost::json::object> parse_json_body(const Request& req,
                                                          const std::set<std::string_view>& known);
// The string at key: "" when absent or null and not required; kInvalidArgument when required
// and absent, or not a string.
[[nodiscard]] Result<std::string> string_field(const boost::json::object& o, std::string_view key,
                                               bool required);
// A time limit at key: {"amount": 7, "unit": "hours" | "calendar_days" | "working_days"};
// nullopt when absent (or null, when null_is_absent); kInvalidArgument for anything else. The
// amount is any whole number within ±1,000,000: the caller checks its range.
[[nodiscard]] Result<std::optional<domain::Period>> period_field(const boost::json::object& o,
                                                                 std::string_view key,
                                                                 bool null_is_absent = true);
// The whole number in query parameter `name`: `fallback` when absent; kInvalidArgument unless
// it is min to max.
[[nodiscard]] Result<std::int64_t> int_query(const Request& req, std::string_view name,
                                             std::int64_t fallback, std::int64_t max,
                                             std::int64_t min = 0);
// Query parameter `name` as true or false: false when absent; kInvalidArgument otherwise.
[[nodiscard]] Result<bool> bool_query(const Request& req, std::string_view name);
// Adds the ETag of a record at `version` ("\"7\""): what If-Match must send back to update it.
void add_version_etag(Response& res, std::int64_t version);
// An instant as an ISO 8601 UTC string, or null.
boost::json::value instant_or_null(const std::optional<Instant>& t);

}  // namespace jiceng::http
