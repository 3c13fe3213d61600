// The SQLite store's WAL stays bounded under a load that leaves no gap between reads
// (store/sqlite.cc, Checkpointer): some read is always in flight on a snapshot older than the
// latest commit, so no PASSIVE checkpoint ever copies the whole WAL and it could never start
// over. The writer's RESTART checkpoint waits for those reads and starts the WAL over.
// And the process-wide setting the store makes before SQLite's first use, and what a batch of
// writes answers when SQLite rolls its whole transaction back by itself.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "store/database.h"
#include "store/sqlite.h"
#include "support/test_db.h"

namespace jiceng::store {
namespace {

using namespace std::chrono_literals;

// The WAL header's checkpoint sequence number (big-endian, bytes 12 to 15): SQLite adds one each
// time the WAL starts over. 0 when the file cannot be read yet.
std::uint32_t checkpoint_sequence(const std::filesystem::path& wal) {
  std::ifstream in(wal, std::ios::binary);
  unsigned char header[16] = {};
  if (!in.read(reinterpret_cast<char*>(header), sizeof header)) return 0;
  return std::uint32_t{header[12]} << 24 | std::uint32_t{header[13]} << 16 |
         std::uint32_t{header[14]} << 8 | std::uint32_t{header[15]};
}

// SQLite keeps no memory statistics in a process that opened its databases through the store
// (store/sqlite.cc, configure_sqlite_once): with them, every allocation of every connection takes
// one global mutex, on which the readers and the writer queued under load. sqlite3_memory_used()
// is 0 when they are off, and the bytes in use (far above 0 with a database open) when on.
TEST(SqliteStore, KeepsNoMemoryStatistics) {
  const std::string url = testing::fresh_url(testing::Backend::kSqlite);
  ASSERT_FALSE(url.empty());
  auto opened = open_database(url);
  ASSERT_TRUE(opened) << opened.error().message;
  auto n = (*opened)->read_value([](Sql& sql) { return sql.query_one("SELECT 1", {}); });
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(sqlite3_memory_used(), 0);
}

// The writer's page cache (store/sqlite.h, database.cache_mib in docs/CONFIG.md): 2 % of the file
// within [32, 1024] MiB unless set, and what the writer connection really runs with.
TEST(SqliteStore, WriterCacheIsSizedFromTheFileUnlessSet) {
  constexpr std::uintmax_t kMiB = 1024 * 1024;
  EXPECT_EQ(writer_cache_mib_for(0), 32);
  EXPECT_EQ(writer_cache_mib_for(1600 * kMiB), 32);
  EXPECT_EQ(writer_cache_mib_for(4096 * kMiB), 81);
  EXPECT_EQ(writer_cache_mib_for(40960 * kMiB), 819);
  EXPECT_EQ(writer_cache_mib_for(std::uintmax_t{1} << 50), 1024);

  // cache_size as the writer sees it: negative, in KiB.
  auto writer_cache_kib = [](DatabaseOptions options) -> std::int64_t {
    const std::string url = testing::fresh_url(testing::Backend::kSqlite);
    auto opened = open_database(url, std::move(options));
    if (!opened) {
      ADD_FAILURE() << opened.error().message;
      return 0;
    }
    auto size = (*opened)->write_value([](Sql& sql) -> Result<std::int64_t> {
      auto row = sql.query_one("PRAGMA cache_size", {});
      if (!row) return row.error();
      return row->int64(0);
    });
    if (!size) {
      ADD_FAILURE() << size.error().message;
      return 0;
    }
    return *size;
  };
  EXPECT_EQ(writer_cache_kib({}), -32 * 1024);  // a new, empty file
  DatabaseOptions set;
  set.sqlite_cache_mib = 48;
  EXPECT_EQ(writer_cache_kib(set), -48 * 1024);
}

// A write that fills the file (here its max_page_count) makes SQLite roll the whole transaction
// back, savepoints and all: the batch's other writes, done in their savepoints, are gone too.
// Each write of the batch is then answered kUnavailable (503: try again), not with the error of
// the savepoint that no longer exists (a 500), nothing of the batch persists, and the writer
// goes on.
TEST(SqliteStore, AWriteThatRollsTheBatchBackFailsEachWriteAsUnavailable) {
  const std::string url = testing::fresh_url(testing::Backend::kSqlite);
  ASSERT_FALSE(url.empty());
  auto db = testing::open_fresh_at(url);
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->write([](Sql& sql) -> Result<void> {
    auto r = sql.exec("CREATE TABLE full_test (n INTEGER PRIMARY KEY, b BLOB)");
    if (!r) return r.error();
    return {};
  }));
  auto insert = [](std::int64_t n, bool fill) {
    return [n, fill](Sql& sql) -> Result<void> {
      if (fill) {
        auto pages = sql.query_one("PRAGMA page_count", {});
        if (!pages) return pages.error();
        if (auto r = sql.exec("PRAGMA max_page_count = " + std::to_string(pages->int64(0))); !r) {
          return r.error();
        }
      }
      auto r = sql.exec("INSERT INTO full_test (n, b) VALUES ($1, randomblob($2))",
                        {n, std::int64_t{fill ? 1 << 20 : 10}});
      if (!r) return r.error();
      return {};
    };
  };
  // The writer held by the first write, so that the next three share one batch.
  std::promise<void> holding, release;
  auto release_future = release.get_future().share();
  std::vector<std::future<Result<void>>> done;
  auto queue = [&](TxFn fn) {
    auto p = std::make_shared<std::promise<Result<void>>>();
    done.push_back(p->get_future());
    db->write_async(std::move(fn), [p](Result<void> r) { p->set_value(std::move(r)); });
  };
  queue([&, release_future](Sql& sql) -> Result<void> {
    holding.set_value();
    release_future.wait();
    return insert(1, false)(sql);
  });
  holding.get_future().wait();
  queue(insert(2, false));
  queue(insert(3, true));
  queue(insert(4, false));
  std::this_thread::sleep_for(100ms);  // let them reach the queue
  release.set_value();
  std::vector<Result<void>> results;
  for (auto& f : done) results.push_back(f.get());
  EXPECT_TRUE(results[0]) << results[0].error().message;
  for (std::size_t i = 1; i < results.size(); ++i) {
    ASSERT_FALSE(results[i]) << "write " << i + 1;
    EXPECT_EQ(results[i].error().code, ErrorCode::kUnavailable) << results[i].error().message;
  }
  // Room again (the limit is the connection's), and the writer writes.
  ASSERT_TRUE(db->write([](Sql& sql) -> Result<void> {
    auto r = sql.exec("PRAGMA max_page_count = 1073741823");
    if (!r) return r.error();
    return {};
  }));
  ASSERT_TRUE(db->write(insert(5, false)));
  auto rows =
      db->read_value([](Sql& sql) { return sql.query("SELECT n FROM full_test ORDER BY n", {}); });
  ASSERT_TRUE(rows) << rows.error().message;
  std::vector<std::int64_t> stored;
  for (const auto& r : *rows) stored.push_back(r.int64(0));
  EXPECT_EQ(stored, (std::vector<std::int64_t>{1, 5}));
}

TEST(SqliteWal, StaysBoundedWhileReadsAlwaysOverlap) {
  const std::string url = testing::fresh_url(testing::Backend::kSqlite);
  ASSERT_FALSE(url.empty());
  const std::filesystem::path wal = url.substr(std::string("sqlite:").size()) + "-wal";
  auto opened = open_database(url);
  ASSERT_TRUE(opened) << opened.error().message;
  Database& db = **opened;
  ASSERT_TRUE(db.write([](Sql& sql) -> Result<void> {
    auto r = sql.exec("CREATE TABLE t (n INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    if (!r) return r.error();
    return {};
  }));
  // Two readers, each holding its snapshot for 10 ms, 5 ms apart: one of them always reads.
  // The query itself must stay short: a COUNT(*) here scanned the whole growing table, reads
  // took longer than the writer's 200 ms wait on a busy machine and the WAL could not restart.
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::vector<std::jthread> readers;
  for (int i = 0; i < 2; ++i) {
    readers.emplace_back([&, i] {
      std::this_thread::sleep_for(5ms * i);
      while (!stop) {
        auto r = db.read([&](Sql& sql) -> Result<void> {
          auto n = sql.query_one("SELECT MAX(n) FROM t", {});
          if (!n) return n.error();
          std::this_thread::sleep_for(10ms);
          return {};
        });
        EXPECT_TRUE(r) << r.error().message;
        ++reads;
      }
    });
  }
  // About 37,000 pages written, in commits of about 60: over nine times the WAL's restart point
  // (4,000 pages of 4 KB).
  const std::string body(2000, 'x');
  std::uintmax_t largest = 0;
  int restarts = 0;
  std::uint32_t sequence = 0;
  for (int commit = 0; commit < 600; ++commit) {
    auto r = db.write([&](Sql& sql) -> Result<void> {
      for (int row = 0; row < 100; ++row) {
        auto ins = sql.exec("INSERT INTO t (body) VALUES ($1)", {body});
        if (!ins) return ins.error();
      }
      return {};
    });
    ASSERT_TRUE(r) << r.error().message;
    std::error_code ec;
    largest = std::max(largest, std::filesystem::file_size(wal, ec));
    const std::uint32_t now = checkpoint_sequence(wal);
    if (sequence != 0 && now != sequence) ++restarts;
    sequence = now;
  }
  stop = true;
  readers.clear();
  EXPECT_GT(reads.load(), 10);
  // The WAL started over again and again: every 4,000 frames on a quiet machine (nine times),
  // less often when waits for the reads run out on a busy one. Without the RESTART checkpoint
  // it never does, and holds every page written (126 MB).
  EXPECT_GE(restarts, 2) << "the WAL grew to " << (largest >> 20) << " MB";
  EXPECT_LT(largest, std::uintmax_t{120} << 20);
}

}  // namespace
}  // namespace jiceng::store
