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

TEST(AssessBurst, AShortHistoryUsesTheDaysThereAre) {
  const std::int64_t today = 20000;
  // Eight days of history with 6 cases a day: 15 people today is no burst there, though 28
  // days (of which 20 would count as empty) would make it look like one.
  // (A deployment may be tested this early when it lowers min_history_days.)
  const BurstRules early{.min_history_days = 7};
  auto days = days_of(today, {6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 15});
  EXPECT_FALSE(assess_burst(days, today, today - 10, early));
  EXPECT_TRUE(assess_burst(days, today, today - 40, early))
      << "the same days in a long, empty history";
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
