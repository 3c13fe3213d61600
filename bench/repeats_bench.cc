// Repeat candidates per new case (issue 6: p99 < 5 ms with 1,000,000 recent cases), measured
// in-process on a demo database, without HTTP and without the audit write: for `samples` cases
// drawn at random from the store, app::find_repeats as staff registration calls it (an operator
// of the whole province, the case's county), each in its own read transaction. The window is
// 800 days instead of 90, so that every case of a two-year demo fill counts as recent: with
// `jiceng demo --cases 1000000` that is the 1,000,000 recent cases. Prints p50/p95/p99/max in microseconds and the mean number
// of candidates. Usage: jiceng_repeats_bench DB_URL [samples]; bench/run runs it.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "app/repeats.h"
#include "store/database.h"
#include "store/repeat_repo.h"

int main(int argc, char** argv) {
  using namespace jiceng;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DB_URL [samples]\n", argv[0]);
    return 2;
  }
  const int samples = argc > 2 ? std::stoi(argv[2]) : 2000;
  auto db = store::open_database(argv[1], {});
  if (!db) {
    std::fprintf(stderr, "%s\n", db.error().message.c_str());
    return 1;
  }
  const app::RepeatRules rules{.window_days = 800};
  auto rows = (*db)->read_value([&](store::Sql& sql) {
    return sql.query(fmt::format("SELECT {} FROM cases ORDER BY random() LIMIT $1",
                                 store::repeats::kSignedColumns),
                     {std::int64_t{samples}});
  });
  if (!rows) {
    std::fprintf(stderr, "%s\n", rows.error().message.c_str());
    return 1;
  }
  store::cases::ListQuery scope;
  std::tie(scope.place_first, scope.place_last) = domain::scope_range("36");
  std::vector<double> micros;
  double candidates = 0;
  for (const store::Row& r : *rows) {
    const domain::Case c = store::repeats::signed_case_from_row(r);
    auto t0 = std::chrono::steady_clock::now();
    // What registration does for a case: its signature, then the lookup and the weighing.
    store::repeats::Probe probe{.number = c.number,
                                .place_code = c.place_code,
                                .category_code = c.category_code,
                                .signature = store::repeats::signature_of(c)};
    auto found = (*db)->read_value(
        [&](store::Sql& sql) { return app::find_repeats(sql, probe, scope, c.created_at, rules); });
    auto t1 = std::chrono::steady_clock::now();
    if (!found) {
      std::fprintf(stderr, "%s\n", found.error().message.c_str());
      return 1;
    }
    candidates += static_cast<double>(found->size());
    micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  if (micros.empty()) {
    std::fprintf(stderr, "no cases in the store\n");
    return 1;
  }
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) {
    return micros[std::min(micros.size() - 1, static_cast<std::size_t>(q * micros.size()))];
  };
  std::printf("BENCH_REPEATS samples=%zu p50_us=%.0f p95_us=%.0f p99_us=%.0f max_us=%.0f "
              "mean_candidates=%.2f\n",
              micros.size(), at(0.50), at(0.95), at(0.99), micros.back(),
              candidates / static_cast<double>(micros.size()));
  return 0;
}
