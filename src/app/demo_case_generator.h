// The generator behind `jiceng demo --cases` (app/demo_cases.h): realistic cases of a
// deployment and their event histories, built in memory, deterministically from a seed, as rows
// ready for Sql::bulk_insert, with their search tokens and repeat signatures. Pure: everything it
// needs from the store comes in a DemoWorld.
//
// Each case is registered as CaseService::register_in would (routing, clock from the category's
// time limit or the petition rules, number, tracking code), then driven through the workflow
// table (domain/workflow.h) by a script of commands at realistic times, with the scheduler's
// warnings, breaches and escalations (CaseService::run_due_timers) simulated in between. Cases
// are created in time order over the two years before `now`; a step that would fall after `now`
// is not taken, and a few cases stall on the way (the backlog), so that every state of the
// lifecycle is present; people act in office hours, except on urgent matters. Fields, events and
// versions are those the services would have written: one version per write, where one step of
// the scheduler may write a warning, a breach and the escalation it causes together.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/cases.h"
#include "common/date.h"
#include "domain/calendar.h"
#include "domain/case.h"
#include "domain/case_stats.h"
#include "domain/catalogue.h"
#include "domain/routing.h"
#include "store/signal_repo.h"
#include "store/sql.h"

namespace jiceng::app {

// A node cases can be placed on: a county, township or village of the deployment.
struct DemoPlace {
  std::string code;
  domain::Level level = domain::Level::kVillage;
  std::string short_name;           // as residents write it: 余家村, 公园社区, 春涛镇
  std::string township;             // the township's name; the county's for a county
  std::string county;               // the county's name
  bool community = false;           // a 社区 (spots are buildings), not a 村 (spots are groups)
  std::vector<domain::Unit> chain;  // store::catalogue::units_on_chain(code)
  std::optional<domain::GeoPoint> centre{};  // where its cases' points scatter, if known
};

struct DemoWorld {
  Instant now{};
  domain::WorkCalendar calendar;
  CaseRules rules;
  // Every county, township and village of the deployment; villages carry most cases.
  std::vector<DemoPlace> places;
  // The active leaf categories (any order) and the whole tree (for category paths).
  std::vector<domain::Category> leaves;
  std::vector<domain::Category> categories;
  std::vector<domain::RoutingRule> routing_rules;
  // The last case number used per (county code, year), from case_counter.
  std::map<std::pair<std::string, int>, std::int64_t> counters;
};

// The columns of the rows the generator makes, in order.
inline constexpr std::array<std::string_view, 34> kDemoCaseColumns = {
    "number",         "tracking_code",     "kind",         "category_code", "place_code",
    "county_code",    "address",           "lat",          "lon",           "anonymous",
    "submitter_name", "submitter_contact", "description",  "channel",       "unit_id",
    "state",          "version",           "received_at",  "created_at",    "updated_at",
    "clock",          "clock_started_at",  "deadline_at",  "warned",        "breached",
    "next_timer_at",  "extensions",        "reply",        "replied_at",    "rating",
    "warn_at",        "extension_days",    "clock_amount", "clock_unit"};
inline constexpr std::array<std::string_view, 10> kDemoEventColumns = {
    "case_number", "seq",      "at",      "actor", "command",
    "from_state",  "to_state", "unit_id", "note",  "public"};

inline constexpr std::array<std::string_view, 4> kDemoEscalationColumns = {"area_code", "at",
                                                                           "case_number", "seq"};

struct DemoBatch {
  std::vector<std::vector<store::Value>> cases;   // kDemoCaseColumns
  std::vector<std::vector<store::Value>> events;  // kDemoEventColumns
  // The cases' search tokens, for store::search::index_rows once the cases are stored.
  std::vector<std::vector<store::Value>> search;
  // Their repeat-detection signatures (store::repeats::record_rows), likewise.
  std::vector<std::vector<store::Value>> signatures;  // store::repeats::kSignatureColumns
  std::vector<std::vector<store::Value>> bands;       // store::repeats::kBandColumns
  std::map<domain::CaseState, std::int64_t> by_state;
  std::int64_t breached = 0;           // cases whose running deadline has passed
  std::vector<domain::StatRow> stats;  // the cases' facts for case_stat (domain/case_stats.h)
  std::vector<std::vector<store::Value>> escalations;  // kDemoEscalationColumns (case_escalation)
  std::vector<store::signals::CountDelta> signals;     // the cases' counts for signal_count
  // The last number used per (county, year) once this batch's cases are numbered: what
  // case_counter must hold when the batch is written (world.counters before the first).
  std::map<std::pair<std::string, int>, std::int64_t> counters;
};

// An injected incident (a burst for the detector to find, docs/SIGNALS.md): many people of one
// village writing about one matter of one category over a few days.
struct DemoIncident {
  std::string village;     // its code
  std::string place_name;  // as residents write it
  std::string category;    // the leaf category's code
  Instant start{};         // the first case's received_at
  Instant end{};           // the last case's
  std::int64_t people = 0;
  std::vector<std::string> cases;  // the case numbers, in time order
};

class DemoCaseGenerator {
 public:
  // Will make `total` cases over `world` (which must outlive the generator and hold at least one
  // place and one leaf category), and `incidents` injected incidents on top: each 8 to 40 cases
  // of a village picked at random (not by its weight), in a category where group matters arise
  // (land compensation, unpaid wages, pollution, …), from mostly distinct people, over 2 to 4
  // days between 35 days after the history's start and 5 days before now; their texts come from
  // the category's templates, most of them the incident's one matter. The incidents draw from
  // their own random numbers, so the other cases are the same with or without them. The same
  // world, total, seed and incidents give the same cases.
  DemoCaseGenerator(const DemoWorld& world, std::int64_t total, std::uint64_t seed,
                    int incidents = 0);
  ~DemoCaseGenerator();
  DemoCaseGenerator(const DemoCaseGenerator&) = delete;
  DemoCaseGenerator& operator=(const DemoCaseGenerator&) = delete;

  // Refills `batch` with the next `count` cases (fewer at the end), oldest first, numbered after
  // world.counters. The batch's memory is reused: pass back the last one written.
  void next(std::int64_t count, DemoBatch& batch);
  std::int64_t made() const;  // cases made so far, incidents' included
  bool done() const;          // every case made
  // The incidents planned; their case numbers fill in as they are made.
  const std::vector<DemoIncident>& incidents() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jiceng::app
