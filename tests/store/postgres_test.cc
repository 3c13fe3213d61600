// Tests of the PostgreSQL adapter itself, against the cluster named by JICENG_TEST_PG (run
// under scripts/with-pg). The shared store conformance suite covers behaviour through Database.
#include "store/postgres.h"  // first: the header is self-contained

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace jiceng::store {
namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

const char* env(const char* name) { return std::getenv(name); }

// Each run gets its own schema, so runs against a long-lived server do not collide.
const std::string& run_schema() {
  static const std::string schema =
      "jt_" + std::to_string(getpid()) + "_" +
      std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000007);
  return schema;
}

// The test URL with search_path set to the run's schema (also proves URI options are kept).
std::string schema_url() {
  std::string url = env("JICENG_TEST_PG");
  url += url.find('?') == std::string::npos ? '?' : '&';
  return url + "options=-csearch_path%3D" + run_schema();
}

// Creates the run's schema before the first test and drops it after the last.
class SchemaEnvironment : public testing::Environment {
 public:
  void SetUp() override {
    if (env("JICENG_TEST_PG") == nullptr) return;
    auto c = connect_postgres(env("JICENG_TEST_PG"));
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_TRUE((*c)->exec("CREATE SCHEMA " + run_schema())) << "cannot create test schema";
  }
  void TearDown() override {
    if (env("JICENG_TEST_PG") == nullptr) return;
    if (auto c = connect_postgres(env("JICENG_TEST_PG"))) {
      (void)(*c)->exec("DROP SCHEMA " + run_schema() + " CASCADE");
    }
  }
};
[[maybe_unused]] testing::Environment* const schema_environment =
    testing::AddGlobalTestEnvironment(new SchemaEnvironment);

class PostgresTest : public testing::Test {
 protected:
  void SetUp() override {
    if (env("JICENG_TEST_PG") == nullptr) {
      if (env("CI") != nullptr)
        FAIL() << "JICENG_TEST_PG is unset in CI: run under scripts/with-pg";
      GTEST_SKIP() << "no PostgreSQL: run `scripts/with-pg build/<dir>/tests/postgres_test`";
    }
    conn_ = connect();
  }

  static std::unique_ptr<Connection> connect() { return connect_postgres(schema_url()).value(); }

  // The single value of a one-row, one-column query; throws (failing the test) on an error.
  static Value scalar(Connection& c, std::string_view sql,
                      std::initializer_list<Value> params = {}) {
    auto rows = c.query(sql, params).value();
    EXPECT_EQ(rows.size(), 1u) << sql;
    EXPECT_EQ(rows.at(0).size(), 1u) << sql;
    return rows.at(0).value(0);
  }
  Value scalar(std::string_view sql, std::initializer_list<Value> params = {}) {
    return scalar(*conn_, sql, params);
  }

  std::unique_ptr<Connection> conn_;
};

TEST_F(PostgresTest, ConnectionSettings) {
  EXPECT_EQ(conn_->dialect(), Dialect::kPostgres);
  EXPECT_TRUE(conn_->healthy());
  EXPECT_EQ(scalar("SELECT current_setting('application_name')"), Value("jiceng"));
  EXPECT_EQ(scalar("SELECT current_setting('TimeZone')"), Value("UTC"));
  EXPECT_EQ(scalar("SELECT current_setting('client_encoding')"), Value("UTF8"));
  EXPECT_EQ(scalar("SELECT current_setting('search_path')"), Value(run_schema()));
  EXPECT_EQ(scalar("SELECT to_char(to_timestamp(0), 'YYYY-MM-DD HH24:MI')"),
            Value("1970-01-01 00:00"));
}

TEST_F(PostgresTest, MapsColumnTypes) {
  const struct {
    const char* sql;
    Value want;
  } cases[] = {
      {"SELECT 32767::int2", std::int64_t{32767}},
      {"SELECT (-2147483648)::int4", std::int64_t{-2147483648LL}},
      {"SELECT 9223372036854775807::int8", kMax},
      {"SELECT (-9223372036854775808)::int8", kMin},
      {"SELECT 'pg_class'::regclass::oid", std::int64_t{1259}},
      {"SELECT count(*) FROM (VALUES (1), (2)) v(x)", std::int64_t{2}},
      {"SELECT 7::int8 / 2", std::int64_t{3}},
      {"SELECT true", std::int64_t{1}},
      {"SELECT false", std::int64_t{0}},
      {"SELECT 0.1::float8", 0.1},
      {"SELECT 1.5::float4", 1.5},
      {"SELECT 12.25::numeric", 12.25},
      {"SELECT 'Infinity'::float8", kInf},
      {"SELECT '-Infinity'::float8", -kInf},
      {"SELECT DATE '2025-10-09'", std::string("2025-10-09")},
      {"SELECT 'abc'::varchar(5)", std::string("abc")},
      {"SELECT '{\"a\": 1}'::jsonb", std::string("{\"a\": 1}")},
      {"SELECT ''::text", std::string()},
      {"SELECT NULL::int8", nullptr},
      {"SELECT NULL::text", nullptr},
  };
  for (const auto& c : cases) EXPECT_EQ(scalar(c.sql), c.want) << c.sql;
  EXPECT_TRUE(std::isnan(std::get<double>(scalar("SELECT 'NaN'::float8"))));
}

TEST_F(PostgresTest, ParametersRoundTrip) {
  const std::vector<Value> ints = {kMin, kMax, std::int64_t{0}, std::int64_t{-1}};
  for (const Value& v : ints) EXPECT_EQ(scalar("SELECT $1::int8", {v}), v);
  const std::vector<Value> doubles = {0.1, 1.0 / 3, -2.5e-300, 1e308, 5e-324, kInf, -kInf};
  for (const Value& v : doubles) EXPECT_EQ(scalar("SELECT $1::float8", {v}), v);
  const std::vector<Value> texts = {
      std::string("中文 基层治理"), std::string("emoji 😀👨‍👩‍👧"), std::string(),
      std::string("tab\t nl\n cr\r bs\\ q' dq\""), std::string("\\N")};
  for (const Value& v : texts) EXPECT_EQ(scalar("SELECT $1::text", {v}), v);
  EXPECT_EQ(scalar("SELECT $1::text", {nullptr}), Value(nullptr));
  EXPECT_TRUE(std::isnan(std::get<double>(scalar("SELECT $1::float8", {std::nan("")}))));

  // Parameter types inferred from the columns.
  ASSERT_TRUE(
      conn_->exec("CREATE TABLE round_trip (id int8 PRIMARY KEY, i int8, d float8, t text)"));
  const std::vector<std::vector<Value>> rows = {
      {std::int64_t{1}, kMin, 5e-324, std::string("中文")},
      {std::int64_t{2}, kMax, 1.0 / 3, std::string("😀")},
      {std::int64_t{3}, nullptr, nullptr, std::string()},
      {std::int64_t{4}, std::int64_t{0}, -0.5, nullptr},
  };
  for (const auto& row : rows) {
    auto n = conn_->exec("INSERT INTO round_trip (id, i, d, t) VALUES ($1, $2, $3, $4)", row);
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(*n, 1);
  }
  auto got = conn_->query("SELECT id, i, d, t FROM round_trip ORDER BY id", {}).value();
  ASSERT_EQ(got.size(), rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < 4; ++c) EXPECT_EQ(got[r].value(c), rows[r][c]) << r << "," << c;
  }
}

TEST_F(PostgresTest, RejectsNulBytes) {
  auto r = conn_->query("SELECT $1::text", {std::string("a\0b", 3)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(PostgresTest, PreparesEachStatementOnce) {
  const std::string sql = "SELECT $1::int8 * 2";
  const std::string count_sql = "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1";
  for (std::int64_t i = 0; i < 5; ++i) EXPECT_EQ(scalar(sql, {i}), Value(2 * i));
  EXPECT_EQ(scalar(count_sql, {sql}), Value(std::int64_t{1}));
  EXPECT_EQ(scalar(count_sql, {count_sql}), Value(std::int64_t{1}));
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_prepared_statements"), Value(std::int64_t{3}));

  // Statements belong to their connection.
  auto other = connect();
  EXPECT_EQ(scalar(*other, count_sql, {sql}), Value(std::int64_t{0}));
  EXPECT_EQ(scalar(*other, sql, {std::int64_t{21}}), Value(std::int64_t{42}));

  // A statement that fails to prepare is not cached: it fails the same way again.
  for (int i = 0; i < 2; ++i) {
    auto bad = conn_->query("SELEC 1", {});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
    EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos) << bad.error().message;
  }

  // The wrong number of parameters is caught before the server sees it.
  auto wrong = conn_->query(sql, {std::int64_t{1}, std::int64_t{2}});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kInternal);
  EXPECT_NE(wrong.error().message.find("1 parameters"), std::string::npos);
  EXPECT_TRUE(conn_->healthy());
  EXPECT_EQ(scalar(sql, {std::int64_t{4}}), Value(std::int64_t{8}));
}

TEST_F(PostgresTest, ExecReturnsChangedRows) {
  EXPECT_EQ(conn_->exec("CREATE TABLE counted (id int8 PRIMARY KEY, n int8)").value(), 0);
  EXPECT_EQ(conn_->exec("INSERT INTO counted VALUES (1, 0), (2, 0), (3, 5)").value(), 3);
  EXPECT_EQ(conn_->exec("UPDATE counted SET n = n + 1").value(), 3);
  EXPECT_EQ(conn_->exec("DELETE FROM counted WHERE n > $1", {std::int64_t{1}}).value(), 1);
  EXPECT_EQ(conn_->exec("UPDATE counted SET n = 0 WHERE id = 99").value(), 0);
}

TEST_F(PostgresTest, MapsErrors) {
  ASSERT_TRUE(conn_->exec_script(
      "CREATE TABLE parent (id int8 PRIMARY KEY);"
      "CREATE TABLE child (id int8 PRIMARY KEY, parent_id int8 NOT NULL REFERENCES parent (id),"
      "                    n int8 CHECK (n >= 0));"
      "INSERT INTO parent VALUES (1);"));
  const struct {
    const char* sql;
    ErrorCode want;
    const char* message_part;
  } cases[] = {
      {"INSERT INTO parent (id) VALUES (1)", ErrorCode::kAlreadyExists, "already exists"},
      {"INSERT INTO child VALUES (1, 99, 0)", ErrorCode::kInvalidArgument, "foreign key"},
      {"INSERT INTO child VALUES (2, NULL, 0)", ErrorCode::kInvalidArgument, "23502"},
      {"INSERT INTO child VALUES (3, 1, -1)", ErrorCode::kInvalidArgument, "check constraint"},
      {"SELEC 1", ErrorCode::kInternal, "syntax error"},
      {"SELECT * FROM no_such_table", ErrorCode::kInternal, "no_such_table"},
      {"SELECT 1 / 0", ErrorCode::kInternal, "division by zero"},
      {"DO $$BEGIN RAISE EXCEPTION 'x' USING ERRCODE = 'serialization_failure'; END$$",
       ErrorCode::kConflict, "40001"},
      {"DO $$BEGIN RAISE EXCEPTION 'x' USING ERRCODE = 'deadlock_detected'; END$$",
       ErrorCode::kConflict, "40P01"},
      {"DO $$BEGIN RAISE EXCEPTION 'plain'; END$$", ErrorCode::kInternal, "plain"},
  };
  for (const auto& c : cases) {
    auto r = conn_->exec(c.sql);
    ASSERT_FALSE(r) << c.sql;
    EXPECT_EQ(r.error().code, c.want) << c.sql << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << r.error().message;
  }
  EXPECT_TRUE(conn_->healthy());
  EXPECT_EQ(scalar("SELECT count(*) FROM child"), Value(std::int64_t{0}));
}

TEST_F(PostgresTest, ConnectionFailureStatesMakeItUnhealthy) {
  auto r =
      conn_->exec("DO $$BEGIN RAISE EXCEPTION 'x' USING ERRCODE = 'cannot_connect_now'; END$$");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(conn_->healthy());
  auto again = conn_->query("SELECT 1", {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kUnavailable);
}

TEST_F(PostgresTest, ConcurrentUpdateIsConflict) {
  ASSERT_TRUE(
      conn_->exec_script("CREATE TABLE contended (id int8 PRIMARY KEY, n int8);"
                         "INSERT INTO contended VALUES (1, 0);"));
  auto other = connect();
  ASSERT_TRUE(conn_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ"));
  EXPECT_EQ(scalar("SELECT n FROM contended WHERE id = 1"), Value(std::int64_t{0}));
  ASSERT_TRUE(other->exec("UPDATE contended SET n = n + 1 WHERE id = 1"));
  auto r = conn_->exec("UPDATE contended SET n = n + 10 WHERE id = 1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict) << r.error().message;
  ASSERT_TRUE(conn_->exec("ROLLBACK"));
  EXPECT_EQ(scalar("SELECT n FROM contended WHERE id = 1"), Value(std::int64_t{1}));
}

TEST_F(PostgresTest, ExecScriptRunsStatementsAtomically) {
  ASSERT_TRUE(
      conn_->exec_script("-- a comment\nCREATE TABLE scripted (x int8);\n"
                         "INSERT INTO scripted VALUES (1);\nINSERT INTO scripted VALUES (2);"));
  auto bad = conn_->exec_script("INSERT INTO scripted VALUES (3); SELEC 1;");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
  EXPECT_EQ(scalar("SELECT count(*) FROM scripted"), Value(std::int64_t{2}));
  EXPECT_TRUE(conn_->exec_script("-- only a comment\n"));
}

TEST_F(PostgresTest, BulkInsertKeepsAwkwardValues) {
  ASSERT_TRUE(conn_->exec("CREATE TABLE awkward (id int8 PRIMARY KEY, s text, d float8, n int8)"));
  const std::vector<std::string> strings = {"plain",
                                            "tab\there",
                                            "line\nbreak",
                                            "crlf\r\n",
                                            "back\\slash",
                                            "trailing\\",
                                            "\\N",
                                            "\\.",
                                            "\\",
                                            "中文 基层治理",
                                            "emoji 😀",
                                            "",
                                            " leading and trailing ",
                                            "q'uote\"",
                                            "\t\n\r\\ all"};
  std::vector<std::vector<Value>> rows;
  for (std::size_t i = 0; i < strings.size(); ++i) {
    const auto id = static_cast<std::int64_t>(i);
    rows.push_back({id, strings[i], id + 0.25, i % 2 ? Value(nullptr) : Value(-id)});
  }
  rows.push_back({std::int64_t{100}, nullptr, -kInf, kMin});
  rows.push_back({std::int64_t{101}, std::string("x"), 1.0 / 3, kMax});
  const std::string_view columns[] = {"id", "s", "d", "n"};
  auto r = conn_->bulk_insert("awkward", columns, rows);
  ASSERT_TRUE(r) << r.error().message;

  auto got = conn_->query("SELECT id, s, d, n FROM awkward ORDER BY id", {}).value();
  ASSERT_EQ(got.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t c = 0; c < 4; ++c) EXPECT_EQ(got[i].value(c), rows[i][c]) << i << "," << c;
  }

  // A few rows go as one INSERT rather than a COPY: the same values come back.
  ASSERT_TRUE(
      conn_->exec("CREATE TABLE awkward_few (id int8 PRIMARY KEY, s text, d float8, n int8)"));
  const std::vector<std::vector<Value>> few(rows.end() - 8, rows.end());
  ASSERT_TRUE(conn_->bulk_insert("awkward_few", columns, few));
  auto got_few = conn_->query("SELECT id, s, d, n FROM awkward_few ORDER BY id", {}).value();
  ASSERT_EQ(got_few.size(), few.size());
  for (std::size_t i = 0; i < few.size(); ++i) {
    for (std::size_t c = 0; c < 4; ++c) EXPECT_EQ(got_few[i].value(c), few[i][c]) << i << "," << c;
  }
}

TEST_F(PostgresTest, BulkInsertLoadsManyRowsQuickly) {
  ASSERT_TRUE(conn_->exec("CREATE TABLE many (id int8 PRIMARY KEY, name text, w float8, n int8)"));
  constexpr std::int64_t kRows = 200'000;
  std::vector<std::vector<Value>> rows;
  rows.reserve(kRows);
  for (std::int64_t i = 0; i < kRows; ++i) {
    rows.push_back(
        {i, "村民委员会 " + std::to_string(i), i * 0.25, i % 7 ? Value(i) : Value(nullptr)});
  }
  const std::string_view columns[] = {"id", "name", "w", "n"};
  const auto start = std::chrono::steady_clock::now();
  auto r = conn_->bulk_insert("many", columns, rows);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r) << r.error().message;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  RecordProperty("bulk_insert_ms", std::to_string(ms));
  EXPECT_LT(ms, 10'000) << "COPY of 200,000 rows should take about a second";

  auto totals = conn_->query("SELECT count(*), sum(id), count(n), sum(w) FROM many", {}).value();
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0].value(0), Value(kRows));
  EXPECT_EQ(totals[0].value(1), Value(static_cast<double>(kRows * (kRows - 1) / 2)));  // numeric
  EXPECT_EQ(totals[0].value(2), Value(kRows - (kRows + 6) / 7));
  EXPECT_EQ(totals[0].value(3), Value(0.25 * kRows * (kRows - 1) / 2));
  auto last = conn_->query("SELECT name, n FROM many WHERE id = $1", {kRows - 1}).value();
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].value(0), Value("村民委员会 199999"));
  EXPECT_EQ(last[0].value(1), Value(kRows - 1));
}

TEST_F(PostgresTest, BulkInsertRejectsBadInput) {
  ASSERT_TRUE(conn_->exec("CREATE TABLE strict (id int8 PRIMARY KEY, s text)"));
  const std::string_view good[] = {"id", "s"};
  const std::vector<std::vector<Value>> one = {{std::int64_t{1}, std::string("a")}};
  const std::string_view bad_tables[] = {
      "strict; DROP TABLE strict", "Strict", "", "1strict", "strict\"", "s.t"};
  for (std::string_view table : bad_tables) {
    auto r = conn_->bulk_insert(table, good, one);
    ASSERT_FALSE(r) << table;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << table;
  }
  const std::string_view bad_columns[] = {"id", "s s"};
  EXPECT_EQ(conn_->bulk_insert("strict", bad_columns, one).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(conn_->bulk_insert("strict", {}, one).error().code, ErrorCode::kInvalidArgument);
  const std::vector<std::vector<Value>> short_row = {{std::int64_t{1}}};
  EXPECT_EQ(conn_->bulk_insert("strict", good, short_row).error().code,
            ErrorCode::kInvalidArgument);
  const std::vector<std::vector<Value>> nul = {{std::int64_t{1}, std::string("a\0b", 3)}};
  EXPECT_EQ(conn_->bulk_insert("strict", good, nul).error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(conn_->bulk_insert("strict", good, {}));

  // A constraint violation fails the whole COPY and leaves the connection usable.
  const std::vector<std::vector<Value>> duplicate = {{std::int64_t{1}, std::string("a")},
                                                     {std::int64_t{2}, std::string("b")},
                                                     {std::int64_t{1}, std::string("c")}};
  auto r = conn_->bulk_insert("strict", good, duplicate);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists) << r.error().message;
  const std::vector<std::vector<Value>> wrong_type = {{std::string("x"), std::string("a")}};
  r = conn_->bulk_insert("strict", good, wrong_type);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal) << r.error().message;
  EXPECT_TRUE(conn_->healthy());
  EXPECT_EQ(scalar("SELECT count(*) FROM strict"), Value(std::int64_t{0}));
}

TEST_F(PostgresTest, BulkInsertQuotesNamesAndJoinsTheTransaction) {
  ASSERT_TRUE(conn_->exec("CREATE TABLE \"order\" (\"group\" text, \"select\" int8)"));
  const std::string_view columns[] = {"group", "select"};
  const std::vector<std::vector<Value>> rows = {{std::string("a"), std::int64_t{1}},
                                                {std::string("b"), std::int64_t{2}}};
  ASSERT_TRUE(conn_->exec("BEGIN"));
  auto r = conn_->bulk_insert("order", columns, rows);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(scalar("SELECT count(*) FROM \"order\""), Value(std::int64_t{2}));
  ASSERT_TRUE(conn_->exec("ROLLBACK"));
  EXPECT_EQ(scalar("SELECT count(*) FROM \"order\""), Value(std::int64_t{0}));
}

// A TCP port on 127.0.0.1 that nothing listens on (bound, then released).
int closed_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(PostgresConnectTest, UnreachableServerIsUnavailable) {
  const std::string url =
      "postgresql://nobody@127.0.0.1:" + std::to_string(closed_port()) + "/jiceng_test";
  auto c = connect_postgres(url);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(c.error().message.find("refused"), std::string::npos) << c.error().message;
  auto f = postgres_factory(url)(ConnectionRole{.writer = true});
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, ErrorCode::kUnavailable);
}

TEST(PostgresConnectTest, MalformedUrlIsInvalidArgument) {
  auto c = connect_postgres("postgresql://nobody@127.0.0.1/db?no_such_option=1");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument) << c.error().message;
}

// Stops and restarts the cluster, so it must stay the last suite in this file.
class PostgresServerDownTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (env("JICENG_TEST_PG_CTL") == nullptr) {
      if (env("CI") != nullptr) FAIL() << "JICENG_TEST_PG_CTL is unset in CI";
      GTEST_SKIP() << "JICENG_TEST_PG_CTL is unset: run under scripts/with-pg";
    }
  }
  static int pg_ctl(const std::string& action) {
    return std::system(
        (std::string(env("JICENG_TEST_PG_CTL")) + " " + action + " >/dev/null").c_str());
  }
};

TEST_F(PostgresServerDownTest, ConnectionsFailThenReconnect) {
  ConnectionFactory factory = postgres_factory(schema_url());
  auto idle = factory(ConnectionRole{}).value();
  EXPECT_EQ(scalar(*idle, "SELECT 1"), Value(std::int64_t{1}));
  EXPECT_EQ(scalar("SELECT 2"), Value(std::int64_t{2}));
  ASSERT_TRUE(conn_->exec("BEGIN"));

  ASSERT_EQ(pg_ctl("stop -m fast"), 0);
  bool running = false;
  struct RestartOnExit {
    const bool& running;
    ~RestartOnExit() {
      if (!running) {
        EXPECT_EQ(pg_ctl("start"), 0);
      }
    }
  } restart_on_exit{running};

  for (Connection* c : {idle.get(), conn_.get()}) {
    auto r = c->query("SELECT 1", {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable) << r.error().message;
    EXPECT_FALSE(c->healthy());
    auto again = c->exec("SELECT 1");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kUnavailable);
  }
  auto down = factory(ConnectionRole{});
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);

  running = pg_ctl("start") == 0;
  ASSERT_TRUE(running);
  auto fresh = factory(ConnectionRole{});
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_TRUE((*fresh)->healthy());
  EXPECT_EQ(scalar(**fresh, "SELECT 1"), Value(std::int64_t{1}));
  EXPECT_FALSE(idle->healthy());
}

}  // namespace
}  // namespace jiceng::store
