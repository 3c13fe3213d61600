// The official holiday calendar rows (holidays and make-up workdays).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "domain/calendar.h"
#include "store/sql.h"

namespace jiceng::store::calendar {

// Every stored day, ordered by date.
[[nodiscard]] Result<std::vector<domain::CalendarDay>> load(Sql& sql);
// Replaces the stored days by `days` (the import is the whole published schedule). Returns
// how many rows changed (inserted, updated or deleted): 0 when nothing changed.
[[nodiscard]] Result<std::int64_t> replace_all(Sql& sql, std::span<const domain::CalendarDay> days);

}  // namespace jiceng::store::calendar
