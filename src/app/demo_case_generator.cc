#include "app/demo_case_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <span>
#include <unordered_map>

#include "app/demo_case_lifecycle.h"
#include "app/demo_case_texts.h"
#include "app/demo_random.h"
#include "domain/case_notes.h"
#include "domain/deadline.h"
#include "store/repeat_repo.h"
#include "store/search_repo.h"
#include "store/signal_repo.h"
#include "text/words.h"

namespace jiceng::app {

namespace {

using demo::days;
using demo::hours;
using demo::Micros;
using demo::minutes;
using demo::Rng;
using demo::Weights;
using demo::zipf;
using domain::Case;
using domain::CaseEvent;
using domain::CaseKind;
using domain::CaseState;
using domain::Channel;
using domain::ClockKind;

constexpr int kPersons = 10000;                      // demo residents (mobiles: demo_mobile)
constexpr Micros kHistory = std::chrono::days(730);  // cases are created over the last two years

// How often each category comes up, most frequent first (a rural county's 12345 line); leaf
// categories missing here follow in tree order.
constexpr std::string_view kCategoryRanking[] = {"urban.sanitation",
                                                 "utility.power_outage",
                                                 "urban.road",
                                                 "env.noise",
                                                 "urban.lighting",
                                                 "utility.water_outage",
                                                 "labour.wages",
                                                 "transport.rural_road",
                                                 "urban.drainage",
                                                 "other.neighbour",
                                                 "other.enquiry",
                                                 "labour.enquiry",
                                                 "env.waste",
                                                 "urban.property",
                                                 "health.insurance",
                                                 "env.air",
                                                 "civil.dibao",
                                                 "safety.public_order",
                                                 "market.food",
                                                 "edu.enrolment",
                                                 "agri.subsidy",
                                                 "land.compensation",
                                                 "market.consumer",
                                                 "urban.illegal_building",
                                                 "transport.bus",
                                                 "env.livestock",
                                                 "land.homestead",
                                                 "health.service",
                                                 "agri.land_contract",
                                                 "utility.water_quality",
                                                 "market.price",
                                                 "civil.elderly",
                                                 "labour.social_insurance",
                                                 "env.water",
                                                 "transport.overload",
                                                 "agri.irrigation",
                                                 "safety.fire_hazard",
                                                 "edu.fees",
                                                 "land.demolition",
                                                 "other.suggestion",
                                                 "labour.contract",
                                                 "civil.temporary_aid",
                                                 "utility.gas",
                                                 "health.vaccination",
                                                 "transport.taxi",
                                                 "edu.campus_safety",
                                                 "market.unlicensed",
                                                 "safety.unsafe_building",
                                                 "civil.disability",
                                                 "land.resettlement",
                                                 "agri.inputs",
                                                 "labour.employment",
                                                 "market.enquiry",
                                                 "health.epidemic",
                                                 "agri.animal_epidemic",
                                                 "edu.student_aid",
                                                 "safety.gas_leak",
                                                 "safety.geo_hazard",
                                                 "civil.marriage",
                                                 "other.praise",
                                                 "utility.heating"};

// The categories injected incidents are about: matters on which a village's people rise
// together (group petitions, 群体性事件 in the making).
constexpr std::string_view kIncidentCategories[] = {"land.compensation",
                                                    "labour.wages",
                                                    "env.water",
                                                    "env.air",
                                                    "env.waste",
                                                    "land.demolition",
                                                    "env.livestock",
                                                    "utility.water_quality",
                                                    "land.resettlement",
                                                    "agri.land_contract",
                                                    "utility.water_outage",
                                                    "urban.property"};

// The share of petitions (信访) among a family's cases; the rest are demands (诉求).
double petition_share(std::string_view family) {
  if (family == "land") return 0.35;
  if (family == "labour") return 0.12;
  if (family == "civil" || family == "agri") return 0.08;
  return 0.03;
}

// Cases per hour of the day (China Standard Time), relative.
constexpr double kHourWeights[24] = {0.05, 0.03, 0.02, 0.02, 0.02, 0.05, 0.15, 0.45,
                                     0.90, 1.00, 1.00, 0.95, 0.60, 0.55, 0.90, 1.00,
                                     1.00, 0.90, 0.60, 0.55, 0.50, 0.40, 0.25, 0.12};

struct Leaf {
  const domain::Category* category = nullptr;
  std::vector<std::string> path;
  std::vector<std::string_view> texts;
  std::vector<std::string_view> replies;  // the leaf's and its family's own
  double petition_share = 0;
};

// The next row to fill: a kept one, whose strings' memory is reused, or a new one.
std::vector<store::Value>& next_row(std::vector<std::vector<store::Value>>& rows, std::size_t& used,
                                    std::size_t width) {
  if (used == rows.size()) rows.emplace_back(width);
  return rows[used++];
}

// Writes a row's cells in column order, copying text into the cell's string where it has one
// (so that refilling a batch allocates little).
class RowWriter {
 public:
  explicit RowWriter(std::vector<store::Value>& row) : row_(row) {}
  void text(std::string_view s) {
    store::Value& v = row_[i_++];
    if (auto* t = std::get_if<std::string>(&v)) {
      t->assign(s.data(), s.size());
    } else {
      v = std::string(s);
    }
  }
  void integer(std::int64_t x) { row_[i_++] = x; }
  void integer(std::optional<std::int64_t> x) { x ? integer(*x) : null(); }
  void real(std::optional<double> x) { x ? void(row_[i_++] = *x) : null(); }
  void instant(std::optional<Instant> t) { t ? integer(to_micros(*t)) : null(); }
  void null() { row_[i_++] = nullptr; }

 private:
  std::vector<store::Value>& row_;
  std::size_t i_ = 0;
};

}  // namespace

class DemoCaseGenerator::Impl {
 public:
  Impl(const DemoWorld& world, std::int64_t total, std::uint64_t seed, int incidents)
      : world_(world),
        texts_(demo_texts()),
        total_(total),
        rng_(seed),
        incident_rng_(seed ^ 0x696e636964656e74ULL),  // "incident"
        counters_(world.counters) {
    set_up_places();
    set_up_leaves();
    set_up_arrivals();
    for (const auto& rule : world_.routing_rules) {
      for (const auto& k : rule.keywords) {
        if (std::find(keywords_.begin(), keywords_.end(), k) == keywords_.end()) {
          keywords_.push_back(k);
        }
      }
    }
    surnames_ = zipf(texts_.surnames.size(), 1.0);
    plain_routes_.resize(world_.places.size() * leaves_.size() * 2);
    plan_incidents(incidents);
  }

  void next(std::int64_t count, DemoBatch& out) {
    out.by_state.clear();
    out.breached = 0;
    Rows rows{out, stats_};
    stats_.clear();
    out.escalations.clear();
    out.signals.clear();
    // Cases in time order: the next of the ordinary ones, or an incident's when it comes first.
    for (std::int64_t i = 0; i < count && !done(); ++i) {
      if (!next_ordinary_ && ordinary_made_ < total_) next_ordinary_ = created_at(ordinary_made_);
      const bool incident =
          next_incident_ < incident_cases_.size() &&
          (!next_ordinary_ || incident_cases_[next_incident_].created < *next_ordinary_);
      if (incident) {
        make_incident_case(rows, incident_cases_[next_incident_++]);
      } else {
        ++ordinary_made_;
        make_case(rows, *std::exchange(next_ordinary_, std::nullopt), nullptr);
      }
    }
    out.cases.resize(rows.cases);
    out.events.resize(rows.events);
    out.search.resize(rows.cases_indexed);
    out.signatures.resize(rows.cases_signed);
    out.bands.resize(rows.bands);
    out.stats = stats_.rows();
    // In key order, here rather than on the writer: inserts that walk a B-tree in order touch
    // each page once, where random ones read back pages the writer's cache has let go.
    std::sort(out.bands.begin(), out.bands.end(), [](const auto& a, const auto& b) {
      auto key = [](const std::vector<store::Value>& r) {
        return std::tie(std::get<std::int64_t>(r[0]), std::get<std::int64_t>(r[1]),
                        std::get<std::string>(r[2]));
      };
      return key(a) < key(b);
    });
    std::sort(out.stats.begin(), out.stats.end(),
              [](const domain::StatRow& a, const domain::StatRow& b) { return a.first < b.first; });
    // A copy: the writer reads it while this generator numbers the batch after on its thread.
    out.counters = counters_;
  }

  std::int64_t made() const { return made_; }
  bool done() const { return ordinary_made_ == total_ && next_incident_ == incident_cases_.size(); }
  const std::vector<DemoIncident>& incidents() const { return incidents_; }

 private:
  // ---- Set-up ---------------------------------------------------------------------------------

  void set_up_places() {
    // Villages by a fixed rank (the same hot spots whatever the seed), Zipf-weighted.
    for (std::size_t i = 0; i < world_.places.size(); ++i) {
      if (world_.places[i].level == domain::Level::kVillage) villages_.push_back(i);
      by_code_[world_.places[i].code] = i;
    }
    Rng fixed(0x6a6963656e67ULL);  // "jiceng"
    for (std::size_t i = villages_.size(); i > 1; --i)
      std::swap(villages_[i - 1], villages_[fixed.below(i)]);
    village_weights_ = zipf(villages_.size(), 0.75);
  }

  void set_up_leaves() {
    std::vector<const domain::Category*> ordered;
    for (std::string_view code : kCategoryRanking) {
      for (const auto& c : world_.leaves) {
        if (c.code == code) ordered.push_back(&c);
      }
    }
    for (const auto& c : world_.leaves) {
      if (std::find(ordered.begin(), ordered.end(), &c) == ordered.end()) ordered.push_back(&c);
    }
    for (const domain::Category* c : ordered) {
      Leaf leaf;
      leaf.category = c;
      leaf.path = domain::category_path(world_.categories, c->code);
      if (leaf.path.empty()) leaf.path = {c->code};
      const std::string& family = leaf.path.front();
      for (const DemoText& t : texts_.descriptions) {
        if (t.category == c->code) leaf.texts.push_back(t.text);
      }
      // A category the texts do not know (an administrator's) borrows its family's, or any.
      for (const DemoText& t : texts_.descriptions) {
        if (leaf.texts.empty() && t.category.starts_with(family + "."))
          leaf.texts.push_back(t.text);
      }
      if (leaf.texts.empty()) {
        for (const DemoText& t : texts_.descriptions) leaf.texts.push_back(t.text);
      }
      for (const DemoText& t : texts_.replies) {
        if (t.category == c->code || t.category == family) leaf.replies.push_back(t.text);
      }
      leaf.petition_share = petition_share(family);
      leaves_.push_back(std::move(leaf));
    }
    leaf_weights_ = zipf(leaves_.size(), 0.9);
    for (const DemoText& t : texts_.replies) {
      if (t.category.empty()) generic_replies_.push_back(t.text);
    }
  }

  // Cases arrive over the two years before now: more on working days and in office hours, and
  // a little more each month.
  void set_up_arrivals() {
    history_start_ = std::chrono::floor<std::chrono::hours>(world_.now - kHistory);
    const auto span = world_.now - history_start_;
    const auto hours_total =
        static_cast<std::size_t>(std::chrono::ceil<std::chrono::hours>(span).count());
    for (std::size_t h = 0; h < hours_total; ++h) {
      Instant t = history_start_ + std::chrono::hours(h);
      Micros length = std::min<Micros>(std::chrono::hours(1), world_.now - t);
      const Date day = domain::china_date(t);
      const auto hour_cst = std::chrono::floor<std::chrono::hours>(t + domain::kChinaOffset -
                                                                   Instant(day.time_since_epoch()))
                                .count();
      double w = kHourWeights[hour_cst % 24] * (world_.calendar.is_rest_day(day) ? 0.6 : 1.0) *
                 (0.7 + 0.6 * static_cast<double>(h) / static_cast<double>(hours_total)) *
                 (static_cast<double>(length.count()) / 3.6e9);
      arrivals_.add(w);
    }
  }

  // ---- Incidents ------------------------------------------------------------------------------

  // One case of an incident: when, whose, and which of the category's texts (the incident's
  // own matter, or another).
  struct IncidentCase {
    Instant created{};
    std::size_t incident = 0;
    std::size_t leaf = 0;
    int person = 0;
    std::size_t text = 0;
  };

  void plan_incidents(int count) {
    std::vector<std::size_t> candidates;
    for (std::string_view code : kIncidentCategories) {
      for (std::size_t l = 0; l < leaves_.size(); ++l) {
        if (leaves_[l].category->code == code) candidates.push_back(l);
      }
    }
    if (candidates.empty()) {
      for (std::size_t l = 0; l < leaves_.size(); ++l) candidates.push_back(l);
    }
    Rng& plan = incident_rng_;
    const Instant earliest = history_start_ + std::chrono::days(35);
    for (int k = 0; k < count; ++k) {
      const int span_days = plan.between(2, 4);
      const Instant latest = world_.now - std::chrono::days(5 + span_days);
      if (latest <= earliest) break;
      const DemoPlace& village = world_.places[villages_[plan.below(villages_.size())]];
      const std::size_t leaf = candidates[plan.below(candidates.size())];
      const Instant first_day = domain::china_midnight(domain::china_date(
          earliest + Micros(static_cast<std::int64_t>(
                         plan.uniform() * static_cast<double>((latest - earliest).count())))));
      const int n = plan.between(8, 40);
      const std::size_t matter = plan.below(leaves_[leaf].texts.size());
      incidents_.push_back({.village = village.code,
                            .place_name = village.short_name,
                            .category = leaves_[leaf].category->code,
                            .start = world_.now,
                            .end = first_day,
                            .people = 0,
                            .cases = {}});
      int people = 0;
      for (int i = 0; i < n; ++i) {
        // Mostly new people; now and then one who already wrote writes again.
        const int person = people > 0 && plan.chance(0.15) ? plan.between(0, people - 1) : people++;
        const Instant at = first_day + days(plan.between(0, span_days - 1)) + hours(8) +
                           minutes(plan.uniform(0, 12 * 60));
        incident_cases_.push_back(
            {.created = std::min(at, world_.now - std::chrono::seconds(1)),
             .incident = incidents_.size() - 1,
             .leaf = leaf,
             .person = k * 1000 + person,
             .text = plan.chance(0.7) ? matter : plan.below(leaves_[leaf].texts.size())});
      }
      incidents_.back().people = people;
    }
    std::stable_sort(
        incident_cases_.begin(), incident_cases_.end(),
        [](const IncidentCase& a, const IncidentCase& b) { return a.created < b.created; });
  }

  // ---- One case -------------------------------------------------------------------------------

  // When case i of total_ is created: the arrival curve's (i + u)/total quantile, so that cases
  // come in time order.
  Instant created_at(std::int64_t i) {
    double x =
        (static_cast<double>(i) + rng_.uniform()) / static_cast<double>(total_) * arrivals_.total();
    std::size_t h = arrivals_.find(x);
    Instant start = history_start_ + std::chrono::hours(h);
    Micros length = std::min<Micros>(std::chrono::hours(1), world_.now - start);
    double within = std::clamp((x - arrivals_.before(h)) / arrivals_.weight(h), 0.0, 1.0);
    Instant t =
        start + Micros(static_cast<std::int64_t>(within * static_cast<double>(length.count())));
    return std::min(t, world_.now - std::chrono::seconds(1));
  }

  const DemoPlace& pick_place() {
    const DemoPlace& village = world_.places[villages_[village_weights_.sample(rng_)]];
    double r = rng_.uniform();
    std::string code;
    if (r < 0.08)
      code = village.code.substr(0, 9);  // the township
    else if (r < 0.10)
      code = village.code.substr(0, 6);  // the county
    else
      return village;
    auto it = by_code_.find(code);
    return it == by_code_.end() ? village : world_.places[it->second];
  }

  // A demo resident's mobile number, written as callers give it and operators type it: an
  // operator's prefix and eight digits, both from the person (one number each), most often
  // plain and otherwise with spaces, dashes or +86 as `form` (any number) picks — so that one
  // person's cases carry one number in several forms, as real ones do (domain/contact.h makes
  // them one). No randomness is drawn: the rest of the demo stays as it was.
  static std::string demo_mobile(int person, std::int64_t form) {
    constexpr std::array<std::string_view, 8> kPrefixes = {"138", "139", "158", "186",
                                                           "150", "187", "135", "189"};
    const std::string_view prefix = kPrefixes[static_cast<std::size_t>(person) % kPrefixes.size()];
    const std::string digits = fmt::format("{:08d}", 31'000'000 + person / 8 * 37);
    const std::string_view head = std::string_view(digits).substr(0, 4);
    const std::string_view tail = std::string_view(digits).substr(4);
    switch (form % 10) {
      case 6:
        return fmt::format("{} {} {}", prefix, head, tail);
      case 7:
        return fmt::format("{}-{}-{}", prefix, head, tail);
      case 8:
        return fmt::format("+86 {} {} {}", prefix, head, tail);
      case 9:
        return fmt::format("+86{}{}", prefix, digits);
      default:
        return fmt::format("{}{}", prefix, digits);
    }
  }

  std::string person_name(int person) const {
    Rng r(0x70657273ULL + static_cast<std::uint64_t>(person));
    std::string name(texts_.surnames[surnames_.sample(r)]);
    if (r.chance(0.55)) name += r.pick(texts_.given_first);
    name += r.pick(texts_.given_second);
    return name;
  }

  void append_slot(std::string& out, std::string_view slot, const DemoPlace& p) {
    if (slot == "地")
      out += p.short_name;
    else if (slot == "组")
      out += p.community ? fmt::format("{}栋", rng_.between(1, 24))
                         : fmt::format("{}组", rng_.between(1, 12));
    else if (slot == "镇")
      out += p.township;
    else if (slot == "县")
      out += p.county;
    else if (slot == "路")
      out += rng_.pick(texts_.roads);
    else if (slot == "小区")
      out += rng_.pick(texts_.compounds);
    else if (slot == "厂")
      out += rng_.pick(texts_.companies);
    else if (slot == "姓")
      out += texts_.surnames[surnames_.sample(rng_)];
    else if (slot == "时")
      out += rng_.pick(texts_.times_of_day);
    else if (slot == "N")
      out += std::to_string(rng_.between(2, 9));
    else if (slot == "天")
      out += std::to_string(rng_.between(2, 30));
    else if (slot == "月")
      out += std::to_string(rng_.between(2, 12));
    else if (slot == "元")
      out += std::to_string(100 * rng_.between(8, 600));
    else
      out += fmt::format("{{{}}}", slot);
  }

  std::string fill(std::string_view text, const DemoPlace& p) {
    std::string out;
    out.reserve(text.size() + 32);
    std::size_t i = 0;
    while (i < text.size()) {
      std::size_t open = text.find('{', i);
      std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
      if (close == std::string_view::npos) {
        out.append(text.substr(i));
        break;
      }
      out.append(text.substr(i, open - i));
      append_slot(out, text.substr(open + 1, close - open - 1), p);
      i = close + 1;
    }
    return out;
  }

  // A description from the leaf's texts (`text` when given, else one at random).
  std::string description(const Leaf& leaf, const DemoPlace& p, CaseKind kind,
                          const std::string_view* text = nullptr) {
    std::string out = fill(rng_.pick(texts_.openings), p);
    out += fill(text ? *text : rng_.pick(leaf.texts), p);
    out += fill(kind == CaseKind::kPetition ? rng_.pick(texts_.petition_closings)
                                            : rng_.pick(texts_.closings),
                p);
    return out;
  }

  std::string address(const DemoPlace& p) {
    if (!rng_.chance(0.55)) return "";
    switch (p.level) {
      case domain::Level::kVillage:
        return p.county + p.township + p.short_name +
               (p.community ? fmt::format("{}栋", rng_.between(1, 24))
                            : fmt::format("{}组", rng_.between(1, 12)));
      case domain::Level::kTownship:
        return p.county + p.township +
               fmt::format("{}{}号", rng_.pick(texts_.roads), rng_.between(1, 300));
      default:
        return p.county + fmt::format("{}{}号", rng_.pick(texts_.roads), rng_.between(1, 300));
    }
  }

  Channel channel(CaseKind kind) {
    double r = rng_.uniform();
    if (kind == CaseKind::kPetition) {
      return r < 0.35   ? Channel::kLetter
             : r < 0.75 ? Channel::kWalkIn
             : r < 0.90 ? Channel::kWeb
             : r < 0.95 ? Channel::kPhone
                        : Channel::kMailbox;
    }
    return r < 0.46   ? Channel::kPhone
           : r < 0.72 ? Channel::kWeb
           : r < 0.78 ? Channel::kOpen311
           : r < 0.86 ? Channel::kWalkIn
           : r < 0.90 ? Channel::kLetter
                      : Channel::kMailbox;
  }

  Instant received_at(Channel ch, Instant created) {
    switch (ch) {
      case Channel::kPhone:
        return created - minutes(rng_.uniform(1, 6));
      case Channel::kWalkIn:
        return created - minutes(rng_.uniform(5, 40));
      case Channel::kLetter:
        return created - days(rng_.uniform(1, 6));
      case Channel::kMailbox:
        return created - hours(rng_.uniform(1, 48));
      default:
        return created;  // residents and apps cannot set it
    }
  }

  // The unit a new case goes to (app::plan_dispatch, on data loaded once): computed once per
  // kind, category, place and set of routing keywords the description holds.
  const domain::Unit* dispatch(std::size_t place, std::size_t leaf, CaseKind kind,
                               std::string_view text) {
    std::uint64_t keys = 0;
    for (std::size_t k = 0; k < keywords_.size() && k < 64; ++k) {
      if (text.find(keywords_[k]) != std::string_view::npos) keys |= std::uint64_t{1} << k;
    }
    std::optional<const domain::Unit*>* cached = nullptr;
    if (keys == 0) {
      cached = &plain_routes_[(place * leaves_.size() + leaf) * 2 +
                              (kind == CaseKind::kPetition ? 1 : 0)];
    } else if (keywords_.size() <= 64) {
      cached = &routes_[RouteKey{place, leaf, kind, keys}];
    }
    if (cached && *cached) return **cached;
    const DemoPlace& p = world_.places[place];
    const Leaf& l = leaves_[leaf];
    auto decision =
        domain::route(world_.routing_rules, {.kind = kind,
                                             .category_path = l.path,
                                             .category_level = l.category->routing_level,
                                             .place_code = p.code,
                                             .description = text});
    auto unit = domain::pick_unit(
        p.chain, {.place_code = p.code, .kind = kind, .department = decision.department},
        decision.level);
    const domain::Unit* out = nullptr;
    if (unit) {
      for (const auto& u : p.chain) {
        if (u.id == unit->id) out = &u;
      }
    }
    if (cached) *cached = out;
    return out;
  }

  // The rows of a batch being refilled: the first `cases` and `events` rows hold new values,
  // later ones are the last batch's, kept for their memory.
  struct Rows {
    DemoBatch& out;
    domain::StatAccumulator& stats;
    std::size_t cases = 0;
    std::size_t events = 0;
    std::size_t cases_indexed = 0;
    std::size_t cases_signed = 0;
    std::size_t bands = 0;
  };
  // Makes an ordinary case created at `created` (incident null), or an incident's.
  void make_case(Rows& out, Instant created, const IncidentCase* incident);
  // An incident's case, made from the incident's own random numbers.
  void make_incident_case(Rows& out, const IncidentCase& spec);
  static void emit(const Case& c, const std::vector<CaseEvent>& events, Rows& out);

  std::string say(std::span<const std::string_view> texts, const DemoPlace& p) {
    return fill(rng_.pick(texts), p);
  }
  std::string reply(const Leaf& leaf, const DemoPlace& p) {
    if (!leaf.replies.empty() && rng_.chance(0.6)) return fill(rng_.pick(leaf.replies), p);
    return fill(rng_.pick(generic_replies_), p);
  }

  struct RouteKey {
    std::size_t place;
    std::size_t leaf;
    CaseKind kind;
    std::uint64_t keywords;
    bool operator==(const RouteKey&) const = default;
  };
  struct RouteHash {
    std::size_t operator()(const RouteKey& k) const {
      std::uint64_t h = k.place * 0x9e3779b97f4a7c15ULL ^ (k.leaf + 1) * 0xbf58476d1ce4e5b9ULL ^
                        (k.keywords + 7) * 0x94d049bb133111ebULL ^
                        static_cast<std::uint64_t>(k.kind);
      return static_cast<std::size_t>(h ^ (h >> 29));
    }
  };

  const DemoWorld& world_;
  const DemoTexts& texts_;
  std::int64_t total_;
  std::int64_t made_ = 0;
  std::int64_t ordinary_made_ = 0;
  std::optional<Instant> next_ordinary_;  // the created time of the next ordinary case
  Rng rng_;
  Rng incident_rng_;
  std::vector<DemoIncident> incidents_;
  std::vector<IncidentCase> incident_cases_;  // in time order
  std::size_t next_incident_ = 0;
  Case last_case_;  // the case made last
  std::map<std::pair<std::string, int>, std::int64_t> counters_;
  domain::StatAccumulator stats_;  // the batch's facts
  std::vector<std::size_t> villages_;
  std::unordered_map<std::string, std::size_t> by_code_;
  Weights village_weights_;
  std::vector<Leaf> leaves_;
  Weights leaf_weights_;
  std::vector<std::string_view> generic_replies_;
  Weights surnames_;
  Instant history_start_{};
  Weights arrivals_;
  std::vector<std::string> keywords_;
  // Dispatch decisions: without routing keywords in the text, by (place, leaf, kind); with, by
  // the keywords found too.
  std::vector<std::optional<const domain::Unit*>> plain_routes_;
  std::unordered_map<RouteKey, std::optional<const domain::Unit*>, RouteHash> routes_;
  std::vector<CaseEvent> events_;  // of the case being made
};

void DemoCaseGenerator::Impl::make_case(Rows& out, Instant created, const IncidentCase* incident) {
  ++made_;
  Case& c = last_case_;
  c = Case{};
  std::vector<CaseEvent>& events = events_;
  events.clear();
  const DemoPlace& place =
      incident ? world_.places[by_code_.at(incidents_[incident->incident].village)] : pick_place();
  const auto place_index = static_cast<std::size_t>(&place - world_.places.data());
  const std::size_t leaf_index = incident ? incident->leaf : leaf_weights_.sample(rng_);
  const Leaf& leaf = leaves_[leaf_index];

  // What register_in stores (a repeat is never linked here: every case stands alone).
  const bool petition = rng_.chance(leaf.petition_share);
  c.kind = petition ? CaseKind::kPetition : CaseKind::kDemand;
  // An incident's people call, write online or come in: its cases arrive on the day.
  constexpr std::array kPrompt{Channel::kPhone, Channel::kWeb, Channel::kWalkIn};
  c.channel = incident ? rng_.pick(kPrompt) : channel(c.kind);
  c.category_code = leaf.category->code;
  c.place_code = place.code;
  c.county_code = place.code.substr(0, 6);
  c.address = address(place);
  if (place.centre && rng_.chance(0.4)) {
    c.point = domain::GeoPoint{place.centre->lat + rng_.uniform(-0.004, 0.004),
                               place.centre->lon + rng_.uniform(-0.004, 0.004)};
  }
  c.anonymous = !incident && rng_.chance(petition ? 0.02 : 0.06);
  if (incident) {
    // The village's own people: numbers apart from the other demo residents'.
    c.submitter_name = person_name(kPersons + incident->person);
    c.submitter_contact = demo_mobile(kPersons + incident->person, made_);
  } else if (!c.anonymous) {
    const int person = static_cast<int>(rng_.below(kPersons));
    c.submitter_name = person_name(person);
    c.submitter_contact = demo_mobile(person, made_);
  }
  c.description =
      description(leaf, place, c.kind, incident ? &leaf.texts[incident->text] : nullptr);
  const domain::Unit* unit = dispatch(place_index, leaf_index, c.kind, c.description);
  if (unit) c.unit_id = unit->id;
  c.received_at = received_at(c.channel, created);
  c.created_at = c.updated_at = created;
  c.clock = petition ? ClockKind::kAcceptance : ClockKind::kHandling;
  c.clock_started_at = c.received_at;
  const domain::ClockTimes times = domain::clock_times(
      c.received_at, petition ? world_.rules.petition_acceptance : leaf.category->time_limit, 0,
      domain::kWarnFraction, world_.calendar);
  c.deadline_at = times.deadline;
  c.warn_at = times.warn_at;
  c.clock_limit = petition ? world_.rules.petition_acceptance : leaf.category->time_limit;
  const int year =
      static_cast<int>(std::chrono::year_month_day(domain::china_date(created)).year());
  std::int64_t& seq = counters_[{c.county_code, year}];
  c.number = domain::format_case_number(c.county_code, year, ++seq);
  std::array<std::uint8_t, 8> random{};
  std::uint64_t bits = rng_.next();
  for (auto& b : random) {
    b = static_cast<std::uint8_t>(bits & 0xff);
    bits >>= 8;
  }
  c.tracking_code = domain::make_tracking_code(random);
  c.version = 1;
  std::string actor = c.channel == Channel::kWeb       ? "resident"
                      : c.channel == Channel::kOpen311 ? "open311"
                                                       : demo_operator(rng_);
  events.push_back(
      CaseEvent{.seq = 1,
                .at = created,
                .actor = std::move(actor),
                .command = "register",
                .from = std::nullopt,
                .to = CaseState::kRegistered,
                .unit_id = c.unit_id,
                .note = unit ? domain::notes::routed(unit->name) : domain::notes::no_unit(),
                .is_public = true});
  live_demo_case({.world = world_,
                  .place = place,
                  .time_limit = leaf.category->time_limit,
                  .rng = rng_,
                  .say = [&](std::span<const std::string_view> texts) { return say(texts, place); },
                  .reply = [&] { return reply(leaf, place); }},
                 c, events);
  emit(c, events, out);
}

void DemoCaseGenerator::Impl::make_incident_case(Rows& out, const IncidentCase& spec) {
  std::swap(rng_, incident_rng_);
  make_case(out, spec.created, &spec);
  std::swap(rng_, incident_rng_);
  DemoIncident& incident = incidents_[spec.incident];
  const Case& c = last_case_;
  incident.start = std::min(incident.start, c.received_at);
  incident.end = std::max(incident.end, c.received_at);
  incident.cases.push_back(c.number);
}

void DemoCaseGenerator::Impl::emit(const Case& c, const std::vector<CaseEvent>& events, Rows& out) {
  for (const CaseEvent& e : events) {
    RowWriter w(next_row(out.out.events, out.events, kDemoEventColumns.size()));
    w.text(c.number);
    w.integer(e.seq);
    w.instant(e.at);
    w.text(e.actor);
    w.text(e.command);
    if (e.from) {
      w.text(domain::to_string(*e.from));
    } else {
      w.null();
    }
    w.text(domain::to_string(e.to));
    w.integer(e.unit_id);
    w.text(e.note);
    w.integer(e.is_public);
    if (e.command != "escalate") continue;
    for (auto& area : domain::chain_of(c.place_code)) {
      out.out.escalations.push_back(
          {std::move(area), to_micros(e.at), c.number, std::int64_t{e.seq}});
    }
  }
  ++out.out.by_state[c.state];
  if (c.breached) ++out.out.breached;
  out.stats.add(c, domain::facts_of(c, events));
  // The topic words, once for the counts and the signature.
  std::vector<std::string> topic = text::topic_words_of(c.description);
  const std::vector<std::string> counted = store::signals::counted_words(topic);
  store::signals::add_case_counts(out.out.signals, c, +1, &counted);
  RowWriter w(next_row(out.out.cases, out.cases, kDemoCaseColumns.size()));
  w.text(c.number);
  w.text(c.tracking_code);
  w.text(domain::to_string(c.kind));
  w.text(c.category_code);
  w.text(c.place_code);
  w.text(c.county_code);
  w.text(c.address);
  w.real(c.point ? std::optional(c.point->lat) : std::nullopt);
  w.real(c.point ? std::optional(c.point->lon) : std::nullopt);
  w.integer(c.anonymous);
  w.text(c.submitter_name);
  w.text(c.submitter_contact);
  w.text(c.description);
  w.text(domain::to_string(c.channel));
  w.integer(c.unit_id);
  w.text(domain::to_string(c.state));
  w.integer(c.version);
  w.instant(c.received_at);
  w.instant(c.created_at);
  w.instant(c.updated_at);
  w.text(domain::to_string(c.clock));
  w.instant(c.clock_started_at);
  w.instant(c.deadline_at);
  w.integer(c.warned);
  w.integer(c.breached);
  w.instant(domain::next_timer(c));
  w.integer(c.extensions);
  w.text(c.reply);
  w.instant(c.replied_at);
  w.text(domain::to_string(c.rating));
  w.instant(c.warn_at);
  w.integer(c.extension_days);
  w.integer(c.clock_limit ? std::optional<std::int64_t>(c.clock_limit->amount) : std::nullopt);
  if (c.clock_limit) {
    w.text(domain::to_string(c.clock_limit->unit));
  } else {
    w.null();
  }
  // The same tokens store::cases::insert would index; made here, on the generator's thread.
  text::IndexTerms terms = store::search::terms_of(c.place_code, c.description, c.address, c.reply);
  RowWriter s(next_row(out.out.search, out.cases_indexed, store::search::kIndexRowWidth));
  s.text(c.number);
  s.text(terms.sequence);
  s.text(terms.unigrams);
  // And the signature store::cases::insert would record.
  store::repeats::Signature sig = store::repeats::signature_of(c, topic);
  RowWriter g(
      next_row(out.out.signatures, out.cases_signed, store::repeats::kSignatureColumns.size()));
  g.text(c.number);
  g.text(c.place_code);
  g.text(c.category_code);
  g.instant(c.created_at);
  g.integer(sig.contact_key);
  g.text(text::to_hex(sig.minhash));
  for (std::int64_t key : sig.band_keys) {
    RowWriter b(next_row(out.out.bands, out.bands, store::repeats::kBandColumns.size()));
    b.integer(key);
    b.instant(c.created_at);
    b.text(c.number);
  }
}

DemoCaseGenerator::DemoCaseGenerator(const DemoWorld& world, std::int64_t total, std::uint64_t seed,
                                     int incidents)
    : impl_(std::make_unique<Impl>(world, total, seed, incidents)) {}
DemoCaseGenerator::~DemoCaseGenerator() = default;
void DemoCaseGenerator::next(std::int64_t count, DemoBatch& batch) { impl_->next(count, batch); }
std::int64_t DemoCaseGenerator::made() const { return impl_->made(); }
bool DemoCaseGenerator::done() const { return impl_->done(); }
const std::vector<DemoIncident>& DemoCaseGenerator::incidents() const { return impl_->incidents(); }

}  // namespace jiceng::app
