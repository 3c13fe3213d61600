// Cases and their events, in portable SQL, inside the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "domain/case.h"
#include "store/sql.h"

namespace jiceng::store::cases {

// The next running number of (county, year), from a counter row updated in the caller's
// transaction: a rollback gives the number back, so numbers have no gaps.
[[nodiscard]] Result<std::int64_t> next_number(Sql& sql, std::string_view county_code, int year);

[[nodiscard]] Result<void> insert(Sql& sql, const domain::Case& c);
[[nodiscard]] Result<std::optional<domain::Case>> find(Sql& sql, std::string_view number);
[[nodiscard]] Result<std::optional<domain::Case>> find_by_tracking_code(Sql& sql,
                                                                        std::string_view code);
// Writes c over the stored case if the stored version is still c.version - 1 (optimistic
// concurrency). kConflict when another change came first; kNotFound when there is no such case.
[[nodiscard]] Result<void> update(Sql& sql, const domain::Case& c);

// Appends an event with the next sequence number of the case; returns that number.
[[nodiscard]] Result<int> append_event(Sql& sql, std::string_view number, domain::CaseEvent e);
[[nodiscard]] Result<std::vector<domain::CaseEvent>> events(Sql& sql, std::string_view number);

// Up to `limit` cases whose next timer (warning or breach) is due at `now`, the most overdue
// first.
[[nodiscard]] Result<std::vector<std::string>> due_timers(Sql& sql, Instant now, int limit);

// Open cases (not closed, declined or merged) of this submitter with this category and place,
// newest first: the candidates for Art. 19 repeat linking.
[[nodiscard]] Result<std::vector<std::string>> open_repeats(Sql& sql, const domain::Case& c);

}  // namespace jiceng::store::cases
