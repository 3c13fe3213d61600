// Hotspots and early warnings over HTTP (docs/SIGNALS.md "Hotspots and warnings"): the
// dashboard's hot places and rising categories and topic words, the warnings of the burst detector
// and the commands on them. The rules are app::SignalService's; this file parses and writes JSON.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>

#include "app/signals.h"
#include "domain/case_stats.h"
#include "domain/deadline.h"
#include "http/api.h"
#include "http/errors.h"
#include "http/json.h"

namespace jiceng::http {
namespace {

namespace json = boost::json;
using store::signals::Warning;

std::string day_text(std::int64_t day) { return format_date(domain::date_of_day_bucket(day)); }

Result<app::SignalQuery> signal_query(const Request& req) {
  app::SignalQuery q;
  q.area = std::string(req.query_value("area").value_or(""));
  q.category = std::string(req.query_value("category").value_or(""));
  if (auto r = period_query(req, q.from, q.to); !r) return r.error();
  auto limit = int_query(req, "limit", 20, app::SignalService::kMaxLimit);
  if (!limit) return limit.error();
  q.limit = static_cast<int>(*limit);
  if (auto d = req.query_value("dimension"); d && !d->empty()) {
    auto dimension = domain::signal_dimension_from_string(*d);
    if (!dimension) {
      return Error::invalid_argument("dimension: category or word")
          .zh("维度（dimension）：category（类别）或 word（话题词）");
    }
    q.dimension = *dimension;
  }
  return q;
}

json::object rising_json(const app::RisingTerm& t, domain::SignalDimension dimension) {
  return {{dimension == domain::SignalDimension::kWord ? "word" : "category", t.term},
          {"cases", t.cases},
          {"people", t.people},
          {"expected", t.expected},
          {"p_value", t.p_value}};
}

json::object warning_json(const Warning& w) {
  return {{"id", w.id},
          {"area", w.area_code},
          {"dimension", domain::to_string(w.dimension)},
          {"term", w.term},
          {"level", domain::to_string(w.level)},
          {"level_zh", domain::label_zh(w.level)},
          {"status", domain::to_string(w.status)},
          {"status_zh", domain::label_zh(w.status)},
          {"first_day", day_text(w.first_day)},
          {"last_day", day_text(w.last_day)},
          {"cases", w.cases},
          {"people", w.people},
          {"baseline_per_day", w.baseline_rate},
          {"p_value", w.p_value},
          {"unit_id", w.unit_id ? json::value(*w.unit_id) : json::value(nullptr)},
          {"raised_at", format_instant_utc(w.raised_at)},
          {"updated_at", format_instant_utc(w.updated_at)},
          {"version", w.version},
          {"note", w.note},
          {"acted_by", w.acted_by}};
}

Response hot_places(app::App& app, const Request& req) {
  auto q = signal_query(req);
  if (!q) return error_response(q.error(), req);
  auto places = app.signals.hot_places(*req.principal, *q);
  if (!places) return error_response(places.error(), req);
  json::array out;
  for (const auto& p : *places) {
    out.push_back(json::object{{"code", p.place.code},
                               {"name", p.place.name},
                               {"level", domain::to_string(p.place.level)},
                               {"cases", p.cases},
                               {"people", p.people},
                               {"cases_before", p.cases_before}});
  }
  return json_response(json::object{{"items", std::move(out)}});
}

Response rising(app::App& app, const Request& req) {
  auto q = signal_query(req);
  if (!q) return error_response(q.error(), req);
  auto terms = app.signals.rising(*req.principal, *q);
  if (!terms) return error_response(terms.error(), req);
  json::array out;
  for (const auto& t : *terms) out.push_back(rising_json(t, q->dimension));
  return json_response(json::object{{"items", std::move(out)}});
}

Response warnings(app::App& app, const Request& req) {
  app::WarningQuery q;
  q.area = std::string(req.query_value("area").value_or(""));
  if (auto s = req.query_value("status"); s && !s->empty()) {
    auto status = domain::warning_status_from_string(*s);
    if (!status) {
      return error_response(Error::invalid_argument(status.error().message)
                                .zh("状态（status）：new、acknowledged、handled 或 dismissed"),
                            req);
    }
    q.status = *status;
  }
  if (auto l = req.query_value("level"); l && !l->empty()) {
    auto level = domain::warning_level_from_string(*l);
    if (!level) {
      return error_response(Error::invalid_argument(level.error().message)
                                .zh("级别（level）：blue、yellow、orange 或 red"),
                            req);
    }
    q.level = *level;
  }
  q.mine = req.query_value("mine").value_or("") == "true";
  auto limit = int_query(req, "limit", 50, app::SignalService::kMaxLimit);
  if (!limit) return error_response(limit.error(), req);
  q.limit = static_cast<int>(*limit);
  auto list = app.signals.warnings(*req.principal, q);
  if (!list) return error_response(list.error(), req);
  json::array out;
  for (const auto& w : *list) out.push_back(warning_json(w));
  return json_response(json::object{{"items", std::move(out)}});
}

// The warning id of the path; kNotFound for anything but a positive number (like an unknown id).
Result<std::int64_t> warning_id(const Request& req) {
  const std::string& s = req.params.at("warning");
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || end != s.data() + s.size() || id < 1) {
    return Error::not_found("no such warning").zh("没有这条预警");
  }
  return id;
}

Response with_etag(Response res, std::int64_t version) {
  add_version_etag(res, version);
  return res;
}

Response warning(app::App& app, const Request& req) {
  auto id = warning_id(req);
  if (!id) return error_response(id.error(), req);
  auto d = app.signals.warning(*req.principal, *id, context_of(req));
  if (!d) return error_response(d.error(), req);
  json::object out = warning_json(d->warning);
  json::array evidence;
  for (const auto& c : d->evidence) {
    evidence.push_back(json::object{{"number", c.number},
                                    {"category", c.category_code},
                                    {"place", c.place_code},
                                    {"place_name", c.place_name},
                                    {"received_at", format_instant_utc(c.received_at)},
                                    {"state", c.state},
                                    {"description", c.description}});
  }
  out["evidence"] = std::move(evidence);
  json::array days;
  for (const auto& day : d->days) {
    days.push_back(json::object{{"day", day_text(day.day)}, {"cases", day.cases}});
  }
  out["days"] = std::move(days);
  json::array words;
  for (const auto& t : d->words) words.push_back(rising_json(t, domain::SignalDimension::kWord));
  out["words"] = std::move(words);
  out["words_area"] = d->words_area;
  return with_etag(json_response(out), d->warning.version);
}

Response act(app::App& app, const Request& req) {
  auto id = warning_id(req);
  if (!id) return error_response(id.error(), req);
  auto command = domain::warning_command_from_string(req.params.at("command"));
  if (!command) return error_response(command.error(), req);
  std::string note;
  if (!req.body().empty()) {
    auto body = parse_json_body(req, {"note"});
    if (!body) return error_response(body.error(), req);
    auto n = string_field(*body, "note", false);
    if (!n) return error_response(n.error(), req);
    note = std::move(*n);
  }
  auto version = if_match(req);
  if (!version) return if_match_refusal(version.error(), req);
  auto w = app.signals.act(*req.principal, *id, *command, note, *version, context_of(req));
  if (!w) {
    if (w.error().code == ErrorCode::kConflict && *version) {
      return protocol_error(412, "precondition_failed", w.error(), req.request_id,
                            prefers_chinese(req.header("Accept-Language")));
    }
    return error_response(w.error(), req);
  }
  return with_etag(json_response(warning_json(*w)), w->version);
}

}  // namespace

void add_signal_routes(Router& router, app::App& app) {
  const domain::RoleSet readers{domain::Role::kOperator, domain::Role::kHandler,
                                domain::Role::kUnitHead, domain::Role::kGridWorker,
                                domain::Role::kCadre,    domain::Role::kLeader};
  const domain::RoleSet actors{domain::Role::kHandler, domain::Role::kUnitHead,
                               domain::Role::kCadre, domain::Role::kLeader};
  const std::vector<ParamDoc> period = {
      {.name = "area", .description = "a division code in your scope; default your scope"},
      {.name = "from", .description = "YYYY-MM-DD, China time; default 6 days before to"},
      {.name = "to", .description = "YYYY-MM-DD, China time; default today"},
      {.name = "limit", .type = "integer"}};
  std::vector<ParamDoc> hot = period;
  hot.push_back({.name = "category", .description = "a leaf category's code; default all"});
  router.add({.method = "GET",
              .pattern = "/api/v1/signals/hot-places",
              .summary =
                  "Hot places (热点地区): the places one level below the area (counties of a "
                  "city, townships of a county, villages of a township) with the most "
                  "cases received in the period (at most 92 days), with the distinct "
                  "people behind them and the cases of the period of the same length "
                  "before. Counts only. docs/SIGNALS.md",
              .query_params = hot,
              .answers = {{404, "no such area in the caller's jurisdiction"}},
              .policy = Policy::only(readers, ScopeCheck::kSubtree),
              .handler = [&app](const Request& req) { return hot_places(app, req); }});
  std::vector<ParamDoc> rising_params = period;
  rising_params.push_back({.name = "dimension",
                           .description =
                               "category (default) or word: topic words, counted in counties and "
                               "townships (a village has none)"});
  router.add({.method = "GET",
              .pattern = "/api/v1/signals/rising",
              .summary = "Rising categories (上升类别) or topic words (上升话题, dimension=word) "
                         "of the area in the period: those with more cases than the 28 days "
                         "before lead one to expect, the most unlikely first (p_value: Poisson "
                         "tail of the distinct people). Counts only",
              .query_params = rising_params,
              .answers = {{404, "no such area in the caller's jurisdiction"}},
              .policy = Policy::only(readers, ScopeCheck::kSubtree),
              .handler = [&app](const Request& req) { return rising(app, req); }});
  router.add(
      {.method = "GET",
       .pattern = "/api/v1/warnings",
       .summary = "Early warnings (预警) of the burst detector in the area, newest first: a "
                  "place and category whose cases from distinct people rose far above the "
                  "place's own 28-day baseline; level blue/yellow/orange/red, status "
                  "new/acknowledged/handled/dismissed, addressed to the unit of the place "
                  "(unit_id; mine=true: only those of your unit)",
       .query_params = {{.name = "area"},
                        {.name = "status", .description = "new, acknowledged, handled, dismissed"},
                        {.name = "level", .description = "blue, yellow, orange, red"},
                        {.name = "mine", .description = "true: addressed to your unit"},
                        {.name = "limit", .type = "integer"}},
       .answers = {{404, "no such area in the caller's jurisdiction"}},
       .policy = Policy::only(readers, ScopeCheck::kSubtree),
       .handler = [&app](const Request& req) { return warnings(app, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/warnings/{warning}",
              .summary = "One warning with its evidence: the cases (number, place, time, state, "
                         "description; those accusing your unit left out), the cell's cases "
                         "per day over the baseline and the burst, and the topic words that "
                         "rose over the burst's days in words_area (the warning's area, or a "
                         "village's township). The read is audited. ETag: the warning's version",
              .policy = Policy::only(readers, ScopeCheck::kSubtree),
              .handler = [&app](const Request& req) { return warning(app, req); }});
  router.add(
      {.method = "POST",
       .pattern = "/api/v1/warnings/{warning}/{command}",
       .summary = "acknowledge (签收) a new warning, handle (处置: note says what was "
                  "done) or dismiss (排除: note gives the reason) an open one. JSON body "
                  "{\"note\": …}; If-Match: the version (optional; 412 when stale)",
       .body = {.kind = BodyDoc::Kind::kJson, .fields = {{.name = "note"}}, .optional = true},
       .if_match = IfMatch::kOptional,
       .answers = {{409, "the warning's status does not allow the command now"}},
       .policy = Policy::only(actors, ScopeCheck::kSubtree),
       .handler = [&app](const Request& req) { return act(app, req); }});
}

}  // namespace jiceng::http
