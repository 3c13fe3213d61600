// The dashboard's aggregates (case_stat) on SQLite and PostgreSQL: exact figures for a scripted
// history, and the aggregates equal to a recount from the cases and events (the view
// case_stat_recount) after a mix of commands and after the demo fill.
#include "app/stats.h"

#include <gtest/gtest.h>

#include "app/cases.h"
#include "app/demo_cases.h"
#include "domain/deadline.h"
#include "store/catalogue_repo.h"
#include "store/stats_repo.h"
#include "support/demo_db.h"

namespace jiceng::app {
namespace {

using domain::CaseFacts;
using domain::Command;
using domain::StatCounter;
using testing::Backend;

class FixedClock final : public Clock {
 public:
  Instant now() const override { return now_; }
  void set(Instant t) { now_ = t; }

 private:
  Instant now_{};
};

Instant cst(const char* day, int hour) {
  return domain::china_midnight(*parse_date(day)) + std::chrono::hours(hour);
}

// The counters in kStatCounterNames order, as a test writes them.
CaseFacts counts(std::initializer_list<std::int64_t> values) {
  CaseFacts f;
  std::size_t i = 0;
  for (std::int64_t v : values) f.n[i++] = v;
  return f;
}

std::string describe(const CaseFacts& f) {
  std::string out;
  for (std::size_t i = 0; i < domain::kStatCounterCount; ++i) {
    out += std::string(domain::kStatCounterNames[i]) + "=" + std::to_string(f.n[i]) + " ";
  }
  return out;
}

class Stats : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = testing::demo_database(GetParam());
    ASSERT_TRUE(db_);
    cases_ = std::make_unique<CaseService>(*db_, clock_);
    stats_ = std::make_unique<StatsService>(*db_, clock_);
  }

  domain::Intake intake(const char* category, const std::string& place) {
    static int n = 0;
    domain::Intake in;
    in.category_code = category;
    in.place_code = place;
    in.submitter_name = "赵六";
    in.submitter_contact = "1380000" + std::to_string(1000 + n++);
    in.description = "路灯坏了很久，晚上出行不便。";
    return in;
  }
  domain::Case registered(const domain::Intake& in) {
    auto r = cases_->register_case(in, office_);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->registered : domain::Case{};
  }
  domain::Case apply(const domain::Case& c, Command command, CommandInput in = {}) {
    auto r = cases_->apply(c.number, command, in, c.version, office_);
    EXPECT_TRUE(r) << domain::to_string(command) << " " << c.number << ": "
                   << (r ? "" : r.error().message);
    return r ? *r : c;
  }
  void run_timers() {
    for (;;) {
      auto n = cases_->run_due_timers();
      ASSERT_TRUE(n) << n.error().message;
      if (!n->capped) break;
    }
  }
  // The n-th village (level 5) below `under`, in code order.
  std::string village(std::string_view under, int n) {
    auto [first, last] = domain::scope_range(under);
    auto row = db_->read_value([&](store::Sql& sql) {
      return sql.query_one(
          "SELECT code FROM jurisdiction WHERE level = 5 AND code >= $1 AND code < $2 "
          "ORDER BY code LIMIT 1 OFFSET $3",
          {first, last, std::int64_t{n}});
    });
    EXPECT_TRUE(row);
    return row ? row->text(0) : "";
  }
  Dashboard dashboard(const std::string& area, const char* from, const char* to) {
    auto d = stats_->dashboard(leader_, {.area = area,
                                         .from = parse_date(from),
                                         .to = parse_date(to),
                                         .kind = std::nullopt,
                                         .interval = std::nullopt,
                                         .list_limit = 50});
    EXPECT_TRUE(d) << d.error().message;
    return d ? *d : Dashboard{};
  }
  void expect_consistent() {
    auto diff = db_->read_value(
        [](store::Sql& sql) { return store::stats::differences_from_recount(sql); });
    ASSERT_TRUE(diff) << diff.error().message;
    for (const auto& line : *diff) ADD_FAILURE() << line;
  }

  store::Database* db_ = nullptr;
  FixedClock clock_;
  std::unique_ptr<CaseService> cases_;
  std::unique_ptr<StatsService> stats_;
  const Actor office_{.name = "operator", .staff = true};
  const domain::Principal leader_{
      .role = domain::Role::kLeader, .id = 1, .username = "leader", .scope_code = "3606"};
};

TEST_P(Stats, AScriptedHistoryGivesExactFigures) {
  clock_.set(cst("2025-04-07", 0));
  run_timers();                      // nothing of earlier tests falls due in the script below
  clock_.set(cst("2025-04-07", 9));  // D, a Monday
  const std::string v = village("360602", 2);
  const std::string township = v.substr(0, 9);
  auto a = registered(intake("urban.sanitation", v));
  auto b = registered(intake("urban.drainage", v));   // 24 hours
  auto b2 = registered(intake("urban.drainage", v));  // 24 hours
  auto c = registered(intake("env.noise", v));
  auto d = registered(intake("urban.sanitation", v));
  auto e1_in = intake("urban.sanitation", v);
  auto e1 = registered(e1_in);
  auto e2 = cases_->register_case(e1_in, office_);  // the same caller again: a repeat
  ASSERT_TRUE(e2 && e2->repeat_of);
  auto f = registered(intake("urban.sanitation", v));
  auto g = registered(intake("urban.sanitation", v));
  auto h = registered(intake("urban.sanitation", v));

  clock_.set(cst("2025-04-07", 10));
  a = apply(a, Command::kAccept);
  a = apply(a, Command::kAssign, {.unit_id = a.unit_id});
  a = apply(a, Command::kResolve, {.reply = "已更换灯泡。"});
  a = apply(a, Command::kFollowUp, {.rating = domain::Rating::kSatisfied});
  a = apply(a, Command::kClose);
  for (auto* x : {&b, &b2}) {
    *x = apply(*x, Command::kAccept);
    *x = apply(*x, Command::kAssign, {.unit_id = x->unit_id});
  }
  c = apply(c, Command::kDecline, {.note = "不属于受理范围"});
  e1 = apply(e1, Command::kAccept);
  e1 = apply(e1, Command::kEscalate, {.note = "村委会无力解决"});
  f = apply(f, Command::kAccept);
  f = apply(f, Command::kAssign, {.unit_id = f.unit_id});
  f = apply(f, Command::kResolve, {.reply = "已处理。"});
  f = apply(f, Command::kFollowUp, {.rating = domain::Rating::kUnsatisfied});
  f = apply(f, Command::kReopen, {.note = "群众不满意"});
  g = apply(g, Command::kMerge, {.target_case = e1.number});
  h = apply(h, Command::kAccept);
  auto elsewhere = db_->read_value(
      [](store::Sql& sql) { return store::catalogue::units_on_chain(sql, "360681001001"); });
  ASSERT_TRUE(elsewhere);
  auto foreign = std::find_if(elsewhere->begin(), elsewhere->end(), [](const domain::Unit& u) {
    return u.kind == domain::UnitKind::kTownshipGovernment;
  });
  ASSERT_NE(foreign, elsewhere->end());
  h = apply(h, Command::kTransfer, {.note = "属贵溪市管辖", .unit_id = foreign->id});
  ASSERT_EQ(h.place_code, foreign->jurisdiction_code);

  // The next day both drainage cases are past their 24 hours: warned, breached, escalated.
  clock_.set(cst("2025-04-08", 12));
  run_timers();
  b = cases_->get(b.number)->c;
  b = apply(b, Command::kResolve, {.reply = "已疏通。"});  // late
  b = apply(b, Command::kFollowUp, {.rating = domain::Rating::kUnsatisfied});

  // received merged responded accepted declined resolved on_time closed rated satisfied
  // escalations open overdue
  const CaseFacts expected = counts({9, 2, 6, 5, 1, 2, 1, 1, 2, 1, 3, 5, 1});
  for (auto [from, to] : {std::pair{"2025-04-07", "2025-04-07"},     // day rows
                          std::pair{"2025-04-01", "2025-04-30"},     // one month row
                          std::pair{"2025-03-15", "2025-05-31"}}) {  // days, then months
    auto dash = dashboard(v, from, to);
    EXPECT_EQ(dash.totals.period, expected)
        << from << ".." << to << ": " << describe(dash.totals.period);
  }
  auto dash = dashboard(v, "2025-04-06", "2025-04-08");
  EXPECT_EQ(dash.totals.now[StatCounter::kOpen], 5);
  EXPECT_EQ(dash.totals.now[StatCounter::kOverdue], 1);
  auto rates = domain::rates_of(dash.totals.period);
  EXPECT_DOUBLE_EQ(*rates.response, 6.0 / 7.0);
  EXPECT_DOUBLE_EQ(*rates.resolution, 2.0 / 5.0);
  EXPECT_DOUBLE_EQ(*rates.satisfaction, 0.5);
  EXPECT_DOUBLE_EQ(*rates.on_time, 0.5);
  ASSERT_EQ(dash.trend.size(), 3u);  // three days, by day
  EXPECT_EQ(dash.trend[0].facts[StatCounter::kReceived], 0);
  EXPECT_EQ(dash.trend[1].facts, expected);
  EXPECT_EQ(format_date(dash.trend[1].start), "2025-04-07");
  for (const auto& cat : dash.categories) {
    const std::int64_t want = cat.category.code == "urban" ? 8 : cat.category.code == "env" ? 1 : 0;
    EXPECT_EQ(cat.facts[StatCounter::kReceived], want) << cat.category.code;
  }
  ASSERT_EQ(dash.overdue.size(), 1u);
  EXPECT_EQ(dash.overdue[0].number, b2.number);
  ASSERT_EQ(dash.escalations.size(), 3u);
  EXPECT_TRUE(dash.escalations[0].automatic);
  EXPECT_EQ(dash.escalations[2].number, e1.number);
  EXPECT_FALSE(dash.escalations[2].automatic);

  // One level up: the village is one of the township's rows; the transferred case counts in
  // the other county, and both in the city.
  auto up = dashboard(township, "2025-04-07", "2025-04-07");
  EXPECT_EQ(up.totals.period, expected);
  for (const auto& sub : up.sub_areas) {
    EXPECT_EQ(sub.period[StatCounter::kReceived], sub.area.code == v ? 9 : 0) << sub.area.code;
  }
  EXPECT_FALSE(up.own_cases);
  EXPECT_EQ(dashboard("360681", "2025-04-07", "2025-04-07").totals.period[StatCounter::kReceived],
            1);
  EXPECT_EQ(dashboard("3606", "2025-04-07", "2025-04-07").totals.period[StatCounter::kReceived],
            10);
  expect_consistent();
}

TEST_P(Stats, TheDemoFillKeepsTheAggregatesExact) {
  clock_.set(cst("2020-06-01", 12));  // cases of 2018-2020: apart from the other tests'
  auto added = add_demo_cases(*db_, clock_, 400, 7);
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(added->cases, 400);
  expect_consistent();
}

TEST_P(Stats, AreasOutsideTheScopeAreNotFound) {
  clock_.set(cst("2025-10-01", 9));
  domain::Principal township{
      .role = domain::Role::kCadre, .id = 2, .username = "cadre", .scope_code = "360602001"};
  auto own = stats_->dashboard(township, {});
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_EQ(own->totals.area.code, "360602001");
  for (const auto& sub : own->sub_areas) EXPECT_TRUE(sub.area.code.starts_with("360602001"));
  for (std::string area : {"360602002", "360602", "3606"}) {
    auto other = stats_->dashboard(township, {.area = area});
    ASSERT_FALSE(other) << area;
    EXPECT_EQ(other.error().code, ErrorCode::kNotFound) << area;
  }
  auto bad_area = stats_->dashboard(township, {.area = "36060200"});
  ASSERT_FALSE(bad_area);
  EXPECT_EQ(bad_area.error().code, ErrorCode::kInvalidArgument);
  auto backwards = stats_->dashboard(
      township, {.from = parse_date("2025-05-02"), .to = parse_date("2025-05-01")});
  ASSERT_FALSE(backwards);
  EXPECT_EQ(backwards.error().code, ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Stores, Stats, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng::app
