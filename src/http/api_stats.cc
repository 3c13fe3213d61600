// The leader's dashboard over HTTP: GET /api/v1/stats. The figures and their definitions are
// app::StatsService's (docs/STATS.md); this file only parses the query and writes JSON.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <tuple>

#include "app/stats.h"
#include "domain/deadline.h"
#include "http/api.h"
#include "http/errors.h"
#include "http/json.h"

namespace jiceng::http {
namespace {

namespace json = boost::json;
using domain::CaseFacts;

json::value rate(const std::optional<double>& r) {
  return r ? json::value(*r) : json::value(nullptr);
}

// The counters and the rates of a cohort.
json::object figures_json(const CaseFacts& f) {
  json::object out;
  for (std::size_t i = 0; i < domain::kStatCounterCount; ++i) {
    out[domain::kStatCounterNames[i]] = f.n[i];
  }
  const domain::StatRates r = domain::rates_of(f);
  out["rates"] = json::object{{"response", rate(r.response)},
                              {"resolution", rate(r.resolution)},
                              {"satisfaction", rate(r.satisfaction)},
                              {"on_time", rate(r.on_time)}};
  return out;
}

json::object now_json(const CaseFacts& f) {
  using S = domain::StatCounter;
  return {{"open", f[S::kOpen]}, {"overdue", f[S::kOverdue]}};
}

json::object area_json(const app::AreaFigures& a) {
  json::object out{
      {"code", a.area.code}, {"name", a.area.name}, {"level", domain::to_string(a.area.level)}};
  out["figures"] = figures_json(a.period);
  out["now"] = now_json(a.now);
  return out;
}

json::value unit_or_null(const std::optional<std::int64_t>& id) {
  return id ? json::value(*id) : json::value(nullptr);
}

json::object dashboard_json(const app::Dashboard& d, std::string_view kind, Instant now) {
  json::object out{
      {"area", json::object{{"code", d.totals.area.code},
                            {"name", d.totals.area.name},
                            {"level", domain::to_string(d.totals.area.level)}}},
      {"period", json::object{{"from", format_date(d.from)},
                              {"to", format_date(d.to)},
                              {"interval", app::to_string(d.interval)},
                              {"kind", kind.empty() ? json::value(nullptr) : json::value(kind)}}}};
  out["figures"] = figures_json(d.totals.period);
  out["now"] = now_json(d.totals.now);
  json::array trend;
  for (const auto& p : d.trend) {
    json::object point = figures_json(p.facts);
    point["start"] = format_date(p.start);
    trend.push_back(std::move(point));
  }
  out["trend"] = std::move(trend);
  json::array categories;
  for (const auto& c : d.categories) {
    categories.push_back(json::object{{"code", c.category.code},
                                      {"name_zh", c.category.name_zh},
                                      {"name_en", c.category.name_en},
                                      {"figures", figures_json(c.facts)}});
  }
  out["categories"] = std::move(categories);
  json::array subs;
  for (const auto& a : d.sub_areas) subs.push_back(area_json(a));
  out["sub_areas"] = std::move(subs);
  out["own_cases"] = d.own_cases ? json::value(area_json(*d.own_cases)) : json::value(nullptr);
  json::array overdue;
  for (const auto& c : d.overdue) {
    overdue.push_back(json::object{
        {"number", c.number},
        {"kind", domain::to_string(c.kind)},
        {"category", c.category_code},
        {"place", c.place_code},
        {"place_name", c.place_name},
        {"unit_id", unit_or_null(c.unit_id)},
        {"unit_name", c.unit_name},
        {"deadline_at", format_instant_utc(c.deadline_at)},
        {"overdue_hours",
         std::chrono::duration_cast<std::chrono::hours>(now - c.deadline_at).count()}});
  }
  out["overdue"] = std::move(overdue);
  json::array escalations;
  for (const auto& e : d.escalations) {
    escalations.push_back(json::object{{"number", e.number},
                                       {"at", format_instant_utc(e.at)},
                                       {"kind", domain::to_string(e.kind)},
                                       {"category", e.category_code},
                                       {"place", e.place_code},
                                       {"place_name", e.place_name},
                                       {"unit_id", unit_or_null(e.unit_id)},
                                       {"unit_name", e.unit_name},
                                       {"automatic", e.automatic}});
  }
  out["escalations"] = std::move(escalations);
  return out;
}

Result<app::StatsQuery> stats_query(const Request& req) {
  app::StatsQuery q;
  q.area = std::string(req.query_value("area").value_or(""));
  if (auto r = period_query(req, q.from, q.to); !r) return r.error();
  if (auto kind = req.query_value("kind"); kind && !kind->empty()) {
    auto k = domain::case_kind_from_string(*kind);
    if (!k) {
      return Error::invalid_argument("kind: demand or petition")
          .zh("类型（kind）：demand（诉求）或 petition（信访）");
    }
    q.kind = *k;
  }
  if (auto interval = req.query_value("interval"); interval && !interval->empty()) {
    auto i = app::stat_interval_from_string(*interval);
    if (!i) return i.error();
    q.interval = *i;
  }
  auto limit = int_query(req, "limit", 10, app::StatsService::kMaxListLimit);
  if (!limit) return limit.error();
  q.list_limit = static_cast<int>(*limit);
  return q;
}

Response stats(app::App& app, const Request& req) {
  auto q = stats_query(req);
  if (!q) return error_response(q.error(), req);
  auto d = app.stats.dashboard(*req.principal, *q);
  if (!d) return error_response(d.error(), req);
  const std::string kind = q->kind ? std::string(domain::to_string(*q->kind)) : "";
  return json_response(dashboard_json(*d, kind, app.clock.now()));
}

}  // namespace

Result<void> period_query(const Request& req, std::optional<Date>& from, std::optional<Date>& to) {
  for (auto [name, out, zh] :
       {std::tuple{"from", &from, "开始日期"}, std::tuple{"to", &to, "结束日期"}}) {
    auto v = req.query_value(name);
    if (!v || v->empty()) continue;
    auto d = parse_date(*v);
    if (!d) {
      return Error::invalid_argument(std::string(name) +
                                     ": a date in China time, YYYY-MM-DD (2026-03-01)")
          .zh(std::string(zh) + "（" + name + "）：请按 YYYY-MM-DD 填写日期（北京时间）");
    }
    *out = *d;
  }
  return {};
}

void add_stats_routes(Router& router, app::App& app) {
  const domain::RoleSet readers{domain::Role::kOperator, domain::Role::kHandler,
                                domain::Role::kUnitHead, domain::Role::kGridWorker,
                                domain::Role::kCadre,    domain::Role::kLeader};
  router.add(
      {.method = "GET",
       .pattern = "/api/v1/stats",
       .summary =
           "The leader's dashboard for an area (a division code in the caller's scope; default "
           "the scope) and a period (from/to, China dates, both included; default 1 January to "
           "today): the cases received in the period and what became of them — received, "
           "merged, responded, accepted, declined, resolved, on_time, closed, rated, satisfied, "
           "escalations, open, overdue — with the rates response = responded / (received − "
           "merged), resolution = resolved / accepted, satisfaction = (满意 + 基本满意) / rated, "
           "on_time = on_time / resolved (null when nothing to divide); now: open and overdue "
           "cases of the area whenever received; the trend per day, week or month (interval; "
           "default by the period's length), the figures by top-level category and by "
           "sub-area one level down (own_cases: those on the area's node itself), the most "
           "overdue cases and the latest escalations (limit, ≤ 100; no personal data). "
           "Definitions: docs/STATS.md",
       .query_params = {{.name = "area"},
                        {.name = "from", .description = "YYYY-MM-DD, China time"},
                        {.name = "to", .description = "YYYY-MM-DD, China time"},
                        {.name = "kind", .description = "demand or petition"},
                        {.name = "interval", .description = "day, week or month"},
                        {.name = "limit", .type = "integer"}},
       .answers = {{404, "no such area in the caller's jurisdiction"}},
       .policy = Policy::only(readers, ScopeCheck::kSubtree),
       .handler = [&app](const Request& req) { return stats(app, req); }});
}

}  // namespace jiceng::http
