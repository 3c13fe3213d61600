// TESTS.md D1, C5 and C6: the server is killed with SIGKILL again and again — under write load
// and while it starts up — and afterwards nothing acknowledged is lost or changed, a retried
// submission gets its original answer, case numbers are unique and gapless per county and
// year, and no multi-row change (case, first event, audit entry, dashboard sums, counter) is
// half there. Runs the real binary on both stores, on PostgreSQL also with parallel writers.
// JICENG_CRASH_ROUNDS and JICENG_CRASH_SEED repeat a run or make it longer; the seed is printed.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "integration/child_process.h"
#include "integration/http_client.h"
#include "store/database.h"
#include "store/stats_repo.h"
#include "support/test_db.h"

namespace jiceng {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::Child;

const fs::path kSource = JICENG_SOURCE_DIR;

// One submission: its body and key never change, so a retry is the same request.
struct Submission {
  std::string key;
  std::string body;
  std::string description;
  std::string category;
  std::string place;
  std::string name;
  std::string contact;
  bool valid = true;
};

// What the clients learnt: the answers they got (acknowledged) and the requests whose fate they
// do not know (no answer, or a 5xx while the server went down).
struct Ledger {
  std::mutex mu;
  std::map<std::string, std::string> acknowledged;  // key → the 201 body
  std::set<std::string> unknown;                    // keys
  std::vector<std::string> wrong;                   // answers no request should get
  int replayed = 0;  // 201s that were the stored answer to an earlier, unanswered request
};

class Crash : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("jiceng_crash_{}_{}", ::getpid(), testing::to_string(GetParam()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    url_ = GetParam() == testing::Backend::kSqlite ? "sqlite:" + (dir_ / "j.db").string()
                                                   : testing::fresh_url(GetParam());
    env_ = {"JICENG_AUDIT_KEY_FILE=" + (dir_ / "keys/audit.key").string(),
            "JICENG_AUDIT_HEADS_FILE=" + (dir_ / "heads.jsonl").string()};
  }
  void TearDown() override { fs::remove_all(dir_); }

  testing::Outcome run(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--db", url_};
    all.insert(all.end(), args.begin(), args.end());
    return Child(all, dir_, env_).wait();
  }
  // On PostgreSQL every other start runs four writers in parallel (database.writers), whose
  // races store::settle_races settles.
  std::unique_ptr<Child> start(int round) {
    auto env = env_;
    if (GetParam() == testing::Backend::kPostgres && round % 2 == 1) {
      env.push_back("JICENG_DATABASE_WRITERS=4");
    }
    return std::make_unique<Child>(
        std::vector<std::string>{"--db", url_, "serve", "--listen", "127.0.0.1:0"}, dir_, env);
  }

  fs::path dir_;
  std::string url_;
  std::vector<std::string> env_;
};

const char* const kCategories[] = {"urban.lighting", "urban.road", "urban.sanitation", "env.noise"};
// Two counties, so that each has its own counter.
const char* const kPlaces[] = {"360602001001", "360602001003", "360681001"};

Submission make_submission(int round, int thread, int i, std::mt19937& rng) {
  Submission s;
  s.key = fmt::format("crash-{}-{}-{}", round, thread, i);
  s.description = fmt::format("第{}轮 {}号 第{}件：路边积水，行人难以通行", round, thread, i);
  s.valid = i % 5 != 4;
  s.category = s.valid ? kCategories[rng() % std::size(kCategories)] : "no.such.category";
  s.place = kPlaces[rng() % std::size(kPlaces)];
  s.name = fmt::format("居民{}", thread);
  s.contact = fmt::format("139{:04}{:04}", round * 10 + thread, i);
  s.body = json::serialize(json::object{{"category", s.category},
                                        {"place", s.place},
                                        {"description", s.description},
                                        {"name", s.name},
                                        {"contact", s.contact}});
  return s;
}

// Sends one submission and files the answer in the ledger. False when the server is gone.
bool submit(std::uint16_t port, const Submission& s, Ledger& ledger) {
  http::testing::TestClient client(port, std::chrono::seconds(5));
  auto reply = client.request("POST", "/api/v1/cases", s.body,
                              {{"Content-Type", "application/json"}, {"Idempotency-Key", s.key}});
  std::lock_guard lock(ledger.mu);
  const unsigned status = reply.ec ? 0 : reply.res.result_int();
  if (s.valid && status == 201) {
    if (reply.res["Idempotent-Replayed"] == "true") ++ledger.replayed;
    ledger.acknowledged[s.key] = reply.res.body();
    ledger.unknown.erase(s.key);
  } else if (!s.valid && status >= 400 && status < 500) {
    // refused, as it must be
  } else if (status == 0 || status >= 500) {
    if (s.valid) ledger.unknown.insert(s.key);
    return false;
  } else {
    ledger.wrong.push_back(fmt::format("{} → {} {}", s.key, status, reply.res.body()));
  }
  return true;
}

TEST_P(Crash, AcknowledgedCasesSurviveRepeatedKills) {
  if (url_.empty()) return;
  ASSERT_EQ(run({"migrate"}).status, 0);
  ASSERT_EQ(run({"import", "divisions", "--all", "--source",
                 (kSource / "tests/data/divisions/ok").string()})
                .status,
            0);
  ASSERT_EQ(
      run({"import", "calendar", "--source", (kSource / "tests/data/calendar/ok.json").string()})
          .status,
      0);

  const int rounds = testing::env_int("JICENG_CRASH_ROUNDS", 12);
  const auto seed =
      static_cast<unsigned>(testing::env_int("JICENG_CRASH_SEED", std::random_device{}()));
  std::printf("crash test: %d rounds, JICENG_CRASH_SEED=%u\n", rounds, seed);
  std::mt19937 rng(seed);
  Ledger ledger;
  std::map<std::string, Submission> sent;  // every submission, by key
  std::mutex sent_mu;
  int killed_starting = 0;
  // How long the last start-up took, so that a kill during start-up lands anywhere in it:
  // opening the store, recovering its journal, starting the workers.
  long startup_ms = 150;

  for (int round = 0; round < rounds; ++round) {
    auto server = start(round);
    if (round % 3 == 2) {
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % (startup_ms + 1)));
      ::kill(server->pid(), SIGKILL);
      server->wait();
      ++killed_starting;
      continue;
    }
    const auto began = std::chrono::steady_clock::now();
    const std::uint16_t port = server->listening_port();
    startup_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - began)
                     .count();
    ASSERT_NE(port, 0) << "round " << round << ": the server did not start after a kill\n"
                       << server->err();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&, t, thread_seed = rng()] {
        std::mt19937 r(thread_seed);
        for (int i = 0; !stop; ++i) {
          Submission s = make_submission(round, t, i, r);
          {
            std::lock_guard lock(sent_mu);
            sent[s.key] = s;
          }
          if (!submit(port, s, ledger)) return;
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 350));
    ::kill(server->pid(), SIGKILL);
    stop = true;
    for (auto& c : clients) c.join();
    server->wait();
  }

  // The last start: every request whose fate is unknown is sent again, as a client would.
  auto server = start(rounds + 1);
  const std::uint16_t port = server->listening_port();
  ASSERT_NE(port, 0) << server->err();
  std::set<std::string> retried;
  {
    std::lock_guard lock(ledger.mu);
    retried = ledger.unknown;
  }
  for (const auto& key : retried) {
    ASSERT_TRUE(submit(port, sent.at(key), ledger)) << "the retry of " << key << " failed";
  }
  {
    std::lock_guard lock(ledger.mu);
    EXPECT_TRUE(ledger.unknown.empty()) << ledger.unknown.size() << " retries not answered";
    EXPECT_TRUE(ledger.wrong.empty()) << ledger.wrong.front();
  }
  std::printf(
      "crash test: %zu acknowledged, %zu retried (%d of them committed before the kill), %d "
      "kills during start-up (which took %ld ms)\n",
      ledger.acknowledged.size(), retried.size(), ledger.replayed, killed_starting, startup_ms);
  ASSERT_GE(ledger.acknowledged.size(), 20u) << "too little load to prove anything";

  // C5: an acknowledged submission sent again gets the original answer, not a second case.
  int replays = 0;
  for (const auto& [key, body] : ledger.acknowledged) {
    if (replays++ % 7 != 0) continue;
    http::testing::TestClient client(port);
    const auto& s = sent.at(key);
    auto again = client.request("POST", "/api/v1/cases", s.body,
                                {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
    EXPECT_EQ(again.res.result_int(), 201u) << key << ": " << again.res.body();
    EXPECT_EQ(again.res.body(), body) << key;
    EXPECT_EQ(again.res["Idempotent-Replayed"], "true") << key;
  }
  // The resident's tracking page of every acknowledged case.
  std::map<std::string, std::string> numbers;  // key → case number
  for (const auto& [key, body] : ledger.acknowledged) {
    auto answer = json::parse(body);
    numbers[key] = json::value_to<std::string>(answer.at("number"));
    http::testing::TestClient client(port);
    auto tracked =
        client.get("/api/v1/track/" + json::value_to<std::string>(answer.at("tracking_code")));
    ASSERT_EQ(tracked.res.result_int(), 200u) << key << ": " << tracked.res.body();
    EXPECT_EQ(json::parse(tracked.res.body()).at("number"), answer.at("number")) << key;
  }
  ::kill(server->pid(), SIGTERM);
  EXPECT_EQ(server->wait().status, 0);

  // D1: every acknowledged case is there, as it was submitted; C6: numbers gapless per county
  // and year; no half-applied change.
  auto db = store::open_database(url_);
  ASSERT_TRUE(db) << db.error().message;
  auto rows = (*db)->read_value([](store::Sql& sql) {
    return sql.query(
        "SELECT number, tracking_code, category_code, place_code, submitter_name, "
        "submitter_contact, description, "
        "(SELECT COUNT(*) FROM case_event e WHERE e.case_number = c.number "
        " AND e.command = 'register' AND e.seq = 1), "
        "(SELECT COUNT(*) FROM audit_log a WHERE a.action = 'case.register' "
        " AND a.object_id = c.number) "
        "FROM cases c",
        {});
  });
  ASSERT_TRUE(rows) << rows.error().message;
  struct Stored {
    std::string tracking_code, category, place, name, contact, description;
  };
  std::map<std::string, Stored> stored;
  std::map<std::string, int> per_description;
  std::map<std::string, std::vector<long>> seqs;  // "360602-2026" → its sequence numbers
  for (const auto& r : *rows) {
    stored[r.text(0)] = {r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)};
    ++per_description[r.text(6)];
    EXPECT_EQ(r.int64(7), 1) << r.text(0) << ": its registration event";
    EXPECT_EQ(r.int64(8), 1) << r.text(0) << ": its audit entry";
    const std::string number = r.text(0);
    const auto dash = number.rfind('-');
    seqs[number.substr(0, dash)].push_back(std::stol(number.substr(dash + 1)));
  }
  for (const auto& [key, number] : numbers) {
    const auto& s = sent.at(key);
    auto it = stored.find(number);
    ASSERT_NE(it, stored.end()) << "acknowledged case " << number << " (" << key << ") lost";
    const auto answer = json::parse(ledger.acknowledged.at(key));
    EXPECT_EQ(it->second.tracking_code, json::value_to<std::string>(answer.at("tracking_code")));
    EXPECT_EQ(it->second.category, s.category) << number;
    EXPECT_EQ(it->second.place, s.place) << number;
    EXPECT_EQ(it->second.name, s.name) << number;
    EXPECT_EQ(it->second.contact, s.contact) << number;
    EXPECT_EQ(it->second.description, s.description) << number;
  }
  for (const auto& [description, n] : per_description) {
    EXPECT_EQ(n, 1) << "one case per submission: " << description;
  }
  for (const auto& [key, s] : sent) {
    if (!s.valid) {
      EXPECT_FALSE(per_description.contains(s.description)) << "a refused submission stored";
    }
  }
  EXPECT_EQ(stored.size(), numbers.size()) << "a case no client was told about";
  for (auto& [prefix, list] : seqs) {
    std::sort(list.begin(), list.end());
    for (std::size_t i = 0; i < list.size(); ++i) {
      ASSERT_EQ(list[i], static_cast<long>(i + 1)) << prefix << ": a gap or a repeat";
    }
  }
  auto checks = (*db)->read_value([&](store::Sql& sql) -> Result<std::vector<std::string>> {
    auto problems = store::stats::differences_from_recount(sql);
    if (!problems) return problems.error();
    auto counters = sql.query(
        "SELECT county_code || '-' || CAST(year AS TEXT), last_seq FROM case_counter", {});
    if (!counters) return counters.error();
    for (const auto& c : *counters) {
      auto it = seqs.find(c.text(0));
      const long have = it == seqs.end() ? 0 : static_cast<long>(it->second.size());
      if (c.int64(1) != have) {
        problems->push_back(fmt::format("counter {} at {}, {} cases", c.text(0), c.int64(1), have));
      }
    }
    auto orphans = sql.query_one(
        "SELECT COUNT(*) FROM audit_log a WHERE a.action = 'case.register' AND NOT EXISTS "
        "(SELECT 1 FROM cases c WHERE c.number = a.object_id)",
        {});
    if (!orphans) return orphans.error();
    if (orphans->int64(0) != 0) problems->push_back("an audit entry without its case");
    if (GetParam() == testing::Backend::kSqlite) {
      auto integrity = sql.query_one("PRAGMA integrity_check", {});
      if (!integrity) return integrity.error();
      if (integrity->text(0) != "ok") problems->push_back("integrity_check: " + integrity->text(0));
    }
    return problems;
  });
  ASSERT_TRUE(checks) << checks.error().message;
  for (const auto& p : *checks) ADD_FAILURE() << p;
  db->reset();
  auto verify = run({"audit", "verify"});
  EXPECT_EQ(verify.status, 0) << verify.out << verify.err;
}

INSTANTIATE_TEST_SUITE_P(Stores, Crash, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng
