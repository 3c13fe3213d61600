// Reads the official holiday schedule from dist/chinese-days.json of the npm package chinese-days:
// the input of the calendar import. Pure parsing and validation; storing is the caller's job.
#pragma once

#include <filesystem>
#include <vector>

#include "common/error.h"
#include "domain/calendar.h"

namespace jiceng::app {

// Reads {"holidays": {DAY: VALUE, …}, "workdays": {…}, "inLieuDays": {…}} where DAY is
// "YYYY-MM-DD" and VALUE "English name,中文名,N" (N: the statutory days of that holiday).
// Returns one CalendarDay per holiday (kHoliday) and make-up workday (kWorkday), ordered by day,
// named by the Chinese name. inLieuDays (holidays given in lieu of a weekend) are checked to be
// holidays as well, and add nothing.
// Any problem gives kInvalidArgument naming the file and the bad key ("chinese-days.json:
// holidays.2025-13-01: not a date"): unreadable file or JSON, "holidays" or "workdays" missing,
// an unknown top-level key, a malformed day or value, a day that is both a holiday and a workday.
// Of two equal keys in one object the JSON parser keeps the last.
[[nodiscard]] Result<std::vector<domain::CalendarDay>> read_chinese_days_json(
    const std::filesystem::path& file);

}  // namespace jiceng::app
