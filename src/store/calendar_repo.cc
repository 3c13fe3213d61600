#include "store/calendar_repo.h"

#include <map>
#include <set>

namespace jiceng::store::calendar {

Result<std::vector<domain::CalendarDay>> load(Sql& sql) {
  auto rows = sql.query("SELECT day, kind, name FROM calendar_day ORDER BY day", {});
  if (!rows) return rows.error();
  std::vector<domain::CalendarDay> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    auto day = parse_date(r.text(0));
    if (!day) return Error::internal("calendar_day holds a malformed date: " + r.text(0));
    out.push_back(
        {*day, r.int64(1) == 2 ? domain::DayKind::kWorkday : domain::DayKind::kHoliday, r.text(2)});
  }
  return out;
}

Result<ReplaceReport> replace_years(Sql& sql, std::span<const domain::CalendarDay> days) {
  auto existing = load(sql);
  if (!existing) return existing.error();
  auto year_of = [](Date d) { return static_cast<int>(std::chrono::year_month_day(d).year()); };
  // The years whose schedule the file holds: those with a day before December. A notice
  // reaches back into the previous year's last days when 元旦 is joined to them (the 2019
  // notice: 2018-12-29 a workday, 12-30 and 12-31 holidays); those are added or updated, and
  // the rest of that year stays.
  std::set<int> years;
  for (const auto& d : days) {
    if (std::chrono::year_month_day(d.day).month() < std::chrono::December) {
      years.insert(year_of(d.day));
    }
  }
  std::map<Date, const domain::CalendarDay*> old;
  for (const auto& d : *existing) {
    if (years.contains(year_of(d.day))) old[d.day] = &d;
  }
  ReplaceReport report;
  auto changed = [&](Date d) {
    ++report.changed;
    if (!report.first_changed || d < *report.first_changed) report.first_changed = d;
  };
  for (const auto& d : days) {
    auto it = old.find(d.day);
    if (it != old.end()) {
      bool same = it->second->kind == d.kind && it->second->name == d.name;
      bool same_rest = it->second->kind == d.kind;
      old.erase(it);
      if (same) continue;
      if (same_rest) {
        // Only the name changed: no deadline moves.
        ++report.changed;
      } else {
        changed(d.day);
      }
    } else {
      changed(d.day);
    }
    auto r = sql.exec(
        "INSERT INTO calendar_day (day, kind, name) VALUES ($1, $2, $3) "
        "ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
        {format_date(d.day), std::int64_t{static_cast<int>(d.kind)}, d.name});
    if (!r) return r.error();
  }
  for (const auto& [day, _] : old) {
    auto r = sql.exec("DELETE FROM calendar_day WHERE day = $1", {format_date(day)});
    if (!r) return r.error();
    changed(day);
  }
  return report;
}

}  // namespace jiceng::store::calendar
