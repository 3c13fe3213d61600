// The storage port, part 1: how code above the store talks SQL.
//
// jiceng writes its SQL once, in the portable subset that SQLite (3.40) and PostgreSQL (15)
// share: parameters are written `$1`, `$2`, …; booleans are integers 0/1; instants are BIGINT
// microseconds since the Unix epoch; dates are TEXT 'YYYY-MM-DD'. Where the dialects differ, a
// caller branches on Sql::dialect() (rare; keep it in store/).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/error.h"

namespace jiceng::store {

enum class Dialect { kSqlite, kPostgres };
std::string_view to_string(Dialect d);

// The VALUES list of a multi-row INSERT: rows groups of `columns` parameters numbered from $1,
// "($1, $2), ($3, $4)" for 2 × 2.
std::string values_placeholders(std::size_t rows, std::size_t columns);

// A value bound to a parameter or read from a column. nullptr_t is SQL NULL.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

// One result row. Accessors convert between text and numbers where the adapter returned the
// other form (PostgreSQL returns numbers as int64/double only for integer and float columns).
class Row {
 public:
  explicit Row(std::vector<Value> cells) : cells_(std::move(cells)) {}
  std::size_t size() const { return cells_.size(); }
  bool is_null(std::size_t i) const;
  // The column as an integer; 0 for NULL. A non-numeric text column is a programming error and
  // yields 0 (asserted in debug builds).
  std::int64_t int64(std::size_t i) const;
  double float64(std::size_t i) const;
  // The column as text; "" for NULL.
  std::string text(std::size_t i) const;
  std::optional<std::string> opt_text(std::size_t i) const;
  std::optional<std::int64_t> opt_int64(std::size_t i) const;
  const Value& value(std::size_t i) const { return cells_.at(i); }

 private:
  std::vector<Value> cells_;
};

using Rows = std::vector<Row>;
using Params = std::span<const Value>;

// A connection inside a transaction. Only valid within the Database::read/write callback that
// received it; never keep a reference beyond it. Not thread-safe.
class Sql {
 public:
  virtual ~Sql() = default;
  virtual Dialect dialect() const = 0;

  // Runs one statement and returns all its rows. Statements are prepared once per connection
  // and cached by their text, so pass the same literal SQL with different parameters.
  // Errors: kAlreadyExists on a unique-key violation, kConflict on a serialization failure or
  // deadlock, kInvalidArgument on other constraint violations, kUnavailable when the connection
  // is lost, kInternal for anything else (the message holds the database's own words; it is
  // logged, not shown to users).
  [[nodiscard]] virtual Result<Rows> query(std::string_view sql, Params params) = 0;
  // Runs one statement that returns no rows; returns the number of rows it changed.
  [[nodiscard]] virtual Result<std::int64_t> exec(std::string_view sql, Params params) = 0;
  // Inserts many rows into `table` (columns in `columns` order) as fast as the engine allows
  // (SQLite: one prepared INSERT; PostgreSQL: COPY). Plain inserts: constraint errors fail it.
  [[nodiscard]] virtual Result<void> bulk_insert(std::string_view table,
                                                 std::span<const std::string_view> columns,
                                                 const std::vector<std::vector<Value>>& rows) = 0;

  // Runs a script of several statements separated by semicolons, without parameters (used for
  // migrations; SQLite: sqlite3_exec, PostgreSQL: PQexec). Errors as query().
  [[nodiscard]] virtual Result<void> exec_script(std::string_view sql) = 0;

  // Conveniences for the common shapes.
  [[nodiscard]] Result<Rows> query(std::string_view sql, std::initializer_list<Value> params) {
    return query(sql, Params(params.begin(), params.size()));
  }
  [[nodiscard]] Result<std::int64_t> exec(std::string_view sql,
                                          std::initializer_list<Value> params = {}) {
    return exec(sql, Params(params.begin(), params.size()));
  }
  // The single row of a query, kNotFound when there is none.
  [[nodiscard]] Result<Row> query_one(std::string_view sql, std::initializer_list<Value> params);
};

// How often settle_races runs a write that keeps losing races before it gives up.
inline constexpr int kRaceAttempts = 8;

// Runs fn(sql), a part of the caller's write transaction, again while it fails with a transient
// error (Error::transient: it lost a race with another writer's transaction), each try in a
// savepoint so that a lost try leaves nothing behind; READ COMMITTED lets the next try see what
// the winner committed. After kRaceAttempts lost races: kUnavailable (503, try again). Only
// PostgreSQL runs writers in parallel (database.writers > 1);
// on SQLite fn runs once, without the savepoint's cost. fn must be safe to run again: it may
// not move from what it captured, and may only keep what its last run returned.
template <class F>
auto settle_races(Sql& sql, F&& fn) -> decltype(fn(sql)) {
  if (sql.dialect() == Dialect::kSqlite) return fn(sql);
  for (int attempt = 1;; ++attempt) {
    if (auto r = sql.exec("SAVEPOINT jiceng_race"); !r) return r.error();
    auto result = fn(sql);
    // A failed try is undone whatever the error: on PostgreSQL an error inside the savepoint
    // leaves it aborted, and only the rollback makes the transaction usable again.
    auto end = result ? Result<std::int64_t>(0) : sql.exec("ROLLBACK TO SAVEPOINT jiceng_race");
    if (end) end = sql.exec("RELEASE SAVEPOINT jiceng_race");
    if (!result && !result.error().transient) return result;
    if (!end) return end.error();
    if (result) return result;
    if (attempt == kRaceAttempts) {
      return Error::unavailable("the record is being changed by many at once; try again")
          .zh("该记录正被多人同时修改，请稍后重试");
    }
  }
}

}  // namespace jiceng::store
