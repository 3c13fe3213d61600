#include "common/date.h"

#include <fmt/format.h>

namespace jiceng {

namespace {
bool digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}
int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}
}  // namespace

std::optional<Date> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto y = s.substr(0, 4), m = s.substr(5, 2), d = s.substr(8, 2);
  if (!digits(y) || !digits(m) || !digits(d)) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(to_int(y)),
                                  std::chrono::month(static_cast<unsigned>(to_int(m))),
                                  std::chrono::day(static_cast<unsigned>(to_int(d)))};
  if (!ymd.ok()) return std::nullopt;
  return Date(ymd);
}

std::string format_date(Date d) {
  std::chrono::year_month_day ymd(d);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

int iso_weekday(Date d) { return static_cast<int>(std::chrono::weekday(d).iso_encoding()); }

std::string format_instant_utc(Instant t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - day).count();
  return fmt::format("{}T{:02}:{:02}:{:02}.{:03}Z", format_date(day), ms / 3600000, ms / 60000 % 60,
                     ms / 1000 % 60, ms % 1000);
}

std::optional<Instant> parse_instant_utc(std::string_view s) {
  auto day = parse_date(s.substr(0, 10));
  if (!day) return std::nullopt;
  if (s.size() == 10) return Instant(*day);
  auto two = [&](std::size_t at, int max) -> std::optional<int> {
    if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') {
      return std::nullopt;
    }
    int v = (s[at] - '0') * 10 + (s[at + 1] - '0');
    return v <= max ? std::optional(v) : std::nullopt;
  };
  if (s.size() < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s.back() != 'Z') {
    return std::nullopt;
  }
  auto h = two(11, 23);
  auto m = two(14, 59);
  auto sec = two(17, 59);
  if (!h || !m || !sec) return std::nullopt;
  std::int64_t us = 0;
  std::string_view frac = s.substr(19, s.size() - 20);
  if (!frac.empty()) {
    if (frac.front() != '.' || frac.size() < 2 || frac.size() > 7) return std::nullopt;
    std::int64_t scale = 100000;
    for (char c : frac.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
      us += (c - '0') * scale;
      scale /= 10;
    }
  }
  return Instant(*day) + std::chrono::hours(*h) + std::chrono::minutes(*m) +
         std::chrono::seconds(*sec) + std::chrono::microseconds(us);
}

std::optional<Instant> parse_rfc3339(std::string_view s) {
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't')) return std::nullopt;
  std::string utc(s);
  utc[10] = 'T';
  std::chrono::minutes offset{0};
  if (utc.back() == 'z' || utc.back() == 'Z') {
    utc.back() = 'Z';
  } else {
    // "+HH:MM" or "-HH:MM": local time = UTC + offset.
    if (utc.size() < 25) return std::nullopt;
    const std::string_view tz = std::string_view(utc).substr(utc.size() - 6);
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if ((tz[0] != '+' && tz[0] != '-') || !digit(tz[1]) || !digit(tz[2]) || tz[3] != ':' ||
        !digit(tz[4]) || !digit(tz[5])) {
      return std::nullopt;
    }
    const int hours = (tz[1] - '0') * 10 + (tz[2] - '0');
    const int minutes = (tz[4] - '0') * 10 + (tz[5] - '0');
    if (hours > 23 || minutes > 59) return std::nullopt;
    offset = std::chrono::minutes(hours * 60 + minutes) * (tz[0] == '-' ? -1 : 1);
    utc.resize(utc.size() - 6);
    utc += 'Z';
  }
  auto local = parse_instant_utc(utc);
  if (!local) return std::nullopt;
  return *local - offset;
}

Instant SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

}  // namespace jiceng
