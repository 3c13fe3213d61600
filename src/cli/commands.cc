#include "cli/commands.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stop_token>
#include <thread>

#include "app/app.h"
#include "app/imports.h"
#include "http/api.h"
#include "http/server.h"
#include "store/migrations.h"

namespace jiceng::cli {

namespace {

constexpr std::chrono::seconds kSchedulerInterval{30};

int fail(const Error& e) {
  fmt::print(stderr, "jiceng: {}\n", e.message);
  return 1;
}

void set_up_logging(const Config& config) {
  // Operational logs go to stderr; the access log (http/) goes to stdout.
  auto logger = spdlog::stderr_logger_mt("jiceng");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(config.log_level));
}

// Opens the store and brings its schema up to date.
Result<std::unique_ptr<store::Database>> open_and_migrate(const Config& config) {
  store::DatabaseOptions options;
  options.readers = static_cast<std::size_t>(config.db_readers);
  options.writers = static_cast<std::size_t>(config.db_writers);
  auto db = store::open_database(config.db, options);
  if (!db) return db.error();
  auto applied = store::migrate(**db);
  if (!applied) return applied.error();
  return db;
}

// Progress on a terminal: one line rewritten in place; nothing when stderr is not a terminal.
app::ProgressFn terminal_progress() {
  if (!::isatty(STDERR_FILENO)) return {};
  return [](const app::ImportProgress& p) {
    if (p.total > 0) {
      fmt::print(stderr, "\r{}: {}/{} ({}%)   ", p.phase, p.done, p.total, p.done * 100 / p.total);
    } else {
      fmt::print(stderr, "\r{}: {} rows   ", p.phase, p.done);
    }
    std::fflush(stderr);
  };
}
void end_progress_line() {
  if (::isatty(STDERR_FILENO)) fmt::print(stderr, "\n");
}

}  // namespace

int serve(const Config& config) {
  set_up_logging(config);
  auto listen = parse_listen(config.listen);
  if (!listen) return fail(listen.error());
  auto db = open_and_migrate(config);
  if (!db) return fail(db.error());
  SystemClock clock;
  app::App application(**db, clock);

  http::Metrics metrics;
  store::Database& database = **db;
  metrics.add_collector([&database](std::string& out) {
    auto s = database.stats();
    out += fmt::format(
        "# HELP jiceng_store_commits_total Database transactions committed by writers.\n"
        "# TYPE jiceng_store_commits_total counter\njiceng_store_commits_total {}\n"
        "# HELP jiceng_store_writes_total Write transactions committed (several share a commit).\n"
        "# TYPE jiceng_store_writes_total counter\njiceng_store_writes_total {}\n",
        s.commits, s.writes);
  });
  http::Router router = http::make_router(application, metrics);
  http::ServerOptions options;
  options.address = listen->host;
  options.port = listen->port;
  options.io_threads = config.io_threads;
  options.worker_threads = config.worker_threads;
  options.body_limit = static_cast<std::size_t>(config.body_limit);
  options.header_timeout = std::chrono::seconds(config.header_timeout_s);
  options.idle_timeout = std::chrono::seconds(config.idle_timeout_s);
  options.shutdown_grace = std::chrono::seconds(config.shutdown_grace_s);
  http::Server server(options, router, metrics);
  if (auto r = server.listen(); !r) return fail(r.error());
  server.handle_signals();
  spdlog::info("jiceng serving {} on http://{}:{}", database.description(), listen->host,
               server.port());
  // The deadline scheduler: warnings and breaches of the cases' clocks. Its timers live in the
  // database, so a restart loses none; it only has to look often enough.
  std::jthread scheduler([&application](std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      auto events = application.cases.run_due_timers();
      if (!events) {
        spdlog::warn("deadline scheduler: {}", events.error().message);
      } else if (*events > 0) {
        spdlog::info("deadline scheduler: {} warning/breach event(s)", *events);
      }
      std::unique_lock lock(mu);
      wake.wait_for(lock, stop, kSchedulerInterval, [] { return false; });
    }
  });
  server.run();
  scheduler.request_stop();
  scheduler.join();
  spdlog::info("jiceng stopped");
  return 0;
}

int migrate(const Config& config) {
  set_up_logging(config);
  auto db = store::open_database(config.db);
  if (!db) return fail(db.error());
  auto applied = store::migrate(**db);
  if (!applied) return fail(applied.error());
  auto version = store::schema_version(**db);
  if (!version) return fail(version.error());
  fmt::print("applied {} migration(s); schema version {}\n", *applied, *version);
  return 0;
}

int import_divisions(const Config& config, const std::string& province, bool all) {
  set_up_logging(config);
  if (!all && (province.size() != 2 || !std::isdigit(static_cast<unsigned char>(province[0])) ||
               !std::isdigit(static_cast<unsigned char>(province[1])))) {
    return fail(Error::invalid_argument(
        fmt::format("--province takes a two-digit code such as 36, not '{}'", province)));
  }
  auto db = open_and_migrate(config);
  if (!db) return fail(db.error());
  auto start = std::chrono::steady_clock::now();
  auto report = app::import_divisions(
      **db, config.divisions_dir, app::DivisionFilter{all ? "" : province}, terminal_progress());
  end_progress_line();
  if (!report) return fail(report.error());
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("imported {} divisions ({} new, {} renamed) in {:.1f} s\n", report->read,
             report->inserted, report->updated, seconds);
  return 0;
}

int import_calendar(const Config& config) {
  set_up_logging(config);
  auto db = open_and_migrate(config);
  if (!db) return fail(db.error());
  auto report = app::import_calendar(**db, config.calendar_file);
  if (!report) return fail(report.error());
  fmt::print("calendar {}–{}: {} official days, {} changed\n", report->first_year,
             report->last_year, report->days, report->changed);
  return 0;
}

int demo(const Config& config) {
  set_up_logging(config);
  auto db = open_and_migrate(config);
  if (!db) return fail(db.error());
  app::DemoOptions options{.divisions_dir = config.divisions_dir,
                           .calendar_file = config.calendar_file};
  auto report = app::set_up_demo(**db, options, terminal_progress());
  end_progress_line();
  if (!report) return fail(report.error());
  if (report->already_present) {
    fmt::print("demo deployment already set up (鹰潭市 3606)\n");
  } else {
    fmt::print("demo deployment set up: {} divisions of 江西省, calendar {}–{}, root 鹰潭市 3606\n",
               report->divisions.read, report->calendar.first_year, report->calendar.last_year);
  }
  return 0;
}

}  // namespace jiceng::cli
