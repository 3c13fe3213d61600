// Hotspots and early warnings in portable SQL (migration 0011, domain/burst.h, docs/SIGNALS.md
// "Hotspots and warnings"): the per-cell, per-day, per-person counts kept by every case write,
// the reads of the detector and the dashboard, and the warnings with their evidence. Inside the
// caller's transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/burst.h"
#include "domain/case.h"
#include "store/sql.h"

namespace jiceng::store::signals {

// A change of one row of signal_count.
struct CountDelta {
  std::string area_code;
  domain::SignalDimension dimension = domain::SignalDimension::kCategory;
  std::string term;
  std::int64_t day = 0;
  std::int64_t person = 0;
  std::int64_t cases = 0;
  auto operator<=>(const CountDelta&) const = default;
};

// A case counts under its topic words (text::topic_words): the first kWordsPerCase distinct ones
// of its description, in text order, where a complaint states its matter (a demo case has 7 on
// average). Words count in the case's county and township only: a village's few cases a day
// make no word rise, and its bursts show in its category's cells, with their words beside them
// (SignalService::warning).
inline constexpr std::size_t kWordsPerCase = 8;
std::vector<std::string> counted_words(std::string_view description);
// The same from the description's topic words, when the caller has them.
std::vector<std::string> counted_words(std::vector<std::string> topic_words);

// Appends sign × the rows one case counts under: each of domain::signal_areas with its category,
// and its county and township with each of its counted words; all on its received day, as its
// person. `words`: the case's counted_words when the caller has them (else they are made).
void add_case_counts(std::vector<CountDelta>& out, const domain::Case& c, int sign,
                     const std::vector<std::string>* words = nullptr);

// Adds the deltas to signal_count (rows created when missing, deleted when they reach zero).
// Deltas with the same key are summed first.
[[nodiscard]] Result<void> add(Sql& sql, std::vector<CountDelta> deltas);

// Moves a case's counts from `before` (nullptr: a new case) to `after`; nothing when its place,
// category, day, person and description did not change. Called by stats::record_change.
// `after_words`: text::topic_words_of(after.description) when the caller has them (else they
// are made here).
[[nodiscard]] Result<void> record_change(Sql& sql, const domain::Case* before,
                                         const domain::Case& after,
                                         const std::vector<std::string>* after_words = nullptr);

// Counts every stored case under its category (migration 0011's step, on a table it just
// created), or under its words (0018's).
[[nodiscard]] Result<void> count_all_cases(Sql& sql);
[[nodiscard]] Result<void> count_all_words(Sql& sql);
// Moves each stored case's counts from the person `counted_as` says it was counted as to
// domain::person_of's, where the two differ (migration 0022: people told apart by their
// contacts' compared form). Reads every case; writes the moved ones only.
[[nodiscard]] Result<void> recount_people(Sql& sql,
                                          std::int64_t (*counted_as)(const domain::Case&));

// The first day counted anywhere, nullopt when nothing is.
[[nodiscard]] Result<std::optional<std::int64_t>> first_day(Sql& sql);

// A cell's days, keyed by (area, term).
using CellKey = std::pair<std::string, std::string>;
using CellDays = std::map<CellKey, std::vector<domain::CellDay>>;

// Every cell's days in [lo, hi] with their people, for one dimension.
[[nodiscard]] Result<CellDays> recent_days(Sql& sql, domain::SignalDimension dimension,
                                           std::int64_t lo, std::int64_t hi);
// One cell's cases per day in [lo, hi] (people left empty).
[[nodiscard]] Result<std::vector<domain::CellDay>> cell_days(Sql& sql, const CellKey& cell,
                                                             domain::SignalDimension dimension,
                                                             std::int64_t lo, std::int64_t hi);
// Every cell's cases per day in [lo, hi] (people left empty), for one dimension: cell_days of
// all the cells at once, in one range scan of signal_count's (dimension, day) index.
[[nodiscard]] Result<CellDays> all_cell_days(Sql& sql, domain::SignalDimension dimension,
                                             std::int64_t lo, std::int64_t hi);
// The whole deployment's cases per day in [lo, hi] (its counties' cells summed) from `cells`,
// every cell's days over at least [lo, hi] (all_cell_days): one number per day from lo on, 0 for
// a day without cases; the stream's weekly and holiday rhythm.
std::vector<std::int64_t> deployment_days(const CellDays& cells, std::int64_t lo, std::int64_t hi);

// The places of one level under an area (first <= code < last, code length `length`) with the
// most cases in [lo, hi], with their people then and their cases in [prev_lo, lo) before.
struct PlaceCount {
  std::string area_code;
  std::int64_t cases = 0;
  std::int64_t people = 0;
  std::int64_t cases_before = 0;
};
[[nodiscard]] Result<std::vector<PlaceCount>> hot_places(Sql& sql, std::string_view first,
                                                         std::string_view last, int length,
                                                         std::string_view category,
                                                         std::int64_t prev_lo, std::int64_t lo,
                                                         std::int64_t hi, int limit);

// Per term of one area: cases and people in [lo, hi], cases in [base_lo, lo).
struct TermCount {
  std::string term;
  std::int64_t cases = 0;
  std::int64_t people = 0;
  std::int64_t cases_before = 0;
};
[[nodiscard]] Result<std::vector<TermCount>> term_counts(Sql& sql, std::string_view area,
                                                         domain::SignalDimension dimension,
                                                         std::int64_t base_lo, std::int64_t lo,
                                                         std::int64_t hi);

// ---- Warnings ---------------------------------------------------------------------------------

struct Warning {
  std::int64_t id = 0;
  std::string area_code{};
  domain::SignalDimension dimension = domain::SignalDimension::kCategory;
  std::string term{};
  domain::WarningLevel level = domain::WarningLevel::kBlue;
  domain::WarningStatus status = domain::WarningStatus::kNew;
  std::int64_t first_day = 0;  // the burst's days, China time
  std::int64_t last_day = 0;
  std::int64_t cases = 0;
  std::int64_t people = 0;
  double baseline_rate = 0;  // expected cases per day
  double p_value = 1;
  std::optional<std::int64_t> unit_id{};  // addressed to: the unit of the area's node
  Instant raised_at{};
  Instant updated_at{};
  std::int64_t version = 1;
  std::string note{};      // what was done, or why it was dismissed
  std::string acted_by{};  // who acknowledged, handled or dismissed it last
};

// The cell's open warning, if any.
[[nodiscard]] Result<std::optional<Warning>> open_warning(Sql& sql, const CellKey& cell,
                                                          domain::SignalDimension dimension);
// The last day covered by the cell's latest closed (handled or dismissed) warning, if any.
[[nodiscard]] Result<std::optional<std::int64_t>> last_closed_day(
    Sql& sql, const CellKey& cell, domain::SignalDimension dimension);
// Stores a new warning; returns its id (w.id is ignored).
[[nodiscard]] Result<std::int64_t> insert_warning(Sql& sql, const Warning& w);
// Writes w over the stored row if that is still at version w.version − 1; kConflict otherwise.
[[nodiscard]] Result<void> update_warning(Sql& sql, const Warning& w);
[[nodiscard]] Result<std::optional<Warning>> find_warning(Sql& sql, std::int64_t id);

struct WarningFilter {
  std::string first;  // area codes first <= area < last
  std::string last;
  std::optional<domain::WarningStatus> status;
  std::optional<domain::WarningLevel> level;
  std::optional<std::int64_t> unit_id;
  int limit = 50;
};
// Newest first.
[[nodiscard]] Result<std::vector<Warning>> list_warnings(Sql& sql, const WarningFilter& f);

// A case as the burst detector's evidence reads it (app::SignalService::detect).
struct CountyCase {
  std::string number;
  std::string place_code;
  std::string category_code;
  Instant received_at;
  Instant created_at;
};
// The cases of county `county` (a six-digit code) created at or after `created_from` and
// received in [from, to), in no particular order. One read serves the evidence of every
// warning of the county: the index on (county_code, created_at) holds them all, where the
// subtree's by place hold years.
[[nodiscard]] Result<std::vector<CountyCase>> cases_of_county(Sql& sql, std::string_view county,
                                                              Instant created_from, Instant from,
                                                              Instant to);
// Adds cases to a warning's evidence (those already there are kept once), in order, until it
// holds `limit` cases; the rest are left out.
[[nodiscard]] Result<void> add_evidence(Sql& sql, std::int64_t warning_id,
                                        std::span<const std::string> numbers, int limit);

// One case of a warning's evidence, without personal data.
struct EvidenceCase {
  std::string number;
  std::string category_code;
  std::string place_code;
  std::string place_name;
  Instant received_at{};
  std::string state;
  std::string description;
};
// The evidence in received order, leaving out cases that accuse `hide_from_unit` (0: none).
[[nodiscard]] Result<std::vector<EvidenceCase>> evidence(Sql& sql, std::int64_t warning_id,
                                                         std::int64_t hide_from_unit);

}  // namespace jiceng::store::signals
