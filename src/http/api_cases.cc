// Cases over HTTP: submission and tracking (public), the staff's case files and workflow
// commands (scoped to their jurisdiction subtree), and the resident's own cases (signed in, or
// by tracking code). Access rules live in app::CaseService; these handlers only translate.
#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <set>

#include "app/idempotency.h"
#include "domain/case_intake.h"
#include "domain/case_notes.h"
#include "http/api.h"
#include "http/errors.h"
#include "http/json.h"
#include "text/query.h"

namespace jiceng::http {
namespace {

// The filters GET /api/v1/cases and GET /api/v1/search share (list_query reads them), then
// `more`.
std::vector<ParamDoc> with_list_filters(std::vector<ParamDoc> more) {
  std::vector<ParamDoc> out = {
      {.name = "state"},
      {.name = "kind"},
      {.name = "category", .description = "a category code; the categories under it too"},
      {.name = "place"},
      {.name = "overdue"},
      {.name = "from",
       .description = "registered on or after: a day in China "
                      "(2026-12-07) or a UTC time (2026-12-07T00:00:00Z)"},
      {.name = "to",
       .description = "registered on or before this day in China "
                      "(2026-12-07), or before this UTC time"},
      {.name = "unit_id", .type = "integer"}};
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

namespace json = boost::json;

Result<domain::Intake> intake_from_json(const json::object& o) {
  domain::Intake in;
  auto kind = string_field(o, "kind", false);
  if (!kind) return kind.error();
  if (!kind->empty()) {
    auto k = domain::case_kind_from_string(*kind);
    if (!k)
      return Error::invalid_argument("kind: demand or petition")
          .zh("类型（kind）：demand（诉求）或 petition（信访）");
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
               {"name", &in.submitter_name, false},    {"contact", &in.submitter_contact, false},
               {"media_url", &in.media_url, false}};
  for (const auto& t : texts) {
    auto v = string_field(o, t.key, t.required);
    if (!v) return v.error();
    *t.out = std::move(*v);
  }
  if (auto it = o.find("anonymous"); it != o.end()) {
    if (!it->value().is_bool())
      return Error::invalid_argument("anonymous: must be true or false")
          .zh("匿名（anonymous）：须为 true 或 false");
    in.anonymous = it->value().as_bool();
  }
  // When an operator took the call, visit or letter (the clock starts then); domain::
  // validate_intake allows it only to staff on those channels, and never in the future.
  auto received = string_field(o, "received_at", false);
  if (!received) return received.error();
  if (!received->empty()) {
    auto at = parse_rfc3339(*received);
    if (!at) {
      return Error::invalid_argument(
                 "received_at: an RFC 3339 time with its offset, like 2026-12-01T09:30:00+08:00 "
                 "or 2026-12-01T01:30:00Z")
          .zh("收到时间（received_at）：须为带时区的 RFC 3339 时间，如 "
              "2026-12-01T09:30:00+08:00 或 2026-12-01T01:30:00Z");
    }
    in.received_at = *at;
  }
  if (auto it = o.find("point"); it != o.end() && !it->value().is_null()) {
    const auto* p = it->value().if_object();
    const json::value* lat = p ? p->if_contains("lat") : nullptr;
    const json::value* lon = p ? p->if_contains("lon") : nullptr;
    if (!p || p->size() != 2 || !lat || !lon || !lat->is_number() || !lon->is_number()) {
      return Error::invalid_argument("point: {\"lat\": number, \"lon\": number} in WGS-84 degrees")
          .zh("坐标（point）：须为 {\"lat\": 纬度, \"lon\": 经度}，WGS-84 度数");
    }
    in.point = domain::GeoPoint{lat->to_number<double>(), lon->to_number<double>()};
  }
  return in;
}

// Who submits: anonymous and signed-in residents and apps through their own channel; staff
// who register for others (operators, grid workers) through any.
Result<app::Actor> submitter(const Request& req, const domain::Intake& in) {
  if (!req.principal) {
    if (in.channel != domain::Channel::kWeb) {
      return Error{ErrorCode::kPermissionDenied,
                   "only staff register phone, walk-in, letter and mailbox cases; residents "
                   "submit with channel web",
                   "电话、来访、来信和信箱渠道由工作人员登记；群众请使用网上渠道（web）"};
    }
    return app::Actor{.name = "resident", .staff = false, .context = context_of(req)};
  }
  const domain::Principal& p = *req.principal;
  bool staff_may = domain::may_register_for_others(p.role);
  if (domain::is_staff(p.role) && !staff_may) {
    return Error{ErrorCode::kPermissionDenied,
                 "your role does not register cases; operators and grid workers do",
                 "您的角色不登记案件，请由话务员或网格员登记"};
  }
  bool own_channel = in.channel == (p.role == domain::Role::kApp ? domain::Channel::kOpen311
                                                                 : domain::Channel::kWeb);
  if (!staff_may && !own_channel) {
    return Error{ErrorCode::kPermissionDenied,
                 "your role may submit only through channel " +
                     std::string(p.role == domain::Role::kApp ? "open311" : "web"),
                 p.role == domain::Role::kApp ? "您的角色只能通过 open311 渠道提交"
                                              : "您的角色只能通过网上渠道（web）提交"};
  }
  auto actor = app::Actor::of(p, context_of(req));
  actor.staff = staff_may;
  return actor;
}

// A stored answer as the response, with Idempotent-Replayed on a replay, and the field `name`
// of its JSON body (null when there is none).
std::pair<Response, json::value> stored_response(app::StoredResponse answer,
                                                 std::string_view name) {
  Response res;
  res.status = answer.status;
  res.body = std::move(answer.body);
  if (answer.replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
  boost::system::error_code ec;
  auto parsed = json::parse(res.body, ec);
  json::value field;
  if (!ec && parsed.is_object()) {
    if (const auto* v = parsed.as_object().if_contains(name)) field = *v;
  }
  return {std::move(res), std::move(field)};
}

// The submission's answer: 201 with the case, Location, and Idempotent-Replayed on a replay.
// The intake's field names in a message, renamed to the JSON body's.
Error in_body_terms(Error e) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"submitter_name", "name"}, {"submitter_contact", "contact"}, {"submitter", "anonymous"}};
  return with_field_names(std::move(e), kNames);
}

Response submitted(Result<app::StoredResponse> answer, const std::string& request_id,
                   bool chinese) {
  if (!answer) return error_response(in_body_terms(answer.error()), request_id, chinese);
  auto [res, code] = stored_response(std::move(*answer), "tracking_code");
  if (code.is_string()) {
    res.headers.emplace_back("Location", "/api/v1/track/" + std::string(code.as_string()));
  }
  return res;
}

// A case of a list page: no personal data.
json::object listed_json(const store::cases::ListedCase& c) {
  json::object item{{"number", c.number},
                    {"kind", domain::to_string(c.kind)},
                    {"category", c.category_code},
                    {"place", c.place_code},
                    {"state", domain::to_string(c.state)},
                    {"state_zh", domain::label_zh(c.state)},
                    {"deadline_at", instant_or_null(c.deadline_at)},
                    {"warned", c.warned},
                    {"breached", c.breached},
                    {"created_at", format_instant_utc(c.created_at)}};
  item["unit_id"] = c.unit_id ? json::value(*c.unit_id) : json::value(nullptr);
  return item;
}

// Repeat candidates: the list's fields, the score and the reasons (text, person, place,
// category) — never what made the person the same.
json::array candidates_json(const std::vector<app::RepeatCandidate>& candidates) {
  json::array out;
  for (const auto& c : candidates) {
    json::object item = listed_json(c.c);
    item["score"] = std::round(c.score * 1000) / 1000;
    item["text_similarity"] = c.text;
    json::array reasons;
    for (auto [yes, name] :
         {std::pair{c.same_text, "text"}, std::pair{c.same_person, "person"},
          std::pair{c.same_place, "place"}, std::pair{c.same_category, "category"}}) {
      if (yes) reasons.emplace_back(name);
    }
    item["reasons"] = std::move(reasons);
    out.push_back(std::move(item));
  }
  return out;
}

app::StoredResponse registration_json(const app::Registration& r) {
  const domain::Case& c = r.registered;
  json::object out{{"number", c.number},
                   {"tracking_code", c.tracking_code},
                   {"state", domain::to_string(c.state)},
                   {"version", c.version},
                   {"clock", domain::to_string(c.clock)},
                   {"deadline_at", instant_or_null(c.deadline_at)}};
  if (r.repeat_of) {
    // Where the open case stands (Art. 19: the person is told), without its tracking code or
    // anyone's personal data: the contact given is not verified, so it must not unlock another
    // person's case. Only the person's own account or staff who see contacts get a link
    // (CaseService::register_case).
    const domain::Case& open = *r.repeat_of;
    out["repeat_of"] =
        json::object{{"number", open.number},
                     {"state", domain::to_string(open.state)},
                     {"state_zh", domain::label_zh(open.state)},
                     {"unit", r.repeat_unit_name},
                     {"deadline_at", instant_or_null(open.deadline_at)},
                     {"note", domain::notes::repeat_of(open.number, r.repeat_unit_name)}};
  }
  if (!r.candidates.empty()) out["candidates"] = candidates_json(r.candidates);
  return app::StoredResponse{201, json::serialize(out)};
}

// Answers after the commit, from the store's writer (the worker thread is free meanwhile).
void submit(app::App& app, const Request& req, const Responder& respond) {
  auto body =
      parse_json_body(req, {"kind", "category", "place", "address", "point", "anonymous", "name",
                            "contact", "description", "channel", "received_at", "media_url"});
  if (!body) return respond(error_response(body.error(), req));
  auto in = intake_from_json(*body);
  if (!in) return respond(error_response(in.error(), req));
  auto who = submitter(req, *in);
  if (!who) return respond(error_response(who.error(), req));
  auto answer =
      [respond, request_id = req.request_id,
       chinese = prefers_chinese(req.header("Accept-Language"))](Result<app::StoredResponse> r) {
        respond.later([r = std::move(r), request_id, chinese]() mutable {
          return submitted(std::move(r), request_id, chinese);
        });
      };
  if (auto key = req.header("Idempotency-Key")) {
    if (auto ok = app::check_idempotency_key(*key); !ok)
      return respond(error_response(ok.error(), req));
    auto prepared = app.cases.prepare(std::move(*in), *who);
    if (!prepared) return respond(error_response(in_body_terms(prepared.error()), req));
    app::run_idempotent_async(
        app.db,
        {"POST /api/v1/cases " + (req.principal ? req.principal->actor() : std::string()),
         std::string(*key), app::hash_request(req.body())},
        app.clock.now(),
        [&app, prepared = std::move(*prepared),
         resident = *who](store::Sql& sql) -> Result<app::StoredResponse> {
          auto r = app.cases.register_in(sql, prepared, resident);
          if (!r) return r.error();
          return registration_json(*r);
        },
        std::move(answer));
    return;
  }
  app.cases.register_case_async(std::move(*in), std::move(*who),
                                [answer = std::move(answer)](Result<app::Registration> r) mutable {
                                  if (!r) return answer(r.error());
                                  answer(registration_json(*r));
                                });
}

// An event's note in English when jiceng wrote it (domain::notes::english), else null: the
// English UI shows it instead of the stored Chinese.
json::value note_en(const domain::CaseEvent& e) {
  auto english = domain::notes::english(e.command, e.actor, e.note);
  return english ? json::value(json::string(*english)) : json::value(nullptr);
}

// The tracking page's JSON. It depends on the view alone (not on the request, its language or
// the time), so that it can be kept as rendered (app::TrackCache).
std::string render_track(const app::TrackView& v) {
  json::array events;
  for (const auto& e : v.events) {
    events.push_back(
        json::object{{"at", format_instant_utc(e.at)},
                     {"event", e.command},
                     {"state", domain::to_string(e.to)},
                     {"state_zh", domain::label_zh(e.to)},
                     {"note", e.command == "register" ? "" : e.note},
                     {"note_en", e.command == "register" ? json::value(nullptr) : note_en(e)}});
  }
  json::object out{{"number", v.number},
                   {"kind", domain::to_string(v.kind)},
                   {"category", v.category_code},
                   {"place", v.place_code},
                   {"state", domain::to_string(v.state)},
                   {"state_zh", domain::label_zh(v.state)},
                   {"unit", v.unit_name},
                   {"deadline_at", instant_or_null(v.deadline_at)},
                   {"reply", v.reply},
                   {"reply_shared", v.reply_shared},
                   {"deadline_provisional", v.deadline_provisional},
                   {"answered_at", instant_or_null(v.replied_at)},
                   {"rating", domain::to_string(v.rating)},
                   {"merged_into", v.merged_into},
                   {"handled_in", v.handled_in},
                   {"allowed_commands", json::array{}},
                   {"timeline", std::move(events)}};
  // What the holder of the code may do now with success (the UI's buttons). A repeat's
  // submitter does not rate the answer given to the case it was merged into.
  auto& allowed = out["allowed_commands"].as_array();
  for (domain::Command cmd : v.commands) {
    if (v.handled_in != v.number && cmd == domain::Command::kFollowUp) continue;
    allowed.push_back(json::string(domain::to_string(cmd)));
  }
  return json::serialize(out);
}

Response track(app::App& app, const Request& req) {
  auto page = app.cases.track_page(req.params.at("code"), render_track);
  if (!page) return error_response(page.error(), req);
  Response res;
  res.body = std::move(*page);
  return res;
}

json::object event_json(const domain::CaseEvent& e) {
  json::object out{{"seq", e.seq},         {"at", format_instant_utc(e.at)}, {"actor", e.actor},
                   {"event", e.command},   {"to", domain::to_string(e.to)},  {"note", e.note},
                   {"public", e.is_public}};
  out["from"] = e.from ? json::value(domain::to_string(*e.from)) : json::value(nullptr);
  out["note_en"] = note_en(e);
  out["unit_id"] = e.unit_id ? json::value(*e.unit_id) : json::value(nullptr);
  return out;
}

// The case file; allowed_commands are those the reader could give now with success (the list
// of a refused command's 409 answer: CaseDetail::allowed).
json::object case_json(const app::CaseDetail& d) {
  const domain::Case& c = d.c;
  json::array events;
  for (const auto& e : d.events) {
    json::object event = event_json(e);
    // Who acted, as people know them; the login name stays in "actor".
    auto name = d.actor_names.find(e.actor);
    event["actor_name"] = name == d.actor_names.end() ? json::value(nullptr)
                                                      : json::value(json::string(name->second));
    events.push_back(std::move(event));
  }
  json::object out{{"number", c.number},
                   {"kind", domain::to_string(c.kind)},
                   {"category", c.category_code},
                   {"place", c.place_code},
                   {"address", c.address},
                   {"anonymous", c.anonymous},
                   {"name", c.submitter_name},
                   {"contact", c.submitter_contact},
                   {"description", c.description},
                   {"channel", domain::to_string(c.channel)},
                   {"state", domain::to_string(c.state)},
                   {"state_zh", domain::label_zh(c.state)},
                   {"version", c.version},
                   {"received_at", format_instant_utc(c.received_at)},
                   {"updated_at", format_instant_utc(c.updated_at)},
                   {"clock", domain::to_string(c.clock)},
                   {"clock_limit", nullptr},
                   {"deadline_at", instant_or_null(c.deadline_at)},
                   {"warn_at", instant_or_null(c.deadline_at ? c.warn_at : std::nullopt)},
                   {"deadline_provisional", d.deadline_provisional},
                   {"objection_until", instant_or_null(d.objection_until)},
                   {"extension_requested_days", d.extension_requested_days
                                                    ? json::value(*d.extension_requested_days)
                                                    : json::value(nullptr)},
                   {"warned", c.warned},
                   {"breached", c.breached},
                   {"extensions", c.extensions},
                   {"reply", c.reply},
                   {"rating", domain::to_string(c.rating)},
                   {"merged_into", c.merged_into},
                   {"allowed_commands", json::array{}},
                   {"events", std::move(events)}};
  if (!c.tracking_code.empty()) out["tracking_code"] = c.tracking_code;
  // The limit the running clock counts (the category's, the statute's or a dispatch's).
  if (c.clock != domain::ClockKind::kNone && c.clock_limit) {
    out["clock_limit"] = json::object{{"amount", c.clock_limit->amount},
                                      {"unit", domain::to_string(c.clock_limit->unit)}};
  }
  out["unit_id"] = c.unit_id ? json::value(*c.unit_id) : json::value(nullptr);
  // Where the submitter put the matter on a map (WGS-84), as given; null when they did not.
  out["point"] = c.point ? json::value(json::object{{"lat", c.point->lat}, {"lon", c.point->lon}})
                         : json::value(nullptr);
  json::array media;
  for (const auto& url : d.media_urls) media.push_back(json::string(url));
  out["media_urls"] = std::move(media);
  auto& allowed = out["allowed_commands"].as_array();
  for (domain::Command cmd : d.allowed) allowed.push_back(json::string(domain::to_string(cmd)));
  return out;
}

// The cursor of the next page: "<created_at µs>.<number>", or in the deadline order among the
// cases on a clock "d<deadline_at µs>.<number>".
std::string cursor_of(const store::cases::ListedCase& c, store::cases::ListOrder order) {
  if (order == store::cases::ListOrder::kDeadline && c.deadline_at) {
    return "d" + std::to_string(to_micros(*c.deadline_at)) + "." + c.number;
  }
  return std::to_string(to_micros(c.created_at)) + "." + c.number;
}

Result<void> apply_cursor(std::string_view cursor, store::cases::ListQuery& q) {
  const bool on_clock = cursor.starts_with('d') && q.order == store::cases::ListOrder::kDeadline;
  if (on_clock) cursor.remove_prefix(1);
  auto dot = cursor.find('.');
  std::int64_t us = 0;
  auto [end, ec] =
      std::from_chars(cursor.data(), cursor.data() + (dot == std::string_view::npos ? 0 : dot), us);
  if (dot == std::string_view::npos || ec != std::errc() || end != cursor.data() + dot || us <= 0) {
    return Error::invalid_argument("cursor: pass the `next` value of the previous page")
        .zh("翻页游标（cursor）：请使用上一页返回的 next 值");
  }
  if (on_clock) {
    q.after_deadline_at = from_micros(us);
    q.after_deadline_number = std::string(cursor.substr(dot + 1));
  } else {
    q.before_created_at = from_micros(us);
    q.before_number = std::string(cursor.substr(dot + 1));
  }
  return {};
}

// The list's filters from the query string (state, kind, category, unit_id, limit, from, to,
// overdue, place) into q and place; an error response for a bad one.
std::optional<Response> read_list_filters(app::App& app, const Request& req,
                                          store::cases::ListQuery& q, std::string& place) {
  q.state = std::string(req.query_value("state").value_or(""));
  q.kind = std::string(req.query_value("kind").value_or(""));
  const std::string category(req.query_value("category").value_or(""));
  // A filter that names nothing is a mistake to say, not a list that is just empty.
  auto unknown = [&](const Error& e, std::string_view name) {
    Error out = Error::invalid_argument(fmt::format("{}: {}", name, e.message));
    out.message_zh = fmt::format("{}：{}", name, e.message_zh.empty() ? e.message : e.message_zh);
    return error_response(out, req);
  };
  if (!q.state.empty()) {
    if (auto st = domain::case_state_from_string(q.state); !st) return unknown(st.error(), "state");
  }
  if (!q.kind.empty()) {
    if (auto k = domain::case_kind_from_string(q.kind); !k) return unknown(k.error(), "kind");
  }
  if (!category.empty()) {
    // The category and those under it: "urban" lists urban.road, urban.lighting … too.
    auto codes = app.catalogue.category_subtree(category);
    if (!codes && codes.error().code != ErrorCode::kNotFound) {
      return error_response(codes.error(), req);
    }
    if (!codes) return unknown(codes.error(), "category");
    q.category_codes = std::move(*codes);
  }
  auto unit = int_query(req, "unit_id", 0, std::numeric_limits<std::int64_t>::max());
  auto limit = int_query(req, "limit", 50, 200, 1);
  if (!unit) return error_response(unit.error(), req);
  if (!limit) return error_response(limit.error(), req);
  q.unit_id = *unit;
  // A bare date is a day in China, as offices count them, and "to" includes its day: from=to=
  // 2026-12-07 is that day's cases. A time is the exact bound (to: before it).
  for (auto [name, out] : {std::pair{"from", &q.created_from}, std::pair{"to", &q.created_to}}) {
    if (auto v = req.query_value(name)) {
      std::optional<Instant> t;
      if (auto day = parse_date(*v)) {
        t = domain::china_midnight(out == &q.created_to ? *day + std::chrono::days(1) : *day);
      } else if (v->find('T') != std::string_view::npos) {
        t = parse_instant_utc(*v);
      }
      if (!t) {
        return error_response(
            Error::invalid_argument(std::string(name) +
                                    ": a day (2026-03-01) or an ISO 8601 UTC time "
                                    "(2026-03-01T08:00:00Z)")
                .zh(std::string(name) + "：请填写日期（如 2026-03-01）或 UTC 时间"),
            req);
      }
      *out = *t;
    }
  }
  auto overdue = bool_query(req, "overdue");
  if (!overdue) return error_response(overdue.error(), req);
  if (*overdue) q.overdue_at = app.clock.now();
  place = std::string(req.query_value("place").value_or(""));
  if (!place.empty() && !domain::level_of_code(place)) {
    return error_response(Error::invalid_argument("place: a division code such as 360603")
                              .zh("地点（place）：须为行政区划代码，如 360603"),
                          req);
  }
  if (!place.empty()) {
    auto node = app.jurisdictions.get(place);
    if (!node && node.error().code != ErrorCode::kNotFound) {
      return error_response(node.error(), req);
    }
    if (!node) return unknown(node.error(), "place");
  }
  q.limit = static_cast<int>(*limit);
  return std::nullopt;
}

Response list_cases(app::App& app, const Request& req) {
  store::cases::ListQuery q;
  std::string place;
  if (auto bad = read_list_filters(app, req, q, place)) return *bad;
  if (auto sort = req.query_value("sort"); sort && *sort != "newest") {
    if (*sort != "deadline") {
      return error_response(Error::invalid_argument("sort: newest or deadline")
                                .zh("排序（sort）：newest（最新在前）或 deadline（期限最近在前）"),
                            req);
    }
    q.order = store::cases::ListOrder::kDeadline;
  }
  if (auto cursor = req.query_value("cursor")) {
    if (auto ok = apply_cursor(*cursor, q); !ok) return error_response(ok.error(), req);
  }
  auto page = app.cases.list(*req.principal, q, place);
  if (!page) return error_response(page.error(), req);
  json::array items;
  for (const auto& c : *page) items.push_back(listed_json(c));
  json::object out{{"items", std::move(items)}};
  if (static_cast<int>(page->size()) == q.limit) out["next"] = cursor_of(page->back(), q.order);
  return json_response(out);
}

Response search_page_json(const app::SearchPage& page, std::int64_t offset, int limit) {
  json::array items;
  for (const auto& h : page.hits) {
    json::object item = listed_json(h.c);
    item["score"] = h.score;
    item["field"] = h.field;
    item["snippet"] = h.snippet;
    items.push_back(std::move(item));
  }
  json::object out{
      {"items", std::move(items)}, {"ranked", page.ranked}, {"more_matches", page.more_matches}};
  std::int64_t next = offset + limit;
  if (static_cast<int>(page.hits.size()) == limit && next < page.ranked &&
      next <= app::CaseSearch::kMaxOffset) {
    out["next"] = std::to_string(next);
  }
  return json_response(out);
}

// The search runs on a worker; the answer goes out once its audit entry is durable, from the
// store's writer, without holding the worker meanwhile.
void search_cases(app::App& app, const Request& req, const Responder& respond) {
  auto query = text::parse_query(req.query_value("q").value_or(""));
  if (!query) return respond(error_response(query.error(), req));
  store::cases::ListQuery q;
  std::string place;
  if (auto bad = read_list_filters(app, req, q, place)) return respond(*bad);
  auto offset = int_query(req, "offset", 0, app::CaseSearch::kMaxOffset);
  if (!offset) return respond(error_response(offset.error(), req));
  app.search.search_async(
      app::Actor::of(*req.principal, context_of(req)), *query, q, place, static_cast<int>(*offset),
      [respond, offset = *offset, limit = q.limit, request_id = req.request_id,
       chinese = prefers_chinese(req.header("Accept-Language"))](Result<app::SearchPage> page) {
        respond.later([page = std::move(page), offset, limit, request_id, chinese]() {
          if (!page) return error_response(page.error(), request_id, chinese);
          return search_page_json(*page, offset, limit);
        });
      });
}

// Like search_cases: the answer goes out once the audit entry is durable.
void similar_cases(app::App& app, const Request& req, const Responder& respond) {
  auto body = parse_json_body(req, {"place", "category", "description", "contact", "anonymous"});
  if (!body) return respond(error_response(body.error(), req));
  app::SimilarQuery in;
  struct Text {
    std::string_view key;
    std::string* out;
    bool required;
  } texts[] = {{"place", &in.place_code, true},
               {"category", &in.category_code, false},
               {"description", &in.description, false},
               {"contact", &in.contact, false}};
  for (const auto& t : texts) {
    auto v = string_field(*body, t.key, t.required);
    if (!v) return respond(error_response(v.error(), req));
    *t.out = std::move(*v);
  }
  if (auto it = body->find("anonymous"); it != body->end()) {
    if (!it->value().is_bool()) {
      return respond(error_response(Error::invalid_argument("anonymous: must be true or false")
                                        .zh("匿名（anonymous）：须为 true 或 false"),
                                    req));
    }
    in.anonymous = it->value().as_bool();
  }
  app.search.similar_async(
      app::Actor::of(*req.principal, context_of(req)), in,
      [respond, request_id = req.request_id,
       chinese = prefers_chinese(req.header("Accept-Language"))](
          Result<std::vector<app::RepeatCandidate>> found) {
        respond.later([found = std::move(found), request_id, chinese]() {
          if (!found) return error_response(found.error(), request_id, chinese);
          return json_response(json::object{{"items", candidates_json(*found)}});
        });
      });
}

// Answers after the read's audit entry is durable, from the store's writer.
void read_case(app::App& app, const Request& req, const Responder& respond) {
  app.cases.read_async(
      req.params.at("number"), app::Actor::of(*req.principal, context_of(req)),
      [respond, request_id = req.request_id,
       chinese = prefers_chinese(req.header("Accept-Language"))](Result<app::CaseDetail> d) {
        respond.later([d = std::move(d), request_id, chinese]() {
          if (!d) return error_response(d.error(), request_id, chinese);
          Response res = json_response(case_json(*d));
          add_version_etag(res, d->c.version);
          return res;
        });
      });
}

Result<app::CommandInput> command_input(const Request& req) {
  app::CommandInput in;
  if (req.body().empty()) return in;
  auto body = parse_json_body(
      req, {"note", "reply", "unit_id", "rating", "extension_days", "target_case", "time_limit"});
  if (!body) return body.error();
  for (auto [key, out] : {std::pair{"note", &in.note}, std::pair{"reply", &in.reply},
                          std::pair{"target_case", &in.target_case}}) {
    auto v = string_field(*body, key, false);
    if (!v) return v.error();
    *out = std::move(*v);
  }
  auto rating = string_field(*body, "rating", false);
  if (!rating) return rating.error();
  if (!rating->empty()) {
    auto r = domain::rating_from_string(*rating);
    if (!r) return r.error();
    in.rating = *r;
  }
  if (const auto* unit = body->if_contains("unit_id"); unit && !unit->is_null()) {
    if (!unit->is_int64())
      return Error::invalid_argument("unit_id: a unit's id").zh("单位（unit_id）：须为单位编号");
    in.unit_id = unit->as_int64();
  }
  if (const auto* days = body->if_contains("extension_days"); days && !days->is_null()) {
    if (!days->is_int64())
      return Error::invalid_argument("extension_days: a whole number")
          .zh("延期天数（extension_days）：须为整数");
    in.extension_days = static_cast<int>(std::clamp<std::int64_t>(days->as_int64(), -1, 1000));
  }
  auto limit = period_field(*body, "time_limit");
  if (!limit) return limit.error();
  in.time_limit = *limit;
  return in;
}

// A command's answer: the case's new state with its version as the ETag, and
// Idempotent-Replayed on a replay; a stale If-Match answers 412.
Response command_answer(Result<app::StoredResponse> answer, bool versioned,
                        const std::string& request_id, bool chinese) {
  if (!answer) {
    if (answer.error().code == ErrorCode::kConflict && versioned) {
      return protocol_error(412, "precondition_failed", answer.error(), request_id, chinese);
    }
    return error_response(answer.error(), request_id, chinese);
  }
  auto [res, version] = stored_response(std::move(*answer), "version");
  if (version.is_int64()) {
    add_version_etag(res, version.as_int64());
  }
  return res;
}

// Runs a command and answers after its commit, from the store's writer (the worker is free
// meanwhile). With IfMatch::kRequired, If-Match is required (428 without it); a stale one
// answers 412; with kOptional the case's current version is used when it is absent. An
// Idempotency-Key makes a retry return the first answer (the same key with another body or
// If-Match: 422). A refusal is audited after the command's transaction rolled back.
void run_command(app::App& app, const Request& req, const Responder& respond, std::string number,
                 app::Actor actor, IfMatch if_match) {
  auto command = domain::command_from_string(req.params.at("command"));
  if (!command) {
    // An unknown command is no resource: 404, with the parse error's words.
    Error unknown = command.error();
    unknown.code = ErrorCode::kNotFound;
    return respond(error_response(unknown, req));
  }
  auto input = command_input(req);
  if (!input) return respond(error_response(input.error(), req));
  auto headers = write_headers(
      req, if_match,
      Error::failed_precondition("send If-Match with the case's version (its ETag) so that "
                                 "concurrent changes are not lost")
          .zh("请在 If-Match 中带上案件的版本号（即其 ETag），以免覆盖他人的修改"));
  if (headers.refusal) return respond(std::move(*headers.refusal));
  std::optional<app::IdempotencyKey> key = std::move(headers.key);
  // The key's scope names the case and the one acting, not the path: a tracking code is found
  // whatever its case and dashes, and a retry written another way must not act again.
  if (key) {
    key->scope = fmt::format("POST case {} {} {}", number, domain::to_string(*command), actor.name);
  }
  // Read now if need be, not by the writer inside the command's transaction.
  if (auto cal = app.cases.load_calendar(); !cal) return respond(error_response(cal.error(), req));
  const std::int64_t expected = headers.version.value_or(app::CaseService::kCurrentVersion);
  const std::string action = "case." + std::string(domain::to_string(*command));
  auto shared_actor = std::make_shared<const app::Actor>(std::move(actor));
  auto apply = [&app, number, command = *command, input = std::move(*input), expected,
                shared_actor](store::Sql& sql) -> Result<app::StoredResponse> {
    auto c = app.cases.apply_in(sql, number, command, input, expected, *shared_actor);
    if (!c) return c.error();
    return app::StoredResponse{
        200, json::serialize(json::object{{"number", c->number},
                                          {"state", domain::to_string(c->state)},
                                          {"state_zh", domain::label_zh(c->state)},
                                          {"version", c->version},
                                          {"deadline_at", instant_or_null(c->deadline_at)}})};
  };
  auto done = [&app, respond, number, action, shared_actor, versioned = headers.version.has_value(),
               request_id = req.request_id,
               chinese = prefers_chinese(req.header("Accept-Language"))](
                  Result<app::StoredResponse> applied) {
    auto answer = [respond, versioned, request_id, chinese](Result<app::StoredResponse> r) {
      respond.later([r = std::move(r), versioned, request_id, chinese]() mutable {
        return command_answer(std::move(r), versioned, request_id, chinese);
      });
    };
    if (applied) return answer(std::move(applied));
    app.cases.audit_refusal_async(*shared_actor, action, number, applied.error(),
                                  [answer](Error e) { answer(std::move(e)); });
  };
  if (key) {
    return app::run_idempotent_async(app.db, std::move(*key), app.clock.now(), std::move(apply),
                                     std::move(done));
  }
  app.db.write_value_async(std::move(apply), std::move(done));
}

// A repeat's submitter acts on the case that carries the matter (escalation, review); the
// rating of that case's answer is its own submitter's.
std::optional<Error> rated_by_other(const Request& req, std::string_view carrier) {
  if (req.params.at("command") != "follow_up") return std::nullopt;
  return Error::conflict(fmt::format("this matter was merged into case {}, whose submitter rates "
                                     "its answer",
                                     carrier))
      .zh(fmt::format("此诉求已并入 {} 号案件办理，答复由该案件的提交人评价", carrier));
}

void command_by_tracking_code(app::App& app, const Request& req, const Responder& respond) {
  auto v = app.cases.track(req.params.at("code"));
  if (!v) return respond(error_response(v.error(), req));
  if (v->handled_in == v->number) {
    return run_command(app, req, respond, v->number, app::Actor::by_tracking_code(context_of(req)),
                       IfMatch::kOptional);
  }
  if (auto refusal = rated_by_other(req, v->handled_in)) {
    return respond(error_response(*refusal, req));
  }
  run_command(app, req, respond, v->handled_in,
              app::Actor::by_tracking_code(context_of(req), v->number), IfMatch::kOptional);
}

// A signed-in resident's command on their own case; for a case merged into another (并单),
// on the case that carries the matter, as by its tracking code. If-Match, if sent, names the
// version of their own case, which is final then: not the other's, so it is not compared.
void command_as_owner(app::App& app, const Request& req, const Responder& respond) {
  const std::string& number = req.params.at("number");
  app::Actor actor = app::Actor::of(*req.principal, context_of(req));
  auto carrier = app.cases.carrier(number, actor);
  if (!carrier) {
    const std::string action = "case." + req.params.at("command");
    return app.cases.audit_refusal_async(
        actor, action, number, carrier.error(),
        [respond, request_id = req.request_id,
         chinese = prefers_chinese(req.header("Accept-Language"))](Error e) {
          respond.later([e = std::move(e), request_id, chinese] {
            return error_response(e, request_id, chinese);
          });
        });
  }
  if (*carrier == number) {
    return run_command(app, req, respond, number, std::move(actor), IfMatch::kOptional);
  }
  if (auto refusal = rated_by_other(req, *carrier)) {
    return respond(error_response(*refusal, req));
  }
  run_command(app, req, respond, *carrier,
              app::Actor::owner_of_repeat(*req.principal, context_of(req), number),
              IfMatch::kUnread);
}

}  // namespace

Result<std::optional<std::int64_t>> if_match(const Request& req) {
  auto v = req.header("If-Match");
  if (!v) return std::optional<std::int64_t>{};
  std::string_view s = *v;
  if (s.starts_with("W/")) {
    // If-Match compares strongly (RFC 9110 13.1.1): a weak tag matches no version.
    return Error::conflict(
               "If-Match: a weak entity tag (W/…) matches no version; send the ETag "
               "as it was given")
        .zh("If-Match：弱实体标签（W/…）不与任何版本匹配，请原样发送 ETag");
  }
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  std::int64_t version = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), version);
  if (ec != std::errc() || end != s.data() + s.size() || version < 0) {
    return Error::invalid_argument("If-Match: the version, as the ETag gives it")
        .zh("If-Match：须为案件的版本号（与 ETag 相同）");
  }
  // A well-formed tag of no version a record ever had (versions start at 1): the precondition
  // fails, as for any stale one (412).
  if (version == 0) {
    return Error::conflict("If-Match: there is no version 0; read the record again for its ETag")
        .zh("If-Match：不存在版本 0，请重新读取以获取其 ETag");
  }
  return std::optional<std::int64_t>{version};
}

void add_case_routes(Router& router, app::App& app, const PublicLimits& limits) {
  // What a command reads (command_input) and its refusal by the workflow (app::CaseService).
  const BodyDoc command_body{
      .kind = BodyDoc::Kind::kJson,
      .fields = {{.name = "note"},
                 {.name = "reply"},
                 {.name = "unit_id", .type = "integer"},
                 {.name = "rating", .description = "satisfied, basically_satisfied or unsatisfied"},
                 {.name = "extension_days",
                  .description = "request_extension: the days asked for (optional); "
                                 "approve_extension: the days granted",
                  .type = "integer"},
                 {.name = "target_case", .description = "merge: the case that carries the matter"},
                 {.name = "time_limit",
                  .description = "a demand's assign, redispatch or reopen: the unit's time, "
                                 "{amount, unit: hours, calendar_days or working_days}, ending "
                                 "no later than the category's limit",
                  .type = "object"}},
      .optional = true};
  const AnswerDoc not_allowed{409,
                              "the workflow does not allow the command in the case's state now; "
                              "error.allowed lists the commands that could succeed now, as "
                              "allowed_commands of the case does, and the message names them"};
  router.add(
      {.method = "POST",
       .pattern = "/api/v1/cases",
       .summary = "Submit a demand or petition (resident, channel web; operators and "
                  "grid workers register any channel). JSON body: kind, category, place, "
                  "description, address, point {lat, lon}, anonymous, name, contact, "
                  "channel, received_at (staff on phone, walk-in, letter, mailbox: when "
                  "the matter came in, RFC 3339 with Z or an offset such as +08:00, not "
                  "in the future), media_url (a link to a photo or file of the matter, "
                  "http or https on the internet; in the case file for the submitter and the "
                  "staff who see the person, never public). Answers 201 with the case "
                  "number and tracking code. "
                  "An Idempotency-Key header makes retries safe: the same key and body "
                  "return the first answer, the same key with another body 422",
       .body = {.kind = BodyDoc::Kind::kJson,
                .fields = {{.name = "kind", .description = "demand or petition"},
                           {.name = "category", .description = "a leaf category's code"},
                           {.name = "place", .description = "the division code"},
                           {.name = "description"},
                           {.name = "address"},
                           {.name = "point", .description = "{lat, lon}", .type = "object"},
                           {.name = "anonymous", .type = "boolean"},
                           {.name = "name"},
                           {.name = "contact"},
                           {.name = "channel",
                            .description = "web (the default), phone, "
                                           "walk_in, letter, mailbox"},
                           {.name = "received_at", .description = "UTC, ISO 8601"},
                           {.name = "media_url",
                            .description = "an http or https link to a photo or file of the "
                                           "matter"}}},
       .idempotency_key = true,
       .success = 201,
       .answers = {{403,
                    "a resident or app outside its own channel, or a staff role "
                    "that does not register cases"},
                   {429,
                    "too many submissions from the caller's address (callers without a "
                    "staff account; access.submissions_per_address)"}},
       .policy = Policy::public_identified(),
       .async_handler = [&app, flood = std::make_shared<AddressLimit>(
                                   limits.window, limits.submissions_per_address, limits.max_keys)](
                            const Request& req, const Responder& respond) {
         // Staff register what comes in by phone, letter or visit: never limited.
         if (!req.principal || !domain::is_staff(req.principal->role)) {
           if (auto refused =
                   flood->refuse(req, app.clock.now(),
                                 "too many submissions from this network: try again in {} s, or "
                                 "call the 12345 hotline",
                                 "同一网络提交过于频繁，请 {} 秒后重试，或拨打 12345 热线")) {
             return respond(std::move(*refused));
           }
         }
         submit(app, req, respond);
       }});
  router.add({.method = "GET",
              .pattern = "/api/v1/track/{code}",
              .summary = "Where a case stands, by its tracking code: state, unit in charge, "
                         "deadline, the public timeline and the commands the resident may give "
                         "now (allowed_commands); no personal data. answered_at: when the "
                         "reply was given (null before). For a repeat merged into another case "
                         "(merged_into), where the matter stands: that case's state, unit, "
                         "deadline and answered_at, its number as handled_in, and both public "
                         "timelines in time order. That case's reply and rating only when the "
                         "same person submitted both (not anonymous; the same account, or the "
                         "same contact as staff recorded it from a call, visit or letter: a "
                         "contact typed into a form proves nothing); otherwise reply_shared is "
                         "false, reply a bilingual line that "
                         "the unit answers them, and the other case's events come without notes "
                         "or rating. An event's note_en is its note in English where jiceng "
                         "wrote it (a time limit, a breach, an escalation, a merge, an "
                         "extension, a rating), with people's words kept as written; null for a "
                         "note a person wrote alone",
              .policy = Policy::kPublic,
              .runs = Runs::kShortRead,
              .handler = [&app](const Request& req) { return track(app, req); }});
  router.add({.method = "POST",
              .pattern = "/api/v1/track/{code}/commands/{command}",
              .summary = "The resident's commands by tracking code: follow_up (rate the answer: "
                         "JSON body {\"rating\": …}), request_review, request_re_review, "
                         "escalate (with a note). A repeat's code acts on the case in handled_in "
                         "(follow_up there is that case's submitter's: 409). An Idempotency-Key "
                         "header makes retries safe, as for POST /api/v1/cases",
              .body = command_body,
              .if_match = IfMatch::kOptional,
              .idempotency_key = true,
              .answers = {not_allowed, {403, "the command is not the resident's to give"}},
              .policy = Policy::kPublic,
              .async_handler = [&app](const Request& req, const Responder& respond) {
                command_by_tracking_code(app, req, respond);
              }});

  const domain::RoleSet readers{domain::Role::kOperator, domain::Role::kHandler,
                                domain::Role::kUnitHead, domain::Role::kGridWorker,
                                domain::Role::kCadre,    domain::Role::kLeader};
  // Who gives commands: the workers, and leaders, who may escalate (督办) what they supervise
  // (domain::may_command says which command each role may give).
  const domain::RoleSet commanders{domain::Role::kOperator, domain::Role::kHandler,
                                   domain::Role::kUnitHead, domain::Role::kLeader};
  router.add(
      {.method = "GET",
       .pattern = "/api/v1/cases",
       .summary = "The cases in the caller's jurisdiction subtree, without personal "
                  "data. Filters: state, kind, category, unit_id, place (a subtree), "
                  "overdue=true (deadline passed), from/to (entered jiceng; dates or UTC "
                  "times); sort: newest (the default) or deadline (the running deadline "
                  "soonest first, so the most overdue first, then the cases on no clock, "
                  "newest first); limit (≤ 200) and cursor (the previous page's `next`)",
       .query_params = with_list_filters({{.name = "sort", .description = "newest or deadline"},
                                          {.name = "limit", .type = "integer"},
                                          {.name = "cursor"}}),
       .policy = Policy::only(readers, ScopeCheck::kSubtree),
       .handler = [&app](const Request& req) { return list_cases(app, req); }});
  router.add(
      {.method = "GET",
       .pattern = "/api/v1/search",
       .summary =
           "Full-text search of the cases in the caller's jurisdiction subtree, best "
           "match first among the newest 2,000 matches (BM25 on SQLite, ts_rank_cd on PostgreSQL). "
           "q: words, "
           "Chinese (traditional is read as simplified; two characters such as 纠纷 "
           "match as a pair) and \"quoted phrases\"; every term must occur; at most "
           "100 characters. Searches description, address and reply, never names or "
           "contacts. The same filters as /api/v1/cases; limit (≤ 200) and offset "
           "(≤ 1000; the previous page's `next`). Each item: the list's fields, "
           "score, field and snippet — HTML-escaped text whose matches are wrapped "
           "in <mark>…</mark>. ranked: how many matches were ranked; more_matches: "
           "true when older matches exist beyond them (narrow the search to reach "
           "them). Audited (case.search; give ?purpose=…)",
       .query_params =
           with_list_filters({{.name = "q", .description = "the words to find"},
                              {.name = "limit", .type = "integer"},
                              {.name = "offset", .type = "integer"},
                              {.name = "purpose", .description = "why the search is made"}}),
       .policy = Policy::only(readers, ScopeCheck::kSubtree),
       .async_handler = [&app](const Request& req, const Responder& respond) {
         search_cases(app, req, respond);
       }});
  const domain::RoleSet registrars{domain::Role::kOperator, domain::Role::kGridWorker};
  router.add({.method = "POST",
              .pattern = "/api/v1/cases/similar",
              .summary = "Repeat candidates for a case being registered, while the operator types: "
                         "the recent cases (90 days, not merged) of the same county in the "
                         "caller's subtree that share its topic words, its submitter or its place "
                         "and category. JSON body: place (required), category, description, "
                         "contact, anonymous. Each item: the list's fields, score (0..1), "
                         "text_similarity and reasons (text, person, place, category); best first, "
                         "at most 10. No personal data. Audited (case.similar)",
              .body = {.kind = BodyDoc::Kind::kJson,
                       .fields = {{.name = "place", .required = true},
                                  {.name = "category"},
                                  {.name = "description"},
                                  {.name = "contact"},
                                  {.name = "anonymous", .type = "boolean"}}},
              .policy = Policy::only(registrars, ScopeCheck::kSubtree),
              .async_handler = [&app](const Request& req, const Responder& respond) {
                similar_cases(app, req, respond);
              }});
  router.add({.method = "GET",
              .pattern = "/api/v1/cases/{number}",
              .summary = "A case file with its history; contact details masked for roles that "
                         "need not see them (and for them, of a merge, the other case's number "
                         "only when they may see that case, never the merge's remark). "
                         "allowed_commands: those the caller could give now with success, as a "
                         "refused command's 409 lists them (state, role, their unit's case, the "
                         "case's own conditions: a rating of unsatisfied, one extension, the "
                         "review window). Each timeline event names its actor by login name "
                         "(actor) and, for staff accounts, by display name (actor_name, else "
                         "null), and its note also in English when jiceng wrote it (note_en, "
                         "else null). media_urls: the submitter's photo links, for readers who "
                         "see the person in the clear (else empty). The read is audited (give "
                         "?purpose=…). ETag: the version",
              .query_params = {{.name = "purpose", .description = "why the file is read"}},
              .policy = Policy::only(readers, ScopeCheck::kSubtree),
              .async_handler = [&app](const Request& req, const Responder& respond) {
                read_case(app, req, respond);
              }});
  router.add({.method = "POST",
              .pattern = "/api/v1/cases/{number}/commands/{command}",
              .summary = "Apply a workflow command (see /api/v1/workflows/{kind}). If-Match: the "
                         "case's version (428 without, 412 when stale). JSON body: note, reply, "
                         "unit_id, rating, extension_days, target_case, time_limit, as the "
                         "command needs. An "
                         "Idempotency-Key header makes retries safe: the same key, body and "
                         "If-Match return the first answer, the same key otherwise 422",
              .body = command_body,
              .if_match = IfMatch::kRequired,
              .idempotency_key = true,
              .answers = {not_allowed},
              .policy = Policy::only(commanders, ScopeCheck::kSubtree),
              .async_handler = [&app](const Request& req, const Responder& respond) {
                run_command(app, req, respond, req.params.at("number"),
                            app::Actor::of(*req.principal, context_of(req)), IfMatch::kRequired);
              }});

  const domain::RoleSet residents{domain::Role::kResident};
  router.add({.method = "GET",
              .pattern = "/api/v1/my/cases",
              .summary = "The signed-in resident's own cases, newest first",
              .query_params = {{.name = "limit", .type = "integer"}, {.name = "cursor"}},
              .policy = Policy::only(residents, ScopeCheck::kOwn),
              .handler = [&app](const Request& req) { return list_cases(app, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/my/cases/{number}",
              .summary = "One of the signed-in resident's own cases, with its history and the "
                         "photo links they gave (media_urls)",
              .policy = Policy::only(residents, ScopeCheck::kOwn),
              .async_handler = [&app](const Request& req, const Responder& respond) {
                read_case(app, req, respond);
              }});
  router.add({.method = "POST",
              .pattern = "/api/v1/my/cases/{number}/commands/{command}",
              .summary = "The resident's commands on their own case: follow_up (rating), "
                         "request_review, request_re_review, escalate (note). If-Match optional; "
                         "an Idempotency-Key header makes retries safe. For their case merged "
                         "into another (并单), escalation and review act on that case, as by the "
                         "tracking code (its rating is that case's submitter's); If-Match is not "
                         "compared then",
              .body = command_body,
              .if_match = IfMatch::kOptional,
              .idempotency_key = true,
              .answers = {not_allowed},
              .policy = Policy::only(residents, ScopeCheck::kOwn),
              .async_handler = [&app](const Request& req, const Responder& respond) {
                command_as_owner(app, req, respond);
              }});
}

}  // namespace jiceng::http
