#include "store/postgres.h"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace jiceng::store {
namespace {

// Type OIDs from PostgreSQL's pg_type.dat; fixed across versions.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// COPY data is sent in chunks of about this size.
constexpr std::size_t kCopyChunk = std::size_t{1} << 20;
// Up to this many rows, bulk_insert sends one INSERT instead of a COPY.
constexpr std::size_t kInsertRows = 16;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  return std::string(s);
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// The shortest text that reads back as the same double, in PostgreSQL's spelling of the
// special values.
void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "Infinity" : "-Infinity";
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
  }
}

// A string in COPY text format: backslash, tab, newline and carriage return escaped.
void append_copy_text(std::string& out, std::string_view s) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char escaped;
    switch (s[i]) {
      case '\\':
        escaped = '\\';
        break;
      case '\t':
        escaped = 't';
        break;
      case '\n':
        escaped = 'n';
        break;
      case '\r':
        escaped = 'r';
        break;
      default:
        continue;
    }
    out.append(s.substr(start, i - start));
    out += '\\';
    out += escaped;
    start = i + 1;
  }
  out.append(s.substr(start));
}

void append_copy_row(std::string& out, const std::vector<Value>& row) {
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out += '\t';
    const Value& v = row[i];
    if (std::holds_alternative<std::nullptr_t>(v)) {
      out += "\\N";
    } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
      append_int(out, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      append_double(out, *d);
    } else {
      append_copy_text(out, std::get<std::string>(v));
    }
  }
  out += '\n';
}

bool valid_identifier(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!(name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z'))) return false;
  for (char c : name) {
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// Parameters in libpq's text format. `values` points into `texts`; nullptr is SQL NULL.
struct TextParams {
  std::vector<std::string> texts;
  std::vector<const char*> values;
};

Result<TextParams> encode(Params params) {
  TextParams out;
  out.texts.resize(params.size());
  out.values.resize(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Value& v = params[i];
    if (std::holds_alternative<std::nullptr_t>(v)) continue;
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      append_int(out.texts[i], *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      append_double(out.texts[i], *d);
    } else {
      out.texts[i] = std::get<std::string>(v);
      if (has_nul(out.texts[i])) {
        return Error::invalid_argument("parameter $" + std::to_string(i + 1) +
                                       " contains a NUL byte, which PostgreSQL cannot store");
      }
    }
    out.values[i] = out.texts[i].c_str();
  }
  return out;
}

// A column value as the port's Value, by the column's type (see postgres.h).
Value decode(const PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col)) return nullptr;
  std::string_view text(PQgetvalue(res, row, col),
                        static_cast<std::size_t>(PQgetlength(res, row, col)));
  switch (PQftype(res, col)) {
    case kBoolOid:
      return std::int64_t{text == "t"};
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec == std::errc() && end == text.data() + text.size()) return n;
      break;
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid: {
      double d = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec == std::errc() && end == text.data() + text.size()) return d;
      break;
    }
    default:
      break;
  }
  return std::string(text);
}

ErrorCode code_for_sqlstate(std::string_view state) {
  if (state == "23505") return ErrorCode::kAlreadyExists;
  if (state == "40001" || state == "40P01") return ErrorCode::kConflict;
  if (state.starts_with("23")) return ErrorCode::kInvalidArgument;
  if (state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03") {
    return ErrorCode::kUnavailable;
  }
  return ErrorCode::kInternal;
}

void log_notice(void*, const char* message) { spdlog::debug("postgres: {}", trimmed(message)); }

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {
    PQsetNoticeProcessor(conn_, log_notice, nullptr);
  }
  ~PostgresConnection() override { PQfinish(conn_); }
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }
  bool healthy() const override { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }
  std::optional<std::string> damage() const override { return damage_; }

  Result<Rows> query(std::string_view sql, Params params) override {
    auto res = execute(sql, params);
    if (!res) return res.error();
    const PGresult* r = res->get();
    const int rows = PQntuples(r);
    const int cols = PQnfields(r);
    Rows out;
    out.reserve(static_cast<std::size_t>(rows));
    for (int i = 0; i < rows; ++i) {
      std::vector<Value> cells;
      cells.reserve(static_cast<std::size_t>(cols));
      for (int j = 0; j < cols; ++j) cells.push_back(decode(r, i, j));
      out.emplace_back(std::move(cells));
    }
    return out;
  }

  Result<std::int64_t> exec(std::string_view sql, Params params) override {
    auto res = execute(sql, params);
    if (!res) return res.error();
    std::string_view count = PQcmdTuples(res->get());
    std::int64_t n = 0;
    std::from_chars(count.data(), count.data() + count.size(), n);
    return n;
  }

  Result<void> bulk_insert(std::string_view table, std::span<const std::string_view> columns,
                           const std::vector<std::vector<Value>>& rows) override;

  Result<void> exec_script(std::string_view sql) override {
    std::string text(sql);
    if (has_nul(text)) return Error::invalid_argument("SQL script contains a NUL byte");
    if (!healthy()) return lost_connection();
    PgResult res(PQexec(conn_, text.c_str()));
    if (res && PQresultStatus(res.get()) == PGRES_EMPTY_QUERY) return {};  // only comments
    if (auto r = check(std::move(res)); !r) return r.error();
    return {};
  }

 private:
  struct Statement {
    std::string name;
    std::size_t params = 0;
  };

  Result<PgResult> execute(std::string_view sql, Params params);
  Result<const Statement*> prepare(std::string_view sql);
  // Ok for a result that completed a command; otherwise the error it reports.
  Result<PgResult> check(PgResult res);
  Error failure(const PGresult* res);
  Error lost_connection() const;
  void mark_broken();

  PGconn* conn_;
  bool broken_ = false;
  std::optional<std::string> damage_;
  std::uint64_t statements_made_ = 0;
  std::unordered_map<std::string, Statement, StringHash, std::equal_to<>> statements_;
};

Result<PgResult> PostgresConnection::execute(std::string_view sql, Params params) {
  auto encoded = encode(params);
  if (!encoded) return encoded.error();
  auto statement = prepare(sql);
  if (!statement) return statement.error();
  if ((*statement)->params != params.size()) {
    return Error::internal("statement takes " + std::to_string((*statement)->params) +
                           " parameters but " + std::to_string(params.size()) +
                           " were given: " + std::string(sql));
  }
  return check(
      PgResult(PQexecPrepared(conn_, (*statement)->name.c_str(), static_cast<int>(params.size()),
                              encoded->values.data(), nullptr, nullptr, 0)));
}

Result<const PostgresConnection::Statement*> PostgresConnection::prepare(std::string_view sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return &it->second;
  if (!healthy()) return lost_connection();
  std::string text(sql);
  if (has_nul(text)) return Error::invalid_argument("SQL text contains a NUL byte");
  std::string name = "jiceng_" + std::to_string(++statements_made_);
  auto prepared = check(PgResult(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr)));
  if (!prepared) return prepared.error();
  auto described = check(PgResult(PQdescribePrepared(conn_, name.c_str())));
  if (!described) return described.error();
  Statement statement{std::move(name), static_cast<std::size_t>(PQnparams(described->get()))};
  return &statements_.emplace(std::move(text), std::move(statement)).first->second;
}

Result<PgResult> PostgresConnection::check(PgResult res) {
  if (res) {
    ExecStatusType status = PQresultStatus(res.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return res;
  }
  return failure(res.get());
}

Error PostgresConnection::failure(const PGresult* res) {
  if (res == nullptr) {
    mark_broken();
    return lost_connection();
  }
  ExecStatusType status = PQresultStatus(res);
  if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
    mark_broken();  // the protocol is mid-COPY; the pool replaces this connection
    return Error::internal("a COPY statement was run through query/exec; use bulk_insert");
  }
  if (status == PGRES_EMPTY_QUERY) return Error::internal("empty SQL statement");
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  const char* detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
  std::string message = primary ? primary : trimmed(PQresultErrorMessage(res));
  if (detail) message += std::string(": ") + detail;
  if (state) message += std::string(" [SQLSTATE ") + state + "]";
  ErrorCode code = state ? code_for_sqlstate(state) : ErrorCode::kInternal;
  // data_corrupted, index_corrupted: the server found damaged data (store/database.h, damage).
  if (state && (std::string_view(state) == "XX001" || std::string_view(state) == "XX002")) {
    if (!damage_) damage_ = message;
    return Error::unavailable("the database is damaged: " + message);
  }
  if (PQstatus(conn_) != CONNECTION_OK) code = ErrorCode::kUnavailable;
  if (code == ErrorCode::kUnavailable) {
    mark_broken();
    if (message.empty()) return lost_connection();
    return Error::unavailable("PostgreSQL connection lost: " + message);
  }
  Error e{code, std::move(message), {}, true};
  // A serialization failure or a deadlock: the write may succeed when run again.
  e.transient = state && code == ErrorCode::kConflict;
  return e;
}

Error PostgresConnection::lost_connection() const {
  return Error::unavailable("PostgreSQL connection lost: " + trimmed(PQerrorMessage(conn_)));
}

void PostgresConnection::mark_broken() {
  broken_ = true;
  statements_.clear();  // prepared statements die with the server session
}

Result<void> PostgresConnection::bulk_insert(std::string_view table,
                                             std::span<const std::string_view> columns,
                                             const std::vector<std::vector<Value>>& rows) {
  if (!valid_identifier(table)) {
    return Error::invalid_argument("bad table name for bulk insert: " + std::string(table));
  }
  if (columns.empty()) return Error::invalid_argument("bulk insert needs at least one column");
  std::string target = "\"" + std::string(table) + "\" (";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (!valid_identifier(columns[i])) {
      return Error::invalid_argument("bad column name for bulk insert: " + std::string(columns[i]));
    }
    target += (i > 0 ? ", \"" : "\"") + std::string(columns[i]) + "\"";
  }
  target += ")";
  const std::string sql = "COPY " + target + " FROM STDIN";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != columns.size()) {
      return Error::invalid_argument("bulk insert row " + std::to_string(i) + " has " +
                                     std::to_string(rows[i].size()) + " values for " +
                                     std::to_string(columns.size()) + " columns");
    }
    for (const Value& v : rows[i]) {
      if (const auto* s = std::get_if<std::string>(&v); s && has_nul(*s)) {
        return Error::invalid_argument("bulk insert row " + std::to_string(i) +
                                       " contains a NUL byte, which PostgreSQL cannot store");
      }
    }
  }
  if (rows.empty()) return {};
  if (!healthy()) return lost_connection();
  // A few rows (one case's signature and bands): one INSERT, one round trip, where COPY takes
  // three.
  if (rows.size() <= kInsertRows) {
    std::vector<Value> params;
    params.reserve(rows.size() * columns.size());
    for (const auto& row : rows) params.insert(params.end(), row.begin(), row.end());
    auto r = execute(
        "INSERT INTO " + target + " VALUES " + values_placeholders(rows.size(), columns.size()),
        Params(params));
    if (!r) return r.error();
    return {};
  }

  PgResult started(PQexec(conn_, sql.c_str()));
  if (!started || PQresultStatus(started.get()) != PGRES_COPY_IN) {
    if (started && PQresultStatus(started.get()) == PGRES_COMMAND_OK) {
      return Error::internal("COPY did not start: " + sql);
    }
    return failure(started.get());
  }
  std::string buffer;
  buffer.reserve(kCopyChunk + kCopyChunk / 4);
  const char* abort_reason = nullptr;
  auto flush = [&] {
    if (PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) != 1) {
      abort_reason = "sending COPY data failed";
    }
    buffer.clear();
  };
  for (const auto& row : rows) {
    append_copy_row(buffer, row);
    if (buffer.size() >= kCopyChunk) flush();
    if (abort_reason) break;
  }
  if (!abort_reason && !buffer.empty()) flush();
  if (PQputCopyEnd(conn_, abort_reason) != 1) {
    mark_broken();
    return lost_connection();
  }
  // Read every result so that the connection is ready for the next command; keep the first
  // failure.
  std::optional<Error> error;
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult res(raw);
    if (!error && PQresultStatus(raw) != PGRES_COMMAND_OK) error = failure(raw);
  }
  if (error) return *std::move(error);
  if (PQstatus(conn_) != CONNECTION_OK) {
    mark_broken();
    return lost_connection();
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Connection>> connect_postgres(const std::string& url) {
  // Keep any `options` the URI sets and add ours.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string why = parse_error ? trimmed(parse_error) : "out of memory";
    PQfreemem(parse_error);
    return Error::invalid_argument("cannot parse the PostgreSQL URL: " + why);
  }
  std::string options;
  for (const PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
    if (std::strcmp(o->keyword, "options") == 0 && o->val != nullptr) options = o->val;
  }
  PQconninfoFree(parsed);
  if (!options.empty()) options += ' ';
  options += "-c TimeZone=UTC";

  // Later keywords override earlier ones: the URI may change connect_timeout, not the rest.
  const char* const keywords[] = {"connect_timeout", "dbname",  "application_name",
                                  "client_encoding", "options", nullptr};
  const char* const values[] = {"10", url.c_str(), "jiceng", "UTF8", options.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Error::unavailable("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return Error::unavailable("cannot connect to PostgreSQL: " + why);
  }
  return std::unique_ptr<Connection>(std::make_unique<PostgresConnection>(conn));
}

ConnectionFactory postgres_factory(std::string url) {
  return [url = std::move(url)](ConnectionRole) { return connect_postgres(url); };
}

}  // namespace jiceng::store
