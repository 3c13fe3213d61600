// Repeat candidates per new case (issue 6: p99 < 5 ms with 1,000,000 recent cases), measured
// in-process on a demo database, without HTTP and without the audit write: for `samples` cases
// drawn at random from the store, app::find_repeats as staff registration calls it (an operator
// of the whole province, the case's county), each in its own read transaction. The window is
// 800 days instead of 90, so that every case of a two-year demo fill counts as recent: with
// `jiceng demo --cases 1000000` that is the 1,000,000 recent cases. Prints p50/p95/p99/max
// in microseconds and the mean number of candidates, the lookup's own percentiles (without the
// signature), and those of the CPU time (a loaded machine's waits for a CPU left out). Usage:
// jiceng_repeats_bench DB_URL [samples]; bench/run runs it.
#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "app/repeats.h"
#include "store/database.h"
#include "store/repeat_repo.h"

namespace {

// The calling thread's CPU time: on a shared machine, the wall time's tail is mostly the
// waits for a CPU.
double thread_cpu_micros() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

}  // namespace

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
  std::vector<double> micros;         // signature, lookup and weighing
  std::vector<double> lookup_micros;  // the lookup and weighing alone
  std::vector<double> cpu_micros;     // the thread's CPU time for all of it
  double candidates = 0;
  for (const store::Row& r : *rows) {
    const domain::Case c = store::repeats::signed_case_from_row(r);
    const double cpu0 = thread_cpu_micros();
    auto t0 = std::chrono::steady_clock::now();
    // What registration does for a case: its signature, then the lookup and the weighing.
    store::repeats::Probe probe{.number = c.number,
                                .place_code = c.place_code,
                                .category_code = c.category_code,
                                .signature = store::repeats::signature_of(c)};
    auto t_signed = std::chrono::steady_clock::now();
    auto found = (*db)->read_value(
        [&](store::Sql& sql) { return app::find_repeats(sql, probe, scope, c.created_at, rules); });
    auto t1 = std::chrono::steady_clock::now();
    if (!found) {
      std::fprintf(stderr, "%s\n", found.error().message.c_str());
      return 1;
    }
    candidates += static_cast<double>(found->size());
    micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    cpu_micros.push_back(thread_cpu_micros() - cpu0);
    lookup_micros.push_back(std::chrono::duration<double, std::micro>(t1 - t_signed).count());
  }
  if (micros.empty()) {
    std::fprintf(stderr, "no cases in the store\n");
    return 1;
  }
  std::sort(micros.begin(), micros.end());
  std::sort(lookup_micros.begin(), lookup_micros.end());
  std::sort(cpu_micros.begin(), cpu_micros.end());
  auto at = [](const std::vector<double>& v, double q) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
  };
  std::printf(
      "BENCH_REPEATS samples=%zu p50_us=%.0f p95_us=%.0f p99_us=%.0f max_us=%.0f "
      "lookup_p50_us=%.0f lookup_p99_us=%.0f cpu_p50_us=%.0f cpu_p99_us=%.0f "
      "mean_candidates=%.2f\n",
      micros.size(), at(micros, 0.50), at(micros, 0.95), at(micros, 0.99), micros.back(),
      at(lookup_micros, 0.50), at(lookup_micros, 0.99), at(cpu_micros, 0.50), at(cpu_micros, 0.99),
      candidates / static_cast<double>(micros.size()));
  return 0;
}
