// Hotspots and early warnings (见微知著; docs/SIGNALS.md "Hotspots and warnings"): the burst
// detector that the server's scheduler runs, the dashboard's hot places and rising categories,
// and the warnings staff acknowledge, handle or dismiss. Everything reads the counts the case
// writes keep (store/signal_repo.h), never a scan of the cases.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/audit_trail.h"
#include "common/date.h"
#include "common/error.h"
#include "domain/access.h"
#include "domain/burst.h"
#include "domain/jurisdiction.h"
#include "store/database.h"
#include "store/signal_repo.h"

namespace jiceng::app {

// What one step of the detector did.
struct DetectionReport {
  int cells = 0;    // cells tested (enough people in the last days)
  int raised = 0;   // new warnings
  int updated = 0;  // open warnings that grew
};

// The area and period of a dashboard query.
struct SignalQuery {
  std::string area{};          // a division code; "" for the caller's scope
  std::optional<Date> from{};  // China dates, both included; default: the 7 days to today
  std::optional<Date> to{};
  std::string category{};  // hot places: only this leaf category ("" all)
  // rising: categories, or topic words (counted down to townships: a village has none)
  domain::SignalDimension dimension = domain::SignalDimension::kCategory;
  int limit = 20;
};

struct HotPlace {
  domain::Jurisdiction place;
  std::int64_t cases = 0;         // received in the period
  std::int64_t people = 0;        // distinct submitters among them
  std::int64_t cases_before = 0;  // in the period of the same length just before
};

struct RisingTerm {
  std::string term;  // a leaf category's code, or a topic word
  std::int64_t cases = 0;
  std::int64_t people = 0;
  double expected = 0;  // cases the 28 days before the period lead one to expect
  double p_value = 1;   // of so many people under that expectation
};

struct WarningQuery {
  std::string area{};  // "" for the caller's scope
  std::optional<domain::WarningStatus> status{};
  std::optional<domain::WarningLevel> level{};
  bool mine = false;  // only those addressed to the caller's unit
  int limit = 50;
};

struct WarningDetail {
  store::signals::Warning warning;
  std::vector<store::signals::EvidenceCase> evidence;
  std::vector<domain::CellDay> days;  // the cell's cases per day, baseline and window
  // The words that rose in words_area (the warning's area, or a village's township) over the
  // warning's days, the most unlikely first: what the burst is about.
  std::vector<RisingTerm> words;
  std::string words_area;
};

class SignalService {
 public:
  static constexpr int kMaxPeriodDays = 92;
  static constexpr int kMaxLimit = 200;
  static constexpr int kMaxEvidence = 500;
  static constexpr int kMaxWarningWords = 10;

  SignalService(store::Database& db, const Clock& clock, domain::BurstRules rules = {})
      : db_(db), clock_(clock), rules_(rules) {}

  // One step of the detector at the clock's now, read in short read transactions and written
  // in one (docs/SIGNALS.md "One step"): every cell with enough people in the last
  // rules.max_window_days days is tested against its baseline and its season a year before
  // (domain::assess_burst), its days weighed by the official calendar and the whole stream's rhythm
  // over the baseline's days (domain::DayRhythm::estimate, unless rules.weigh_days is off),
  // villages first; a township's or county's cell is tested without the cases of its descendants
  // that are bursting on the same term, so that a burst is reported at the lowest level that
  // explains it. A burst raises a warning addressed to the unit of the area's node, or updates the
  // cell's open warning as it grows; a cell whose last warning was closed raises again only for a
  // window that starts after that warning's last day. Each new warning is audited (actor "system").
  [[nodiscard]] Result<DetectionReport> detect();

  // The places one level below q.area (counties of a city, villages of a township) with the
  // most cases in the period. Errors as StatsService::dashboard's.
  [[nodiscard]] Result<std::vector<HotPlace>> hot_places(const domain::Principal& p,
                                                         const SignalQuery& q);
  // The categories (or, with q.dimension, the topic words) of q.area that rose in the period
  // above what the 28 days before lead one to expect, the most unlikely first.
  [[nodiscard]] Result<std::vector<RisingTerm>> rising(const domain::Principal& p,
                                                       const SignalQuery& q);
  // The warnings of an area in the caller's scope, newest first.
  [[nodiscard]] Result<std::vector<store::signals::Warning>> warnings(const domain::Principal& p,
                                                                      const WarningQuery& q);
  // One warning with its evidence (the cases, which accuse the caller's unit left out) and the
  // cell's days; the read is audited ("warning.read"). kNotFound outside the caller's scope.
  [[nodiscard]] Result<WarningDetail> warning(const domain::Principal& p, std::int64_t id,
                                              const RequestContext& ctx);
  // Acknowledges, handles or dismisses a warning (domain::apply_warning_command), audited.
  // expected_version: kConflict when the warning is at another version.
  [[nodiscard]] Result<store::signals::Warning> act(const domain::Principal& p, std::int64_t id,
                                                    domain::WarningCommand command,
                                                    const std::string& note,
                                                    std::optional<std::int64_t> expected_version,
                                                    const RequestContext& ctx);

  const domain::BurstRules& rules() const { return rules_; }

 private:
  // The days of every cell before the detector's window (its baseline, and last year's season),
  // read by the first step of a day and kept for the day's other steps (detect).
  struct PastDays {
    std::int64_t today = 0;
    std::int64_t history_start = 0;
    store::signals::CellDays baseline;
    store::signals::CellDays last_year;
  };

  store::Database& db_;
  const Clock& clock_;
  domain::BurstRules rules_;
  std::mutex past_mu_;
  std::shared_ptr<const PastDays> past_;
};

// Roles that acknowledge, handle and dismiss warnings: those who answer for an area's affairs.
bool may_act_on_warnings(domain::Role r);

}  // namespace jiceng::app
