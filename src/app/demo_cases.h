// Demo cases (`jiceng demo --cases N`): the demo deployment (set_up_demo, 鹰潭市 3606) filled
// with realistic demands and petitions and their histories, fast enough for a million, for the
// UI and the benchmarks. What the cases look like: app/demo_case_generator.h.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "app/demo_case_generator.h"
#include "app/imports.h"
#include "common/date.h"
#include "common/error.h"
#include "domain/workflow.h"
#include "store/database.h"

namespace jiceng::app {

struct DemoCasesReport {
  std::int64_t before = 0;                               // cases in the store before
  std::int64_t cases = 0;                                // cases added
  std::int64_t events = 0;                               // events added
  std::map<domain::CaseState, std::int64_t> by_state{};  // the added cases by state
  std::int64_t breached = 0;              // added cases whose running deadline has passed (超期)
  std::vector<DemoIncident> incidents{};  // the injected incidents: the detector's ground truth
};

// Cases per transaction of a fill: the WAL (SQLite) holds a step's pages until it commits, some
// 3.5 GB per million cases, so that ten million need not find 36 GB of disk twice over.
inline constexpr std::int64_t kDemoStep = 1'000'000;

// Adds n cases to the deployment, created over the two years before clock.now(), with their
// events and their facts in the dashboard's aggregates (case_stat), in transactions of `step`
// cases each (rounded up to whole batches): each all or nothing, each with one audit entry
// (action "demo.cases", actor "system", object_id the step's cases). The cases are the same
// whatever the step. Case numbers continue each county's numbers of the year (case_counter), and
// the counters are left at the last number used, so that cases registered later follow without a
// gap or a clash; tracking codes are random. The same seed on the same store at the same clock
// gives the same cases (the seed is mixed with the counters, so a second batch differs from the
// first). progress gets phase "cases" with the cases written so far. `incidents` injected
// incidents (DemoCaseGenerator) come on top of the n cases.
// Errors: kFailedPrecondition when no deployment has been set up (set_up_demo) or it has no
// villages, units or categories; kAlreadyExists in the unlikely case of a tracking code clash;
// kConflict when another process registered cases between two steps; store errors as they come.
// After an error the steps committed before it stay (top_up_demo_cases completes them).
[[nodiscard]] Result<DemoCasesReport> add_demo_cases(store::Database& db, const Clock& clock,
                                                     std::int64_t n, std::uint64_t seed,
                                                     const ProgressFn& progress = {},
                                                     int incidents = 0,
                                                     std::int64_t step = kDemoStep);

// Adds as many cases as add_demo_cases would to bring the store to at least `target` cases
// (counted in the first step's transaction); adds nothing when it holds that many already. So
// `jiceng demo --cases N` may be run again and again, like `jiceng demo` itself.
[[nodiscard]] Result<DemoCasesReport> top_up_demo_cases(store::Database& db, const Clock& clock,
                                                        std::int64_t target, std::uint64_t seed,
                                                        const ProgressFn& progress = {},
                                                        int incidents = 0,
                                                        std::int64_t step = kDemoStep);

}  // namespace jiceng::app
