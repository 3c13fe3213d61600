// Cases over HTTP, the public part: a resident submits a demand or petition and tracks it by
// its code. The staff routes (reading a whole case, workflow commands) come with sign-in and
// jurisdiction scopes (the Access milestone), so that they are guarded from their first day.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "app/idempotency.h"
#include "domain/case_intake.h"
#include "http/api.h"
#include "http/errors.h"
#include "http/json.h"

namespace jiceng::http {
namespace {

namespace json = boost::json;

json::value instant_or_null(const std::optional<Instant>& t) {
  if (!t) return nullptr;
  return json::string(format_instant_utc(*t));
}

// Reads a JSON object body strictly: valid JSON, an object, only known keys.
Result<json::object> parse_object(std::string_view body, const std::set<std::string_view>& known) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return Error::invalid_argument("the body is not valid JSON: " + ec.message());
  if (!v.is_object()) return Error::invalid_argument("the body must be a JSON object");
  for (const auto& kv : v.as_object()) {
    if (!known.contains(kv.key())) {
      return Error::invalid_argument("unknown field '" + std::string(kv.key()) + "'");
    }
  }
  return std::move(v.as_object());
}

Result<std::string> string_field(const json::object& o, std::string_view key, bool required) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) {
    if (required) return Error::invalid_argument(std::string(key) + ": is required");
    return std::string();
  }
  if (!it->value().is_string())
    return Error::invalid_argument(std::string(key) + ": must be a string");
  return std::string(it->value().as_string());
}

Result<domain::Intake> intake_from_json(const json::object& o) {
  domain::Intake in;
  auto kind = string_field(o, "kind", false);
  if (!kind) return kind.error();
  if (!kind->empty()) {
    auto k = domain::case_kind_from_string(*kind);
    if (!k) return Error::invalid_argument("kind: demand or petition");
    in.kind = *k;
  }
  auto channel = string_field(o, "channel", false);
  if (!channel) return channel.error();
  if (!channel->empty()) {
    auto c = domain::channel_from_string(*channel);
    if (!c) return c.error();
    in.channel = *c;
  }
  struct Text {
    std::string_view key;
    std::string* out;
    bool required;
  } texts[] = {{"category", &in.category_code, true},  {"place", &in.place_code, true},
               {"description", &in.description, true}, {"address", &in.address, false},
               {"name", &in.submitter_name, false},    {"contact", &in.submitter_contact, false}};
  for (const auto& t : texts) {
    auto v = string_field(o, t.key, t.required);
    if (!v) return v.error();
    *t.out = std::move(*v);
  }
  if (auto it = o.find("anonymous"); it != o.end()) {
    if (!it->value().is_bool()) return Error::invalid_argument("anonymous: must be true or false");
    in.anonymous = it->value().as_bool();
  }
  if (auto it = o.find("point"); it != o.end() && !it->value().is_null()) {
    const auto* p = it->value().if_object();
    const json::value* lat = p ? p->if_contains("lat") : nullptr;
    const json::value* lon = p ? p->if_contains("lon") : nullptr;
    if (!p || p->size() != 2 || !lat || !lon || !lat->is_number() || !lon->is_number()) {
      return Error::invalid_argument("point: {\"lat\": number, \"lon\": number} in WGS-84 degrees");
    }
    in.point = domain::GeoPoint{lat->to_number<double>(), lon->to_number<double>()};
  }
  return in;
}

Response submit(app::App& app, const Request& req) {
  auto body = parse_object(req.body(), {"kind", "category", "place", "address", "point",
                                        "anonymous", "name", "contact", "description", "channel"});
  if (!body) return error_response(body.error(), req);
  auto in = intake_from_json(*body);
  if (!in) return error_response(in.error(), req);
  if (in->channel != domain::Channel::kWeb) {
    return error_response({ErrorCode::kPermissionDenied,
                           "only staff register phone, walk-in, letter and mailbox cases; "
                           "residents submit with channel web"},
                          req);
  }
  const app::Actor resident{.name = "resident", .staff = false};
  auto render = [](const app::Registration& r) {
    const domain::Case& c = r.registered;
    json::object out{{"number", c.number},
                     {"tracking_code", c.tracking_code},
                     {"state", domain::to_string(c.state)},
                     {"deadline_at", instant_or_null(c.deadline_at)}};
    if (r.repeat_of) {
      // Where the open case stands, without its tracking code or anyone's personal data: the
      // contact given is not verified, so it must not unlock another person's case.
      const domain::Case& open = *r.repeat_of;
      out["repeat_of"] = json::object{{"number", open.number},
                                      {"state", domain::to_string(open.state)},
                                      {"state_zh", domain::label_zh(open.state)},
                                      {"deadline_at", instant_or_null(open.deadline_at)}};
    }
    return app::StoredResponse{201, json::serialize(out)};
  };
  Result<app::StoredResponse> answer = Error::internal("unset");
  if (auto key = req.header("Idempotency-Key")) {
    if (auto ok = app::check_idempotency_key(*key); !ok) return error_response(ok.error(), req);
    answer = app::run_idempotent(
        app.db, {"POST /api/v1/cases", std::string(*key), app::hash_request(req.body())},
        app.clock.now(), [&](store::Sql& sql) -> Result<app::StoredResponse> {
          auto r = app.cases.register_in(sql, *in, resident);
          if (!r) return r.error();
          return render(*r);
        });
  } else {
    auto r = app.cases.register_case(*in, resident);
    if (!r) return error_response(r.error(), req);
    answer = render(*r);
  }
  if (!answer) return error_response(answer.error(), req);
  Response res;
  res.status = answer->status;
  res.body = std::move(answer->body);
  boost::system::error_code ec;
  auto parsed = json::parse(res.body, ec);
  if (!ec && parsed.is_object()) {
    if (const auto* code = parsed.as_object().if_contains("tracking_code");
        code && code->is_string()) {
      res.headers.emplace_back("Location", "/api/v1/track/" + std::string(code->as_string()));
    }
  }
  if (answer->replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
  return res;
}

Response track(app::App& app, const Request& req) {
  auto v = app.cases.track(req.params.at("code"));
  if (!v) return error_response(v.error(), req);
  json::array events;
  for (const auto& e : v->events) {
    events.push_back(json::object{{"at", format_instant_utc(e.at)},
                                  {"event", e.command},
                                  {"state", domain::to_string(e.to)},
                                  {"state_zh", domain::label_zh(e.to)},
                                  {"note", e.command == "register" ? "" : e.note}});
  }
  json::object out{{"number", v->number},
                   {"kind", domain::to_string(v->kind)},
                   {"category", v->category_code},
                   {"place", v->place_code},
                   {"state", domain::to_string(v->state)},
                   {"state_zh", domain::label_zh(v->state)},
                   {"unit", v->unit_name},
                   {"deadline_at", instant_or_null(v->deadline_at)},
                   {"reply", v->reply},
                   {"rating", domain::to_string(v->rating)},
                   {"merged_into", v->merged_into},
                   {"timeline", std::move(events)}};
  return json_response(out);
}

}  // namespace

void add_case_routes(Router& router, app::App& app) {
  router.add({.method = "POST",
              .pattern = "/api/v1/cases",
              .summary = "Submit a demand or petition (resident, channel web). JSON body: kind, "
                         "category, place, description, address, point {lat, lon}, anonymous, "
                         "name, contact. Answers 201 with the case number and tracking code. "
                         "An Idempotency-Key header makes retries safe: the same key and body "
                         "return the first answer, the same key with another body 422",
              .policy = Policy::kPublic,
              .handler = [&app](const Request& req) { return submit(app, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/track/{code}",
              .summary = "Where a case stands, by its tracking code: state, unit in charge, "
                         "deadline and the public timeline; no personal data",
              .policy = Policy::kPublic,
              .handler = [&app](const Request& req) { return track(app, req); }});
}

}  // namespace jiceng::http
