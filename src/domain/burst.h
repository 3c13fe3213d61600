// Hotspots and early warnings (见微知著; docs/SIGNALS.md "Hotspots and warnings"): the cells
// cases are counted in, the people behind them as pseudonyms, and the test that tells a burst
// from a place's ordinary days. Pure: counts come in, a verdict goes out.
//
// A cell is (area, dimension, term): an area on the case's chain from its county down to its
// place, and a term of a dimension — the case's leaf category today; topic words (dimension
// "word") go through the same counts and the same test.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "domain/case.h"
#include "domain/day_rhythm.h"

namespace jiceng::domain {

// What a cell's term is.
enum class SignalDimension { kCategory, kWord };
std::string_view to_string(SignalDimension d);  // "category", "word"
[[nodiscard]] Result<SignalDimension> signal_dimension_from_string(std::string_view s);

// A submitter as the counts see them: a 24-bit hash of who they are (their contact in its
// compared form, domain/contact.h, else their resident account, else their name; an anonymous
// case is a person of its own). 2^24 values keep the few people of a village apart (two of 200
// share one with odds of 1 in 800) while each value stands for hundreds of millions of possible
// phone numbers: the counts can tell people apart, never name them.
std::int64_t person_of(const Case& c);
// The 24-bit pseudonym of a person's key ("contact:13800000021", "resident:7", "case:…"), as
// person_of makes it.
std::int64_t person_pseudonym(std::string_view who);

// The areas a case is counted under: its chain from the county (6 digits) down to its place.
std::vector<std::string> signal_areas(std::string_view place_code);

// P(X >= k) for X ~ Poisson(mean): 1 for k <= 0; mean >= 0.
double poisson_upper_tail(std::int64_t k, double mean);

// P(X >= k) for X negative binomial with the given mean and variance dispersion × mean (a
// Poisson count whose rate itself varies from day to day): size mean / (dispersion − 1),
// success probability 1 / dispersion. 1 for k <= 0; mean >= 0; a dispersion of 1 or less is
// the Poisson tail.
double negative_binomial_upper_tail(std::int64_t k, double mean, double dispersion);

// The variance-to-mean ratio of daily counts, by the method of moments (sample variance over
// sample mean), at least 1: 1 for fewer than two days, a zero mean, or a variance at most the
// mean. With `weights` (one per day, each > 0: the day's expected cases relative to the others,
// DayRhythm) each day is compared with its own expectation, rate × weight, where the rate is
// the cases over the weights' sum: Pearson's χ² over (days − 1), so that weekends that are
// quieter as expected add no dispersion. Empty weights weigh every day 1.
double dispersion_of(std::span<const std::int64_t> daily_counts,
                     std::span<const double> weights = {});

// One day of a cell: the cases received (China time) and the people behind them.
struct CellDay {
  std::int64_t day = 0;  // days since 1970-01-01
  std::int64_t cases = 0;
  std::vector<std::int64_t> people;  // person_of values, each once
};

struct BurstRules {
  int baseline_days = 28;   // the place's own recent past, before the window
  int max_window_days = 3;  // the windows tested end today and are 1 … this many days long
  // The baseline rate is its cases over its days, but at least (cases + prior_cases) /
  // (days + prior_days) and min_rate per day: a village without history does not alarm on its
  // first case. The prior only raises a quiet cell's rate; it never pulls a busy cell's below
  // what its days show (a 28-day baseline of 6 a day read as 4.8 made ordinary days alarm).
  double prior_cases = 1;
  double prior_days = 7;
  double min_rate = 0.05;
  int min_people = 5;     // a group (群体): fewer distinct people never alarm
  double min_ratio = 3;   // people at least this many times the cases expected in the window
  double alarm_p = 1e-8;  // the tail probability below which a window is a burst
  // The baseline's days vary more than a Poisson count in busy cells (weekdays, holidays, the
  // stream's growth): from this many cases a day on, the test is negative binomial with the
  // dispersion of the baseline's daily counts. Below it 28 days hold too few cases to tell a
  // dispersion from chance (one day of 2 among zeros doubles the estimate), and the test is
  // Poisson.
  double min_dispersion_rate = 1;
  // Before the counts hold this many days, nothing is tested: a new deployment's first weeks
  // are no baseline.
  int min_history_days = 28;
  // The detector weighs the days of baseline and window by the official calendar and the
  // stream's rhythm (DayRhythm::estimate); false weighs every day 1 (the test before the
  // calendar, for comparison).
  bool weigh_days = true;
  // The season: a cell's rate in the same weeks a year before (52 weeks back, so weekdays
  // meet, ± season_days / 2 days) is a floor under its baseline's rate, so that a rise the
  // cell has every year (enrolment in summer, heating in winter) is expected, not a burst. 0
  // turns it off; a history shorter than a year has no season.
  int season_days = 28;
};

// The days before `today` whose counts make the cell's season (BurstRules::season_days):
// first … last, both included; first > last when the season is off.
std::pair<std::int64_t, std::int64_t> season_of(std::int64_t today, const BurstRules& rules);

enum class WarningLevel { kBlue = 1, kYellow = 2, kOrange = 3, kRed = 4 };
std::string_view to_string(WarningLevel l);  // "blue", "yellow", "orange", "red"
std::string_view label_zh(WarningLevel l);   // "蓝色", "黄色", "橙色", "红色"
[[nodiscard]] Result<WarningLevel> warning_level_from_string(std::string_view s);

// The level of a burst by its size and how unlikely it is: red from 50 people, orange from 20
// (or 10 at p < 1e-15), yellow from 10 (or at p < 1e-10), blue below.
WarningLevel level_of(std::int64_t people, double p_value);

// The verdict on a cell today.
struct Burst {
  std::int64_t first_day = 0;  // the window: first_day … today
  std::int64_t cases = 0;      // in the window
  std::int64_t people = 0;     // distinct, in the window
  double baseline_rate = 0;    // expected cases per day of the window (its days' mean)
  double dispersion = 1;       // the baseline's variance over its mean (1: Poisson)
  double p_value = 1;          // P(people or more | baseline) for the window
  WarningLevel level = WarningLevel::kBlue;
};

// Tests the windows of 1 … max_window_days days ending on `today` against the baseline of the
// baseline_days before the longest window (fewer when the counts start later: `history_start`
// is the first day counted anywhere; nothing before min_history_days). The baseline's rate is
// per working day: its cases over its days weighed by `rhythm` (a weekend day of weight 0.6
// counts as 0.6 of a day; the prior's days are working days), and a window expects that rate
// times its own days' weights — so a holiday week in the baseline does not lower what a
// working week is expected to bring. The statistic is the number of distinct people in the
// window, so that one person's repeats count once; its tail is negative binomial with the
// baseline's dispersion (around the rhythm) when the baseline holds at least
// rules.min_dispersion_rate cases a working day, else Poisson. `days` holds the cell's days in
// any order (a day missing counts 0); days outside baseline and window are ignored. Returns the
// most unlikely window when its p-value is below rules.alarm_p, it has at least min_people
// people and min_ratio times the cases expected, else nullopt. (The ratio keeps an ordinary
// rebound of a busy cell, e.g. after a holiday, from alarming.) When `days` also holds the
// cell's season (season_of) and `history_start` is before it, the season's rate per working
// day is a floor under the baseline's.
std::optional<Burst> assess_burst(std::span<const CellDay> days, std::int64_t today,
                                  std::int64_t history_start, const BurstRules& rules = {},
                                  const DayRhythm& rhythm = {});

// A warning's life: new → acknowledged → handled, or dismissed (with a written reason) from
// either open state.
enum class WarningStatus { kNew, kAcknowledged, kHandled, kDismissed };
std::string_view to_string(WarningStatus s);  // "new", "acknowledged", "handled", "dismissed"
std::string_view label_zh(WarningStatus s);   // "新预警", "已签收", "已处置", "已排除"
[[nodiscard]] Result<WarningStatus> warning_status_from_string(std::string_view s);
bool is_open(WarningStatus s);

enum class WarningCommand { kAcknowledge, kHandle, kDismiss };
[[nodiscard]] Result<WarningCommand> warning_command_from_string(std::string_view s);
// The status after `command`; kFailedPrecondition when the status does not allow it,
// kInvalidArgument when handle or dismiss come without a note (the reason, or what was done).
[[nodiscard]] Result<WarningStatus> apply_warning_command(WarningStatus from,
                                                          WarningCommand command,
                                                          std::string_view note);

}  // namespace jiceng::domain
