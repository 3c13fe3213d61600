#include "domain/calendar.h"

#include <algorithm>
#include <cassert>

namespace jiceng::domain {

namespace {

bool is_weekend(Date d) { return iso_weekday(d) >= 6; }

int year_of(Date d) { return static_cast<int>(std::chrono::year_month_day(d).year()); }

}  // namespace

WorkCalendar::WorkCalendar(std::vector<CalendarDay> days) {
  std::stable_sort(days.begin(), days.end(),
                   [](const CalendarDay& a, const CalendarDay& b) { return a.day < b.day; });
  days_.reserve(days.size());
  for (auto& entry : days) {
    if (!days_.empty() && days_.back().day == entry.day) {
      days_.back() = std::move(entry);  // the later of two entries for one day wins
    } else {
      days_.push_back(std::move(entry));
    }
  }
  if (days_.empty()) return;
  kind_.assign(static_cast<std::size_t>((days_.back().day - days_.front().day).count() + 1), 0);
  for (const auto& entry : days_) {
    if (years_.empty() || years_.back() != year_of(entry.day)) years_.push_back(year_of(entry.day));
    kind_[static_cast<std::size_t>((entry.day - days_.front().day).count())] =
        static_cast<std::uint8_t>(entry.kind);
  }
}

bool WorkCalendar::is_working_day(Date d) const {
  if (!days_.empty() && d >= days_.front().day && d <= days_.back().day) {
    std::uint8_t kind = kind_[static_cast<std::size_t>((d - days_.front().day).count())];
    if (kind != 0) return static_cast<DayKind>(kind) == DayKind::kWorkday;
  }
  return !is_weekend(d);
}

const CalendarDay* WorkCalendar::find(Date d) const {
  auto it = std::lower_bound(days_.begin(), days_.end(), d,
                             [](const CalendarDay& entry, Date x) { return entry.day < x; });
  return it != days_.end() && it->day == d ? &*it : nullptr;
}

Date WorkCalendar::add_days(Date start, int n) const { return start + std::chrono::days(n); }

Date WorkCalendar::add_working_days(Date start, int n) const {
  assert(n >= 0);
  Date d = start;
  for (int counted = 0; counted < n;) {
    d += std::chrono::days(1);
    if (is_working_day(d)) ++counted;
  }
  return d;
}

Date WorkCalendar::period_end_calendar_days(Date start, int n) const {
  assert(n >= 0);
  Date last = add_days(start, n);
  while (is_rest_day(last)) last += std::chrono::days(1);
  return last;
}

std::optional<std::pair<int, int>> WorkCalendar::covered_years() const {
  if (days_.empty()) return std::nullopt;
  return std::pair{year_of(days_.front().day), year_of(days_.back().day)};
}

bool WorkCalendar::covers_year(int year) const {
  return std::binary_search(years_.begin(), years_.end(), year);
}

std::vector<int> WorkCalendar::missing_years() const {
  std::vector<int> missing;
  for (std::size_t i = 1; i < years_.size(); ++i) {
    for (int y = years_[i - 1] + 1; y < years_[i]; ++y) missing.push_back(y);
  }
  return missing;
}

int WorkCalendar::covered_until(int this_year) const {
  if (years_.empty()) return 0;
  if (years_.back() < this_year) return years_.back();
  int year = this_year;
  auto it = std::lower_bound(years_.begin(), years_.end(), year);
  while (it != years_.end() && *it == year) {
    ++it;
    ++year;
  }
  return year - 1;
}

}  // namespace jiceng::domain
