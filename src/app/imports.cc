#include "app/imports.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <iterator>

#include "app/calendar_csv.h"
#include "app/calendar_json.h"
#include "domain/deadline.h"
#include "store/calendar_repo.h"
#include "store/case_repo.h"
#include "store/catalogue_repo.h"
#include "store/jurisdiction_repo.h"
#include "store/settings_repo.h"

namespace jiceng::app {

namespace {
constexpr std::string_view kDeploymentRoot = "deployment.root";
constexpr std::string_view kDemoMarker = "demo.version";
constexpr std::string_view kDemoVersion = "2";  // 2: demo units
}  // namespace

Result<DivisionImportReport> import_divisions(store::Database& db, const std::filesystem::path& dir,
                                              const DivisionFilter& filter,
                                              const ProgressFn& progress) {
  auto nodes = read_division_csvs(dir, filter, [&](std::size_t n) {
    if (progress) progress({"reading", n, 0});
  });
  if (!nodes) return nodes.error();
  if (nodes->empty()) {
    return Error::invalid_argument(
        fmt::format("no divisions found for province '{}' in {}", filter.province, dir.string()));
  }
  const std::size_t total = nodes->size();
  auto stats = db.write_value([&](store::Sql& sql) {
    return store::jurisdictions::upsert_all(sql, *nodes, [&](std::size_t n) {
      if (progress) progress({"writing", n, total});
    });
  });
  if (!stats) return stats.error();
  return DivisionImportReport{total, stats->inserted, stats->updated};
}

Result<CalendarImportReport> import_calendar(store::Database& db,
                                             const std::filesystem::path& file) {
  const std::string name = file.filename().string();
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Error::invalid_argument(fmt::format("{}: cannot open {}", name, file.string()))
        .zh(fmt::format("{}：无法打开 {}", name, file.string()));
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    return Error::invalid_argument(fmt::format("{}: cannot read {}", name, file.string()))
        .zh(fmt::format("{}：无法读取 {}", name, file.string()));
  }
  const auto first = text.find_first_not_of(" \t\r\n");
  auto days = first != std::string::npos && text[first] == '{' ? read_chinese_days_json(file)
                                                               : parse_calendar_csv(text, name);
  if (!days) return days.error();
  if (days->empty()) {
    return Error::invalid_argument(fmt::format("{} lists no days", file.string()))
        .zh(fmt::format("{} 中没有任何日期", file.string()));
  }
  return import_calendar_days(db, *days);
}

Result<CalendarImportReport> import_calendar_days(store::Database& db,
                                                  const std::vector<domain::CalendarDay>& days) {
  auto stored = db.write_value([&](store::Sql& sql) -> Result<CalendarImportReport> {
    auto replaced = store::calendar::replace_years(sql, days);
    if (!replaced) return replaced.error();
    CalendarImportReport report;
    report.days = days.size();
    report.changed = replaced->changed;
    report.first_changed = replaced->first_changed;
    if (replaced->changed > 0) {
      auto version = store::settings::get(sql, kCalendarVersion);
      if (!version) return version.error();
      auto recomputed = store::settings::get(sql, kCalendarRecomputed);
      if (!recomputed) return recomputed.error();
      auto from = store::settings::get(sql, kCalendarChangedFrom);
      if (!from) return from.error();
      std::int64_t number = 0;
      const std::string was = version->value_or("0");
      std::from_chars(was.data(), was.data() + was.size(), number);
      const std::string next = std::to_string(number + 1);
      if (auto r = store::settings::put(sql, kCalendarVersion, next); !r) return r.error();
      // Changes no server has counted yet are counted from the earliest of them.
      std::optional<Date> changed_from = replaced->first_changed;
      const bool pending = version->value_or("0") != recomputed->value_or("0");
      if (pending && *from) {
        auto before = parse_date(**from);
        if (before && (!changed_from || *before < *changed_from)) changed_from = before;
      }
      if (changed_from) {
        if (auto r = store::settings::put(sql, kCalendarChangedFrom, format_date(*changed_from));
            !r) {
          return r.error();
        }
      }
      // No running clock the calendar can move ends after the change (a new deployment, or
      // limits in hours only): nothing to count again.
      std::int64_t affected = 0;
      if (changed_from) {
        auto n = store::cases::count_deadlines_from(sql, domain::china_midnight(*changed_from));
        if (!n) return n.error();
        affected = *n;
      }
      if (affected == 0 && !pending) {
        if (auto r = store::settings::put(sql, kCalendarRecomputed, next); !r) return r.error();
      }
    }
    auto all = store::calendar::load(sql);
    if (!all) return all.error();
    const domain::WorkCalendar whole(std::move(*all));
    if (auto years = whole.covered_years()) {
      report.stored_first_year = years->first;
      report.stored_last_year = years->second;
    }
    report.stored_missing_years = whole.missing_years();
    return report;
  });
  if (!stored) return stored.error();
  domain::WorkCalendar cal(days);
  if (auto years = cal.covered_years()) {
    stored->first_year = years->first;
    stored->last_year = years->second;
  }
  return stored;
}

Result<DemoReport> set_up_demo(store::Database& db, const DemoOptions& options,
                               const ProgressFn& progress) {
  auto marker =
      db.read_value([&](store::Sql& sql) { return store::settings::get(sql, kDemoMarker); });
  if (!marker) return marker.error();
  DemoReport report;
  if (*marker == kDemoVersion) {
    report.already_present = true;
    return report;
  }
  auto divisions = import_divisions(db, options.divisions_dir, {options.province}, progress);
  if (!divisions) return divisions.error();
  report.divisions = *divisions;
  auto calendar = import_calendar(db, options.calendar_file);
  if (!calendar) return calendar.error();
  report.calendar = *calendar;
  auto done = db.write([&](store::Sql& sql) -> Result<void> {
    auto root = store::jurisdictions::find(sql, options.deployment);
    if (!root) return root.error();
    if (!*root) {
      return Error::invalid_argument(
          fmt::format("the deployment root {} is not in the imported tree", options.deployment));
    }
    if (auto r = store::settings::put(sql, kDeploymentRoot, options.deployment); !r) return r;
    if (auto units = store::catalogue::seed_demo_units(sql, options.deployment); !units) {
      return units.error();
    }
    return store::settings::put(sql, kDemoMarker, kDemoVersion);
  });
  if (!done) return done.error();
  return report;
}

Result<std::optional<std::string>> deployment_root_in(store::Sql& sql) {
  return store::settings::get(sql, kDeploymentRoot);
}

Result<std::string> deployment_root(store::Database& db) {
  auto root = db.read_value([&](store::Sql& sql) { return deployment_root_in(sql); });
  if (!root) return root.error();
  if (!*root) return Error::not_found("no deployment has been set up (run: jiceng demo)");
  return **root;
}

}  // namespace jiceng::app
