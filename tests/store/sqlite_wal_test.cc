// The SQLite store's WAL stays bounded under a load that leaves no gap between reads
// (store/sqlite.cc, Checkpointer): some read is always in flight on a snapshot older than the
// latest commit, so no PASSIVE checkpoint ever copies the whole WAL and it could never start
// over. The writer's RESTART checkpoint waits for those reads and starts the WAL over.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/database.h"
#include "support/test_db.h"

namespace jiceng::store {
namespace {

using namespace std::chrono_literals;

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
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::vector<std::jthread> readers;
  for (int i = 0; i < 2; ++i) {
    readers.emplace_back([&, i] {
      std::this_thread::sleep_for(5ms * i);
      while (!stop) {
        auto r = db.read([&](Sql& sql) -> Result<void> {
          auto n = sql.query_one("SELECT COUNT(*) FROM t", {});
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
  }
  stop = true;
  readers.clear();
  EXPECT_GT(reads.load(), 10);
  // The restart point and a commit or two past it (16 MB), or 4,000 frames more for each wait
  // for the reads that ran out (two in a row: 49 MB); without restarts the WAL holds every page
  // written (over 120 MB).
  EXPECT_LT(largest, std::uintmax_t{64} << 20) << "the WAL grew to " << (largest >> 20) << " MB";
}

}  // namespace
}  // namespace jiceng::store
