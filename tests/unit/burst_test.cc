// The burst statistics (domain/burst.h): the Poisson tail, the baseline when history is short,
// distinct people as the statistic, levels, the warning's commands and the pseudonyms.
#include "domain/burst.h"

#include <gtest/gtest.h>

#include <cmath>

namespace jiceng::domain {
namespace {

TEST(PoissonTail, MatchesKnownValues) {
  struct Case {
    std::int64_t k;
    double mean;
    double expected;
  };
  const Case cases[] = {
      {0, 3.0, 1.0},
      {1, 3.0, 1 - std::exp(-3.0)},
      {3, 3.0, 1 - std::exp(-3.0) * (1 + 3 + 4.5)},
      {5, 0.15, 5.5858e-7},  // e^-0.15 · Σ_{j≥5} 0.15^j / j!
      {10, 1.0, 1.1143e-7},
      {2, 0.0, 0.0},
      {30, 30.0, 0.52428},
  };
  for (const auto& c : cases) {
    const double got = poisson_upper_tail(c.k, c.mean);
    EXPECT_NEAR(got, c.expected, std::max(1e-12, c.expected * 1e-3))
        << "P(X >= " << c.k << " | " << c.mean << ")";
  }
  // Monotone in k and in the mean.
  EXPECT_GT(poisson_upper_tail(6, 1.0), poisson_upper_tail(7, 1.0));
  EXPECT_LT(poisson_upper_tail(6, 1.0), poisson_upper_tail(6, 1.5));
  // Far tails stay positive and finite.
  EXPECT_GT(poisson_upper_tail(60, 0.5), 0.0);
}

TEST(NegativeBinomialTail, MatchesKnownValues) {
  struct Case {
    std::int64_t k;
    double mean;
    double dispersion;
    double expected;
  };
  const Case cases[] = {
      {0, 6.0, 2.0, 1.0},
      // Size 6, success 1/2: 1 − Σ_{j<k} C(j+5, j) 2^-(6+j), exactly.
      {3, 6.0, 2.0, 0.85546875},
      {10, 6.0, 2.0, 0.15087890625},
      {20, 6.0, 2.0, 0.0020386576652526855},
      // Size 1 is the geometric count: P(X >= k) = q^k.
      {10, 2.0, 3.0, 0.017341529915832612},    // (2/3)^10
      {20, 0.5, 1.5, 2.8679719907924413e-10},  // (1/3)^20
      // A size that is no whole number (a county's three days at 2.7 a day, 34 people).
      {34, 8.1, 1.5, 3.181727698155701e-07},
      {34, 8.1, 1.2, 3.3825294049158104e-09},
      {2, 0.0, 2.0, 0.0},
  };
  for (const auto& c : cases) {
    const double got = negative_binomial_upper_tail(c.k, c.mean, c.dispersion);
    EXPECT_NEAR(got, c.expected, std::max(1e-14, c.expected * 1e-6))
        << "P(X >= " << c.k << " | mean " << c.mean << ", dispersion " << c.dispersion << ")";
  }
  // A dispersion of 1 or less is the Poisson count; a little more is close to it; more
  // dispersion makes a far count likelier.
  EXPECT_EQ(negative_binomial_upper_tail(34, 8.1, 1.0), poisson_upper_tail(34, 8.1));
  EXPECT_EQ(negative_binomial_upper_tail(34, 8.1, 0.7), poisson_upper_tail(34, 8.1));
  EXPECT_NEAR(negative_binomial_upper_tail(34, 8.1, 1 + 1e-7), poisson_upper_tail(34, 8.1),
              poisson_upper_tail(34, 8.1) * 1e-3);
  EXPECT_LT(negative_binomial_upper_tail(34, 8.1, 1.2), negative_binomial_upper_tail(34, 8.1, 1.5));
  EXPECT_GT(negative_binomial_upper_tail(400, 0.5, 40), 0.0);
}

TEST(Dispersion, IsTheVarianceOverTheMeanAtLeastOne) {
  struct Case {
    std::vector<std::int64_t> counts;
    double expected;
  };
  const Case cases[] = {
      {{}, 1.0},           {{5}, 1.0},
      {{0, 0, 0}, 1.0},    {{2, 2, 2, 2}, 1.0},  // no variance: Poisson, not less
      {{0, 0, 0, 4}, 4.0},                       // mean 1, sample variance 4
      {{0, 6, 0, 6}, 4.0},                       // mean 3, sample variance 12
  };
  for (const auto& c : cases) EXPECT_DOUBLE_EQ(dispersion_of(c.counts), c.expected);
}

// Days of one cell: `counts` cases, each from a different person, on consecutive days ending
// at `last`.
std::vector<CellDay> days_of(std::int64_t last, std::vector<int> counts, std::int64_t person = 0) {
  std::vector<CellDay> out;
  std::int64_t day = last - static_cast<std::int64_t>(counts.size()) + 1;
  for (int n : counts) {
    CellDay d{.day = day++, .cases = n, .people = {}};
    for (int i = 0; i < n; ++i) d.people.push_back(person++);
    out.push_back(std::move(d));
  }
  return out;
}

TEST(AssessBurst, AVillageWithoutHistoryDoesNotAlarmOnItsFirstCases) {
  const std::int64_t today = 20000;
  for (int n : {1, 2, 3, 4}) {
    auto days = days_of(today, {n});
    EXPECT_FALSE(assess_burst(days, today, today - 30)) << n << " cases in a new village";
  }
  EXPECT_FALSE(assess_burst(days_of(today, {30}), today, today - 20))
      << "nothing is tested in a deployment's first weeks";
  auto group = days_of(today, {4, 4});
  auto burst = assess_burst(group, today, today - 30);
  ASSERT_TRUE(burst) << "8 people in two days where nothing happened before";
  EXPECT_EQ(burst->people, 8);
  EXPECT_EQ(burst->first_day, today - 1);
}

TEST(AssessBurst, ABusyBaselineAbsorbsTheSameRise) {
  const std::int64_t today = 20000;
  // 8 people in two days: a burst in a quiet village, an ordinary day in a busy one.
  std::vector<int> quiet(28, 0);
  std::vector<int> busy(28, 5);
  quiet.insert(quiet.end(), {0, 4, 4});
  busy.insert(busy.end(), {5, 4, 4});
  EXPECT_TRUE(assess_burst(days_of(today, quiet), today, today - 100));
  EXPECT_FALSE(assess_burst(days_of(today, busy), today, today - 100));
  // A doubling of a busy cell is no burst either, however unlikely under a Poisson count.
  std::vector<int> busier(28, 20);
  busier.insert(busier.end(), {40, 40, 40});
  EXPECT_FALSE(assess_burst(days_of(today, busier), today, today - 100));
  busier.back() = 70;
  EXPECT_TRUE(assess_burst(days_of(today, busier), today, today - 100)) << "70 against 20 a day";
}

TEST(AssessBurst, ThePriorNeverPullsABusyCellBelowItsDays) {
  const std::int64_t today = 20000;
  // 6 cases every day: the rate is 6, not (168 + 1) / (28 + 7) ≈ 4.8, under which 24 people
  // in a day would be p ≈ 4·10⁻¹⁰; against 6 it is p ≈ 3·10⁻⁸, an unusual day but no burst.
  std::vector<int> steady(28, 6);
  steady.insert(steady.end(), {6, 6, 24});
  EXPECT_FALSE(assess_burst(days_of(today, steady), today, today - 100));
  steady.back() = 26;
  auto burst = assess_burst(days_of(today, steady), today, today - 100);
  ASSERT_TRUE(burst) << "26 people against 6 a day: p ≈ 1·10⁻⁹";
  EXPECT_DOUBLE_EQ(burst->baseline_rate, 6.0);
}

TEST(AssessBurst, ARiseTheCellHadAYearBeforeIsItsSeason) {
  const std::int64_t today = 20000;
  // A township's enrolment: 2 cases a day in the same weeks last year, none in the last 28
  // days, 12 people in the last three.
  const auto [first, last] = season_of(today, {});
  EXPECT_EQ(first, today - 364 - 14);
  EXPECT_EQ(last, today - 364 + 14);
  std::vector<CellDay> days = days_of(last, std::vector<int>(29, 2), 1000);
  const auto window = days_of(today, {4, 4, 4});
  days.insert(days.end(), window.begin(), window.end());
  EXPECT_FALSE(assess_burst(days, today, today - 400)) << "last year's season expects 6";
  EXPECT_TRUE(assess_burst(days, today, today - 300)) << "a history without that season";
  EXPECT_TRUE(assess_burst(days, today, today - 400, BurstRules{.season_days = 0}));
  // Far above last year's season is a burst all the same.
  days.back().people.resize(0);
  for (std::int64_t p = 0; p < 30; ++p) days.back().people.push_back(5000 + p);
  days.back().cases = 30;
  auto burst = assess_burst(days, today, today - 400);
  ASSERT_TRUE(burst);
  EXPECT_DOUBLE_EQ(burst->baseline_rate, 2.0);
}

TEST(AssessBurst, AnOverDispersedBusyCellNeedsMoreToAlarm) {
  const std::int64_t today = 20000;
  // 3 cases a day on average either way; 20 people today is p ≈ 8·10⁻¹¹ for a steady cell and
  // p ≈ 1·10⁻³ for one that swings between 0 and 6 from day to day.
  std::vector<int> steady(28, 3);
  std::vector<int> swinging;
  for (int i = 0; i < 28; ++i) swinging.push_back(i % 2 == 0 ? 0 : 6);
  for (auto* days : {&steady, &swinging}) days->insert(days->end(), {3, 3, 20});
  auto burst = assess_burst(days_of(today, steady), today, today - 100);
  ASSERT_TRUE(burst);
  EXPECT_EQ(burst->dispersion, 1.0);
  EXPECT_FALSE(assess_burst(days_of(today, swinging), today, today - 100));
  swinging.back() = 60;
  burst = assess_burst(days_of(today, swinging), today, today - 100);
  ASSERT_TRUE(burst) << "60 people where 6 is a busy day";
  EXPECT_GT(burst->dispersion, 3.0);
}

TEST(AssessBurst, AQuietCellsFewCasesDoNotMakeItDispersed) {
  const std::int64_t today = 20000;
  // A village with a case now and then, one day of two: too few cases to estimate a
  // dispersion from, so its test stays Poisson and 6 people in a day alarm.
  std::vector<int> village(28, 0);
  village[5] = 2;
  village[17] = 1;
  village.insert(village.end(), {0, 0, 6});
  auto burst = assess_burst(days_of(today, village), today, today - 100);
  ASSERT_TRUE(burst);
  EXPECT_EQ(burst->dispersion, 1.0);
  // With the rule off, the same days would be tested with a dispersion of about 1.6 and not
  // alarm.
  EXPECT_FALSE(assess_burst(days_of(today, village), today, today - 100,
                            BurstRules{.min_dispersion_rate = 0}));
}

TEST(AssessBurst, AShortHistoryUsesTheDaysThereAre) {
  const std::int64_t today = 20000;
  // Eight days of history with 6 cases a day: 15 people today is no burst there, though 28
  // days (of which 20 would count as empty) would make it look like one.
  // (A deployment may be tested this early when it lowers min_history_days.)
  const BurstRules early{.min_history_days = 7};
  auto days = days_of(today, {6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 15});
  EXPECT_FALSE(assess_burst(days, today, today - 10, early));
  // In a long, empty history the same days make a baseline of 48 cases in 28 days: 15 is a
  // burst for a Poisson count, but not for the negative binomial one, which sees that 8 days of
  // 6 among 20 empty ones vary a lot.
  const BurstRules poisson{.min_dispersion_rate = 1e9, .min_history_days = 7};
  EXPECT_TRUE(assess_burst(days, today, today - 40, poisson))
      << "the same days in a long, empty history";
  EXPECT_FALSE(assess_burst(days, today, today - 40, early));
  EXPECT_FALSE(assess_burst(days, today, today - 10)) << "too early by default";
}

TEST(AssessBurst, OnePersonsRepeatsCountOnce) {
  const std::int64_t today = 20000;
  std::vector<CellDay> repeats = {{.day = today, .cases = 12, .people = {42}}};
  EXPECT_FALSE(assess_burst(repeats, today, today - 60));
  // Twelve cases from three people: still below a group's five.
  std::vector<CellDay> few = {{.day = today, .cases = 12, .people = {1, 2, 3}}};
  EXPECT_FALSE(assess_burst(few, today, today - 60));
  // The same people on two days are counted once in the two-day window.
  std::vector<CellDay> twice = {{.day = today - 1, .cases = 3, .people = {1, 2, 3}},
                                {.day = today, .cases = 3, .people = {1, 2, 3}}};
  EXPECT_FALSE(assess_burst(twice, today, today - 60));
  std::vector<CellDay> six = {{.day = today - 1, .cases = 3, .people = {1, 2, 3}},
                              {.day = today, .cases = 3, .people = {4, 5, 6}}};
  auto b = assess_burst(six, today, today - 60);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->people, 6);
  EXPECT_EQ(b->cases, 6);
}

TEST(WarningLevel, BySizeAndImprobability) {
  EXPECT_EQ(level_of(5, 1e-8), WarningLevel::kBlue);
  EXPECT_EQ(level_of(6, 1e-11), WarningLevel::kYellow);
  EXPECT_EQ(level_of(12, 1e-9), WarningLevel::kYellow);
  EXPECT_EQ(level_of(12, 1e-16), WarningLevel::kOrange);
  EXPECT_EQ(level_of(25, 1e-9), WarningLevel::kOrange);
  EXPECT_EQ(level_of(60, 1e-9), WarningLevel::kRed);
}

TEST(WarningCommands, FollowTheLife) {
  using C = WarningCommand;
  using S = WarningStatus;
  struct Step {
    S from;
    C command;
    const char* note;
    std::optional<S> to;  // nullopt: refused
  };
  const Step steps[] = {
      {S::kNew, C::kAcknowledge, "", S::kAcknowledged},
      {S::kAcknowledged, C::kAcknowledge, "", std::nullopt},
      {S::kNew, C::kHandle, "已处置", S::kHandled},
      {S::kAcknowledged, C::kDismiss, "系正常季节性诉求", S::kDismissed},
      {S::kAcknowledged, C::kDismiss, "  ", std::nullopt},
      {S::kHandled, C::kDismiss, "理由", std::nullopt},
      {S::kDismissed, C::kAcknowledge, "", std::nullopt},
  };
  for (const auto& s : steps) {
    auto got = apply_warning_command(s.from, s.command, s.note);
    EXPECT_EQ(got.has_value(), s.to.has_value()) << to_string(s.from);
    if (got && s.to) {
      EXPECT_EQ(*got, *s.to);
    }
  }
}

TEST(PersonOf, TellsPeopleApartWithoutNamingThem) {
  Case a;
  a.number = "360602-2026-000001";
  a.submitter_contact = "138 0000 1234";
  Case b = a;
  b.number = "360602-2026-000002";
  b.submitter_contact = "13800001234";
  EXPECT_EQ(person_of(a), person_of(b)) << "the same phone, however typed";
  b.submitter_contact = "+86 138-0000-1234";
  EXPECT_EQ(person_of(a), person_of(b)) << "with the country code too";
  b.submitter_contact = "Li@QQ.com";
  Case c = b;
  c.number = "360602-2026-000003";
  c.submitter_contact = "li@qq.com";
  c.resident_id = 7;
  EXPECT_EQ(person_of(b), person_of(c)) << "one e-mail address, whatever its case";
  b.submitter_contact = "13800001235";
  EXPECT_NE(person_of(a), person_of(b));
  Case anon1 = a;
  anon1.anonymous = true;
  Case anon2 = b;
  anon2.anonymous = true;
  EXPECT_NE(person_of(anon1), person_of(anon2)) << "each anonymous case is a person of its own";
  EXPECT_LT(person_of(a), std::int64_t{1} << 24);
  EXPECT_GE(person_of(a), 0);
}

}  // namespace
}  // namespace jiceng::domain
