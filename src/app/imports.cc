#include "app/imports.h"

#include <fmt/format.h>

#include "app/calendar_json.h"
#include "store/calendar_repo.h"
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
  auto days = read_chinese_days_json(file);
  if (!days) return days.error();
  if (days->empty()) return Error::invalid_argument(fmt::format("{} lists no days", file.string()));
  auto changed =
      db.write_value([&](store::Sql& sql) { return store::calendar::replace_all(sql, *days); });
  if (!changed) return changed.error();
  domain::WorkCalendar cal(*days);
  auto years = cal.covered_years();
  return CalendarImportReport{days->size(), *changed, years ? years->first : 0,
                              years ? years->second : 0};
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
