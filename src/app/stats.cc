#include "app/stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "domain/deadline.h"
#include "store/catalogue_repo.h"
#include "store/jurisdiction_repo.h"

namespace jiceng::app {

namespace {

using domain::CaseFacts;
using domain::StatGrain;
using std::chrono::days;
using store::stats::BucketRange;

Date first_of_month(Date d) {
  std::chrono::year_month_day ymd(d);
  return Date(ymd.year() / ymd.month() / 1);
}

Date last_of_month(Date d) {
  std::chrono::year_month_day ymd(d);
  return Date(ymd.year() / ymd.month() / std::chrono::last);
}

// The ranges of case_stat whose rows sum to exactly the cases received on [from, to]: whole
// months as month rows, the ragged ends as day rows. No case is received after today, so a
// period that ends today or later reads its last month whole.
std::vector<BucketRange> period_ranges(Date from, Date to, Date today) {
  std::vector<BucketRange> out;
  Date months_from = from;
  if (from != first_of_month(from)) {
    const Date head_end = std::min(to, last_of_month(from));
    out.push_back({StatGrain::kDay, domain::day_bucket(from), domain::day_bucket(head_end)});
    if (head_end == to) return out;
    months_from = head_end + days(1);
  }
  const bool whole_last = to == last_of_month(to) || to >= today;
  const BucketRange tail{StatGrain::kDay, domain::day_bucket(first_of_month(to)),
                         domain::day_bucket(to)};
  BucketRange months{StatGrain::kMonth, domain::month_bucket(months_from),
                     domain::month_bucket(to) - (whole_last ? 0 : 1)};
  if (months.hi >= months.lo) out.push_back(months);
  if (!whole_last) out.push_back(tail);
  return out;
}

// The first day of the trend bucket that holds d.
Date bucket_start(Date d, StatInterval interval, Date from) {
  switch (interval) {
    case StatInterval::kDay:
      return d;
    case StatInterval::kWeek:
      return std::max(from, d - days(iso_weekday(d) - 1));
    case StatInterval::kMonth:
      return std::max(from, first_of_month(d));
  }
  return d;
}

Result<std::vector<TrendPoint>> trend_of(store::Sql& sql, const std::string& area,
                                         const std::vector<BucketRange>& ranges,
                                         StatInterval interval, Date from, Date to,
                                         std::string_view kind) {
  std::map<Date, CaseFacts> points;
  for (Date d = from; d <= to; d += days(1)) points[bucket_start(d, interval, from)];
  if (interval != StatInterval::kMonth) {
    auto rows = store::stats::by_bucket(
        sql, area, {StatGrain::kDay, domain::day_bucket(from), domain::day_bucket(to)}, kind);
    if (!rows) return rows.error();
    for (const auto& r : *rows) {
      points[bucket_start(domain::date_of_day_bucket(r.bucket), interval, from)] += r.facts;
    }
  } else {
    for (const BucketRange& range : ranges) {
      if (range.grain == StatGrain::kDay) {
        auto sum = store::stats::total(sql, area, std::span(&range, 1), kind);
        if (!sum) return sum.error();
        points[bucket_start(domain::date_of_day_bucket(range.lo), interval, from)] += *sum;
        continue;
      }
      auto rows = store::stats::by_bucket(sql, area, range, kind);
      if (!rows) return rows.error();
      for (const auto& r : *rows) {
        points[bucket_start(domain::first_day_of_month_bucket(r.bucket), interval, from)] +=
            r.facts;
      }
    }
  }
  std::vector<TrendPoint> out;
  for (const auto& [start, facts] : points) out.push_back({start, facts});
  return out;
}

// The sums per top-level category, in catalogue order; also returns the area's total.
Result<std::vector<CategoryFigures>> categories_of(store::Sql& sql, const std::string& area,
                                                   const std::vector<BucketRange>& ranges,
                                                   std::string_view kind, CaseFacts& total) {
  auto sums = store::stats::by_category(sql, area, ranges, kind);
  if (!sums) return sums.error();
  auto all = store::catalogue::categories(sql);
  if (!all) return all.error();
  const auto tree = domain::tree_order(std::move(*all));
  std::map<std::string, CaseFacts> by_top;
  for (const auto& s : *sums) {
    total += s.facts;
    auto path = domain::category_path(tree, s.category_code);
    by_top[path.empty() ? s.category_code : path.front()] += s.facts;
  }
  std::vector<CategoryFigures> out;
  for (const auto& c : tree) {
    if (!c.parent_code.empty()) continue;
    auto it = by_top.find(c.code);
    if (it == by_top.end() && !c.active) continue;
    out.push_back({c, it == by_top.end() ? CaseFacts{} : it->second});
    if (it != by_top.end()) by_top.erase(it);
  }
  // Categories the catalogue no longer knows keep their code as their name.
  for (const auto& [code, facts] : by_top) {
    out.push_back({domain::Category{.code = code, .name_zh = code, .name_en = code}, facts});
  }
  return out;
}

Error bad(std::string en, std::string zh) {
  return Error::invalid_argument(std::move(en)).zh(std::move(zh));
}

}  // namespace

std::string_view to_string(StatInterval i) {
  switch (i) {
    case StatInterval::kDay:
      return "day";
    case StatInterval::kWeek:
      return "week";
    case StatInterval::kMonth:
      return "month";
  }
  return "month";
}

Result<StatInterval> stat_interval_from_string(std::string_view s) {
  for (auto i : {StatInterval::kDay, StatInterval::kWeek, StatInterval::kMonth}) {
    if (to_string(i) == s) return i;
  }
  return bad("interval: day, week or month", "统计粒度（interval）：day、week 或 month");
}

Result<Dashboard> StatsService::dashboard(const domain::Principal& p, const StatsQuery& q) {
  if (!domain::may_read_cases(p.role)) {
    return Error{ErrorCode::kPermissionDenied, "your role does not see case figures",
                 "您的角色无权查看案件统计"};
  }
  const std::string area = q.area.empty() ? p.scope_code : q.area;
  if (!domain::level_of_code(area)) {
    return bad("area: a division code such as 360603", "区划（area）：请填写区划代码，如 360603");
  }
  Error unknown = Error::not_found("no area " + area + " in your jurisdiction")
                      .zh("您的辖区内没有区划 " + area);
  if (!domain::in_scope(p.scope_code, area)) return unknown;

  const Date today = domain::china_date(clock_.now());
  const Date from = q.from.value_or(Date(std::chrono::year_month_day(today).year() / 1 / 1));
  const Date to = q.to.value_or(today);
  if (from > to) {
    return bad("from: the period starts after it ends (to)", "开始日期（from）晚于结束日期（to）");
  }
  const int length = static_cast<int>((to - from).count()) + 1;
  if (length > kMaxPeriodDays) {
    return bad(fmt::format("to: a period is at most {} days", kMaxPeriodDays),
               fmt::format("统计期间最长 {} 天", kMaxPeriodDays));
  }
  const StatInterval interval = q.interval.value_or(length <= 31    ? StatInterval::kDay
                                                    : length <= 183 ? StatInterval::kWeek
                                                                    : StatInterval::kMonth);
  if ((interval == StatInterval::kDay && length > kMaxDailyDays) ||
      (interval == StatInterval::kWeek && length > kMaxWeeklyDays)) {
    const int most = interval == StatInterval::kDay ? kMaxDailyDays : kMaxWeeklyDays;
    return bad(fmt::format("interval: {} buckets cover at most {} days; choose a longer interval",
                           to_string(interval), most),
               fmt::format("按{}统计最长 {} 天，请选择更大的统计粒度",
                           interval == StatInterval::kDay ? "日" : "周", most));
  }
  const std::string kind = q.kind ? std::string(domain::to_string(*q.kind)) : "";
  const int limit = std::clamp(q.list_limit, 1, kMaxListLimit);
  const auto ranges = period_ranges(from, to, today);
  const BucketRange all_time{StatGrain::kTotal, 0, 0};

  return db_.read_value([&](store::Sql& sql) -> Result<Dashboard> {
    auto node = store::jurisdictions::find(sql, area);
    if (!node) return node.error();
    if (!*node) return unknown;
    Dashboard d{.totals = {.area = **node, .period = {}, .now = {}},
                .from = from,
                .to = to,
                .interval = interval};
    auto cats = categories_of(sql, area, ranges, kind, d.totals.period);
    if (!cats) return cats.error();
    d.categories = std::move(*cats);
    auto now = store::stats::total(sql, area, std::span(&all_time, 1), kind);
    if (!now) return now.error();
    d.totals.now = *now;
    auto trend = trend_of(sql, area, ranges, interval, from, to, kind);
    if (!trend) return trend.error();
    d.trend = std::move(*trend);

    auto children = store::jurisdictions::children(sql, area);
    if (!children) return children.error();
    AreaFigures own{.area = **node, .period = d.totals.period, .now = d.totals.now};
    for (auto& child : *children) {
      auto period = store::stats::total(sql, child.code, ranges, kind);
      if (!period) return period.error();
      auto child_now = store::stats::total(sql, child.code, std::span(&all_time, 1), kind);
      if (!child_now) return child_now.error();
      own.period -= *period;
      own.now -= *child_now;
      d.sub_areas.push_back({std::move(child), *period, *child_now});
    }
    if (!d.sub_areas.empty() && (!own.period.zero() || !own.now.zero())) d.own_cases = own;

    auto [first, last] = domain::scope_range(area);
    const std::int64_t hide = p.unit_id.value_or(0);
    auto overdue = store::stats::overdue(sql, first, last, kind, hide, limit);
    if (!overdue) return overdue.error();
    d.overdue = std::move(*overdue);
    auto escalations =
        store::stats::escalations(sql, area, domain::china_midnight(from),
                                  domain::china_midnight(to + days(1)), kind, hide, limit);
    if (!escalations) return escalations.error();
    d.escalations = std::move(*escalations);
    return d;
  });
}

}  // namespace jiceng::app
