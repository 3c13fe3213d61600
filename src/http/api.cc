#include "http/api.h"

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "domain/deadline.h"
#include "http/errors.h"
#include "http/json.h"
#include "http/openapi.h"

namespace jiceng::http {

AddressLimit::AddressLimit(std::chrono::seconds window, int limit, std::size_t max_keys)
    : limit_(limit), counts_(app::ThrottleLimits{.window = window, .max_keys = max_keys}) {}

std::optional<Response> AddressLimit::refuse(const Request& req, Instant now,
                                             std::string_view why_en, std::string_view why_zh) {
  if (limit_ <= 0) return std::nullopt;
  auto wait = counts_.admit_address(context_of(req).remote, limit_, now);
  if (!wait) return std::nullopt;
  const auto seconds = wait->count();
  return too_many_requests(
      Error{ErrorCode::kResourceExhausted, fmt::format(fmt::runtime(why_en), seconds),
            fmt::format(fmt::runtime(why_zh), seconds)},
      *wait, req);
}

app::RequestContext context_of(const Request& req) {
  std::string_view remote = req.remote;
  if (remote.starts_with('[')) {
    remote = remote.substr(1, remote.find(']') == std::string_view::npos ? std::string_view::npos
                                                                         : remote.find(']') - 1);
  } else if (auto colon = remote.rfind(':'); colon != std::string_view::npos) {
    remote = remote.substr(0, colon);
  }
  // The stated purpose is kept to 200 bytes (whole UTF-8 characters): the log is append-only.
  std::string_view purpose = req.query_value("purpose").value_or("");
  if (purpose.size() > 200) {
    std::size_t end = 200;
    while (end > 0 && (static_cast<unsigned char>(purpose[end]) & 0xC0) == 0x80) --end;
    purpose = purpose.substr(0, end);
  }
  return {
      .remote = std::string(remote), .request_id = req.request_id, .purpose = std::string(purpose)};
}

Response if_match_refusal(const Error& e, const Request& req) {
  if (e.code == ErrorCode::kConflict) {
    return protocol_error(412, "precondition_failed", e, req.request_id,
                          prefers_chinese(req.header("Accept-Language")));
  }
  return error_response(e, req);
}

WriteHeaders write_headers(const Request& req, IfMatch mode, const Error& missing) {
  WriteHeaders out;
  if (mode != IfMatch::kUnread) {
    auto v = if_match(req);
    if (!v) {
      out.refusal = if_match_refusal(v.error(), req);
      return out;
    }
    if (!*v && mode == IfMatch::kRequired) {
      out.refusal = protocol_error(428, "precondition_required", missing, req.request_id,
                                   prefers_chinese(req.header("Accept-Language")));
      return out;
    }
    out.version = *v;
  }
  if (auto k = req.header("Idempotency-Key")) {
    if (auto ok = app::check_idempotency_key(*k); !ok) {
      out.refusal = error_response(ok.error(), req);
      return out;
    }
    std::string signed_body = std::string(req.header("If-Match").value_or("")) + '\n';
    signed_body += req.body();
    out.key = app::IdempotencyKey{std::string(req.method) + " " + req.path + " " +
                                      (req.principal ? req.principal->actor() : std::string()),
                                  std::string(*k), app::hash_request(signed_body)};
  }
  return out;
}

Router make_router(app::App& app, Metrics& metrics, const ApiOptions& options) {
  namespace json = boost::json;
  Router router;
  router.set_authenticator(make_authenticator(app.access, options));
  router.add({.method = "GET",
              .pattern = "/healthz",
              .summary = "Liveness: the process answers",
              .policy = Policy::kPublic,
              .runs = Runs::kInline,
              .handler = [](const Request&) {
                return json_response(json::object{{"status", "ok"}});
              }});
  router.add({.method = "GET",
              .pattern = "/readyz",
              .summary = "Readiness: the store answers and was not found damaged; "
                         "calendar_covered_until is the last year through which deadlines "
                         "count on official holidays",
              .policy = Policy::kPublic,
              .handler = [&app](const Request& req) {
                auto ping = app.db.ping();
                if (!ping) return error_response(ping.error(), req);
                // How far the official calendar reaches: deadlines after calendar_covered_until,
                // and in calendar_missing_years, count weekends only (jiceng import calendar).
                // Informative; readiness does not depend on it.
                const int this_year = static_cast<int>(
                    std::chrono::year_month_day(domain::china_date(app.clock.now())).year());
                auto reach = app.cases.calendar_reach(this_year);
                if (!reach) return error_response(reach.error(), req);
                json::array missing;
                if (*reach) {
                  for (int y : (*reach)->missing_years) missing.emplace_back(y);
                }
                return json_response(json::object{
                    {"status", "ready"},
                    {"calendar_covered_until",
                     *reach ? json::value((*reach)->covered_until) : json::value(nullptr)},
                    {"calendar_missing_years", std::move(missing)}});
              }});
  router.add({.method = "GET",
              .pattern = "/metrics",
              .summary = "Metrics in the Prometheus text format 0.0.4",
              .policy = Policy::kPublic,
              .runs = Runs::kInline,
              .handler = [&metrics](const Request&) {
                Response res;
                res.content_type = "text/plain; version=0.0.4; charset=utf-8";
                res.body = metrics.render();
                return res;
              }});
  router.add({.method = "GET",
              .pattern = "/api/v1/noop",
              .summary = "Does nothing: the server's own cost per request",
              .policy = Policy::kPublic,
              .runs = Runs::kInline,
              .handler = [](const Request&) { return json_response(json::object()); }});
  add_jurisdiction_routes(router, app.jurisdictions);
  add_catalogue_routes(router, app.catalogue);
  add_catalogue_admin_routes(router, app);
  add_workflow_routes(router);
  add_case_routes(router, app, options.public_limits);
  add_stats_routes(router, app);
  add_signal_routes(router, app);
  add_access_routes(router, app, options);
  add_open311_routes(router, app, options.open311);

  // Filled once the table is complete, so that the document lists this route too.
  auto document = std::make_shared<std::string>();
  router.add({.method = "GET",
              .pattern = "/api/v1/openapi.json",
              .summary = "This API's OpenAPI 3.0.3 document",
              .policy = Policy::kPublic,
              .runs = Runs::kInline,
              .handler = [document](const Request&) {
                Response res;
                res.body = *document;
                return res;
              }});
  *document = openapi_document(router, {.title = "jiceng API", .version = JICENG_VERSION});
  return router;
}

}  // namespace jiceng::http
