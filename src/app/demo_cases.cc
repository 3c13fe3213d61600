#include "app/demo_cases.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

#include "app/audit_trail.h"
#include "app/demo_case_generator.h"
#include "domain/access.h"
#include "store/calendar_repo.h"
#include "store/catalogue_repo.h"
#include "store/repeat_repo.h"
#include "store/search_repo.h"
#include "store/signal_repo.h"
#include "store/stats_repo.h"

namespace jiceng::app {

namespace {

// Cases per bulk insert: one batch is written while the next is made on another thread. Small
// runs still take about ten, so that progress moves and the batches' memory is reused.
std::int64_t batch_size(std::int64_t n) { return std::clamp<std::int64_t>(n / 10, 256, 25000); }

// Where the demo counties' cases are on a map (their seats, WGS-84); villages scatter around.
struct Seat {
  std::string_view county;
  double lat;
  double lon;
};
constexpr Seat kSeats[] = {
    {"360602", 28.2390, 117.0370},  // 月湖区
    {"360603", 28.2050, 116.8180},  // 余江区
    {"360681", 28.2930, 117.2450},  // 贵溪市
};

// FNV-1a: a spot for a village that is the same on every run and platform.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::optional<domain::GeoPoint> centre_of(std::string_view code) {
  for (const Seat& s : kSeats) {
    if (!code.starts_with(s.county)) continue;
    if (code.size() == s.county.size()) return domain::GeoPoint{s.lat, s.lon};
    std::uint64_t h = fnv1a(code);
    double a = static_cast<double>(h & 0xffff) / 65535.0 - 0.5;
    double b = static_cast<double>((h >> 16) & 0xffff) / 65535.0 - 0.5;
    return domain::GeoPoint{s.lat + 0.24 * a, s.lon + 0.30 * b};
  }
  return std::nullopt;
}

// How residents name a village: "余家村民委员会" → "余家村", "公园社区居民委员会" → "公园社区",
// "龙凤居委会" → "龙凤社区"; other names as they are.
std::string short_village_name(std::string_view name) {
  auto strip = [&](std::string_view suffix) -> std::optional<std::string> {
    if (!name.ends_with(suffix) || name.size() == suffix.size()) return std::nullopt;
    return std::string(name.substr(0, name.size() - suffix.size()));
  };
  if (auto base = strip("村民委员会")) return *base + "村";
  if (auto base = strip("村委会")) return *base + "村";
  for (std::string_view suffix : {"居民委员会", "居委会"}) {
    if (auto base = strip(suffix)) return base->ends_with("社区") ? *base : *base + "社区";
  }
  if (auto base = strip("委员会")) return *base;
  return std::string(name);
}

// The page cache of a fill's step, in KiB: an eighth of the machine's memory, from 512 MiB to
// 4 GiB. A step inserts at random places of the random indexes (band keys, counts, places)
// of every case stored before it; once those outgrow the cache, each step spilled and
// re-read most of them (the second million into a 3.6 GB store: over 15 minutes with 512 MiB,
// against 3 for the first).
std::int64_t fill_cache_kib() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  const std::int64_t memory_kib =
      pages > 0 && page_size > 0
          ? static_cast<std::int64_t>(pages) * static_cast<std::int64_t>(page_size) / 1024
          : 0;
  return std::clamp<std::int64_t>(memory_kib / 8, 512 * 1024, 4 * 1024 * 1024);
}

// The last case number of each of the deployment's counties per year, locked (PostgreSQL) until
// the transaction commits, so that a registration meanwhile waits and then continues after the
// fill's numbers.
Result<std::map<std::pair<std::string, int>, std::int64_t>> lock_counters(store::Sql& sql,
                                                                          const std::string& root) {
  auto [county_first, county_last] = domain::scope_range(root);
  if (auto r = sql.exec("UPDATE case_counter SET last_seq = last_seq WHERE county_code >= $1 AND "
                        "county_code < $2",
                        {county_first, county_last});
      !r) {
    return r.error();
  }
  auto rows = sql.query(
      "SELECT county_code, year, last_seq FROM case_counter "
      "WHERE county_code >= $1 AND county_code < $2",
      {county_first, county_last});
  if (!rows) return rows.error();
  std::map<std::pair<std::string, int>, std::int64_t> counters;
  for (const auto& r : *rows) counters[{r.text(0), static_cast<int>(r.int64(1))}] = r.int64(2);
  return counters;
}

// Everything the generator needs, read in the batch's own transaction.
Result<DemoWorld> load_world(store::Sql& sql, const std::string& root, Instant now) {
  DemoWorld world;
  world.now = now;
  auto [first, last] = domain::scope_range(root);
  auto rows = sql.query(
      "SELECT code, name, level FROM jurisdiction WHERE code >= $1 AND code < $2 AND level >= 3 "
      "ORDER BY code",
      {first, last});
  if (!rows) return rows.error();
  std::unordered_map<std::string, std::string> names;
  for (const auto& r : *rows) names[r.text(0)] = r.text(1);
  for (const auto& r : *rows) {
    DemoPlace p;
    p.code = r.text(0);
    auto level = domain::level_from_int(static_cast<int>(r.int64(2)));
    if (!level) return Error::internal("jurisdiction " + p.code + " has a bad level");
    p.level = *level;
    p.county = names[p.code.substr(0, 6)];
    p.township = p.level == domain::Level::kCounty ? p.county : names[p.code.substr(0, 9)];
    p.short_name = p.level == domain::Level::kVillage ? short_village_name(r.text(1)) : r.text(1);
    p.community = p.short_name.ends_with("社区") || p.short_name.ends_with("生活区");
    auto chain = store::catalogue::units_on_chain(sql, p.code);
    if (!chain) return chain.error();
    p.chain = std::move(*chain);
    p.centre = centre_of(p.code);
    world.places.push_back(std::move(p));
  }
  if (std::none_of(world.places.begin(), world.places.end(),
                   [](const DemoPlace& p) { return p.level == domain::Level::kVillage; })) {
    return Error::failed_precondition("the deployment " + root + " has no villages");
  }

  auto categories = store::catalogue::categories(sql);
  if (!categories) return categories.error();
  world.categories = std::move(*categories);
  for (const auto& c : world.categories) {
    bool parent = std::any_of(world.categories.begin(), world.categories.end(),
                              [&](const domain::Category& x) { return x.parent_code == c.code; });
    if (c.active && !parent) world.leaves.push_back(c);
  }
  if (world.leaves.empty()) return Error::failed_precondition("no category is in use");
  auto rules = store::catalogue::routing_rules(sql);
  if (!rules) return rules.error();
  world.routing_rules = std::move(*rules);
  auto days = store::calendar::load(sql);
  if (!days) return days.error();
  world.calendar = domain::WorkCalendar(std::move(*days));

  auto counters = lock_counters(sql, root);
  if (!counters) return counters.error();
  world.counters = std::move(*counters);
  return world;
}

Result<void> save_counters(store::Sql& sql,
                           const std::map<std::pair<std::string, int>, std::int64_t>& counters) {
  for (const auto& [key, last_seq] : counters) {
    auto r = sql.exec(
        "INSERT INTO case_counter (county_code, year, last_seq) VALUES ($1, $2, $3) "
        "ON CONFLICT (county_code, year) DO UPDATE SET last_seq = excluded.last_seq",
        {key.first, std::int64_t{key.second}, last_seq});
    if (!r) return r.error();
  }
  return {};
}

// Adds `exact` cases, or (without it) as many as bring the store to `target`, in transactions of
// `step` cases (whole batches). One generator makes them all, so the cases are the same whatever
// the step; between steps the batch after is already being made.
Result<DemoCasesReport> add_cases(store::Database& db, const Clock& clock,
                                  std::optional<std::int64_t> exact, std::int64_t target,
                                  std::uint64_t seed, int incidents, const ProgressFn& progress,
                                  std::int64_t step) {
  if (step <= 0) return Error::invalid_argument("the demo fill's step must be positive");
  auto root = deployment_root(db);
  if (!root) {
    if (root.error().code == ErrorCode::kNotFound) {
      return Error::failed_precondition(root.error().message);
    }
    return root.error();
  }
  const Instant now = clock.now();
  DemoCasesReport report;
  std::optional<DemoWorld> world;
  std::unique_ptr<DemoCaseGenerator> generator;
  std::future<DemoBatch> next;
  DemoBatch written;
  std::size_t total = 0;
  // One step: true while cases remain to be made.
  auto fill_step = [&](store::Sql& sql) -> Result<bool> {
    if (!generator) {
      auto count = sql.query_one("SELECT COUNT(*) FROM cases", {});
      if (!count) return count.error();
      report.before = count->int64(0);
      const std::int64_t n = exact ? *exact : std::max<std::int64_t>(0, target - report.before);
      if (n <= 0) return false;
      auto loaded = load_world(sql, *root, now);
      if (!loaded) return loaded.error();
      world = std::move(*loaded);
      // A second batch on the same store must not repeat the first's tracking codes.
      std::uint64_t mixed = seed;
      for (const auto& [key, last_seq] : world->counters) {
        mixed = mixed * 0x100000001b3ULL ^ static_cast<std::uint64_t>(last_seq);
      }
      generator = std::make_unique<DemoCaseGenerator>(*world, n, mixed, incidents);
      total = static_cast<std::size_t>(n);
      if (progress) progress({"cases", 0, total});
    } else {
      // Between steps another process may have registered a case and taken a number the
      // generator is about to use: stop rather than clash (what is written stays; run again).
      auto counters = lock_counters(sql, *root);
      if (!counters) return counters.error();
      if (*counters != written.counters) {
        return Error::conflict(
            "another process registered cases during the demo fill; run the command again to "
            "top up");
      }
    }
    // The next batch is made on another thread while this one writes, in the memory of the
    // batch written before: the writer does nothing but insert, and the batches' memory is
    // allocated once.
    auto make = [&generator,
                 size = batch_size(static_cast<std::int64_t>(total))](DemoBatch recycled) {
      generator->next(size, recycled);
      return recycled;
    };
    if (!next.valid()) next = std::async(std::launch::async, make, DemoBatch{});
    // SQLite: a step is one transaction that writes every table and index of up to a million
    // cases; with the writer's usual page cache (32 MB) most pages are spilled and read back
    // many times. A larger cache for the step's duration only (fill_cache_kib).
    std::optional<std::int64_t> cache_pages;
    if (sql.dialect() == store::Dialect::kSqlite) {
      auto pages = sql.query_one("PRAGMA cache_size", {});
      if (!pages) return pages.error();
      cache_pages = pages->int64(0);
      if (auto r = sql.exec(fmt::format("PRAGMA cache_size = -{}", fill_cache_kib())); !r) {
        return r.error();
      }
    }
    std::int64_t in_step = 0;
    bool more = true;
    while (more && in_step < step) {
      DemoBatch batch = next.get();
      more = !generator->done();
      if (more) next = std::async(std::launch::async, make, std::move(written));
      if (auto r = sql.bulk_insert("cases", kDemoCaseColumns, batch.cases); !r) return r.error();
      if (auto r = sql.bulk_insert("case_event", kDemoEventColumns, batch.events); !r) {
        return r.error();
      }
      if (auto r = store::search::index_rows(sql, batch.search); !r) return r.error();
      if (auto r = store::repeats::record_rows(sql, batch.signatures, batch.bands); !r) {
        return r.error();
      }
      if (auto r = store::stats::add(sql, batch.stats); !r) return r.error();
      if (auto r = store::signals::add(sql, std::move(batch.signals)); !r) return r.error();
      if (auto r = sql.bulk_insert("case_escalation", kDemoEscalationColumns, batch.escalations);
          !r) {
        return r.error();
      }
      const auto cases = static_cast<std::int64_t>(batch.cases.size());
      in_step += cases;
      report.cases += cases;
      report.events += static_cast<std::int64_t>(batch.events.size());
      report.breached += batch.breached;
      for (const auto& [state, k] : batch.by_state) report.by_state[state] += k;
      if (progress) progress({"cases", static_cast<std::size_t>(report.cases), total});
      written = std::move(batch);
    }
    if (cache_pages) {
      if (auto r = sql.exec(fmt::format("PRAGMA cache_size = {}", *cache_pages)); !r) {
        return r.error();
      }
    }
    // The numbers of the cases written, not the generator's: it is numbering the next batch.
    if (auto r = save_counters(sql, written.counters); !r) return r.error();
    if (auto r = record_audit(
            sql, now, {"system", ""},
            {.action = "demo.cases", .object_type = "", .object_id = std::to_string(in_step)}, {});
        !r) {
      return r.error();
    }
    return more;
  };
  for (;;) {
    auto more = db.write_value(fill_step);
    if (!more) return more.error();
    if (!*more) break;
  }
  if (generator) report.incidents = generator->incidents();
  return report;
}

}  // namespace

Result<DemoCasesReport> add_demo_cases(store::Database& db, const Clock& clock, std::int64_t n,
                                       std::uint64_t seed, const ProgressFn& progress,
                                       int incidents, std::int64_t step) {
  if (n < 0) return Error::invalid_argument("the number of demo cases cannot be negative");
  return add_cases(db, clock, n, 0, seed, incidents, progress, step);
}

Result<DemoCasesReport> top_up_demo_cases(store::Database& db, const Clock& clock,
                                          std::int64_t target, std::uint64_t seed,
                                          const ProgressFn& progress, int incidents,
                                          std::int64_t step) {
  return add_cases(db, clock, std::nullopt, target, seed, incidents, progress, step);
}

}  // namespace jiceng::app
