#include "cli/commands.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include "app/app.h"
#include "app/audit.h"
#include "app/demo_accounts.h"
#include "app/demo_cases.h"
#include "app/imports.h"
#include "app/totp.h"
#include "cli/allocator.h"
#include "domain/deadline.h"
#include "http/api.h"
#include "http/server.h"
#include "http/static_files.h"
#include "store/migrations.h"
#include "text/simplify.h"
#include "text/words.h"

namespace jiceng::cli {

namespace {

constexpr std::chrono::seconds kSchedulerInterval{30};
// How far ahead the daily calendar check looks: the longest usual limit (60 days for a
// petition) and a margin.
constexpr int kCalendarLookaheadDays = 90;
// A burst detector's step that takes longer is logged at info (docs/PERFORMANCE.md).
constexpr std::int64_t kSlowStepMs = 1000;

int fail(const Error& e) {
  fmt::print(stderr, "jiceng: {}\n", e.message);
  if (!e.message_zh.empty()) fmt::print(stderr, "jiceng: {}\n", e.message_zh);
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
  // Cases are indexed for search and signed for repeat detection as they are written: OpenCC's
  // data and friso's lexicon must be there.
  if (auto r = text::Simplifier::ready(); !r) return r.error();
  if (auto r = text::Segmenter::ready(); !r) return r.error();
  store::DatabaseOptions options;
  options.readers = static_cast<std::size_t>(config.db_readers);
  options.writers = static_cast<std::size_t>(config.db_writers);
  options.sqlite_cache_mib = static_cast<std::size_t>(config.db_cache_mib);
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

// The password policy with the configured list of common passwords.
Result<app::PasswordPolicy> password_policy(const Config& config) {
  return app::PasswordPolicy::load(config.password_blocklist);
}

app::AccessOptions access_options(const Config& config) {
  app::AccessOptions o;
  o.session_idle = std::chrono::minutes(config.session_idle_min);
  o.session_absolute = std::chrono::hours(config.session_absolute_h);
  return o;
}

// Opens the store and builds the application on it, as every command that changes data needs.
struct Opened {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<app::App> app;
};
Result<Opened> open_app(const Config& config, const Clock& clock) {
  auto policy = password_policy(config);
  if (!policy) return policy.error();
  auto db = open_and_migrate(config);
  if (!db) return db.error();
  Opened out{std::move(*db), nullptr};
  out.app = std::make_unique<app::App>(*out.db, clock, std::move(*policy), access_options(config));
  return out;
}

// One line from stdin, without echo when stdin is a terminal.
std::string read_password(const std::string& prompt) {
  bool tty = ::isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    fmt::print(stderr, "{}", prompt);
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    fmt::print(stderr, "\n");
  }
  return line;
}

void print_totp(const std::string& username, const std::string& secret) {
  fmt::print("second factor (TOTP) secret for {}: {}\n  {}\n", username, secret,
             app::otpauth_uri("jiceng", username, secret));
}

// Signs the audit chain's head now (see app/audit.h).
void anchor_audit(store::Database& db, const Config& config, const Clock& clock) {
  auto key = app::load_or_create_audit_key(config.audit_key_file);
  if (!key) {
    spdlog::error("audit: signing key {}: {}", config.audit_key_file, key.error().message);
    return;
  }
  auto head = app::anchor_audit_head(db, *key, config.audit_heads_file, clock.now());
  if (!head) spdlog::error("audit: anchoring the head: {}", head.error().message);
}

// What the log and the metrics say of the official calendar's reach (check_calendar_coverage).
struct CalendarCoverage {
  std::atomic<int> covered_until{0};  // CalendarReach::covered_until; 0: none loaded
  std::atomic<std::int64_t> provisional_deadlines{0};  // open clocks ending after it, not in hours
};

// Says in the log, at start and once a day, when open deadlines fall in years the official
// calendar has no days for (they count weekends only: a Spring Festival there is ignored and
// the deadline comes too early), and when the calendar is about to end. Blocks nothing.
void check_calendar_coverage(app::CaseService& cases, const Clock& clock,
                             CalendarCoverage& coverage) {
  const Date today = domain::china_date(clock.now());
  const int this_year = static_cast<int>(std::chrono::year_month_day(today).year());
  const int soon_year = static_cast<int>(
      std::chrono::year_month_day(today + std::chrono::days(kCalendarLookaheadDays)).year());
  auto reach = cases.calendar_reach(this_year);
  if (!reach) {
    spdlog::warn("calendar: {}", reach.error().message);
    return;
  }
  const int first_uncovered = *reach ? (*reach)->covered_until + 1 : 1;
  auto provisional = cases.deadlines_from_year(first_uncovered);
  if (!provisional) {
    spdlog::warn("calendar: {}", provisional.error().message);
    return;
  }
  coverage.covered_until = *reach ? (*reach)->covered_until : 0;
  coverage.provisional_deadlines = *provisional;
  if (!*reach) {
    spdlog::warn(
        "calendar: no official holidays are loaded; every deadline counts weekends only; import "
        "them (jiceng import calendar, docs/CALENDAR.md)");
    return;
  }
  const app::CalendarReach& r = **reach;
  constexpr std::string_view kHowToImport =
      "(jiceng import calendar --source FILE.csv, docs/CALENDAR.md)";
  if (!r.missing_years.empty()) {
    spdlog::warn(
        "calendar covers {}–{} but has no official days for {}: deadlines there count weekends "
        "only; import those years' notices {}",
        r.first_year, r.last_year, fmt::join(r.missing_years, ", "), kHowToImport);
  }
  if (r.covered_until < r.first_year) {
    // The calendar starts after this year (only next year's notice imported): nothing up to now
    // is covered, and a range "FIRST–COVERED_UNTIL" would end before it starts.
    spdlog::warn(
        "calendar has official days for {}–{} only, none for {}: deadlines there count weekends "
        "only ({} open deadline(s) from {} on); import the official days of {} {}",
        r.first_year, r.last_year,
        r.first_year - 1 > this_year ? fmt::format("{}–{}", this_year, r.first_year - 1)
                                     : std::to_string(this_year),
        *provisional, this_year, this_year, kHowToImport);
  } else if (*provisional > 0 || soon_year >= first_uncovered) {
    spdlog::warn(
        "calendar covers {}–{}; deadlines in {} and later count weekends only ({} open "
        "deadline(s) now); import the official days of {} {}",
        r.first_year, r.covered_until, first_uncovered, *provisional,
        std::max(first_uncovered, this_year), kHowToImport);
  } else {
    spdlog::info("calendar covers {}–{}", r.first_year, r.last_year);
  }
}

}  // namespace

int serve(const Config& config) {
  set_up_logging(config);
  auto listen = parse_listen(config.listen);
  if (!listen) return fail(listen.error());
  auto policy = password_policy(config);
  if (!policy) return fail(policy.error());
  auto db = open_and_migrate(config);
  if (!db) return fail(db.error());
  SystemClock clock;
  app::App application(**db, clock, std::move(*policy), access_options(config));
  // The audit key must be usable before the first request is served.
  if (auto key = app::load_or_create_audit_key(config.audit_key_file); !key) {
    return fail(key.error());
  }

  CalendarCoverage coverage;
  http::Metrics metrics;
  store::Database& database = **db;
  // The tracking pages, kept as answered until what they show changes: only where this process
  // sees every write (SQLite; app/track_cache.h).
  if (database.dialect() == store::Dialect::kSqlite && config.track_cache_mib > 0) {
    auto pages = std::make_shared<app::TrackCache>(
        static_cast<std::size_t>(config.track_cache_mib) * 1024 * 1024);
    if (auto r = application.cases.use_track_cache(pages); !r) return fail(r.error());
    metrics.add_collector([pages](std::string& out) {
      auto s = pages->stats();
      out += fmt::format(
          "# HELP jiceng_track_pages_served_total Tracking pages answered from the kept pages "
          "(hit) or read from the store (miss; stale: a kept page was found out of date).\n"
          "# TYPE jiceng_track_pages_served_total counter\n"
          "jiceng_track_pages_served_total{{from=\"hit\"}} {}\n"
          "jiceng_track_pages_served_total{{from=\"miss\"}} {}\n"
          "jiceng_track_pages_served_total{{from=\"stale\"}} {}\n"
          "# HELP jiceng_track_pages_kept Tracking pages kept.\n"
          "# TYPE jiceng_track_pages_kept gauge\njiceng_track_pages_kept {}\n"
          "# HELP jiceng_track_pages_kept_bytes Bytes of the tracking pages kept.\n"
          "# TYPE jiceng_track_pages_kept_bytes gauge\njiceng_track_pages_kept_bytes {}\n",
          s.hits, s.misses, s.stale, s.pages, s.bytes);
    });
  }
  metrics.add_collector([&coverage](std::string& out) {
    out += fmt::format(
        "# HELP jiceng_calendar_covered_until_year The last year through which deadlines count "
        "on official holidays, from this year on without a gap (0: none loaded); later "
        "deadlines count weekends only.\n"
        "# TYPE jiceng_calendar_covered_until_year gauge\n"
        "jiceng_calendar_covered_until_year {}\n"
        "# HELP jiceng_deadlines_provisional Open deadlines after "
        "jiceng_calendar_covered_until_year (limits in hours left out).\n"
        "# TYPE jiceng_deadlines_provisional gauge\njiceng_deadlines_provisional {}\n",
        coverage.covered_until.load(), coverage.provisional_deadlines.load());
  });
  metrics.add_collector([&database](std::string& out) {
    auto s = database.stats();
    out += fmt::format(
        "# HELP jiceng_store_commits_total Database transactions committed by writers.\n"
        "# TYPE jiceng_store_commits_total counter\njiceng_store_commits_total {}\n"
        "# HELP jiceng_store_writes_total Write transactions committed (several share a commit).\n"
        "# TYPE jiceng_store_writes_total counter\njiceng_store_writes_total {}\n"
        "# HELP jiceng_store_writes_refused_total Writes refused because too many were waiting.\n"
        "# TYPE jiceng_store_writes_refused_total counter\njiceng_store_writes_refused_total {}\n"
        "# HELP jiceng_store_writes_waiting Writes queued for a writer.\n"
        "# TYPE jiceng_store_writes_waiting gauge\njiceng_store_writes_waiting {}\n"
        "# HELP jiceng_store_writes_may_wait How many writes may be queued now; more are refused.\n"
        "# TYPE jiceng_store_writes_may_wait gauge\njiceng_store_writes_may_wait {}\n"
        "# HELP jiceng_store_write_rate Writes the writers served per second of busy time lately.\n"
        "# TYPE jiceng_store_write_rate gauge\njiceng_store_write_rate {:.1f}\n"
        "# HELP jiceng_store_damaged 1 once damaged data was found: every write is refused.\n"
        "# TYPE jiceng_store_damaged gauge\njiceng_store_damaged {}\n",
        s.commits, s.writes, s.refused, s.waiting, s.may_wait, s.writes_per_second,
        s.damaged ? 1 : 0);
  });
  http::Router router = http::make_router(
      application, metrics,
      {.secure_cookies = config.secure_cookies,
       .audit_heads_file = config.audit_heads_file,
       .audit_public_key_file = app::audit_public_key_path(config.audit_key_file).string(),
       .open311 = {.window = std::chrono::seconds(config.open311_window_s),
                   .posts_per_key = config.open311_posts_per_key,
                   .gets_per_address = config.open311_gets_per_address},
       .public_limits = {.window = std::chrono::seconds(config.public_window_s),
                         .submissions_per_address = config.submissions_per_address,
                         .signups_per_address = config.signups_per_address}});
  if (auto ui = http::serve_web_ui(router, config.web_root); !ui) {
    spdlog::warn("{}; serving the API only", ui.error().message);
  }
  http::ServerOptions options;
  options.address = listen->host;
  options.port = listen->port;
  options.io_threads = config.io_threads;
  options.worker_threads = config.worker_threads;
  options.max_queued_handlers = static_cast<std::size_t>(config.queue_limit);
  options.max_in_flight = static_cast<std::size_t>(config.max_in_flight);
  options.max_loop_lag = std::chrono::milliseconds(config.max_loop_lag_ms);
  options.short_read_budget = std::chrono::milliseconds(config.short_read_budget_ms);
  // SQLite reads are in the process and short; a PostgreSQL read waits for a round trip.
  options.short_reads_inline = database.dialect() == store::Dialect::kSqlite;
  options.body_limit = static_cast<std::size_t>(config.body_limit);
  options.header_timeout = std::chrono::seconds(config.header_timeout_s);
  options.idle_timeout = std::chrono::seconds(config.idle_timeout_s);
  options.shutdown_grace = std::chrono::seconds(config.shutdown_grace_s);
  options.hsts = config.secure_cookies;
  if (auto proxies = http::TrustedProxies::parse(config.trusted_proxies); proxies) {
    options.trusted_proxies = std::move(*proxies);
  } else {
    return fail(proxies.error());
  }
  http::Server server(options, router, metrics);
  if (auto r = server.listen(); !r) return fail(r.error());
  server.handle_signals();
  spdlog::info("memory allocator: {}", allocator_in_use());
  spdlog::info("jiceng serving {} on http://{}:{}", database.description(), listen->host,
               server.port());
  // The deadline scheduler: warnings and breaches of the cases' clocks. Its timers live in the
  // database, so a restart loses none; it only has to look often enough.
  // It also signs the audit log's head every audit.anchor_interval_s (A3), and runs the burst
  // detector's step.
  // It also picks up a calendar imported meanwhile (the deadlines it moves are counted again
  // first), and says once a day how far the calendar reaches.
  std::jthread scheduler([&application, &config, &clock, &coverage](std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any wake;
    auto next_anchor = std::chrono::steady_clock::now();
    std::optional<Date> coverage_checked;
    while (!stop.stop_requested()) {
      if (std::chrono::steady_clock::now() >= next_anchor) {
        anchor_audit(application.db, config, clock);
        next_anchor += std::chrono::seconds(config.audit_anchor_interval_s);
      }
      auto refreshed = application.cases.refresh_calendar();
      if (!refreshed) {
        spdlog::warn("calendar: {}", refreshed.error().message);
      } else if (refreshed->reloaded || refreshed->cases > 0) {
        spdlog::info("calendar: a new official calendar was loaded; {} deadline(s) moved",
                     refreshed->cases);
      }
      if (const Date today = domain::china_date(clock.now());
          coverage_checked != today || (refreshed && refreshed->reloaded)) {
        check_calendar_coverage(application.cases, clock, coverage);
        coverage_checked = today;
      }
      // One step drains every timer that is due (a backlog too), up to its cap per step.
      auto timers = application.cases.run_due_timers();
      if (!timers) {
        spdlog::warn("deadline scheduler: {}", timers.error().message);
      } else if (timers->capped) {
        spdlog::warn(
            "deadline scheduler: {} case(s), {} warning/breach event(s); more are due, the next "
            "step follows at once",
            timers->cases, timers->events);
      } else if (timers->cases > 0) {
        spdlog::info("deadline scheduler: {} case(s), {} warning/breach event(s)", timers->cases,
                     timers->events);
      }
      // The burst detector (docs/SIGNALS.md): its state is the counts and the warnings in the
      // store, so it too loses nothing on a restart. Its duration is logged (at info from a
      // second on) so that operators see a step that falls behind its interval.
      const auto step_start = std::chrono::steady_clock::now();
      auto bursts = application.signals.detect();
      const auto step_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - step_start)
                               .count();
      if (!bursts) {
        spdlog::warn("burst detector: {} (after {} ms)", bursts.error().message, step_ms);
      } else {
        spdlog::log(step_ms > kSlowStepMs || bursts->raised > 0 || bursts->updated > 0
                        ? spdlog::level::info
                        : spdlog::level::debug,
                    "burst detector: {} cell(s) tested, {} new warning(s), {} updated in {} ms",
                    bursts->cells, bursts->raised, bursts->updated, step_ms);
      }
      // A backlog beyond one step's cap goes on at once.
      if (timers && timers->capped) continue;
      std::unique_lock lock(mu);
      wake.wait_for(lock, stop, kSchedulerInterval, [] { return false; });
    }
  });
  server.run();
  scheduler.request_stop();
  scheduler.join();
  anchor_audit(database, config, clock);
  spdlog::info("jiceng stopped");
  return 0;
}

int migrate(const Config& config) {
  set_up_logging(config);
  if (auto r = text::Simplifier::ready(); !r) return fail(r.error());
  if (auto r = text::Segmenter::ready(); !r) return fail(r.error());
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
  fmt::print("calendar {}–{}: {} official days, {} changed; the stored calendar covers {}–{}\n",
             report->first_year, report->last_year, report->days, report->changed,
             report->stored_first_year, report->stored_last_year);
  if (!report->stored_missing_years.empty()) {
    fmt::print(
        "the stored calendar has no official days for {}: deadlines there count weekends "
        "only; import those years' notices too\n",
        fmt::join(report->stored_missing_years, ", "));
  }
  if (report->first_changed) {
    // A running server counts the affected deadlines again at its next scheduler step.
    fmt::print(
        "rest days changed from {}: running servers compute the open deadlines after it "
        "again within a minute\n",
        format_date(*report->first_changed));
  }
  return 0;
}

namespace {

// Creates the demo accounts once, prints them and keeps a copy in var/demo-accounts.txt
// (mode 0600) for the operator.
int demo_accounts(const Config& config, store::Database& db) {
  auto policy = password_policy(config);
  if (!policy) return fail(policy.error());
  SystemClock clock;
  app::App application(db, clock, std::move(*policy), access_options(config));
  auto accounts = app::create_demo_accounts(application);
  if (!accounts) return fail(accounts.error());
  if (accounts->empty()) {
    fmt::print("demo accounts: see var/demo-accounts.txt (created on first start)\n");
    return 0;
  }
  std::string text = "jiceng demo accounts (shown once; passwords are random)\n";
  for (const auto& a : *accounts) {
    text += fmt::format("  {:<16} {:<19} password {}{}{}\n", a.username, a.role, a.password,
                        a.scope.empty() ? "" : "  scope " + a.scope,
                        a.unit.empty() ? "" : "  unit " + a.unit);
    if (!a.totp_secret.empty()) {
      text += fmt::format("  {:<16} second factor (TOTP) secret {}\n  {}\n", "", a.totp_secret,
                          app::otpauth_uri("jiceng", a.username, a.totp_secret));
    }
  }
  fmt::print("{}", text);
  ::umask(077);
  std::ofstream out("var/demo-accounts.txt", std::ios::trunc);
  out << text;
  return 0;
}

// The incidents' ground truth as JSON: village, category, start, end (UTC), people, cases.
std::string truth_json(const std::vector<app::DemoIncident>& incidents) {
  boost::json::array out;
  for (const auto& i : incidents) {
    boost::json::array cases;
    for (const auto& number : i.cases) cases.emplace_back(number);
    out.push_back(boost::json::object{{"village", i.village},
                                      {"place_name", i.place_name},
                                      {"category", i.category},
                                      {"start", format_instant_utc(i.start)},
                                      {"end", format_instant_utc(i.end)},
                                      {"people", i.people},
                                      {"cases", std::move(cases)}});
  }
  return boost::json::serialize(boost::json::object{{"incidents", std::move(out)}});
}

// Tops the store up to `target` cases with demo cases and says what it did.
int demo_cases(store::Database& db, std::int64_t target, std::uint64_t seed,
               const DemoIncidents& incidents) {
  SystemClock clock;
  const auto start = std::chrono::steady_clock::now();
  auto report =
      app::top_up_demo_cases(db, clock, target, seed, terminal_progress(), incidents.count);
  end_progress_line();
  if (!report) return fail(report.error());
  if (!incidents.truth_file.empty()) {
    std::ofstream truth(incidents.truth_file, std::ios::trunc);
    truth << truth_json(report->incidents) << "\n";
    if (!truth) return fail(Error::internal("cannot write " + incidents.truth_file));
    fmt::print("demo cases: {} incident(s) written to {}\n", report->incidents.size(),
               incidents.truth_file);
  }
  if (report->cases == 0) {
    fmt::print("demo cases: the store already holds {} cases (asked for {})\n", report->before,
               target);
    return 0;
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::int64_t open = report->cases - report->by_state[domain::CaseState::kClosed] -
                      report->by_state[domain::CaseState::kDeclined];
  fmt::print(
      "demo cases: added {} cases ({} events; {} still open, {} overdue) in {:.1f} s; "
      "the store now holds {}\n",
      report->cases, report->events, open, report->breached, seconds,
      report->before + report->cases);
  return 0;
}

}  // namespace

int demo(const Config& config, std::int64_t cases, std::uint64_t seed,
         const DemoIncidents& incidents) {
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
  if (int rc = demo_accounts(config, **db); rc != 0) return rc;
  return cases > 0 ? demo_cases(**db, cases, seed, incidents) : 0;
}

int user_create(const Config& config, const NewUser& user) {
  set_up_logging(config);
  auto role = domain::role_from_string(user.role);
  if (!role) return fail(role.error());
  SystemClock clock;
  auto opened = open_app(config, clock);
  if (!opened) return fail(opened.error());
  std::string password = read_password("password for " + user.username + ": ");
  auto created = opened->app->access.create_account({.username = user.username,
                                                     .password = password,
                                                     .role = *role,
                                                     .scope_code = user.scope,
                                                     .unit_id = user.unit_id,
                                                     .display_name = user.display_name},
                                                    std::nullopt, {.remote = "cli"});
  if (!created) return fail(created.error());
  fmt::print("created {} ({}, scope {})\n", created->account.username, user.role, user.scope);
  if (!created->totp_secret.empty()) print_totp(created->account.username, created->totp_secret);
  return 0;
}

int user_disable(const Config& config, const std::string& username) {
  set_up_logging(config);
  SystemClock clock;
  auto opened = open_app(config, clock);
  if (!opened) return fail(opened.error());
  if (auto r = opened->app->access.disable_account(username, std::nullopt, {.remote = "cli"}); !r) {
    return fail(r.error());
  }
  fmt::print("disabled {}; its sessions ended\n", username);
  return 0;
}

int user_totp(const Config& config, const std::string& username) {
  set_up_logging(config);
  SystemClock clock;
  auto opened = open_app(config, clock);
  if (!opened) return fail(opened.error());
  auto secret = opened->app->access.reset_totp(username, {.remote = "cli"});
  if (!secret) return fail(secret.error());
  print_totp(username, *secret);
  return 0;
}

int apikey_create(const Config& config, const std::string& name) {
  set_up_logging(config);
  SystemClock clock;
  auto opened = open_app(config, clock);
  if (!opened) return fail(opened.error());
  auto key = opened->app->access.create_api_key(name, {.remote = "cli"});
  if (!key) return fail(key.error());
  fmt::print(
      "API key {} for {} (shown once; Open311 apps send it as the api_key field of POST "
      "/open311/v2/requests, and on /api/v1 as Authorization: Bearer …):\n{}\n",
      key->id, key->name, key->key);
  return 0;
}

int apikey_revoke(const Config& config, std::int64_t id) {
  set_up_logging(config);
  SystemClock clock;
  auto opened = open_app(config, clock);
  if (!opened) return fail(opened.error());
  if (auto r = opened->app->access.revoke_api_key(id, {.remote = "cli"}); !r) {
    return fail(r.error());
  }
  fmt::print("revoked API key {}\n", id);
  return 0;
}

}  // namespace jiceng::cli
