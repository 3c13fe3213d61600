// The official holiday calendar rows (holidays and make-up workdays).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "domain/calendar.h"
#include "store/sql.h"

namespace jiceng::store::calendar {

// Every stored day, ordered by date.
[[nodiscard]] Result<std::vector<domain::CalendarDay>> load(Sql& sql);
struct ReplaceReport {
  std::int64_t changed = 0;           // rows inserted, updated or deleted: 0 when nothing changed
  std::optional<Date> first_changed;  // the earliest day whose row changed
};
// Makes the stored days of every year that `days` has a day before December in equal to `days`
// (each year's schedule is published whole: a day dropped from it is deleted), adds or updates
// the days of a year that `days` has December days of only (a notice's 元旦 holiday reaching back
// into the previous year), and keeps the other years: an import of next year's notice alone
// leaves the years before it as they are.
[[nodiscard]] Result<ReplaceReport> replace_years(Sql& sql,
                                                  std::span<const domain::CalendarDay> days);

}  // namespace jiceng::store::calendar
