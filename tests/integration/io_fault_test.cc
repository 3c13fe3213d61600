// TESTS.md D3 and D4 on the embedded store: the server in this process, its SQLite files behind
// a VFS that fails one chosen I/O operation (a read, write, sync or truncate), or refuses to
// grow any file, as a full disk does (support/faulty_vfs.h).
// - D3, the sweep: a submission is sent with its Nth I/O operation failing, for every N up to
//   what a submission does and a few more. Each answer is a created case or a clean 503 with
//   the JSON error; after a 503 the same request (its Idempotency-Key) is retried and creates
//   the case once; the process keeps serving; the file passes integrity_check; nothing is half
//   written (each case with its event and audit entry, counters equal to the cases, the
//   dashboard's sums equal to a recount, the audit chain intact).
// - D4: with the disk full, submissions are refused with 503 while tracking pages are still
//   served; once there is room again, the next submission is created, without a restart.
// SQLite only: PostgreSQL does its own I/O, in its own process.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <string>

#include "app/audit.h"
#include "integration/api_fixture.h"
#include "store/stats_repo.h"
#include "support/faulty_vfs.h"

namespace jiceng {
namespace {

namespace json = boost::json;
using testing::FaultyVfs;

class IoFault : public testing::ApiFixture {
 protected:
  void SetUp() override {
    vfs_ = &FaultyVfs::install();  // before the demo database opens its first connection
    vfs_->clear();
    ApiFixture::SetUp();
  }
  void TearDown() override {
    vfs_->clear();
    ApiFixture::TearDown();
  }

  struct Submission {
    std::string key, body, description;
  };
  Submission submission(std::string_view test, int i) {
    Submission s;
    s.key = fmt::format("io-{}-{}", test, i);
    s.description = fmt::format("{}第{}件：村口路灯不亮，夜里行人看不清路", test, i);
    s.body = json::serialize(json::object{{"category", "urban.lighting"},
                                          {"place", i % 2 ? "360602001001" : "360681001"},
                                          {"description", s.description},
                                          {"name", "居民"},
                                          {"contact", fmt::format("1380000{:04}", i % 10000)}});
    return s;
  }
  http::testing::Reply post(const Submission& s) {
    http::testing::TestClient client(server_->port());
    return client.request("POST", "/api/v1/cases", s.body,
                          {{"Content-Type", "application/json"},
                           {"Accept-Language", "zh-CN"},
                           {"Idempotency-Key", s.key}});
  }
  // A refusal: 503 with the JSON error in Chinese, never a stack trace or a 500.
  static void expect_clean_503(const http::testing::Reply& reply, std::string_view what) {
    ASSERT_FALSE(reply.ec) << what << ": " << reply.ec.message();
    ASSERT_EQ(reply.res.result_int(), 503u) << what << ": " << reply.res.body();
    boost::system::error_code ec;
    auto v = json::parse(reply.res.body(), ec);
    ASSERT_FALSE(ec) << what << ": not JSON: " << reply.res.body();
    const auto* error = v.is_object() ? v.as_object().if_contains("error") : nullptr;
    ASSERT_TRUE(error && error->is_object()) << reply.res.body();
    EXPECT_EQ(error->at("code"), "unavailable") << reply.res.body();
    const std::string message(error->at("message").as_string());
    EXPECT_FALSE(message.empty());
    EXPECT_NE(message.find("稍后"), std::string::npos) << "a Chinese message: " << message;
  }
  // Sends s until it is created (at most a few times, the faults cleared): its case number,
  // after checking that its tracking page is served.
  std::string created(const Submission& s) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      auto reply = post(s);
      if (!reply.ec && reply.res.result_int() == 201) {
        const auto answer = json::parse(reply.res.body());
        const std::string number(answer.at("number").as_string());
        const std::string code(answer.at("tracking_code").as_string());
        EXPECT_EQ(get_json("/api/v1/track/" + code, 200).at("number").as_string(), number);
        return number;
      }
      ADD_FAILURE() << s.key << " retried: " << reply.res.result_int() << " "
                    << reply.res.body();
    }
    return "";
  }

  // What must hold of the whole store whatever failed: the file is sound, every case has its
  // registration event and audit entry, the counters equal the cases, the dashboard's sums
  // equal a recount, the audit chain is intact, and each submission made exactly one case.
  void expect_store_whole(const std::map<std::string, std::string>& numbers_by_description) {
    auto found = db_->read_value([&](store::Sql& sql) -> Result<std::vector<std::string>> {
      auto problems = store::stats::differences_from_recount(sql);
      if (!problems) return problems.error();
      auto integrity = sql.query_one("PRAGMA integrity_check", {});
      if (!integrity) return integrity.error();
      if (integrity->text(0) != "ok") problems->push_back("integrity_check: " + integrity->text(0));
      auto unevented = sql.query_one(
          "SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_event e WHERE "
          "e.case_number = c.number AND e.seq = 1 AND e.command = 'register') OR NOT EXISTS "
          "(SELECT 1 FROM audit_log a WHERE a.action = 'case.register' AND a.object_id = "
          "c.number)",
          {});
      if (!unevented) return unevented.error();
      if (unevented->int64(0) != 0) {
        problems->push_back(fmt::format("{} cases without their event or audit entry",
                                        unevented->int64(0)));
      }
      auto counters = sql.query(
          "SELECT k.county_code, k.year, k.last_seq, (SELECT COUNT(*) FROM cases c WHERE "
          "c.number LIKE k.county_code || '-' || CAST(k.year AS TEXT) || '-%') FROM "
          "case_counter k",
          {});
      if (!counters) return counters.error();
      for (const auto& c : *counters) {
        if (c.int64(2) != c.int64(3)) {
          problems->push_back(fmt::format("counter {}-{} at {}, {} cases", c.text(0),
                                          c.int64(1), c.int64(2), c.int64(3)));
        }
      }
      for (const auto& [description, number] : numbers_by_description) {
        auto cases = sql.query("SELECT number FROM cases WHERE description = $1", {description});
        if (!cases) return cases.error();
        if (cases->size() != 1 || cases->front().text(0) != number) {
          problems->push_back(fmt::format("{}: {} cases, expected only {}", description,
                                          cases->size(), number));
        }
      }
      return problems;
    });
    ASSERT_TRUE(found) << found.error().message;
    for (const auto& p : *found) ADD_FAILURE() << p;
    auto audit = app::verify_audit(*db_, {});
    ASSERT_TRUE(audit) << audit.error().message;
    EXPECT_TRUE(audit->intact()) << audit->problem->message;
  }

  FaultyVfs* vfs_ = nullptr;
};

TEST_P(IoFault, EachFailingIoOfASubmissionAnswers503AndChangesNothing) {
  std::map<std::string, std::string> numbers;  // description → case number
  // Warm the caches, then count what one submission does.
  for (int i = 0; i < 2; ++i) {
    auto s = submission("sweep-warm", i);
    numbers[s.description] = created(s);
  }
  vfs_->fail_nth(0);
  {
    auto s = submission("sweep-count", 0);
    numbers[s.description] = created(s);
  }
  const auto operations = vfs_->operations();
  vfs_->clear();
  ASSERT_GT(operations, 3u) << "a submission reads, writes and syncs";

  int refused = 0;
  for (std::uint64_t n = 1; n <= operations + 8; ++n) {
    const auto s = submission("sweep", static_cast<int>(n));
    vfs_->fail_nth(n);
    auto reply = post(s);
    const bool fired = vfs_->fired();
    vfs_->clear();
    SCOPED_TRACE(fmt::format("I/O operation {} of {} failed: {}", n, operations, fired));
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    if (reply.res.result_int() != 201) {
      expect_clean_503(reply, s.key);
      ++refused;
    }
    // The same request again: created once, whether or not the first try got through; and
    // the process still serves it.
    numbers[s.description] = created(s);
  }
  EXPECT_GT(refused, 0) << "no failed I/O reached a submission";
  expect_store_whole(numbers);
}

// A tracking page read with its Nth I/O operation failing (a reader reads the pages a write
// just changed from the WAL): 200, or a clean 503 and the next read answers.
TEST_P(IoFault, EachFailingIoOfATrackingPageAnswers503AndTheNextReadWorks) {
  auto tracking_code_of_new_case = [&](int i) {
    auto s = submission("read", i);
    auto reply = post(s);
    EXPECT_EQ(reply.res.result_int(), 201u) << reply.res.body();
    return std::string(json::parse(reply.res.body()).at("tracking_code").as_string());
  };
  std::string code = tracking_code_of_new_case(0);
  vfs_->fail_nth(0);
  get_json("/api/v1/track/" + code, 200);
  const auto operations = vfs_->operations();
  vfs_->clear();
  ASSERT_GT(operations, 0u) << "a read after a write reads the WAL";

  int refused = 0;
  for (std::uint64_t n = 1; n <= operations + 4; ++n) {
    code = tracking_code_of_new_case(static_cast<int>(n));
    vfs_->fail_nth(n);
    http::testing::TestClient client(server_->port());
    auto reply = client.request("GET", "/api/v1/track/" + code, "", {{"Accept-Language", "zh-CN"}});
    vfs_->clear();
    SCOPED_TRACE(fmt::format("I/O operation {} of {} failed", n, operations));
    if (reply.res.result_int() != 200) {
      expect_clean_503(reply, code);
      ++refused;
    }
    get_json("/api/v1/track/" + code, 200);
  }
  EXPECT_GT(refused, 0) << "no failed I/O reached a read";
}

TEST_P(IoFault, AFullDiskRefusesWritesKeepsServingReadsAndRecovers) {
  std::map<std::string, std::string> numbers;
  auto first = submission("full", 0);
  numbers[first.description] = created(first);
  auto code = db_->read_value([&](store::Sql& sql) -> Result<std::string> {
    auto r = sql.query_one("SELECT tracking_code FROM cases WHERE number = $1",
                           {numbers[first.description]});
    if (!r) return r.error();
    return r->text(0);
  });
  ASSERT_TRUE(code) << code.error().message;

  // Fill the disk: the writes that fit the files' present size go through (a reused WAL), the
  // first that needs more room is refused, and from then on each submission is.
  vfs_->set_disk_full(true);
  std::vector<Submission> refused;
  for (int i = 1; i <= 3000 && refused.size() < 5; ++i) {
    auto s = submission("full", i);
    auto reply = post(s);
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    if (reply.res.result_int() == 201) {
      ASSERT_TRUE(refused.empty()) << s.key << ": created after a refusal, with the disk full";
      numbers[s.description] = std::string(json::parse(reply.res.body()).at("number").as_string());
      continue;
    }
    expect_clean_503(reply, s.key);
    refused.push_back(s);
  }
  ASSERT_EQ(refused.size(), 5u) << "the disk never filled";
  EXPECT_GT(vfs_->refused_as_full(), 0u);
  // Reads still work.
  auto page = get_json("/api/v1/track/" + *code, 200);
  EXPECT_EQ(page.at("number").as_string(), numbers[first.description]);

  // Room again: the next submission and each refused one (retried) are created, no restart.
  vfs_->set_disk_full(false);
  auto after = submission("full-after", 0);
  numbers[after.description] = created(after);
  for (const auto& s : refused) numbers[s.description] = created(s);
  expect_store_whole(numbers);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, IoFault, ::testing::Values(testing::Backend::kSqlite),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng
