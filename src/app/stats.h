// The leader's dashboard (领导驾驶舱): the figures of an area and a period, read from the
// aggregates the case writes keep (store/stats_repo.h, domain/case_stats.h), never from a scan
// of the cases. Definitions: docs/STATS.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/date.h"
#include "common/error.h"
#include "domain/access.h"
#include "domain/case_stats.h"
#include "domain/catalogue.h"
#include "domain/jurisdiction.h"
#include "store/database.h"
#include "store/stats_repo.h"

namespace jiceng::app {

enum class StatInterval { kDay, kWeek, kMonth };
std::string_view to_string(StatInterval i);  // "day", "week", "month"
[[nodiscard]] Result<StatInterval> stat_interval_from_string(std::string_view s);

struct StatsQuery {
  std::string area{};                      // a division code; "" for the caller's scope
  std::optional<Date> from{};              // China dates, both included; default: 1 January
  std::optional<Date> to{};                // of this year … today
  std::optional<domain::CaseKind> kind{};  // nullopt: both kinds
  std::optional<StatInterval> interval{};  // default by the period's length
  int list_limit = 10;                     // rows of the overdue and escalation lists
};

struct TrendPoint {
  Date start;  // the bucket's first day (a Monday for weeks), clipped to the period
  domain::CaseFacts facts;
};

struct CategoryFigures {
  domain::Category category;  // a top-level category
  domain::CaseFacts facts;
};

struct AreaFigures {
  domain::Jurisdiction area{};
  domain::CaseFacts period{};  // the cases received in the period
  domain::CaseFacts now{};     // all the area's cases, whenever received: open and overdue now
};

struct Dashboard {
  AreaFigures totals{};
  Date from{};
  Date to{};
  StatInterval interval = StatInterval::kMonth;
  std::vector<TrendPoint> trend{};            // every bucket of the period, empty ones included
  std::vector<CategoryFigures> categories{};  // by top-level category, catalogue order
  std::vector<AreaFigures> sub_areas{};       // the children of the area, in code order
  // The cases placed on the area's node itself rather than on a child (e.g. a county's own
  // cases beside its townships'); nullopt when there are none.
  std::optional<AreaFigures> own_cases{};
  std::vector<store::stats::OverdueCase> overdue{};     // most overdue first
  std::vector<store::stats::Escalation> escalations{};  // in the period, newest first
};

class StatsService {
 public:
  // The longest period and the longest for each interval, in days.
  static constexpr int kMaxPeriodDays = 3660;
  static constexpr int kMaxDailyDays = 92;
  static constexpr int kMaxWeeklyDays = 732;
  static constexpr int kMaxListLimit = 100;

  StatsService(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // The dashboard of q.area for a staff principal who may read cases. Errors: kInvalidArgument
  // (a malformed area, from after to, a period or interval too long — messages in zh and en);
  // kNotFound when the area lies outside the principal's scope or does not exist (the same
  // answer); kPermissionDenied for roles that do not see cases.
  [[nodiscard]] Result<Dashboard> dashboard(const domain::Principal& p, const StatsQuery& q);

 private:
  store::Database& db_;
  const Clock& clock_;
};

}  // namespace jiceng::app
