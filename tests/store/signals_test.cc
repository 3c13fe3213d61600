// Hotspots and early warnings on SQLite and PostgreSQL: a small seeded stream in which the
// detector finds the injected burst at its village (not again at the township), a calm village
// with one insistent caller raises nothing, and a warning goes through its commands; the counts
// follow a case that moves; the whole stream's cases per day; the detector's read of every cell's
// days at once; an open warning that changes only when its burst grows.
#include "app/signals.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "app/cases.h"
#include "app/demo_random.h"
#include "domain/burst.h"
#include "domain/case_stats.h"
#include "domain/deadline.h"
#include "store/migrations.h"
#include "store/signal_repo.h"
#include "support/demo_db.h"

namespace jiceng::app {
namespace {

using testing::Backend;

class FixedClock final : public Clock {
 public:
  Instant now() const override { return now_; }
  void set(Instant t) { now_ = t; }

 private:
  Instant now_{};
};

Instant cst(Date day, int hour, int minute = 0) {
  return domain::china_midnight(day) + std::chrono::hours(hour) + std::chrono::minutes(minute);
}

class Signals : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = testing::demo_database(GetParam());
    ASSERT_TRUE(db_);
    cases_ = std::make_unique<CaseService>(*db_, clock_);
    signals_ = std::make_unique<SignalService>(*db_, clock_);
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

  domain::Case file(const std::string& place, const std::string& phone, Instant at,
                    const char* category = "env.water") {
    clock_.set(at);
    domain::Intake in;
    in.category_code = category;
    in.place_code = place;
    in.submitter_name = "村民";
    in.submitter_contact = phone;
    in.description = "村旁的小河被上游工厂排污，河水发黑发臭，鱼都死了。";
    auto r = cases_->register_case(in, office_);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->registered : domain::Case{};
  }

  std::vector<store::signals::Warning> warnings_of(const std::string& area) {
    auto list = signals_->warnings(leader_, {.area = area, .limit = 200});
    EXPECT_TRUE(list) << list.error().message;
    return list ? *list : std::vector<store::signals::Warning>{};
  }

  // The case numbers of a warning's evidence, as a leader reads them.
  std::set<std::string> evidence_of(std::int64_t warning_id) {
    auto detail = signals_->warning(leader_, warning_id, {.purpose = "test"});
    EXPECT_TRUE(detail) << detail.error().message;
    std::set<std::string> out;
    if (detail) {
      for (const auto& c : detail->evidence) out.insert(c.number);
    }
    return out;
  }

  void detect_at(Instant at) {
    clock_.set(at);
    auto r = signals_->detect();
    ASSERT_TRUE(r) << r.error().message;
  }

  store::Database* db_ = nullptr;
  FixedClock clock_;
  std::unique_ptr<CaseService> cases_;
  std::unique_ptr<SignalService> signals_;
  const Actor office_{.name = "operator", .staff = true};
  const domain::Principal leader_{
      .role = domain::Role::kLeader, .id = 1, .username = "leader", .scope_code = "3606"};
};

TEST_P(Signals, FindsTheBurstAndNotTheCalmVillage) {
  // Two villages of one township with the same quiet history: a case every few days.
  const std::string burst = village("360681", 30);
  const std::string calm = village(burst.substr(0, 9), 0) == burst ? village(burst.substr(0, 9), 1)
                                                                   : village(burst.substr(0, 9), 0);
  ASSERT_EQ(burst.substr(0, 9), calm.substr(0, 9));
  const std::string prefix = GetParam() == Backend::kSqlite ? "1391" : "1392";
  const Date start = *parse_date("2026-02-02");
  demo::Rng rng(7);
  int phone = 0;
  auto next_phone = [&] { return prefix + fmt::format("{:07d}", phone++); };
  for (int d = 0; d < 35; d += 3) {
    file(burst, next_phone(), cst(start + std::chrono::days(d), rng.between(8, 17)));
    file(calm, next_phone(), cst(start + std::chrono::days(d + 1), rng.between(8, 17)));
  }
  const Date day = start + std::chrono::days(36);
  for (int d = 0; d < 36; ++d) detect_at(cst(start + std::chrono::days(d), 23, 59));
  EXPECT_TRUE(warnings_of(burst).empty());
  EXPECT_TRUE(warnings_of(calm).empty());

  // The burst: 14 people of one village in two days. The calm village: one person, 8 times.
  std::vector<std::string> numbers;
  const std::string insistent = next_phone();
  for (int i = 0; i < 14; ++i) {
    numbers.push_back(
        file(burst, next_phone(), cst(day + std::chrono::days(i / 7), 9, i * 5)).number);
  }
  for (int i = 0; i < 8; ++i) file(calm, insistent, cst(day, 10 + i));
  detect_at(cst(day, 23, 59));
  detect_at(cst(day + std::chrono::days(1), 23, 59));

  auto found = warnings_of(burst);
  ASSERT_EQ(found.size(), 1u);
  const auto& w = found.front();
  EXPECT_EQ(w.area_code, burst);
  EXPECT_EQ(w.term, "env.water");
  EXPECT_EQ(w.status, domain::WarningStatus::kNew);
  EXPECT_EQ(w.people, 14);
  EXPECT_GE(w.level, domain::WarningLevel::kYellow);
  EXPECT_LT(w.p_value, 1e-8);
  EXPECT_TRUE(warnings_of(calm).empty()) << "one insistent caller is a repeat, not a group";
  for (const auto& other : warnings_of(burst.substr(0, 6))) {
    EXPECT_FALSE(other.term == "env.water" && other.area_code.size() < burst.size())
        << "the township or county repeats the village's burst: " << other.area_code;
  }

  // The evidence holds the burst's cases; reading it is audited.
  auto detail = signals_->warning(leader_, w.id, {.purpose = "test"});
  ASSERT_TRUE(detail) << detail.error().message;
  std::set<std::string> evidence;
  for (const auto& c : detail->evidence) evidence.insert(c.number);
  for (const auto& n : numbers) EXPECT_TRUE(evidence.contains(n)) << n;
  // Beside it, the words that rose in the village's township over the burst's days: the matter.
  EXPECT_EQ(detail->words_area, burst.substr(0, 9));
  std::set<std::string> words;
  for (const auto& t : detail->words) words.insert(t.term);
  EXPECT_TRUE(words.contains("排污")) << "the burst's words: " << detail->words.size();
  EXPECT_TRUE(words.contains("河水"));

  // Hot places of the township for the category: the burst village first.
  auto hot = signals_->hot_places(leader_, {.area = burst.substr(0, 9),
                                            .from = day,
                                            .to = day + std::chrono::days(1),
                                            .category = "env.water"});
  ASSERT_TRUE(hot) << hot.error().message;
  ASSERT_FALSE(hot->empty());
  EXPECT_EQ(hot->front().place.code, burst);
  EXPECT_EQ(hot->front().people, 14);

  // Rising categories of the township over the two days: the burst's first.
  auto rising = signals_->rising(
      leader_, {.area = burst.substr(0, 9), .from = day, .to = day + std::chrono::days(1)});
  ASSERT_TRUE(rising) << rising.error().message;
  ASSERT_FALSE(rising->empty());
  EXPECT_EQ(rising->front().term, "env.water");
  EXPECT_GE(rising->front().people, 15);
  // And its rising topic words: the description's; a village counts no words.
  auto rising_words = signals_->rising(leader_, {.area = burst.substr(0, 9),
                                                 .from = day,
                                                 .to = day + std::chrono::days(1),
                                                 .dimension = domain::SignalDimension::kWord});
  ASSERT_TRUE(rising_words) << rising_words.error().message;
  std::set<std::string> rose;
  for (const auto& t : *rising_words) rose.insert(t.term);
  for (const char* word : {"小河", "工厂", "排污", "河水", "发臭"}) {
    EXPECT_TRUE(rose.contains(word)) << word;
  }
  EXPECT_GE(rising_words->front().people, 15);
  auto village_words = signals_->rising(leader_, {.area = burst,
                                                  .from = day,
                                                  .to = day + std::chrono::days(1),
                                                  .dimension = domain::SignalDimension::kWord});
  ASSERT_TRUE(village_words) << village_words.error().message;
  EXPECT_TRUE(village_words->empty());

  // The commands: dismissing needs a reason; acknowledged, then handled; no second handling.
  const domain::Principal head{.role = domain::Role::kUnitHead,
                               .id = 2,
                               .username = "head",
                               .scope_code = burst.substr(0, 6)};
  auto no_reason = signals_->act(head, w.id, domain::WarningCommand::kDismiss, " ", {}, {});
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().code, ErrorCode::kInvalidArgument);
  auto stale =
      signals_->act(head, w.id, domain::WarningCommand::kAcknowledge, "", w.version + 5, {});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  auto ack = signals_->act(head, w.id, domain::WarningCommand::kAcknowledge, "", w.version, {});
  ASSERT_TRUE(ack) << ack.error().message;
  EXPECT_EQ(ack->status, domain::WarningStatus::kAcknowledged);
  auto handled =
      signals_->act(head, w.id, domain::WarningCommand::kHandle, "已约谈企业停产整改", {}, {});
  ASSERT_TRUE(handled) << handled.error().message;
  EXPECT_EQ(handled->status, domain::WarningStatus::kHandled);
  EXPECT_EQ(handled->note, "已约谈企业停产整改");
  auto again = signals_->act(head, w.id, domain::WarningCommand::kHandle, "再次", {}, {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
  // The closed burst does not raise again on the next step.
  detect_at(cst(day + std::chrono::days(1), 23, 59) + std::chrono::seconds(30));
  EXPECT_EQ(warnings_of(burst).size(), 1u);

  // Outside the scope: the same answer as a warning that does not exist.
  const domain::Principal stranger{
      .role = domain::Role::kLeader, .id = 3, .username = "stranger", .scope_code = "360602"};
  if (!burst.starts_with("360602")) {
    auto hidden = signals_->warning(stranger, w.id, {});
    ASSERT_FALSE(hidden);
    EXPECT_EQ(hidden.error().code, ErrorCode::kNotFound);
  }
}

// The days before the window are read once a day: a later day's step reads them again, so a
// steady stream that began after the day's first step is the baseline, not a burst.
TEST_P(Signals, TheBaselineFollowsTheDays) {
  const std::string v = village("360681", 45);
  const std::string prefix = GetParam() == Backend::kSqlite ? "1393" : "1394";
  int phone = 0;
  auto next_phone = [&] { return prefix + fmt::format("{:07d}", phone++); };
  const Date start = *parse_date("2026-05-04");
  // Some history first, so that the day's first step has days to read and keep.
  file(v, next_phone(), cst(start - std::chrono::days(60), 10));
  detect_at(cst(start, 23, 59));
  // Four people a day for 31 days, every day the same.
  for (int d = 1; d <= 31; ++d) {
    for (int i = 0; i < 4; ++i) file(v, next_phone(), cst(start + std::chrono::days(d), 9 + i));
  }
  detect_at(cst(start + std::chrono::days(31), 23, 59));
  EXPECT_TRUE(warnings_of(v).empty()) << "the window's 12 people were read against day 0's days";
}

// A warning's evidence stops at its limit, and cases already in it take no room: the detector
// adds each step's newest cases to an open warning.
TEST_P(Signals, EvidenceStopsAtItsLimit) {
  store::signals::Warning w{.area_code = "369900",
                            .dimension = domain::SignalDimension::kCategory,
                            .term = "test.evidence",
                            .status = domain::WarningStatus::kNew,
                            .first_day = 20000,
                            .last_day = 20000,
                            .note = "",
                            .acted_by = ""};
  auto held = db_->write_value([&](store::Sql& sql) -> Result<std::vector<std::string>> {
    auto id = store::signals::insert_warning(sql, w);
    if (!id) return id.error();
    const std::vector<std::string> first{"E-1", "E-2"}, second{"E-1", "E-3", "E-4"};
    if (auto r = store::signals::add_evidence(sql, *id, first, 3); !r) return r.error();
    if (auto r = store::signals::add_evidence(sql, *id, second, 3); !r) return r.error();
    auto rows = sql.query(
        "SELECT case_number FROM burst_warning_case WHERE warning_id = $1 ORDER BY case_number",
        {*id});
    if (!rows) return rows.error();
    std::vector<std::string> out;
    for (const auto& r : *rows) out.push_back(r.text(0));
    return out;
  });
  ASSERT_TRUE(held) << held.error().message;
  EXPECT_EQ(*held, (std::vector<std::string>{"E-1", "E-2", "E-3"}));
}

// A case that moves to another village and category takes its counts along; the counts of
// its old cells go back to what they were.
TEST_P(Signals, CountsFollowACaseThatMoves) {
  const std::string from = village("360603", 40);
  const std::string to = village("360603", 41);
  const Date day = *parse_date("2026-06-10");
  const domain::Case before = file(from, "13930000001", cst(day, 9));
  domain::Case after = before;
  after.place_code = to;
  after.category_code = "env.air";
  const std::int64_t d = domain::day_bucket(day);
  auto cases_in = [&](const std::string& area, const char* term) {
    auto rows = db_->read_value([&](store::Sql& sql) {
      return store::signals::cell_days(sql, {area, term}, domain::SignalDimension::kCategory, d, d);
    });
    EXPECT_TRUE(rows) << rows.error().message;
    return rows && !rows->empty() ? rows->front().cases : 0;
  };
  const std::int64_t county_water = cases_in("360603", "env.water");
  EXPECT_GE(cases_in(from, "env.water"), 1);
  auto moved = db_->write_value(
      [&](store::Sql& sql) { return store::signals::record_change(sql, &before, after); });
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(cases_in(from, "env.water"), 0);
  EXPECT_EQ(cases_in(to, "env.air"), 1);
  EXPECT_EQ(cases_in("360603", "env.water"), county_water - 1);
  auto back = db_->write_value(
      [&](store::Sql& sql) { return store::signals::record_change(sql, &after, before); });
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(cases_in(from, "env.water"), 1);
  EXPECT_EQ(cases_in(to, "env.air"), 0);
}

// A case counts under its first kWordsPerCase distinct topic words in its county and township,
// not its village; a command that changes none of what is counted writes no count.
TEST_P(Signals, WordsCountInTheCountyAndTownship) {
  const std::string place = village("360681", 70);
  const Date day = *parse_date("2026-07-06");
  const std::int64_t d = domain::day_bucket(day);
  auto word_cases = [&](const std::string& area, const std::string& word) {
    auto rows = db_->read_value([&](store::Sql& sql) {
      return store::signals::cell_days(sql, {area, word}, domain::SignalDimension::kWord, d, d);
    });
    EXPECT_TRUE(rows) << rows.error().message;
    return rows && !rows->empty() ? rows->front().cases : 0;
  };
  const std::string text =
      "楼上邻居装修噪音扰民，每天早上七点就开始电钻施工，周末也不停，影响老人休息，物业协调无果。";
  const std::vector<std::string> words = store::signals::counted_words(text);
  ASSERT_EQ(words.size(), store::signals::kWordsPerCase);
  EXPECT_EQ(words.front(), "楼上");
  const std::string left_out = "老人";  // the 13th word: past the first eight
  ASSERT_EQ(std::count(words.begin(), words.end(), left_out), 0);
  const std::int64_t county_before = word_cases(place.substr(0, 6), "噪音");
  const std::int64_t township_before = word_cases(place.substr(0, 9), "噪音");
  clock_.set(cst(day, 10));
  domain::Intake in;
  in.category_code = "env.noise";
  in.place_code = place;
  in.submitter_name = "居民";
  in.submitter_contact = "13960000001";
  in.description = text;
  auto r = cases_->register_case(in, office_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(word_cases(place.substr(0, 6), "噪音"), county_before + 1);
  EXPECT_EQ(word_cases(place.substr(0, 9), "噪音"), township_before + 1);
  EXPECT_EQ(word_cases(place, "噪音"), 0);
  EXPECT_EQ(word_cases(place.substr(0, 9), left_out), 0);
  // Accepting it changes its state only: the counts stay.
  auto accepted = cases_->apply(r->registered.number, domain::Command::kAccept, {},
                                r->registered.version, office_);
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(word_cases(place.substr(0, 9), "噪音"), township_before + 1);
}

// Migration 0019's step counts every stored case's words again: the rows it makes are those the
// case writes made.
TEST_P(Signals, CountingAllWordsAgainMakesTheSameRows) {
  const Date day = *parse_date("2026-07-08");
  clock_.set(cst(day, 9));
  const char* texts[] = {"村口小河被工厂排污，河水发臭，鱼都死了",
                         "工地老板拖欠工资三个月，找不到人", "小区路灯坏了一个月，晚上出行不便",
                         "村口小河又被排污了，河水发黑"};
  int n = 0;
  for (const char* text : texts) {
    domain::Intake in;
    in.category_code = "env.water";
    in.place_code = village("360681", 71 + n % 2);
    in.submitter_name = "居民";
    in.submitter_contact = "1396000010" + std::to_string(n++);
    in.description = text;
    auto r = cases_->register_case(in, office_);
    ASSERT_TRUE(r) << r.error().message;
  }
  auto rows = [&] {
    auto read = db_->read_value([](store::Sql& sql) {
      return sql.query(
          "SELECT area_code, day, term, person, cases FROM signal_word "
          "ORDER BY area_code, day, term, person",
          {});
    });
    EXPECT_TRUE(read) << read.error().message;
    std::vector<std::string> out;
    for (const auto& r : *read) {
      out.push_back(r.text(0) + " " + std::to_string(r.int64(1)) + " " + r.text(2) + " " +
                    std::to_string(r.int64(3)) + " " + std::to_string(r.int64(4)));
    }
    return out;
  };
  const std::vector<std::string> made = rows();
  ASSERT_GE(made.size(), 16u);
  auto again = db_->write([](store::Sql& sql) -> Result<void> {
    if (auto r = sql.exec("DELETE FROM signal_word", {}); !r) return r.error();
    return store::signals::count_all_words(sql);
  });
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(rows(), made);
  // And no word is counted in signal_count, which keeps the categories.
  auto words_there = db_->read_value([](store::Sql& sql) {
    return sql.query_one("SELECT COUNT(*) FROM signal_count WHERE dimension <> 'category'", {});
  });
  ASSERT_TRUE(words_there) << words_there.error().message;
  EXPECT_EQ(words_there->int64(0), 0);
}

// Migration 0022 (contacts compared in their normalised form): the counts of a case whose contact
// was counted as another person before (+86 139… as 86139…) move to the person it is now, and
// end as the case writes make them today.
std::string g_rekeyed_number;
std::int64_t g_counted_as = 0;
std::int64_t counted_before(const domain::Case& c) {
  return c.number == g_rekeyed_number ? g_counted_as : domain::person_of(c);
}

TEST_P(Signals, Migration0022MovesTheCountsOfContactsWrittenOtherwise) {
  const Date day = *parse_date("2026-07-10");
  const std::string place = village("360603", 42);
  const domain::Case c = file(place, "+86 139 3000 0022", cst(day, 9));
  const std::int64_t now = domain::person_of(c);
  ASSERT_EQ(now, domain::person_pseudonym("contact:13930000022"));
  const std::int64_t before = domain::person_pseudonym("contact:8613930000022");
  ASSERT_NE(before, now);
  const std::int64_t d = domain::day_bucket(day);
  const auto [county_first, county_last] = domain::scope_range(place.substr(0, 6));
  auto rows = [&] {
    std::vector<std::string> out;
    for (const char* table : {"signal_count", "signal_word"}) {
      auto read = db_->read_value([&](store::Sql& sql) {
        return sql.query(fmt::format("SELECT area_code, term, person, cases FROM {} WHERE day = $1 "
                                     "AND area_code >= $2 AND area_code < $3 "
                                     "ORDER BY area_code, term, person",
                                     table),
                         {d, county_first, county_last});
      });
      EXPECT_TRUE(read) << read.error().message;
      for (const auto& r : *read) {
        out.push_back(fmt::format("{} {} {} {}", r.text(0), r.text(1), r.int64(2), r.int64(3)));
      }
    }
    return out;
  };
  const std::vector<std::string> made = rows();
  ASSERT_FALSE(made.empty());
  // The store as 0022 finds it: this case counted as the person its raw digits made.
  auto old = db_->write([&](store::Sql& sql) -> Result<void> {
    for (const char* table : {"signal_count", "signal_word"}) {
      auto r =
          sql.exec(fmt::format("UPDATE {} SET person = $1 WHERE person = $2 AND day = $3", table),
                   {before, now, d});
      if (!r) return r.error();
    }
    return {};
  });
  ASSERT_TRUE(old) << old.error().message;
  ASSERT_NE(rows(), made);
  g_rekeyed_number = c.number;
  g_counted_as = before;
  auto moved = db_->write(
      [](store::Sql& sql) { return store::signals::recount_people(sql, &counted_before); });
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(rows(), made);
}

// Migration 0020 (a longer stop list) signs and counts every stored case's words again: from a
// store whose rows were made with another list (a stale word row, signatures gone), it makes
// exactly the rows the case writes make now.
TEST_P(Signals, Migration0020SignsAndCountsTheStoredCasesAgain) {
  const Date day = *parse_date("2026-07-09");
  clock_.set(cst(day, 9));
  const char* texts[] = {"麻烦派人来看看，我家门口的路灯坏了一个月，晚上到处黑漆漆的",
                         "村口小河被工厂排污，河水发臭，鱼都死了"};
  int n = 0;
  std::string place;
  for (const char* text : texts) {
    domain::Intake in;
    in.category_code = "env.water";
    in.place_code = place = village("360681", 73);
    in.submitter_name = "居民";
    in.submitter_contact = "1396000020" + std::to_string(n++);
    in.description = text;
    auto r = cases_->register_case(in, office_);
    ASSERT_TRUE(r) << r.error().message;
  }
  auto dump = [&](const char* sql_text) {
    auto read = db_->read_value([&](store::Sql& sql) { return sql.query(sql_text, {}); });
    EXPECT_TRUE(read) << read.error().message;
    std::vector<std::string> out;
    for (const auto& r : *read) {
      std::string line;
      for (std::size_t i = 0; i < r.size(); ++i) {
        line += (i ? " " : "") + (r.is_null(i) ? std::string("-") : r.text(i));
      }
      out.push_back(line);
    }
    return out;
  };
  const char* words_sql =
      "SELECT area_code, CAST(day AS TEXT), term, CAST(person AS TEXT), CAST(cases AS TEXT) "
      "FROM signal_word ORDER BY area_code, day, term, person";
  const char* signatures_sql =
      "SELECT number, minhash, CAST(contact_key AS TEXT) FROM case_signature ORDER BY number";
  const char* bands_sql =
      "SELECT CAST(band_key AS TEXT), number FROM case_band ORDER BY band_key, number";
  const auto words = dump(words_sql);
  const auto signatures = dump(signatures_sql);
  const auto bands = dump(bands_sql);
  ASSERT_FALSE(words.empty());
  ASSERT_FALSE(signatures.empty());
  for (const std::string& row : words) {
    for (std::string_view stop : {" 麻烦 ", " 派人 ", " 我家 ", " 门口 ", " 坏了 ", " 晚上 "}) {
      EXPECT_EQ(row.find(stop), std::string::npos) << row;
    }
  }
  // The store as an older list left it, with 0020 not yet applied.
  auto stale = db_->write([&](store::Sql& sql) -> Result<void> {
    if (auto r = sql.exec("INSERT INTO signal_word (area_code, day, term, person, cases) "
                          "VALUES ($1, 20000, '麻烦', 1, 1)",
                          {place.substr(0, 9)});
        !r) {
      return r.error();
    }
    if (auto r = sql.exec("DELETE FROM case_band", {}); !r) return r.error();
    if (auto r = sql.exec("DELETE FROM case_signature", {}); !r) return r.error();
    if (auto r = sql.exec("DELETE FROM schema_migrations WHERE version = 20", {}); !r) {
      return r.error();
    }
    return {};
  });
  ASSERT_TRUE(stale) << stale.error().message;
  auto migrated = store::migrate(*db_);
  ASSERT_TRUE(migrated) << migrated.error().message;
  EXPECT_EQ(dump(words_sql), words);
  EXPECT_EQ(dump(signatures_sql), signatures);
  EXPECT_EQ(dump(bands_sql), bands);
}

// The whole stream's cases per day (the calendar's rhythm is read from them) sum the counties'
// cells once each, whatever the level of the places, with 0 for a day without cases.
TEST_P(Signals, DeploymentDaysCountEachCaseOnce) {
  const Date first = *parse_date("2026-08-03");
  const std::int64_t lo = domain::day_bucket(first);
  auto totals = [&] {
    auto cells = db_->read_value([&](store::Sql& sql) {
      return store::signals::all_cell_days(sql, domain::SignalDimension::kCategory, lo, lo + 3);
    });
    EXPECT_TRUE(cells) << cells.error().message;
    return cells ? store::signals::deployment_days(*cells, lo, lo + 3)
                 : std::vector<std::int64_t>{};
  };
  const std::vector<std::int64_t> before = totals();
  ASSERT_EQ(before.size(), 4u);
  file(village("360603", 50), "13940000001", cst(first, 9));
  file(village("360681", 50), "13940000002", cst(first, 10));
  file("360602", "13940000003", cst(first + std::chrono::days(2), 11));  // on a county
  const std::vector<std::int64_t> after = totals();
  ASSERT_EQ(after.size(), 4u);
  const std::vector<std::int64_t> added = {after[0] - before[0], after[1] - before[1],
                                           after[2] - before[2], after[3] - before[3]};
  EXPECT_EQ(added, (std::vector<std::int64_t>{2, 0, 1, 0}));
}

// The detector's one read of every cell's days gives each cell the days cell_days gives it.
TEST_P(Signals, AllCellDaysAreEachCellsDays) {
  const Date first = *parse_date("2026-09-07");
  const std::int64_t lo = domain::day_bucket(first);
  const std::string a = village("360602", 60);
  const std::string b = village("360602", 61);
  const std::string quiet = village("360602", 62);
  file(a, "13950000001", cst(first, 9));
  file(a, "13950000002", cst(first, 15));
  file(a, "13950000001", cst(first + std::chrono::days(2), 10));
  file(b, "13950000003", cst(first + std::chrono::days(1), 11));
  file(b, "13950000004", cst(first + std::chrono::days(4), 11));  // after the range
  file(a, "13950000005", cst(first, 16), "env.air");
  const auto dimension = domain::SignalDimension::kCategory;
  auto all = db_->read_value(
      [&](store::Sql& sql) { return store::signals::all_cell_days(sql, dimension, lo, lo + 3); });
  ASSERT_TRUE(all) << all.error().message;
  const std::vector<store::signals::CellKey> cells = {
      {a, "env.water"},        {b, "env.water"},     {a.substr(0, 9), "env.water"},
      {"360602", "env.water"}, {quiet, "env.water"}, {a, "env.air"}};
  for (const auto& cell : cells) {
    auto one = db_->read_value([&](store::Sql& sql) {
      return store::signals::cell_days(sql, cell, dimension, lo, lo + 3);
    });
    ASSERT_TRUE(one) << one.error().message;
    auto it = all->find(cell);
    const std::vector<domain::CellDay> batched =
        it == all->end() ? std::vector<domain::CellDay>{} : it->second;
    ASSERT_EQ(batched.size(), one->size()) << cell.first << " " << cell.second;
    for (std::size_t i = 0; i < one->size(); ++i) {
      EXPECT_EQ(batched[i].day, (*one)[i].day) << cell.first;
      EXPECT_EQ(batched[i].cases, (*one)[i].cases) << cell.first;
    }
  }
  const std::vector<domain::CellDay>& days_of_a = all->at({a, "env.water"});
  ASSERT_EQ(days_of_a.size(), 2u);
  EXPECT_EQ(days_of_a[0].day, lo);
  EXPECT_EQ(days_of_a[0].cases, 2);
  EXPECT_EQ(days_of_a[1].day, lo + 2);
  ASSERT_TRUE(all->contains({a, "env.air"}));
  EXPECT_EQ(all->at({a, "env.air"}).front().cases, 1);
  EXPECT_FALSE(all->contains({quiet, "env.water"}));
}

// A step whose burst adds nothing to the cell's open warning leaves it as it was (its version,
// its evidence); the next case of the burst grows it and joins its evidence.
TEST_P(Signals, AnOpenWarningChangesOnlyWhenItsBurstGrows) {
  const std::string place = village("360602", 70);
  const std::string prefix = GetParam() == Backend::kSqlite ? "1396" : "1397";
  int phone = 0;
  auto next_phone = [&] { return prefix + fmt::format("{:07d}", phone++); };
  const Date start = *parse_date("2026-04-06");
  for (int d = 0; d < 35; d += 4) file(place, next_phone(), cst(start + std::chrono::days(d), 10));
  const Date day = start + std::chrono::days(36);
  for (int i = 0; i < 14; ++i) file(place, next_phone(), cst(day, 9, i * 3));
  detect_at(cst(day, 12));
  auto raised = warnings_of(place);
  ASSERT_EQ(raised.size(), 1u);
  const store::signals::Warning w = raised.front();
  const std::set<std::string> evidence = evidence_of(w.id);
  EXPECT_EQ(evidence.size(), 14u);

  detect_at(cst(day, 12, 1));
  auto same = warnings_of(place);
  ASSERT_EQ(same.size(), 1u);
  EXPECT_EQ(same.front().version, w.version);
  EXPECT_EQ(same.front().updated_at, w.updated_at);
  EXPECT_EQ(evidence_of(w.id), evidence);

  const std::string late = file(place, next_phone(), cst(day, 12, 2)).number;
  detect_at(cst(day, 12, 3));
  auto grown = warnings_of(place);
  ASSERT_EQ(grown.size(), 1u);
  EXPECT_EQ(grown.front().version, w.version + 1);
  EXPECT_EQ(grown.front().people, w.people + 1);
  std::set<std::string> expected = evidence;
  expected.insert(late);
  EXPECT_EQ(evidence_of(w.id), expected);
}

// The evidence of several warnings of one county, read in one go: each warning holds its own
// cell's cases (its village or township, its category), and an open warning that grows gets
// the cases since its last update while a new one gets all of its burst's.
TEST_P(Signals, WarningsOfOneCountyEachHoldTheirOwnEvidence) {
  const std::string a = village("360602", 80);
  const std::string b = village("360602", 30);
  ASSERT_NE(a.substr(0, 9), b.substr(0, 9)) << "two townships of one county";
  const std::string prefix = GetParam() == Backend::kSqlite ? "1398" : "1399";
  int phone = 0;
  auto next_phone = [&] { return prefix + fmt::format("{:07d}", phone++); };
  const Date start = *parse_date("2026-06-01");
  for (int d = 0; d < 35; d += 4) {
    file(a, next_phone(), cst(start + std::chrono::days(d), 10));
    file(b, next_phone(), cst(start + std::chrono::days(d), 11), "env.air");
  }
  const Date day = start + std::chrono::days(36);
  std::set<std::string> of_a, of_b;
  for (int i = 0; i < 14; ++i) of_a.insert(file(a, next_phone(), cst(day, 9, i * 3)).number);
  // Beside them, in the same county: a's village on another category, b's on a's category.
  file(a, next_phone(), cst(day, 9, 50), "env.air");
  file(b, next_phone(), cst(day, 9, 51));
  detect_at(cst(day, 12));
  auto at_a = warnings_of(a);
  ASSERT_EQ(at_a.size(), 1u);
  EXPECT_EQ(at_a.front().term, "env.water");
  EXPECT_EQ(evidence_of(at_a.front().id), of_a);

  // a grows by one case while b bursts: one step reads the county's cases for both.
  const std::string late = file(a, next_phone(), cst(day, 12, 2)).number;
  of_a.insert(late);
  for (int i = 0; i < 14; ++i) {
    of_b.insert(file(b, next_phone(), cst(day, 12, 3 + i), "env.air").number);
  }
  detect_at(cst(day, 12, 30));
  at_a = warnings_of(a);
  ASSERT_EQ(at_a.size(), 1u);
  EXPECT_EQ(at_a.front().version, 2);
  EXPECT_EQ(evidence_of(at_a.front().id), of_a);
  auto at_b = warnings_of(b);
  ASSERT_EQ(at_b.size(), 1u);
  EXPECT_EQ(at_b.front().term, "env.air");
  EXPECT_EQ(evidence_of(at_b.front().id), of_b);
}

INSTANTIATE_TEST_SUITE_P(Stores, Signals, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng::app
