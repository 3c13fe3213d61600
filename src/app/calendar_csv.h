// Reads official days an administrator typed from the State Council's yearly notice
// (国务院办公厅关于XXXX年部分节假日安排的通知) as CSV: the years the npm package chinese-days does
// not have yet. Pure parsing and validation; storing is the caller's job (app::import_calendar).
#pragma once

#include <string_view>
#include <vector>

#include "common/error.h"
#include "domain/calendar.h"

namespace jiceng::app {

// Reads
//   date,kind,name
//   2027-01-01,holiday,元旦
//   2027-02-20,workday,春节
// in UTF-8 (a byte-order mark is skipped): a header line `date,kind,name` first, then one day a
// line; kind is holiday (休, an official day off, weekend days inside the holiday block too) or
// workday (班, a make-up working day, which is a Saturday or Sunday); name is the holiday's,
// e.g. 春节. Blank lines and lines starting with # are skipped; spaces around fields are
// trimmed. Returns the days ordered by date.
// Every bad row is reported, not only the first: kInvalidArgument whose message (English and
// Chinese) lists "FILE:LINE: what is wrong" per row (at most 20): a missing header, not three
// fields, a malformed date, an unknown kind, an empty name, a make-up workday on a weekday, a
// day listed twice, no day at all.
[[nodiscard]] Result<std::vector<domain::CalendarDay>> parse_calendar_csv(std::string_view text,
                                                                          std::string_view file);

}  // namespace jiceng::app
