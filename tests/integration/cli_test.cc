// The `jiceng` binary as a user runs it: exit codes, messages, the single-process lock on a
// SQLite file, all-or-nothing imports and a clean stop on SIGTERM.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "integration/child_process.h"
#include "integration/http_client.h"
#include "store/calendar_repo.h"
#include "store/database.h"
#include "store/jurisdiction_repo.h"

namespace jiceng {
namespace {

namespace fs = std::filesystem;
using testing::Child;
using testing::Outcome;

const fs::path kSource = JICENG_SOURCE_DIR;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jiceng_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = "sqlite:" + (dir_ / "j.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  Outcome run(const std::vector<std::string>& args, std::vector<std::string> env = {},
              const std::string& input = {}) {
    return Child(args, dir_, std::move(env), input).wait();
  }
  // A migrated store with the test division tree (鹰潭市 among them).
  void import_test_divisions() {
    ASSERT_EQ(run({"--db", db_, "migrate"}).status, 0);
    ASSERT_EQ(run({"--db", db_, "import", "divisions", "--all", "--source",
                   (kSource / "tests/data/divisions/ok").string()})
                  .status,
              0);
  }
  std::int64_t jurisdiction_count() {
    auto db = store::open_database(db_);
    EXPECT_TRUE(db) << db.error().message;
    if (!db) return -1;
    auto n = (*db)->read_value([](store::Sql& sql) { return store::jurisdictions::count(sql); });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  fs::path dir_;
  std::string db_;
};

TEST_F(Cli, VersionAndHelp) {
  auto v = run({"version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_NE(v.out.find("jiceng "), std::string::npos);
  for (auto args : std::vector<std::vector<std::string>>{{"--help"},
                                                         {"serve", "--help"},
                                                         {"import", "divisions", "--help"},
                                                         {"demo", "--help"}}) {
    auto h = run(args);
    EXPECT_EQ(h.status, 0) << args.front();
    EXPECT_NE(h.out.find("Usage"), std::string::npos) << h.out;
  }
  auto none = run({});
  EXPECT_NE(none.status, 0);
}

TEST_F(Cli, BadSettingsAreRefused) {
  auto typo = run({"version"}, {"JICENG_DATABSE_URL=sqlite:x.db"});
  EXPECT_EQ(typo.status, 2);
  EXPECT_NE(typo.err.find("JICENG_DATABSE_URL"), std::string::npos) << typo.err;
  std::ofstream(dir_ / "bad.toml") << "[server]\nlisten = 8080\nworker_threads = \"many\"\n";
  auto bad = run({"--config", (dir_ / "bad.toml").string(), "version"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("worker_threads"), std::string::npos) << bad.err;
  auto proxy = run({"version"}, {"JICENG_SERVER_TRUSTED_PROXIES=127.0.0.1, proxy.local"});
  EXPECT_EQ(proxy.status, 2);
  EXPECT_NE(proxy.err.find("proxy.local"), std::string::npos) << proxy.err;
  auto url = run({"--db", "mysql://x", "migrate"});
  EXPECT_EQ(url.status, 1);
  EXPECT_NE(url.err.find("sqlite:PATH"), std::string::npos) << url.err;
}

TEST_F(Cli, ImportIsAllOrNothingAndIdempotent) {
  fs::path src = dir_ / "divisions";
  fs::copy(kSource / "tests/data/divisions/ok", src);
  auto ok = run({"--db", db_, "import", "divisions", "--all", "--source", src.string()});
  ASSERT_EQ(ok.status, 0) << ok.err;
  const auto full = jurisdiction_count();
  EXPECT_GT(full, 0);
  auto again = run({"--db", db_, "import", "divisions", "--all", "--source", src.string()});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("0 new, 0 renamed"), std::string::npos) << again.out;

  // A fresh database and a villages file broken on its fourth line: nothing is imported.
  std::string fresh = "sqlite:" + (dir_ / "fresh.db").string();
  std::ofstream(src / "villages.csv", std::ios::app) << "360602001009,\"坏行\",360602001,36\n";
  auto broken = run({"--db", fresh, "import", "divisions", "--all", "--source", src.string()});
  EXPECT_EQ(broken.status, 1);
  EXPECT_NE(broken.err.find("villages.csv:"), std::string::npos) << broken.err;
  db_ = fresh;
  EXPECT_EQ(jurisdiction_count(), 0);
}

// An administrator's CSV of next year's notice adds that year to chinese-days' years; a bad row
// imports nothing and is named with its line, in English and Chinese.
TEST_F(Cli, CalendarCsvAddsAYearAndRefusesBadRows) {
  auto stored = [&] {
    auto db = store::open_database(db_);
    EXPECT_TRUE(db) << db.error().message;
    if (!db) return std::vector<domain::CalendarDay>{};
    auto days = (*db)->read_value([](store::Sql& sql) { return store::calendar::load(sql); });
    EXPECT_TRUE(days) << days.error().message;
    return days ? *days : std::vector<domain::CalendarDay>{};
  };
  auto json = run({"--db", db_, "import", "calendar", "--source",
                   (kSource / "tests/data/calendar/ok.json").string()});
  ASSERT_EQ(json.status, 0) << json.err;
  const std::size_t from_json = stored().size();
  EXPECT_EQ(from_json, 11u);

  std::ofstream(dir_ / "2027.csv") << "# 国务院办公厅关于2027年部分节假日安排的通知（示例）\n"
                                      "date,kind,name\n"
                                      "2027-01-01,holiday,元旦\n"
                                      "2027-02-08,holiday,春节\n"
                                      "2027-02-20,workday,春节\n";
  auto csv = run({"--db", db_, "import", "calendar", "--file", (dir_ / "2027.csv").string()});
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_NE(csv.out.find("calendar 2027–2027: 3 official days, 3 changed; the stored calendar "
                         "covers 2025–2027"),
            std::string::npos)
      << csv.out;
  EXPECT_NE(csv.out.find("rest days changed from 2027-01-01"), std::string::npos) << csv.out;
  auto days = stored();
  ASSERT_EQ(days.size(), from_json + 3);  // 2025-2026 kept
  EXPECT_EQ(days.front().day, *parse_date("2025-09-28"));
  EXPECT_EQ(days.back(),
            (domain::CalendarDay{*parse_date("2027-02-20"), domain::DayKind::kWorkday, "春节"}));

  // The same again changes nothing; a corrected 2027 replaces 2027 only.
  auto again = run({"--db", db_, "import", "calendar", "--file", (dir_ / "2027.csv").string()});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("3 official days, 0 changed"), std::string::npos) << again.out;
  std::ofstream(dir_ / "2027.csv") << "date,kind,name\n2027-02-08,holiday,春节\n";
  auto fixed = run({"--db", db_, "import", "calendar", "--file", (dir_ / "2027.csv").string()});
  ASSERT_EQ(fixed.status, 0) << fixed.err;
  EXPECT_EQ(stored().size(), from_json + 1);

  std::ofstream(dir_ / "bad.csv") << "date,kind,name\n"
                                     "2027-01-01,holiday,元旦\n"
                                     "2027-02-31,holiday,春节\n"
                                     "2027-02-10,workday,春节\n";
  auto bad = run({"--db", db_, "import", "calendar", "--file", (dir_ / "bad.csv").string()});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("bad.csv: 2 bad row(s), nothing imported"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("bad.csv:3: '2027-02-31' is not a date"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("bad.csv:4: 2027-02-10 is a weekday"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("bad.csv:4：2027-02-10 是周一至周五"), std::string::npos) << bad.err;
  EXPECT_EQ(stored().size(), from_json + 1) << "a bad file imports nothing, 元旦 included";

  // 2029 without 2028: the gap is named.
  std::ofstream(dir_ / "2029.csv") << "date,kind,name\n2029-01-01,holiday,元旦\n";
  auto gap = run({"--db", db_, "import", "calendar", "--file", (dir_ / "2029.csv").string()});
  ASSERT_EQ(gap.status, 0) << gap.err;
  EXPECT_NE(gap.out.find("covers 2025–2029\nthe stored calendar has no official days for 2028:"),
            std::string::npos)
      << gap.out;

  auto missing = run({"--db", db_, "import", "calendar", "--file", (dir_ / "none.csv").string()});
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("none.csv: cannot open"), std::string::npos) << missing.err;
}

TEST_F(Cli, OneServerPerSqliteFileAndCleanStop) {
  // Only next year's notice imported: the start-up warning says this year has no official days
  // (not a range that ends before it starts).
  const int this_year = static_cast<int>(
      std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(
                                      std::chrono::system_clock::now() + std::chrono::hours(8)))
          .year());
  std::ofstream(dir_ / "next.csv") << "date,kind,name\n"
                                   << this_year + 1 << "-01-01,holiday,元旦\n";
  auto next = run({"--db", db_, "import", "calendar", "--file", (dir_ / "next.csv").string()});
  ASSERT_EQ(next.status, 0) << next.err;
  // Behind a reverse proxy on loopback, the client the proxy names is the one logged.
  Child server({"--db", db_, "serve", "--listen", "127.0.0.1:0"}, dir_,
               {"JICENG_SERVER_TRUSTED_PROXIES=127.0.0.1, ::1"});
  const auto port = server.listening_port();
  ASSERT_NE(port, 0) << server.err();
  {
    http::testing::TestClient client(port);
    auto r = client.request("GET", "/healthz", {}, {{"X-Forwarded-For", "203.0.113.9"}});
    EXPECT_EQ(r.res.result_int(), 200) << r.res.body();
  }
  EXPECT_TRUE(server.wait_for_stderr(fmt::format("calendar has official days for {0}–{0} only, "
                                                 "none for {1}: deadlines there count weekends",
                                                 this_year + 1, this_year),
                                     std::chrono::seconds(30)))
      << server.err();
  auto second = run({"--db", db_, "serve", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(second.status, 1);
  EXPECT_NE(second.err.find("in use by another jiceng process"), std::string::npos) << second.err;
  auto import = run({"--db", db_, "import", "calendar", "--source",
                     (kSource / "tests/data/calendar/ok.json").string()});
  EXPECT_EQ(import.status, 1) << "a second writer process must be refused";
  ::kill(server.pid(), SIGTERM);
  auto stopped = server.wait();
  EXPECT_EQ(stopped.status, 0) << stopped.err;
  EXPECT_NE(stopped.err.find("stopped"), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.out.find(R"("remote":"203.0.113.9")"), std::string::npos) << stopped.out;
  EXPECT_NE(stopped.out.find(R"("via":"127.0.0.1:)"), std::string::npos) << stopped.out;
  // The lock goes with the process.
  auto after = run({"--db", db_, "migrate"});
  EXPECT_EQ(after.status, 0) << after.err;
}

// `jiceng serve` on SQLite keeps the tracking pages it answered (app/track_cache.h): a reload
// is served from them, as /metrics counts; server.track_cache_mib=0 keeps none. (That a kept page
// is never out of date: scenario_test and the API suites, which serve through the cache.)
TEST_F(Cli, ServerKeepsTrackingPages) {
  ASSERT_NO_FATAL_FAILURE(import_test_divisions());
  const std::vector<std::string> keys = {"JICENG_AUDIT_KEY_FILE=" +
                                         (dir_ / "keys/audit.key").string()};
  for (const char* mib : {"32", "0"}) {
    std::vector<std::string> env = keys;
    env.push_back(std::string("JICENG_SERVER_TRACK_CACHE_MIB=") + mib);
    Child server({"--db", db_, "serve", "--listen", "127.0.0.1:0"}, dir_, env);
    const auto port = server.listening_port();
    ASSERT_NE(port, 0) << server.err();
    http::testing::TestClient client(port);
    auto created = client.request(
        "POST", "/api/v1/cases",
        R"({"category":"urban.lighting","place":"360602001001","description":"路灯不亮",)"
        R"("anonymous":true})",
        {{"Content-Type", "application/json"}});
    ASSERT_EQ(created.res.result_int(), 201) << created.res.body();
    const std::string location(created.res[boost::beast::http::field::location]);
    ASSERT_TRUE(location.starts_with("/api/v1/track/")) << location;
    auto first = client.request("GET", location);
    auto again = client.request("GET", location);
    EXPECT_EQ(first.res.result_int(), 200) << first.res.body();
    EXPECT_EQ(again.res.body(), first.res.body());
    const std::string metrics = client.request("GET", "/metrics").res.body();
    if (std::string(mib) == "32") {
      EXPECT_NE(metrics.find("jiceng_track_pages_served_total{from=\"hit\"} 1\n"),
                std::string::npos)
          << metrics;
      EXPECT_NE(metrics.find("jiceng_track_pages_served_total{from=\"miss\"} 1\n"),
                std::string::npos)
          << metrics;
    } else {
      EXPECT_EQ(metrics.find("jiceng_track_pages"), std::string::npos) << metrics;
    }
    ::kill(server.pid(), SIGTERM);
    EXPECT_EQ(server.wait().status, 0);
  }
}

// Accounts, API keys and the audit log from the command line: every change is audited, the
// chain verifies, a signed head is written outside the database, and tampering is reported.
TEST_F(Cli, AccountsKeysAndAuditVerify) {
  ASSERT_EQ(run({"--db", db_, "migrate"}).status, 0);
  auto divisions = run({"--db", db_, "import", "divisions", "--all", "--source",
                        (kSource / "tests/data/divisions/ok").string()});
  ASSERT_EQ(divisions.status, 0) << divisions.err;
  std::vector<std::string> files = {"JICENG_AUDIT_KEY_FILE=" + (dir_ / "keys/audit.key").string(),
                                    "JICENG_AUDIT_HEADS_FILE=" + (dir_ / "heads.jsonl").string()};
  auto weak = run(
      {"--db", db_, "user", "create", "--username", "li.si", "--role", "leader", "--scope", "3606"},
      files, "password\n");
  EXPECT_EQ(weak.status, 1);
  EXPECT_NE(weak.err.find("common"), std::string::npos) << weak.err;
  auto admin = run({"--db", db_, "user", "create", "--username", "zhang.san", "--role", "admin",
                    "--scope", "3606"},
                   files, "a long and unusual passphrase\n");
  ASSERT_EQ(admin.status, 0) << admin.err;
  EXPECT_NE(admin.out.find("otpauth://totp/jiceng:zhang.san?secret="), std::string::npos)
      << admin.out;
  auto key = run({"--db", db_, "apikey", "create", "--name", "city app"}, files);
  ASSERT_EQ(key.status, 0) << key.err;
  EXPECT_NE(key.out.find("jck_1_"), std::string::npos) << key.out;
  EXPECT_NE(key.out.find("api_key"), std::string::npos) << "how Open311 apps send it: " << key.out;
  // The name as the issue writes it, `apikey create NAME`, works too.
  auto positional = run({"--db", db_, "apikey", "create", "县融媒体中心"}, files);
  ASSERT_EQ(positional.status, 0) << positional.err;
  EXPECT_NE(positional.out.find("jck_2_"), std::string::npos) << positional.out;
  EXPECT_NE(positional.out.find("县融媒体中心"), std::string::npos) << positional.out;
  EXPECT_EQ(run({"--db", db_, "apikey", "revoke", "1"}, files).status, 0);
  EXPECT_EQ(run({"--db", db_, "user", "disable", "zhang.san"}, files).status, 0);

  ASSERT_EQ(run({"--db", db_, "audit", "anchor"}, files).status, 0);
  EXPECT_TRUE(fs::exists(dir_ / "heads.jsonl"));
  EXPECT_EQ(fs::status(dir_ / "keys/audit.key").permissions() & fs::perms::group_all,
            fs::perms::none);
  auto ok = run({"--db", db_, "audit", "verify"}, files);
  EXPECT_EQ(ok.status, 0) << ok.out << ok.err;

  // An attacker with the database file rewrites an entry: verify names it.
  {
    auto db = store::open_database(db_);
    ASSERT_TRUE(db);
    auto w = (*db)->write([](store::Sql& sql) -> Result<void> {
      if (auto r = sql.exec_script("DROP TRIGGER audit_log_no_update"); !r) return r;
      auto n = sql.exec("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2", {});
      if (!n) return n.error();
      return {};
    });
    ASSERT_TRUE(w) << w.error().message;
  }
  auto bad = run({"--db", db_, "audit", "verify"}, files);
  EXPECT_EQ(bad.status, 1) << bad.out << bad.err;
  EXPECT_NE((bad.out + bad.err).find("2"), std::string::npos) << bad.out << bad.err;
}

// TESTS.md A4: no change survives a crash without its audit entry. Clients register cases
// while the server is killed with SIGKILL; afterwards every stored case has exactly its one
// "case.register" entry, no entry names a case that is not there, and the chain verifies.
TEST_F(Cli, KilledServerLeavesNoChangeWithoutItsAuditEntry) {
  ASSERT_NO_FATAL_FAILURE(import_test_divisions());
  ASSERT_EQ(run({"--db", db_, "import", "calendar", "--source",
                 (kSource / "tests/data/calendar/ok.json").string()})
                .status,
            0);
  std::vector<std::string> files = {"JICENG_AUDIT_KEY_FILE=" + (dir_ / "keys/audit.key").string(),
                                    "JICENG_AUDIT_HEADS_FILE=" + (dir_ / "heads.jsonl").string()};
  Child server({"--db", db_, "serve", "--listen", "127.0.0.1:0"}, dir_, files);
  ASSERT_TRUE(server.wait_for_stderr("listening", std::chrono::seconds(30))) << server.err();
  std::string err = server.err();
  auto at = err.find("listening on 127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << err;
  auto port = static_cast<std::uint16_t>(std::stoi(err.substr(at + 23)));

  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        http::testing::TestClient client(port, std::chrono::seconds(2));
        std::string body = R"({"category":"urban.lighting","place":"360602001001",)"
                           R"("description":"路灯不亮 )" +
                           std::to_string(t) + "-" + std::to_string(i) + R"(","anonymous":true})";
        auto reply =
            client.request("POST", "/api/v1/cases", body, {{"Content-Type", "application/json"}});
        if (reply.ec) return;  // the server is gone
        if (reply.res.result_int() == 201) ++acknowledged;
      }
    });
  }
  while (acknowledged < 40) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(server.pid(), SIGKILL);
  stop = true;
  for (auto& c : clients) c.join();
  server.wait();

  auto db = store::open_database(db_);
  ASSERT_TRUE(db) << db.error().message;
  auto counts = (*db)->read_value([](store::Sql& sql) -> Result<std::vector<std::int64_t>> {
    auto cases = sql.query("SELECT COUNT(*) FROM cases", {});
    auto audited = sql.query(
        "SELECT COUNT(*) FROM cases c WHERE (SELECT COUNT(*) FROM audit_log a WHERE "
        "a.action = 'case.register' AND a.object_id = c.number) = 1",
        {});
    auto orphans = sql.query(
        "SELECT COUNT(*) FROM audit_log a WHERE a.action = 'case.register' AND NOT EXISTS "
        "(SELECT 1 FROM cases c WHERE c.number = a.object_id)",
        {});
    if (!cases) return cases.error();
    if (!audited) return audited.error();
    if (!orphans) return orphans.error();
    return std::vector<std::int64_t>{cases->at(0).int64(0), audited->at(0).int64(0),
                                     orphans->at(0).int64(0)};
  });
  ASSERT_TRUE(counts) << counts.error().message;
  EXPECT_GE((*counts)[0], acknowledged.load()) << "an acknowledged case was lost";
  EXPECT_EQ((*counts)[1], (*counts)[0]) << "a case without its audit entry";
  EXPECT_EQ((*counts)[2], 0) << "an audit entry without its case";
  db->reset();
  auto verify = run({"--db", db_, "audit", "verify"}, files);
  EXPECT_EQ(verify.status, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace jiceng
