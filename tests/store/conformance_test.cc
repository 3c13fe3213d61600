// The store conformance suite: the same tests against SQLite and PostgreSQL, through the
// Database port and the repositories. A behaviour that differs between the two is a bug.
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "store/calendar_repo.h"
#include "store/database.h"
#include "store/jurisdiction_repo.h"
#include "store/migrations.h"
#include "store/settings_repo.h"
#include "support/test_db.h"

namespace jiceng::store {
namespace {

using domain::Jurisdiction;
using domain::Level;
using testing::Backend;

class Conformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = testing::open_fresh(GetParam());
    ASSERT_TRUE(db_);
  }
  Database& db() { return *db_; }

  std::vector<Jurisdiction> small_tree() {
    return {
        {"36", "江西省", Level::kProvince, ""},
        {"3606", "鹰潭市", Level::kCity, "36"},
        {"360602", "月湖区", Level::kCounty, "3606"},
        {"360603", "余江区", Level::kCounty, "3606"},
        {"360681", "贵溪市", Level::kCounty, "3606"},
        {"360602001", "东湖街道", Level::kTownship, "360602"},
        {"360602001001", "鹰潭东湖社区", Level::kVillage, "360602001"},
        {"360602001002", "50%_村", Level::kVillage, "360602001"},
        {"3601", "南昌市", Level::kCity, "36"},
    };
  }
  void import_small_tree() {
    auto tree = small_tree();
    auto r =
        db().write_value([&](Sql& sql) { return jurisdictions::upsert_all(sql, tree, nullptr); });
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->inserted, static_cast<std::int64_t>(tree.size()));
  }

  std::unique_ptr<Database> db_;
};

TEST_P(Conformance, MigrationsAreIdempotent) {
  auto again = migrate(db());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, 0);
  auto version = schema_version(db());
  ASSERT_TRUE(version);
  auto all = migrations_for(db().dialect());
  ASSERT_TRUE(all);
  EXPECT_EQ(*version, all->back().version);
}

TEST_P(Conformance, TypesRoundTrip) {
  auto r = db().write_value([](Sql& sql) -> Result<Row> {
    if (auto c = sql.exec("CREATE TABLE t (i BIGINT, f DOUBLE PRECISION, s TEXT)"); !c)
      return c.error();
    if (auto c = sql.exec("INSERT INTO t VALUES ($1, $2, $3)",
                          {std::int64_t{-9223372036854775807 - 1}, 2.5, std::string("汉字 ✓ 😀")});
        !c) {
      return c.error();
    }
    if (auto c = sql.exec("INSERT INTO t VALUES ($1, $2, $3)", {nullptr, nullptr, std::string()});
        !c) {
      return c.error();
    }
    return sql.query_one("SELECT i, f, s FROM t WHERE i IS NOT NULL", {});
  });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->int64(0), -9223372036854775807 - 1);
  EXPECT_DOUBLE_EQ(r->float64(1), 2.5);
  EXPECT_EQ(r->text(2), "汉字 ✓ 😀");
  auto nulls = db().read_value(
      [](Sql& sql) { return sql.query_one("SELECT i, f, s FROM t WHERE i IS NULL", {}); });
  ASSERT_TRUE(nulls);
  EXPECT_TRUE(nulls->is_null(0));
  EXPECT_TRUE(nulls->is_null(1));
  EXPECT_FALSE(nulls->is_null(2));
  EXPECT_EQ(nulls->text(2), "");
}

TEST_P(Conformance, ConstraintErrorsAreMapped) {
  import_small_tree();
  auto dup = db().write([](Sql& sql) -> Result<void> {
    auto r = sql.exec(
        "INSERT INTO jurisdiction (code, name, level, parent_code) VALUES ($1, $2, $3, $4)",
        {std::string("3606"), std::string("x"), std::int64_t{2}, std::string("36")});
    if (!r) return r.error();
    return {};
  });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists) << dup.error().message;
  auto orphan = db().write([](Sql& sql) -> Result<void> {
    auto r = sql.exec(
        "INSERT INTO jurisdiction (code, name, level, parent_code) VALUES ($1, $2, $3, $4)",
        {std::string("9901"), std::string("x"), std::int64_t{2}, std::string("99")});
    if (!r) return r.error();
    return {};
  });
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, ErrorCode::kInvalidArgument);
}

// Concurrent writes share commits, and a failing write is rolled back alone.
TEST_P(Conformance, GroupCommitIsolatesFailures) {
  ASSERT_TRUE(db().write([](Sql& sql) -> Result<void> {
    auto r = sql.exec("CREATE TABLE w (n BIGINT PRIMARY KEY)");
    if (!r) return r.error();
    return {};
  }));
  constexpr int kWriters = 48;
  std::barrier start(kWriters);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, failed{0};
  const auto before = db().stats();
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto r = db().write([i](Sql& sql) -> Result<void> {
        if (auto x = sql.exec("INSERT INTO w (n) VALUES ($1)", {std::int64_t{i}}); !x)
          return x.error();
        if (i % 3 == 0) return Error::invalid_argument("rejected on purpose");
        return {};
      });
      (r ? ok : failed)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), kWriters / 3);
  EXPECT_EQ(ok.load(), kWriters - kWriters / 3);
  auto rows = db().read_value([](Sql& sql) { return sql.query("SELECT n FROM w ORDER BY n", {}); });
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), static_cast<std::size_t>(ok.load()));
  for (const Row& r : *rows) EXPECT_NE(r.int64(0) % 3, 0);
  const auto after = db().stats();
  EXPECT_EQ(after.writes - before.writes, static_cast<std::uint64_t>(ok.load()));
}

// A write alone in its batch runs without a savepoint: when it fails, the whole transaction is
// rolled back — nothing it wrote stays, its own error comes back, and the writer goes on.
TEST_P(Conformance, AFailingWriteAloneChangesNothing) {
  ASSERT_TRUE(db().write([](Sql& sql) -> Result<void> {
    auto r = sql.exec("CREATE TABLE lone (n BIGINT PRIMARY KEY)");
    if (!r) return r.error();
    return {};
  }));
  const auto before = db().stats();
  auto failed = db().write([](Sql& sql) -> Result<void> {
    for (std::int64_t n = 1; n <= 3; ++n) {
      if (auto r = sql.exec("INSERT INTO lone (n) VALUES ($1)", {n}); !r) return r.error();
    }
    return Error::conflict("rejected after three rows");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kConflict);
  EXPECT_EQ(failed.error().message, "rejected after three rows");
  auto thrown = db().write([](Sql& sql) -> Result<void> {
    if (auto r = sql.exec("INSERT INTO lone (n) VALUES (4)"); !r) return r.error();
    throw std::runtime_error("a bug in the callback");
  });
  ASSERT_FALSE(thrown);
  auto count = [&] {
    auto row =
        db().read_value([](Sql& sql) { return sql.query_one("SELECT COUNT(*) FROM lone", {}); });
    EXPECT_TRUE(row);
    return row ? row->int64(0) : -1;
  };
  EXPECT_EQ(count(), 0);
  EXPECT_EQ(db().stats().writes, before.writes);
  ASSERT_TRUE(db().write([](Sql& sql) -> Result<void> {
    auto r = sql.exec("INSERT INTO lone (n) VALUES (5)");
    if (!r) return r.error();
    return {};
  }));
  EXPECT_EQ(count(), 1);
}

// While one write holds the writer, the writes that arrive meanwhile share the next commit.
TEST_P(Conformance, GroupCommitSharesOneCommit) {
  ASSERT_TRUE(db().write([](Sql& sql) -> Result<void> {
    auto r = sql.exec("CREATE TABLE g (n BIGINT PRIMARY KEY)");
    if (!r) return r.error();
    return {};
  }));
  std::atomic<bool> holding{false};
  std::atomic<bool> release{false};
  const auto before = db().stats();
  std::thread holder([&] {
    ASSERT_TRUE(db().write([&](Sql& sql) -> Result<void> {
      holding = true;
      while (!release) std::this_thread::yield();
      auto r = sql.exec("INSERT INTO g (n) VALUES (-1)");
      if (!r) return r.error();
      return {};
    }));
  });
  while (!holding) std::this_thread::yield();
  constexpr int kQueued = 20;
  std::vector<std::thread> threads;
  std::atomic<int> queued{0};
  for (int i = 0; i < kQueued; ++i) {
    threads.emplace_back([&, i] {
      queued++;
      EXPECT_TRUE(db().write([i](Sql& sql) -> Result<void> {
        auto r = sql.exec("INSERT INTO g (n) VALUES ($1)", {std::int64_t{i}});
        if (!r) return r.error();
        return {};
      }));
    });
  }
  while (queued < kQueued) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let them reach the queue
  release = true;
  holder.join();
  for (auto& t : threads) t.join();
  const auto after = db().stats();
  EXPECT_EQ(after.writes - before.writes, static_cast<std::uint64_t>(kQueued + 1));
  // 21 writes on one writer connection (the fixture's default): the holder's commit, then the
  // 20 queued writes in one batch (a straggler may make it two).
  EXPECT_LE(after.commits - before.commits, 3u);
}

// A fresh store with one table, a (n BIGINT PRIMARY KEY), for the tests of the writer's queue.
std::unique_ptr<Database> open_with_table_a(Backend backend, const DatabaseOptions& options) {
  auto db = testing::open_fresh(backend, options);
  if (!db) return db;
  auto made = db->write([](Sql& sql) -> Result<void> {
    auto r = sql.exec("CREATE TABLE a (n BIGINT PRIMARY KEY)");
    if (!r) return r.error();
    return {};
  });
  if (!made) return nullptr;
  return db;
}

// A write of n into a, which first takes `takes`.
TxFn insert_into_a(std::int64_t n, std::chrono::milliseconds takes = {}) {
  return [n, takes](Sql& sql) -> Result<void> {
    std::this_thread::sleep_for(takes);
    auto r = sql.exec("INSERT INTO a (n) VALUES ($1)", {n});
    if (!r) return r.error();
    return {};
  };
}

// Counts the outcomes of queued writes; wait_for(n) waits (up to 30 s) until n have come.
class Tally {
 public:
  WriteDone recorder() {
    return [this](Result<void> r) {
      std::lock_guard lock(mu_);
      ++done_;
      if (!r) ++failed_;
      cv_.notify_all();
    };
  }
  bool wait_for(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return done_ >= n; });
  }
  int failed() {
    std::lock_guard lock(mu_);
    return failed_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int done_ = 0;
  int failed_ = 0;
};

// Queues fn; true when write_async refused it at once (its done ran on this thread, with
// kUnavailable, before write_async returned). Otherwise `done` gets the write's outcome.
bool refused_at_once(Database& db, TxFn fn, const WriteDone& done) {
  auto calling = std::make_shared<std::atomic<bool>>(true);
  auto refused = std::make_shared<std::atomic<bool>>(false);
  db.write_async(std::move(fn), [calling, refused, done](Result<void> r) {
    if (calling->load() && !r && r.error().code == ErrorCode::kUnavailable) {
      refused->store(true);
    } else {
      done(std::move(r));
    }
  });
  calling->store(false);
  return refused->load();
}

// A write that holds the writer (as a stalled disk does) until released: start() queues it and
// returns once the writer runs it; it then inserts n.
class WriterHold {
 public:
  void start(Database& db, std::int64_t n, WriteDone done) {
    db.write_async(
        [this, n](Sql& sql) -> Result<void> {
          std::unique_lock lock(mu_);
          holding_ = true;
          cv_.notify_all();
          cv_.wait(lock, [&] { return released_; });
          lock.unlock();
          return insert_into_a(n)(sql);
        },
        std::move(done));
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return holding_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool holding_ = false;
  bool released_ = false;
};

// Writes queued with write_async hold no thread while they wait: one thread queues them all, and
// those that arrive while the writer is busy share the next commit. Past max_queued waiting
// writes, a write is refused at once.
TEST_P(Conformance, AsyncWritesShareCommitsAndAreBounded) {
  DatabaseOptions options;
  options.max_queued = 30;
  auto bounded = open_with_table_a(GetParam(), options);
  ASSERT_TRUE(bounded);
  Database& db = *bounded;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Result<void>> results;
  auto record = [&](Result<void> r) {
    std::lock_guard lock(mu);
    results.push_back(std::move(r));
    cv.notify_all();
  };
  auto insert = [](std::int64_t n) { return insert_into_a(n); };
  const auto before = db.stats();
  WriterHold hold;
  hold.start(db, -1, record);
  for (int i = 0; i < 30; ++i) db.write_async(insert(i), record);
  // The 31st waiting write is refused at once, on this thread.
  std::optional<Result<void>> refused;
  db.write_async(insert(99), [&](Result<void> r) { refused = std::move(r); });
  ASSERT_TRUE(refused);
  ASSERT_FALSE(*refused);
  EXPECT_EQ(refused->error().code, ErrorCode::kUnavailable);
  {
    std::lock_guard lock(mu);
    EXPECT_TRUE(results.empty()) << "nothing completes before its commit";
  }
  hold.release();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return results.size() == 31; }));
    for (const auto& r : results) EXPECT_TRUE(r) << r.error().message;
  }
  // A completion runs on the writer: a blocking write there would wait for itself.
  std::promise<Result<void>> nested;
  db.write_async(insert(100), [&](Result<void>) { nested.set_value(db.write(insert(101))); });
  auto inner = nested.get_future().get();
  ASSERT_FALSE(inner);
  EXPECT_EQ(inner.error().code, ErrorCode::kInternal);

  const auto after = db.stats();
  EXPECT_EQ(after.writes - before.writes, 32u);
  EXPECT_EQ(after.refused - before.refused, 1u);
  // The holder's commit, then the 30 queued writes in one (a straggler may make it two), then
  // the nested test's.
  EXPECT_LE(after.commits - before.commits, 4u);
  auto count = db.read_value([](Sql& sql) { return sql.query_one("SELECT COUNT(*) FROM a", {}); });
  ASSERT_TRUE(count);
  EXPECT_EQ(count->int64(0), 32);
}

// A stall of the writer (here: a write that waits for the test; in life, a slow disk) only grows
// the queue: writes queued meanwhile wait, however long it lasts, and none is refused (max_wait,
// which bounds that, has its own test below); nor is any while such a backlog drains. A queue
// that stands — every batch the writer takes leaves writes waiting longer than wait_target, for
// standing_after, and the queue does not shrink: writes come faster than they are written —
// holds no more than the writer serves in wait_target, at least a batch: here one write. It
// refuses new writes at once while one waits, and stops standing once none was refused for
// standing_after.
TEST_P(Conformance, AStallQueuesWritesAndAStandingQueueRefusesThem) {
  using namespace std::chrono_literals;
  DatabaseOptions options;
  options.max_batch = 1;  // the writer takes one write at a time: a queue builds behind it
  options.wait_target = 10ms;
  options.standing_after = 50ms;
  options.max_wait = 0ms;
  auto opened = open_with_table_a(GetParam(), options);
  ASSERT_TRUE(opened);
  Database& db = *opened;
  Tally tally;
  auto record = tally.recorder();
  const auto insert = insert_into_a;
  auto refused_now = [&](std::int64_t n) { return refused_at_once(db, insert(n, 0ms), record); };
  // The stall: longer than standing_after, with writes queued behind it.
  WriterHold hold;
  hold.start(db, -1, record);
  for (int i = 0; i < 5; ++i) db.write_async(insert(i, 0ms), record);
  std::this_thread::sleep_for(options.standing_after * 3);
  EXPECT_FALSE(refused_now(5)) << "a stalled writer's queue takes writes";
  hold.release();
  ASSERT_TRUE(tally.wait_for(7));
  EXPECT_EQ(tally.failed(), 0);
  // A backlog: 40 writes of 20 ms each queued at once, taken one at a time. Every batch leaves
  // writes waiting for over 10 ms, but the queue shrinks: it does not stand.
  for (int i = 100; i < 140; ++i) db.write_async(insert(i, 20ms), record);
  ASSERT_TRUE(tally.wait_for(7 + 8));
  EXPECT_FALSE(refused_now(140)) << "a draining backlog takes writes";
  ASSERT_TRUE(tally.wait_for(7 + 41));
  EXPECT_EQ(tally.failed(), 0);
  // Overload: writes of 20 ms arrive every 10 ms, twice as fast as they are written. The queue
  // grows, stands, and refuses.
  int admitted = 0;
  int refused = 0;
  for (int i = 200; i < 260; ++i) {
    (refused_at_once(db, insert(i, 20ms), record) ? refused : admitted)++;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GT(refused, 0) << "a standing queue refuses new writes";
  ASSERT_TRUE(tally.wait_for(7 + 41 + admitted));
  EXPECT_EQ(tally.failed(), 0);
  // Caught up, the queue takes writes again: one at first, while it still stands.
  EXPECT_FALSE(refused_now(300));
  ASSERT_TRUE(tally.wait_for(7 + 41 + admitted + 1));
  EXPECT_EQ(tally.failed(), 0);
  // With no write refused for standing_after, it stops standing (at the writer's next batch):
  // a held writer's queue takes several again.
  std::this_thread::sleep_for(options.standing_after * 2);
  ASSERT_TRUE(db.write(insert(301, 0ms)));
  WriterHold again;
  again.start(db, 302, record);
  EXPECT_FALSE(refused_now(303));
  EXPECT_FALSE(refused_now(304)) << "the queue stands no more";
  again.release();
  ASSERT_TRUE(tally.wait_for(7 + 41 + admitted + 4));
  EXPECT_EQ(tally.failed(), 0);
  auto count = db.read_value([](Sql& sql) { return sql.query_one("SELECT COUNT(*) FROM a", {}); });
  ASSERT_TRUE(count);
  EXPECT_EQ(count->int64(0), 7 + 41 + admitted + 5);
}

// At most as many writes wait as the writer commits in max_wait at its recent rate: while the
// writer is held, the queue takes that many and refuses the next at once; all it took are
// written once the writer goes on.
TEST_P(Conformance, TheQueueHoldsWhatTheWriterServesInMaxWait) {
  using namespace std::chrono_literals;
  DatabaseOptions options;
  options.max_batch = 1;
  options.max_wait = 200ms;
  options.wait_target = 0ms;  // no standing queue here: max_wait alone
  auto opened = open_with_table_a(GetParam(), options);
  ASSERT_TRUE(opened);
  Database& db = *opened;
  // A second of writes of 10 ms each, one per commit: the writer's rate is at most 100 writes a
  // second (the migrations before weigh in too), so about 20 may wait.
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(db.write(insert_into_a(i, 10ms)));
  Tally tally;
  auto record = tally.recorder();
  WriterHold hold;
  hold.start(db, -1, record);
  const auto held = db.stats();
  EXPECT_GT(held.writes_per_second, 2.0);
  EXPECT_LT(held.writes_per_second, 150.0);
  EXPECT_EQ(held.may_wait, static_cast<std::size_t>(std::max(1.0, held.writes_per_second * 0.2)));
  EXPECT_LT(held.may_wait, options.max_queued);
  std::size_t queued = 0;
  while (!refused_at_once(db, insert_into_a(1000 + static_cast<std::int64_t>(queued)), record)) {
    ASSERT_LE(++queued, options.max_queued);
  }
  EXPECT_EQ(queued, held.may_wait);
  EXPECT_EQ(db.stats().waiting, queued);
  hold.release();
  {
    ASSERT_TRUE(tally.wait_for(static_cast<int>(queued) + 1));
    EXPECT_EQ(tally.failed(), 0);
  }
  auto count = db.read_value([](Sql& sql) { return sql.query_one("SELECT COUNT(*) FROM a", {}); });
  ASSERT_TRUE(count);
  EXPECT_EQ(count->int64(0), 100 + static_cast<std::int64_t>(queued) + 1);
}

// The hooks around a write transaction: prepare_writer once per writer connection, before_commit
// once per batch after the callbacks' savepoints (seeing what they kept, not what a failed one
// rolled back), not at all when every callback failed; a failing before_commit fails the batch.
TEST_P(Conformance, HooksRunOncePerWriterAndPerCommit) {
  std::atomic<int> prepared{0};
  std::atomic<bool> armed{false};  // set once table h exists (the migrations commit before)
  std::atomic<bool> fail_next{false};
  std::vector<std::int64_t> seen;  // before_commit's count of rows, per run
  DatabaseOptions options;
  options.prepare_writer = [&](Sql&) -> Result<void> {
    prepared++;
    return {};
  };
  options.before_commit = [&](Sql& sql) -> Result<void> {
    if (!armed) return {};
    if (fail_next.exchange(false)) return Error::internal("failed on purpose");
    auto n = sql.query_one("SELECT COUNT(*) FROM h", {});
    if (!n) return n.error();
    seen.push_back(n->int64(0));
    return {};
  };
  auto hooked = testing::open_fresh(GetParam(), options);
  ASSERT_TRUE(hooked);
  Database& db = *hooked;
  auto insert = [](std::int64_t n, bool fail) {
    return [n, fail](Sql& sql) -> Result<void> {
      if (auto r = sql.exec("INSERT INTO h (n) VALUES ($1)", {n}); !r) return r.error();
      if (fail) return Error::invalid_argument("rejected on purpose");
      return {};
    };
  };
  ASSERT_TRUE(db.write([](Sql& sql) -> Result<void> {
    if (auto r = sql.exec("CREATE TABLE h (n BIGINT PRIMARY KEY)"); !r) return r.error();
    return {};
  }));
  armed = true;
  ASSERT_TRUE(db.write(insert(1, false)));
  EXPECT_FALSE(db.write(insert(2, true)));  // every callback failed: no hook
  ASSERT_EQ(seen, std::vector<std::int64_t>{1});

  // Three writes in one batch, the middle one failing: one run, after all three.
  std::promise<void> holding, release;
  std::vector<std::future<Result<void>>> done;
  auto queue = [&](auto fn) {
    auto p = std::make_shared<std::promise<Result<void>>>();
    done.push_back(p->get_future());
    db.write_async(std::move(fn), [p](Result<void> r) { p->set_value(std::move(r)); });
  };
  auto release_future = release.get_future().share();
  queue([&, release_future](Sql& sql) -> Result<void> {
    holding.set_value();
    release_future.wait();
    return insert(3, false)(sql);
  });
  holding.get_future().wait();
  queue(insert(4, false));
  queue(insert(5, true));
  queue(insert(6, false));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let them reach the queue
  release.set_value();
  std::vector<bool> ok;
  for (auto& f : done) ok.push_back(f.get().has_value());
  EXPECT_EQ(ok, (std::vector<bool>{true, true, false, true}));
  // The holder's batch, then the other three in one: the last run saw 1, 3, 4 and 6.
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen.back(), 4);

  // A failing before_commit fails the whole batch, and nothing of it persists.
  fail_next = true;
  auto failed = db.write(insert(7, false));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  auto count = db.read_value([](Sql& sql) { return sql.query_one("SELECT COUNT(*) FROM h", {}); });
  ASSERT_TRUE(count);
  EXPECT_EQ(count->int64(0), 4);
  EXPECT_EQ(prepared.load(), 1);  // one writer connection, prepared once
}

// Database::watch (what app::TrackCache relies on): every change of a watched table's rows is
// reported by key, before the write that made it is answered; a table watched without a key
// reports `all`; other tables nothing. Only SQLite watches.
TEST_P(Conformance, WatchReportsChangedKeysBeforeTheWriteIsAnswered) {
  if (GetParam() == Backend::kPostgres) {
    auto refused = db().watch({{.table = "cases", .key_column = "number"}}, {});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
    return;
  }
  auto setup = db().write([](Sql& sql) -> Result<void> {
    return sql.exec_script(
        "CREATE TABLE w (id INTEGER PRIMARY KEY, k TEXT NOT NULL, v TEXT);"
        "CREATE TABLE wr (k TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (k, n)) WITHOUT ROWID;"
        "CREATE TABLE wa (n INTEGER); CREATE TABLE other (n INTEGER);");
  });
  ASSERT_TRUE(setup) << setup.error().message;
  std::mutex mu;
  std::vector<ChangedKeys> reports;
  auto watched = db().watch(
      {{.table = "w", .key_column = "k"}, {.table = "wr", .key_column = "k"}, {.table = "wa"}},
      [&](const ChangedKeys& c) {
        std::lock_guard lock(mu);
        reports.push_back(c);
      });
  ASSERT_TRUE(watched) << watched.error().message;
  auto take = [&] {
    std::lock_guard lock(mu);
    return std::exchange(reports, {});
  };
  (void)take();  // the fence's empty batch reports nothing anyway
  auto write = [&](std::string script) {
    auto r = db().write([&](Sql& sql) -> Result<void> { return sql.exec_script(script); });
    EXPECT_TRUE(r) << script << ": " << r.error().message;
    return take();  // already there when write returned
  };
  auto keys_of = [](const std::vector<ChangedKeys>& rs) {
    std::vector<std::string> out;
    for (const ChangedKeys& c : rs) {
      EXPECT_FALSE(c.all);
      out.insert(out.end(), c.keys.begin(), c.keys.end());
    }
    return out;
  };
  using Keys = std::vector<std::string>;
  EXPECT_EQ(keys_of(write("INSERT INTO w (k, v) VALUES ('a', '1'), ('b', '2')")), (Keys{"a", "b"}));
  EXPECT_EQ(keys_of(write("UPDATE w SET v = 'x' WHERE k = 'a'")), (Keys{"a", "a"}));
  EXPECT_EQ(keys_of(write("UPDATE w SET k = 'c' WHERE k = 'b'")), (Keys{"b", "c"}));
  EXPECT_EQ(keys_of(write("DELETE FROM w WHERE k = 'a'")), (Keys{"a"}));
  EXPECT_EQ(keys_of(write("INSERT INTO wr (k, n) VALUES ('r', 1)")), (Keys{"r"}));
  EXPECT_TRUE(write("INSERT INTO other (n) VALUES (1)").empty());
  auto all = write("INSERT INTO wa (n) VALUES (1)");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_TRUE(all[0].all);

  // A write that fails is reported too (saying more than was committed is safe), and so is an
  // asynchronous one, before its completion runs.
  EXPECT_FALSE(db().write([](Sql& sql) -> Result<void> {
    if (auto r = sql.exec("INSERT INTO w (k) VALUES ('gone')"); !r) return r.error();
    return Error::invalid_argument("rejected on purpose");
  }));
  EXPECT_EQ(keys_of(take()), (Keys{"gone"}));
  std::promise<std::size_t> seen_at_done;
  db().write_async(
      [](Sql& sql) -> Result<void> {
        if (auto r = sql.exec("INSERT INTO w (k) VALUES ('async')"); !r) return r.error();
        return {};
      },
      [&](Result<void> r) {
        EXPECT_TRUE(r);
        std::lock_guard lock(mu);
        seen_at_done.set_value(reports.size());
      });
  EXPECT_EQ(seen_at_done.get_future().get(), 1u);
  EXPECT_EQ(keys_of(take()), (Keys{"async"}));

  // A table or key that does not exist would never be reported: refused.
  auto typo = db().watch({{.table = "w", .key_column = "kk"}}, [](const ChangedKeys&) {});
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().code, ErrorCode::kInternal);
  EXPECT_FALSE(db().watch({{.table = "nope"}}, [](const ChangedKeys&) {}));

  // Ended: nothing more is reported.
  ASSERT_TRUE(db().watch({}, {}));
  EXPECT_TRUE(write("INSERT INTO w (k) VALUES ('after')").empty());
}

TEST_P(Conformance, JurisdictionQueries) {
  import_small_tree();
  auto found = db().read_value([](Sql& sql) { return jurisdictions::find(sql, "360602001001"); });
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->name, "鹰潭东湖社区");
  EXPECT_EQ((*found)->level, Level::kVillage);
  EXPECT_EQ((*found)->parent_code, "360602001");

  auto anc = db().read_value([&](Sql& sql) { return jurisdictions::ancestors(sql, **found); });
  ASSERT_TRUE(anc);
  std::vector<std::string> codes;
  for (const auto& a : *anc) codes.push_back(a.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"36", "3606", "360602", "360602001"}));

  auto kids = db().read_value([](Sql& sql) { return jurisdictions::children(sql, "3606"); });
  ASSERT_TRUE(kids);
  codes.clear();
  for (const auto& k : *kids) codes.push_back(k.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"360602", "360603", "360681"}));
  auto n = db().read_value([](Sql& sql) { return jurisdictions::child_count(sql, "36"); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  auto none = db().read_value([](Sql& sql) { return jurisdictions::find(sql, "3699"); });
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST_P(Conformance, SearchRanksExactThenPrefixThenContains) {
  import_small_tree();
  auto hits = db().read_value([](Sql& sql) { return jurisdictions::search(sql, "鹰潭", 50); });
  ASSERT_TRUE(hits);
  std::vector<std::string> codes;
  for (const auto& h : *hits) codes.push_back(h.code);
  // 鹰潭市 (prefix, city) before 鹰潭东湖社区 (prefix, village); nothing else contains 鹰潭.
  EXPECT_EQ(codes, (std::vector<std::string>{"3606", "360602001001"}));

  auto exact = db().read_value([](Sql& sql) { return jurisdictions::search(sql, "月湖区", 50); });
  ASSERT_TRUE(exact);
  ASSERT_FALSE(exact->empty());
  EXPECT_EQ(exact->front().code, "360602");

  auto contains = db().read_value([](Sql& sql) { return jurisdictions::search(sql, "湖", 50); });
  ASSERT_TRUE(contains);
  codes.clear();
  for (const auto& h : *contains) codes.push_back(h.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"360602", "360602001", "360602001001"}));

  // LIKE wildcards in the query match literally.
  auto literal = db().read_value([](Sql& sql) { return jurisdictions::search(sql, "%_", 50); });
  ASSERT_TRUE(literal);
  ASSERT_EQ(literal->size(), 1u);
  EXPECT_EQ(literal->front().code, "360602001002");

  auto limited = db().read_value([](Sql& sql) { return jurisdictions::search(sql, "湖", 2); });
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->size(), 2u);
}

TEST_P(Conformance, UpsertIsIdempotentAndRenames) {
  import_small_tree();
  auto tree = small_tree();
  auto again =
      db().write_value([&](Sql& sql) { return jurisdictions::upsert_all(sql, tree, nullptr); });
  ASSERT_TRUE(again);
  EXPECT_EQ(again->inserted, 0);
  EXPECT_EQ(again->updated, 0);
  tree[2].name = "月湖区（新）";
  auto renamed =
      db().write_value([&](Sql& sql) { return jurisdictions::upsert_all(sql, tree, nullptr); });
  ASSERT_TRUE(renamed);
  EXPECT_EQ(renamed->inserted, 0);
  EXPECT_EQ(renamed->updated, 1);
}

TEST_P(Conformance, FailedImportChangesNothing) {
  import_small_tree();
  std::vector<Jurisdiction> bad = {{"3607", "赣州市", Level::kCity, "36"},
                                   {"9901", "孤儿", Level::kCity, "99"}};
  auto r = db().write_value([&](Sql& sql) { return jurisdictions::upsert_all(sql, bad, nullptr); });
  ASSERT_FALSE(r);
  auto n = db().read_value([](Sql& sql) { return jurisdictions::count(sql); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, static_cast<std::int64_t>(small_tree().size()));
}

TEST_P(Conformance, CalendarReplaceYearsIsIdempotentAndKeepsOtherYears) {
  using domain::CalendarDay;
  using domain::DayKind;
  std::vector<CalendarDay> days = {{*parse_date("2025-10-01"), DayKind::kHoliday, "国庆节"},
                                   {*parse_date("2025-10-11"), DayKind::kWorkday, "国庆节"}};
  auto first = db().write_value([&](Sql& sql) { return calendar::replace_years(sql, days); });
  ASSERT_TRUE(first);
  EXPECT_EQ(first->changed, 2);
  EXPECT_EQ(first->first_changed, parse_date("2025-10-01"));
  auto second = db().write_value([&](Sql& sql) { return calendar::replace_years(sql, days); });
  ASSERT_TRUE(second);
  EXPECT_EQ(second->changed, 0);
  EXPECT_EQ(second->first_changed, std::nullopt);
  // Another year alone: 2025 stays.
  std::vector<CalendarDay> next = {{*parse_date("2027-02-08"), DayKind::kHoliday, "春节"}};
  auto other = db().write_value([&](Sql& sql) { return calendar::replace_years(sql, next); });
  ASSERT_TRUE(other);
  EXPECT_EQ(other->changed, 1);
  EXPECT_EQ(other->first_changed, parse_date("2027-02-08"));
  // A year's schedule is replaced whole: the dropped make-up day goes.
  days.pop_back();
  auto third = db().write_value([&](Sql& sql) { return calendar::replace_years(sql, days); });
  ASSERT_TRUE(third);
  EXPECT_EQ(third->changed, 1);
  EXPECT_EQ(third->first_changed, parse_date("2025-10-11"));
  auto loaded = db().read_value([](Sql& sql) { return calendar::load(sql); });
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ(loaded->front().name, "国庆节");
  EXPECT_EQ(loaded->back().name, "春节");
}

// A notice that reaches back into the previous year's last days (the 2019 notice: 2018-12-29 a
// workday, 12-30 and 12-31 holidays with 2019-01-01) adds those days and keeps the rest of that
// year; its own year is replaced whole.
TEST_P(Conformance, CalendarNoticeReachingIntoTheYearBeforeKeepsThatYear) {
  using domain::CalendarDay;
  using domain::DayKind;
  std::vector<CalendarDay> year_2018 = {{*parse_date("2018-02-16"), DayKind::kHoliday, "春节"},
                                        {*parse_date("2018-10-01"), DayKind::kHoliday, "国庆节"}};
  ASSERT_TRUE(db().write_value([&](Sql& sql) { return calendar::replace_years(sql, year_2018); }));
  std::vector<CalendarDay> notice_2019 = {{*parse_date("2018-12-29"), DayKind::kWorkday, "元旦"},
                                          {*parse_date("2018-12-30"), DayKind::kHoliday, "元旦"},
                                          {*parse_date("2018-12-31"), DayKind::kHoliday, "元旦"},
                                          {*parse_date("2019-01-01"), DayKind::kHoliday, "元旦"},
                                          {*parse_date("2019-02-05"), DayKind::kHoliday, "春节"}};
  auto r = db().write_value([&](Sql& sql) { return calendar::replace_years(sql, notice_2019); });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->changed, 5);
  EXPECT_EQ(r->first_changed, parse_date("2018-12-29"));
  auto loaded = db().read_value([](Sql& sql) { return calendar::load(sql); });
  ASSERT_TRUE(loaded);
  std::vector<std::string> stored;
  for (const auto& d : *loaded) {
    const std::string day = format_date(d.day);
    if (day.starts_with("2018") || day.starts_with("2019")) stored.push_back(day);
  }
  EXPECT_EQ(stored,
            (std::vector<std::string>{"2018-02-16", "2018-10-01", "2018-12-29", "2018-12-30",
                                      "2018-12-31", "2019-01-01", "2019-02-05"}));
}

TEST_P(Conformance, Settings) {
  ASSERT_TRUE(db().write([](Sql& sql) { return settings::put(sql, "deployment.root", "3606"); }));
  ASSERT_TRUE(db().write([](Sql& sql) { return settings::put(sql, "deployment.root", "3601"); }));
  auto v = db().read_value([](Sql& sql) { return settings::get(sql, "deployment.root"); });
  ASSERT_TRUE(v);
  EXPECT_EQ(v->value_or(""), "3601");
  auto missing = db().read_value([](Sql& sql) { return settings::get(sql, "nope"); });
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

INSTANTIATE_TEST_SUITE_P(Stores, Conformance, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng::store
