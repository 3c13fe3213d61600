// Civil dates (China Standard Time calendar days) and instants. No clock here: callers pass time
// in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jiceng {

using Date = std::chrono::sys_days;  // a civil day; arithmetic in whole days
using Instant = std::chrono::sys_time<std::chrono::microseconds>;  // a UTC instant

// Parses "YYYY-MM-DD" strictly (valid calendar date, zero-padded). nullopt on anything else.
std::optional<Date> parse_date(std::string_view s);
// Formats as "YYYY-MM-DD".
std::string format_date(Date d);
// 1 = Monday … 7 = Sunday (ISO 8601).
int iso_weekday(Date d);

// Microseconds since the Unix epoch, the form instants take in the store.
inline std::int64_t to_micros(Instant t) { return t.time_since_epoch().count(); }
inline Instant from_micros(std::int64_t us) { return Instant(std::chrono::microseconds(us)); }
// ISO 8601 in UTC with a 'Z', millisecond precision: "2026-01-02T03:04:05.678Z".
std::string format_instant_utc(Instant t);
// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" (UTC, the form format_instant_utc writes; 1 to 6 fraction
// digits) or a bare "YYYY-MM-DD" (its midnight UTC). nullopt on anything else.
std::optional<Instant> parse_instant_utc(std::string_view s);
// Parses an RFC 3339 date-time: "YYYY-MM-DDTHH:MM:SS[.ffffff]" and "Z" or an offset "+08:00" /
// "-05:30" (the instant it names, in UTC); 'T' and 'Z' in either case. No bare dates: a
// moment, not a day. nullopt on anything else.
std::optional<Instant> parse_rfc3339(std::string_view s);

// The source of "now": the real clock in the server, a fixed one in tests.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
};
class SystemClock final : public Clock {
 public:
  Instant now() const override;
};

}  // namespace jiceng
