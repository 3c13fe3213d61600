#include "app/signals.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <tuple>

#include "domain/case_stats.h"
#include "domain/deadline.h"
#include "store/calendar_repo.h"
#include "store/catalogue_repo.h"
#include "store/jurisdiction_repo.h"

namespace jiceng::app {

namespace {

using domain::CellDay;
using domain::SignalDimension;
using store::signals::CellKey;
using store::signals::Warning;

// How the detector's step splits its reads into short read transactions (detect()): every
// cell's counts this many days at a time, and the evidence of this many bursting cells.
constexpr int kDaysPerRead = 7;
constexpr std::size_t kCellsPerRead = 32;

Error bad(std::string en, std::string zh) {
  return Error::invalid_argument(std::move(en)).zh(std::move(zh));
}

Error unknown_area(const std::string& area) {
  return Error::not_found("no area " + area + " in your jurisdiction")
      .zh("您的辖区内没有区划 " + area);
}

Error no_warning() { return Error::not_found("no such warning").zh("没有这条预警"); }

// The area a staff principal asks about: q's, or their scope; checked against the scope.
Result<std::string> area_for(const domain::Principal& p, const std::string& asked) {
  if (!domain::may_read_cases(p.role)) {
    return Error{ErrorCode::kPermissionDenied, "your role does not see case signals",
                 "您的角色无权查看预警信息"};
  }
  const std::string area = asked.empty() ? p.scope_code : asked;
  if (!domain::level_of_code(area)) {
    return bad("area: a division code such as 360603", "区划（area）：请填写区划代码，如 360603");
  }
  if (!domain::in_scope(p.scope_code, area)) return unknown_area(area);
  return area;
}

struct Period {
  std::int64_t lo = 0;  // day numbers, both included
  std::int64_t hi = 0;
};

Result<Period> period_of(const SignalQuery& q, Date today) {
  const Date to = q.to.value_or(today);
  const Date from = q.from.value_or(to - std::chrono::days(6));
  if (from > to) {
    return bad("from: the period starts after it ends (to)", "开始日期（from）晚于结束日期（to）");
  }
  if ((to - from).count() + 1 > SignalService::kMaxPeriodDays) {
    return bad(fmt::format("to: a period is at most {} days", SignalService::kMaxPeriodDays),
               fmt::format("统计期间最长 {} 天", SignalService::kMaxPeriodDays));
  }
  return Period{domain::day_bucket(from), domain::day_bucket(to)};
}

// The cell's days with the people of `less` taken out (cases and people of descendants that
// burst on their own).
std::vector<CellDay> without(std::vector<CellDay> days, const std::vector<const CellDay*>& less) {
  for (CellDay& d : days) {
    for (const CellDay* o : less) {
      if (o->day != d.day) continue;
      d.cases -= o->cases;
      std::erase_if(d.people, [&](std::int64_t person) {
        return std::find(o->people.begin(), o->people.end(), person) != o->people.end();
      });
    }
  }
  return days;
}

// The unit a warning of `area` is addressed to: the one on the area's own node that is no
// county department (村委会, 乡镇政府, 县政府).
Result<std::optional<std::int64_t>> unit_of_area(store::Sql& sql, const std::string& area) {
  auto units = store::catalogue::units_on_chain(sql, area);
  if (!units) return units.error();
  for (const auto& u : *units) {
    if (u.jurisdiction_code == area && u.department.empty()) return std::optional(u.id);
  }
  return std::optional<std::int64_t>{};
}

// The areas whose rows sum to `area`'s: itself from county level down, else its counties.
Result<std::vector<std::string>> counted_areas(store::Sql& sql, const std::string& area) {
  if (area.size() >= 6) return std::vector<std::string>{area};
  std::vector<std::string> out;
  std::vector<std::string> to_visit{area};
  while (!to_visit.empty()) {
    auto children = store::jurisdictions::children(sql, to_visit.back());
    to_visit.pop_back();
    if (!children) return children.error();
    for (const auto& c : *children) (c.code.size() >= 6 ? out : to_visit).push_back(c.code);
  }
  return out;
}

// The terms of `areas` (counties or below) under `dimension` that rose in the days lo … hi
// above what the rules.baseline_days before lead one to expect, the most unlikely first, at
// most `limit`.
Result<std::vector<RisingTerm>> rising_in(store::Sql& sql, const std::vector<std::string>& areas,
                                          SignalDimension dimension, std::int64_t lo,
                                          std::int64_t hi, const domain::BurstRules& rules,
                                          int limit) {
  std::map<std::string, store::signals::TermCount> sums;
  for (const std::string& a : areas) {
    auto counts = store::signals::term_counts(sql, a, dimension, lo - rules.baseline_days, lo, hi);
    if (!counts) return counts.error();
    for (const auto& c : *counts) {
      auto& s = sums[c.term];
      s.term = c.term;
      s.cases += c.cases;
      s.people += c.people;
      s.cases_before += c.cases_before;
    }
  }
  const auto span = static_cast<double>(hi - lo + 1);
  std::vector<RisingTerm> out;
  for (const auto& [term, c] : sums) {
    const double rate =
        std::max(rules.min_rate, (static_cast<double>(c.cases_before) + rules.prior_cases) /
                                     (rules.baseline_days + rules.prior_days));
    const double expected = rate * span;
    if (static_cast<double>(c.cases) <= expected) continue;
    out.push_back(
        {term, c.cases, c.people, expected, domain::poisson_upper_tail(c.people, expected)});
  }
  std::sort(out.begin(), out.end(), [](const RisingTerm& a, const RisingTerm& b) {
    return std::tie(a.p_value, b.cases, a.term) < std::tie(b.p_value, a.cases, b.term);
  });
  if (out.size() > static_cast<std::size_t>(limit)) out.resize(static_cast<std::size_t>(limit));
  return out;
}

// The official calendar and the stream's rhythm over the days lo … hi (domain::DayRhythm), from
// every cell's days over at least lo … hi.
struct Rhythm {
  std::unique_ptr<const domain::WorkCalendar> calendar;
  domain::DayRhythm rhythm;
};

Rhythm rhythm_of(std::vector<domain::CalendarDay> calendar, const store::signals::CellDays& cells,
                 std::int64_t lo, std::int64_t hi) {
  Rhythm out{.calendar = std::make_unique<const domain::WorkCalendar>(std::move(calendar)),
             .rhythm = {}};
  out.rhythm = domain::DayRhythm::estimate(*out.calendar,
                                           store::signals::deployment_days(cells, lo, hi), lo);
  return out;
}

// Whether a burst adds to the cell's open warning (more cases or people, a higher level, or a
// later day): only then does the detector's step read its evidence and update it.
bool grows(const Warning& w, const domain::Burst& b, std::int64_t today) {
  return b.people > w.people || b.cases > w.cases || b.level > w.level || today > w.last_day;
}

// Every cell's days in lo … hi as `read_days` (store::signals::recent_days or all_cell_days)
// gives them, read kDaysPerRead days at a time, each in a read transaction of its own.
using ReadDays = Result<store::signals::CellDays> (*)(store::Sql&, SignalDimension, std::int64_t,
                                                      std::int64_t);
Result<store::signals::CellDays> days_of_cells(store::Database& db, ReadDays read_days,
                                               SignalDimension dimension, std::int64_t lo,
                                               std::int64_t hi) {
  store::signals::CellDays out;
  for (std::int64_t from = lo; from <= hi; from += kDaysPerRead) {
    const std::int64_t to = std::min(hi, from + kDaysPerRead - 1);
    auto part = db.read_value([&](store::Sql& sql) { return read_days(sql, dimension, from, to); });
    if (!part) return part.error();
    if (out.empty()) {
      out = std::move(*part);
      continue;
    }
    for (auto& [cell, days] : *part) {
      auto& all = out[cell];
      all.insert(all.end(), std::make_move_iterator(days.begin()),
                 std::make_move_iterator(days.end()));
    }
  }
  return out;
}

// Where a detector step's evidence for a warning starts (SignalService::detect): the cases
// received since `day` and created since `created`.
struct EvidenceFrom {
  std::int64_t day = 0;
  Instant created{};
  bool operator==(const EvidenceFrom&) const = default;
};

struct EvidenceOf {
  const CellKey* cell;
  EvidenceFrom from;
};

// The evidence of cells: their cases from `from` to `tomorrow`, at most kMaxEvidence each, the
// earliest received first. One read of each county's cases serves all of its cells: read cell
// by cell, the cases created since each warning's last update were read again for every
// warning of the county, which at 10,000,000 cases took 1.4 – 1.7 s for a step that updated
// 528 warnings.
Result<std::vector<std::vector<std::string>>> evidence_of(store::Sql& sql,
                                                          std::span<const EvidenceOf> cells,
                                                          Instant tomorrow) {
  using store::signals::CountyCase;
  // Each cell's cases: received since its first day's midnight, created since `created`.
  struct Since {
    Instant received;
    Instant created;
  };
  std::vector<Since> since;
  std::vector<std::vector<std::string>> out(cells.size());
  std::map<std::string_view, std::vector<std::size_t>> by_county;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Instant midnight = domain::china_midnight(domain::date_of_day_bucket(cells[i].from.day));
    since.push_back({midnight, std::max(midnight, cells[i].from.created)});
    by_county[std::string_view(cells[i].cell->first).substr(0, 6)].push_back(i);
  }
  for (const auto& [county, of_county] : by_county) {
    // The earliest start of the county's cells, and its cells by category.
    Instant received_from = Instant::max();
    Instant created_from = Instant::max();
    std::map<std::string_view, std::vector<std::size_t>> by_term;
    for (std::size_t i : of_county) {
      received_from = std::min(received_from, since[i].received);
      created_from = std::min(created_from, since[i].created);
      by_term[cells[i].cell->second].push_back(i);
    }
    auto cases =
        store::signals::cases_of_county(sql, county, created_from, received_from, tomorrow);
    if (!cases) return cases.error();
    std::vector<std::vector<const CountyCase*>> matched(cells.size());
    for (const CountyCase& c : *cases) {
      auto term = by_term.find(c.category_code);
      if (term == by_term.end()) continue;
      for (std::size_t i : term->second) {
        if (c.place_code.starts_with(cells[i].cell->first) && c.received_at >= since[i].received &&
            c.created_at >= since[i].created) {
          matched[i].push_back(&c);
        }
      }
    }
    for (std::size_t i : of_county) {
      auto& m = matched[i];
      const auto keep = static_cast<std::ptrdiff_t>(
          std::min(m.size(), static_cast<std::size_t>(SignalService::kMaxEvidence)));
      std::partial_sort(
          m.begin(), m.begin() + keep, m.end(), [](const CountyCase* a, const CountyCase* b) {
            return std::tie(a->received_at, a->number) < std::tie(b->received_at, b->number);
          });
      for (auto it = m.begin(); it != m.begin() + keep; ++it) out[i].push_back((*it)->number);
    }
  }
  return out;
}

}  // namespace

bool may_act_on_warnings(domain::Role r) {
  using domain::Role;
  return r == Role::kHandler || r == Role::kUnitHead || r == Role::kCadre || r == Role::kLeader;
}

Result<DetectionReport> SignalService::detect() {
  const Instant now = clock_.now();
  const std::int64_t today = domain::day_bucket(domain::china_date(now));
  const int windows = std::max(1, rules_.max_window_days);
  const std::int64_t window_start = today - windows + 1;
  const std::int64_t baseline_start = window_start - rules_.baseline_days;
  const SignalDimension dimension = SignalDimension::kCategory;
  const auto season = domain::season_of(today, rules_);
  // Where a step's evidence for a warning starts: the cases received since the warning's (or
  // the burst's earlier) first day, and for an open warning only those created since its last
  // update (less a minute, for writes in flight then): the older ones were added by the steps
  // before. Re-reading all of them, for every open warning at every step, made the steps ever
  // slower as warnings aged (528 warnings of the bench's synthetic flood: over 30 s a step).
  auto evidence_start = [](const std::optional<Warning>& open, const domain::Burst& b) {
    const std::int64_t day = open ? std::min(open->first_day, b.first_day) : b.first_day;
    const Instant midnight = domain::china_midnight(domain::date_of_day_bucket(day));
    if (!open || b.first_day < open->first_day) return EvidenceFrom{day, midnight};
    return EvidenceFrom{day, std::max(midnight, open->updated_at - std::chrono::minutes(1))};
  };
  struct Found {
    CellKey cell;
    domain::Burst burst;
    // Where the cases read into `evidence` start; none when the open warning did not grow.
    std::optional<EvidenceFrom> evidence_from;
    std::vector<std::string> evidence;
  };
  const Instant tomorrow = domain::china_midnight(domain::date_of_day_bucket(today + 1));
  // The step reads in many short read transactions and writes in one (docs/SIGNALS.md "One
  // step"). Its reads took 6 – 8 s at 1,000,000 cases under the held load: inside the write
  // transaction they held the single writer; in one read transaction they held one snapshot,
  // past which SQLite cannot checkpoint, so the WAL grew and every read slowed. Reading from
  // several snapshots a moment apart does no harm: the days before today hardly change, and a
  // test on counts a moment old is what the next step's would have been.
  DetectionReport report;
  struct Start {
    std::optional<std::int64_t> first_day;
    std::vector<domain::CalendarDay> calendar;
  };
  auto start = db_.read_value([&](store::Sql& sql) -> Result<Start> {
    auto first = store::signals::first_day(sql);
    if (!first) return first.error();
    auto calendar = store::calendar::load(sql);
    if (!calendar) return calendar.error();
    return Start{*first, std::move(*calendar)};
  });
  if (!start) return start.error();
  if (!start->first_day) return report;
  const std::int64_t history_start = *start->first_day;
  auto recent = days_of_cells(db_, store::signals::recent_days, dimension, window_start, today);
  if (!recent) return recent.error();
  // The days before the window are read by a day's first step and kept for its others: at
  // 10,000,000 cases reading them made every step 2.4 s long; the day's later steps now take
  // 0.6 s. Those days change only by a registration received on an earlier day (an operator's
  // late entry), which the next day's steps count.
  std::shared_ptr<const PastDays> kept;
  {
    std::lock_guard lock(past_mu_);
    kept = past_;
  }
  if (!kept || kept->today != today || kept->history_start != history_start) {
    auto fresh = std::make_shared<PastDays>();
    fresh->today = today;
    fresh->history_start = history_start;
    auto baseline = days_of_cells(db_, store::signals::all_cell_days, dimension, baseline_start,
                                  window_start - 1);
    if (!baseline) return baseline.error();
    fresh->baseline = std::move(*baseline);
    if (season.first <= season.second && season.first >= history_start) {
      auto read =
          days_of_cells(db_, store::signals::all_cell_days, dimension, season.first, season.second);
      if (!read) return read.error();
      fresh->last_year = std::move(*read);
    }
    kept = std::move(fresh);
    std::lock_guard lock(past_mu_);
    past_ = kept;
  }
  const store::signals::CellDays& baseline = kept->baseline;
  const store::signals::CellDays& last_year = kept->last_year;
  const Rhythm rhythm = rhythm_of(std::move(start->calendar), baseline,
                                  std::max(history_start, baseline_start), window_start - 1);

  // The tests, on what was read (no transaction).
  std::vector<const CellKey*> cells;
  for (const auto& [key, days] : *recent) {
    std::size_t people = 0;
    for (const CellDay& d : days) people += d.people.size();
    if (people >= static_cast<std::size_t>(rules_.min_people)) cells.push_back(&key);
  }
  // Villages first, so that their bursts are known when their township is tested.
  std::stable_sort(cells.begin(), cells.end(), [](const CellKey* a, const CellKey* b) {
    return a->first.size() > b->first.size();
  });
  std::vector<const CellKey*> bursting;
  std::vector<domain::Burst> bursts;
  for (const CellKey* cell : cells) {
    ++report.cells;
    // The bursting descendants on the same term, the highest of each branch.
    std::vector<const CellDay*> less;
    for (const CellKey* b : bursting) {
      if (b->second != cell->second || !b->first.starts_with(cell->first)) continue;
      const bool covered = std::any_of(bursting.begin(), bursting.end(), [&](const CellKey* m) {
        return m != b && m->second == cell->second && m->first.size() < b->first.size() &&
               m->first.starts_with(cell->first) && b->first.starts_with(m->first);
      });
      if (covered) continue;
      for (const CellDay& d : recent->at(*b)) less.push_back(&d);
    }
    std::vector<CellDay> days = without(recent->at(*cell), less);
    for (const store::signals::CellDays* past : {&baseline, &last_year}) {
      auto it = past->find(*cell);
      if (it != past->end()) days.insert(days.end(), it->second.begin(), it->second.end());
    }
    auto burst = domain::assess_burst(days, today, history_start, rules_,
                                      rules_.weigh_days ? rhythm.rhythm : domain::DayRhythm{});
    if (!burst) continue;
    bursting.push_back(cell);
    bursts.push_back(*burst);
  }

  // The open warnings of the bursting cells, kCellsPerRead cells a read, then the evidence of
  // the bursts that raise or grow one, a read for each county. A later snapshot than the
  // tests' is fine: the write below reads each warning again, and reads the evidence again
  // when the warning changed meanwhile.
  std::vector<Found> found;
  for (std::size_t lo = 0; lo < bursting.size(); lo += kCellsPerRead) {
    const std::size_t hi = std::min(bursting.size(), lo + kCellsPerRead);
    auto part = db_.read_value([&](store::Sql& sql) -> Result<std::vector<Found>> {
      std::vector<Found> out;
      for (std::size_t i = lo; i < hi; ++i) {
        const CellKey& cell = *bursting[i];
        auto open = store::signals::open_warning(sql, cell, dimension);
        if (!open) return open.error();
        if (*open && !grows(**open, bursts[i], today)) {
          out.push_back({cell, bursts[i], std::nullopt, {}});
        } else {
          out.push_back({cell, bursts[i], evidence_start(*open, bursts[i]), {}});
        }
      }
      return out;
    });
    if (!part) return part.error();
    std::move(part->begin(), part->end(), std::back_inserter(found));
  }
  std::map<std::string_view, std::vector<Found*>> to_read;
  for (Found& f : found) {
    if (f.evidence_from) to_read[std::string_view(f.cell.first).substr(0, 6)].push_back(&f);
  }
  for (const auto& [county, of_county] : to_read) {
    std::vector<EvidenceOf> reads;
    for (const Found* f : of_county) reads.push_back({&f->cell, *f->evidence_from});
    auto numbers =
        db_.read_value([&](store::Sql& sql) { return evidence_of(sql, reads, tomorrow); });
    if (!numbers) return numbers.error();
    for (std::size_t i = 0; i < of_county.size(); ++i) {
      of_county[i]->evidence = std::move((*numbers)[i]);
    }
  }
  if (found.empty()) return report;
  return db_.write_value([&](store::Sql& sql) -> Result<DetectionReport> {
    for (const Found& f : found) {
      const CellKey* cell = &f.cell;
      const domain::Burst* burst = &f.burst;
      // Read again here: staff may have handled or dismissed the warning meanwhile.
      auto open = store::signals::open_warning(sql, *cell, dimension);
      if (!open) return open.error();
      const EvidenceFrom from = evidence_start(*open, *burst);
      Warning w;
      if (*open) {
        w = std::move(**open);
        if (!grows(w, *burst, today)) continue;
        w.first_day = std::min(w.first_day, burst->first_day);
        w.last_day = std::max(w.last_day, today);
        w.cases = std::max(w.cases, burst->cases);
        w.people = std::max(w.people, burst->people);
        w.level = std::max(w.level, burst->level);
        w.p_value = std::min(w.p_value, burst->p_value);
        w.updated_at = now;
        ++w.version;
        if (auto r = store::signals::update_warning(sql, w); !r) return r.error();
        ++report.updated;
      } else {
        auto closed = store::signals::last_closed_day(sql, *cell, dimension);
        if (!closed) return closed.error();
        if (*closed && **closed >= burst->first_day) continue;
        auto unit = unit_of_area(sql, cell->first);
        if (!unit) return unit.error();
        w = Warning{.area_code = cell->first,
                    .dimension = dimension,
                    .term = cell->second,
                    .level = burst->level,
                    .status = domain::WarningStatus::kNew,
                    .first_day = burst->first_day,
                    .last_day = today,
                    .cases = burst->cases,
                    .people = burst->people,
                    .baseline_rate = burst->baseline_rate,
                    .p_value = burst->p_value,
                    .unit_id = *unit,
                    .raised_at = now,
                    .updated_at = now};
        auto id = store::signals::insert_warning(sql, w);
        if (!id) return id.error();
        w.id = *id;
        if (auto r = record_audit(sql, now, {"system", ""},
                                  {.action = "warning.raise",
                                   .object_type = "warning",
                                   .object_id = std::to_string(w.id)},
                                  {});
            !r) {
          return r.error();
        }
        ++report.raised;
      }
      if (f.evidence_from && from == *f.evidence_from) {
        if (auto r = store::signals::add_evidence(sql, w.id, f.evidence, kMaxEvidence); !r)
          return r.error();
        continue;
      }
      const EvidenceOf again{cell, from};
      auto numbers = evidence_of(sql, std::span(&again, 1), tomorrow);
      if (!numbers) return numbers.error();
      if (auto r = store::signals::add_evidence(sql, w.id, numbers->front(), kMaxEvidence); !r)
        return r.error();
    }
    return report;
  });
}

Result<std::vector<HotPlace>> SignalService::hot_places(const domain::Principal& p,
                                                        const SignalQuery& q) {
  auto area = area_for(p, q.area);
  if (!area) return area.error();
  auto period = period_of(q, domain::china_date(clock_.now()));
  if (!period) return period.error();
  const int length = area->size() < 6 ? 6 : area->size() == 6 ? 9 : 12;
  const int limit = std::clamp(q.limit, 1, kMaxLimit);
  return db_.read_value([&](store::Sql& sql) -> Result<std::vector<HotPlace>> {
    auto node = store::jurisdictions::find(sql, *area);
    if (!node) return node.error();
    if (!*node) return unknown_area(*area);
    auto [first, last] = domain::scope_range(*area);
    const std::int64_t span = period->hi - period->lo + 1;
    auto rows = store::signals::hot_places(sql, first, last, length, q.category, period->lo - span,
                                           period->lo, period->hi, limit);
    if (!rows) return rows.error();
    std::vector<HotPlace> out;
    for (const auto& r : *rows) {
      auto place = store::jurisdictions::find(sql, r.area_code);
      if (!place) return place.error();
      if (!*place) continue;
      out.push_back({std::move(**place), r.cases, r.people, r.cases_before});
    }
    return out;
  });
}

Result<std::vector<RisingTerm>> SignalService::rising(const domain::Principal& p,
                                                      const SignalQuery& q) {
  auto area = area_for(p, q.area);
  if (!area) return area.error();
  auto period = period_of(q, domain::china_date(clock_.now()));
  if (!period) return period.error();
  const int limit = std::clamp(q.limit, 1, kMaxLimit);
  return db_.read_value([&](store::Sql& sql) -> Result<std::vector<RisingTerm>> {
    auto node = store::jurisdictions::find(sql, *area);
    if (!node) return node.error();
    if (!*node) return unknown_area(*area);
    auto areas = counted_areas(sql, *area);
    if (!areas) return areas.error();
    return rising_in(sql, *areas, q.dimension, period->lo, period->hi, rules_, limit);
  });
}

Result<std::vector<Warning>> SignalService::warnings(const domain::Principal& p,
                                                     const WarningQuery& q) {
  auto area = area_for(p, q.area);
  if (!area) return area.error();
  if (q.mine && !p.unit_id) {
    return bad("mine: your account belongs to no unit", "您的账号不属于任何单位，不能只看本单位");
  }
  auto [first, last] = domain::scope_range(*area);
  store::signals::WarningFilter f{.first = first,
                                  .last = last,
                                  .status = q.status,
                                  .level = q.level,
                                  .unit_id = q.mine ? p.unit_id : std::nullopt,
                                  .limit = std::clamp(q.limit, 1, kMaxLimit)};
  return db_.read_value([&](store::Sql& sql) { return store::signals::list_warnings(sql, f); });
}

Result<WarningDetail> SignalService::warning(const domain::Principal& p, std::int64_t id,
                                             const RequestContext& ctx) {
  if (auto a = area_for(p, ""); !a) return a.error();
  return db_.write_value([&](store::Sql& sql) -> Result<WarningDetail> {
    auto w = store::signals::find_warning(sql, id);
    if (!w) return w.error();
    if (!*w || !domain::in_scope(p.scope_code, (*w)->area_code)) return no_warning();
    WarningDetail out{
        .warning = std::move(**w), .evidence = {}, .days = {}, .words = {}, .words_area = {}};
    auto evidence = store::signals::evidence(sql, id, p.unit_id.value_or(0));
    if (!evidence) return evidence.error();
    out.evidence = std::move(*evidence);
    auto days = store::signals::cell_days(
        sql, {out.warning.area_code, out.warning.term}, out.warning.dimension,
        out.warning.first_day - rules_.baseline_days, out.warning.last_day);
    if (!days) return days.error();
    out.days = std::move(*days);
    // Words are counted down to townships: a village's warning shows its township's.
    out.words_area = out.warning.area_code.substr(0, 9);
    auto words = rising_in(sql, {out.words_area}, SignalDimension::kWord, out.warning.first_day,
                           out.warning.last_day, rules_, kMaxWarningWords);
    if (!words) return words.error();
    out.words = std::move(*words);
    if (auto r = record_audit(
            sql, clock_.now(), AuditActor::of(p),
            {.action = "warning.read", .object_type = "warning", .object_id = std::to_string(id)},
            ctx);
        !r) {
      return r.error();
    }
    return out;
  });
}

Result<Warning> SignalService::act(const domain::Principal& p, std::int64_t id,
                                   domain::WarningCommand command, const std::string& note,
                                   std::optional<std::int64_t> expected_version,
                                   const RequestContext& ctx) {
  if (auto a = area_for(p, ""); !a) return a.error();
  if (!may_act_on_warnings(p.role)) {
    return Error{ErrorCode::kPermissionDenied, "your role does not act on warnings",
                 "您的角色无权处理预警"};
  }
  const Instant now = clock_.now();
  return db_.write_value([&](store::Sql& sql) -> Result<Warning> {
    auto found = store::signals::find_warning(sql, id);
    if (!found) return found.error();
    if (!*found || !domain::in_scope(p.scope_code, (*found)->area_code)) return no_warning();
    Warning w = std::move(**found);
    if (expected_version && *expected_version != w.version) {
      return Error::conflict(
                 fmt::format("the warning is at version {}, not {}", w.version, *expected_version))
          .zh("预警已被他人更新，请刷新后重试");
    }
    auto next = domain::apply_warning_command(w.status, command, note);
    if (!next) return next.error();
    w.status = *next;
    if (command != domain::WarningCommand::kAcknowledge) w.note = note;
    w.acted_by = p.actor();
    w.updated_at = now;
    ++w.version;
    if (auto r = store::signals::update_warning(sql, w); !r) return r.error();
    if (auto r = record_audit(sql, now, AuditActor::of(p),
                              {.action = "warning." + std::string(domain::to_string(w.status)),
                               .object_type = "warning",
                               .object_id = std::to_string(id)},
                              ctx);
        !r) {
      return r.error();
    }
    return w;
  });
}

}  // namespace jiceng::app
