// The storage port, part 2: transactions, durability and concurrency.
//
// A Database is what the application holds. It runs callbacks in transactions on pooled
// connections. Reads run in parallel on a pool of reader connections, each in a read-only
// transaction (a consistent snapshot). Writes go to writer connections that batch concurrent
// write transactions into one database transaction (group commit): in a batch of several, each
// callback runs inside its own SAVEPOINT, so a failing callback is rolled back alone (a callback
// alone runs in the transaction itself, rolled back when it fails), and all the callbacks of a
// batch become durable with one commit (one fsync). A write returns only after that commit:
// an ok Result means the change survives a crash. write_async queues a write without waiting:
// its completion is called once the commit is durable, so a caller holds no thread while it
// waits, and every write queued while the writer commits shares its next commit (the batches
// grow with the load, up to max_batch).
//
// All methods are thread-safe; all but write_async block the calling thread. read() is a few
// tens of microseconds for indexed lookups on SQLite; write() waits for an fsync. Never call
// write() or write_value() on a writer thread (from a write_async completion): it would wait for
// itself, and fails with kInternal instead.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "store/sql.h"

namespace jiceng::store {

// A table whose changed rows a watch reports (Database::watch): the values of key_column in
// each row a transaction inserted, updated (before and after) or deleted; with key_column empty,
// only that the table changed (ChangedKeys::all).
struct WatchedTable {
  std::string table;
  std::string key_column{};
};
// What one batch of writes changed in the watched tables. all: a table watched without a key
// column changed, or the changes could not all be told (too many, a value that could not be
// read): whoever relies on the report must then assume that everything changed.
struct ChangedKeys {
  bool all = false;
  std::vector<std::string> keys;  // in change order; a key can repeat
  bool empty() const { return !all && keys.empty(); }
};

// One physical connection, made by an adapter (SQLite or PostgreSQL).
class Connection : public Sql {
 public:
  // False once the connection is unusable (e.g. the server went away); the pool drops it.
  virtual bool healthy() const = 0;
  // What this connection found damaged in the store's data (SQLite: a malformed page or file
  // header; PostgreSQL: data or an index reported corrupted), once it has; nullopt otherwise.
  // The Database then refuses every write (see Database::write).
  virtual std::optional<std::string> damage() const { return std::nullopt; }
  // Writer connections: from now on, note the rows of these tables that the connection's
  // statements change (none: stop), for take_changes. Only SQLite can: kFailedPrecondition
  // elsewhere.
  [[nodiscard]] virtual Result<void> watch(const std::vector<WatchedTable>& tables);
  // What was noted since the last call, and forget it. Rows that a rolled-back statement,
  // savepoint or transaction changed are in it too (a report may say more than was committed,
  // never less).
  virtual ChangedKeys take_changes() { return {}; }
};

struct ConnectionRole {
  bool writer = false;
};

// Makes connections on demand. Errors: kUnavailable when the database cannot be reached.
using ConnectionFactory = std::function<Result<std::unique_ptr<Connection>>(ConnectionRole role)>;

struct DatabaseOptions {
  std::size_t readers = 8;      // at most this many reader connections
  std::size_t writers = 1;      // writer connections (must be 1 for SQLite)
  std::size_t max_batch = 128;  // at most this many write callbacks share one commit (1 when
                                // there are several writers: see batch_limit in database.cc)
  // At most this many writes wait for a writer; more are refused at once with kUnavailable
  // (the caller answers 503 and the client retries later) instead of queueing without bound.
  std::size_t max_queued = 4096;
  // Fewer wait when the writer is slow: at most as many as the writers commit in max_wait, at
  // the rate they served writes lately (an average over about their last ten seconds of busy
  // time; at least max_batch). A write beyond that would wait longer than its client does (the
  // load generator gives up after 10 s, a person sooner): refused at once, it is retried; queued,
  // it times out and still costs the writer its commit. A stall of the writer (a slow disk for a
  // second or two) grows the queue up to that bound: those writes wait, none is failed. 0: off.
  std::chrono::milliseconds max_wait{5000};
  // A standing queue is kept short: when, for standing_after, every batch the writer took left
  // writes waiting longer than wait_target (more than a batch was waiting) and the queue did not
  // shrink meanwhile (writes come faster than they are written: overload, not the backlog of a
  // stall draining), at most as many writes wait as the writers serve in wait_target (at least
  // max_batch, so that every commit stays full), until no write was refused for standing_after.
  // Under overload the writer then keeps committing full batches while the excess is refused at
  // once, rather than every write waiting seconds. A stall long enough for the queue to grow over
  // standing_after looks the same, and is treated the same while it lasts. 0: off.
  std::chrono::milliseconds wait_target{100};
  std::chrono::milliseconds standing_after{1000};
  // SQLite: the writer's page cache in MiB; 0 sizes it from the file when it is opened
  // (store/sqlite.h, writer_cache_mib_for). PostgreSQL ignores it.
  std::size_t sqlite_cache_mib = 0;
  // A batch that holds the writer this long or longer is logged (at warning) with its size, its
  // slowest callback and its commit: every write queued behind it waited as long. 0: never.
  std::chrono::milliseconds slow_batch{250};
  std::string description;  // for logs and errors, e.g. "sqlite:var/jiceng.db"
  // Run once on each new writer connection, before its first transaction (e.g. to create the
  // temporary tables before_commit reads). An error fails the batch like an unreachable store.
  std::function<Result<void>(Sql&)> prepare_writer;
  // Run once per write transaction, after all its callbacks (and their savepoints) and before its
  // COMMIT, when at least one callback succeeded: work the callbacks deferred to the end of the
  // transaction, so that it is done once per commit, not once per callback (the SQLite store's
  // full-text index, store/search_repo.h). Rows a rolled-back callback left in temporary tables
  // went with its savepoint or transaction. An error fails every write of the batch, like a
  // failed commit.
  std::function<Result<void>(Sql&)> before_commit;
};

using TxFn = std::function<Result<void>(Sql&)>;
// Receives a write's outcome (see Database::write_async).
using WriteDone = std::function<void(Result<void>)>;

class Database {
 public:
  Database(Dialect dialect, ConnectionFactory factory, DatabaseOptions options);
  ~Database();  // waits for queued writes to finish
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Dialect dialect() const { return dialect_; }
  const std::string& description() const { return options_.description; }

  // Runs fn in a read-only transaction. fn's error is returned as is; a connection failure
  // gives kUnavailable.
  [[nodiscard]] Result<void> read(const TxFn& fn);
  // Runs fn in a read-write transaction and returns once it is durable (see above). If fn
  // fails, none of its changes persist and its error is returned. If the commit fails, every
  // write of the batch fails with kUnavailable and nothing of the batch persists. Once any
  // connection met damaged data (Connection::damage), every write is refused with kUnavailable
  // until the process is restarted on a sound store: writing into a damaged B-tree can spread
  // the damage. Reads go on; those that meet the damage fail with kUnavailable.
  [[nodiscard]] Result<void> write(TxFn fn);
  // Queues fn like write() and returns at once. done receives what write() would have returned,
  // exactly once: on a writer thread after the batch's commit (or its failure), or on the
  // calling thread at once with kUnavailable when as many writes are waiting as may (max_queued,
  // max_wait, wait_target in DatabaseOptions) or when the database is shutting down. done
  // runs on the writer thread ahead of the writer's next batch: it must be quick and must not block
  // (hand the result to another thread; queue any further write with write_async). fn and done are
  // copied into the queue: they must own what they use.
  void write_async(TxFn fn, WriteDone done);
  // Reports, after every batch of writes and before any of the batch's writes is answered
  // (done, or write returning), the rows of `tables` the batch changed, to `changed` on the
  // writer thread (it must be quick and must not block). A write answered after watch returned
  // is reported. One watch at a time: another call replaces it; an empty `tables` ends it. Only
  // where every write of the store passes through this Database: SQLite, whose file one process
  // holds (store::ProcessLock). kFailedPrecondition on PostgreSQL, where other processes write
  // too. If the writer's connection cannot watch, every batch is reported as changing all.
  [[nodiscard]] Result<void> watch(std::vector<WatchedTable> tables,
                                   std::function<void(const ChangedKeys&)> changed);
  // Cheap liveness check of the store (SELECT 1 on a reader). kUnavailable when down, or when
  // the store was found damaged.
  [[nodiscard]] Result<void> ping();

  // Typed variants: fn returns Result<T>.
  template <class F>
  auto read_value(F&& fn) -> decltype(fn(std::declval<Sql&>()));
  template <class F>
  auto write_value(F&& fn) -> decltype(fn(std::declval<Sql&>()));
  // write_async for fn returning Result<T>: done receives that Result<T> (or the commit's error).
  template <class F, class Done>
  void write_value_async(F fn, Done done);

  struct Stats {
    std::uint64_t commits = 0;     // database transactions committed by writers
    std::uint64_t writes = 0;      // write callbacks that succeeded
    std::uint64_t refused = 0;     // writes refused: as many were waiting as may (see max_queued)
    std::size_t waiting = 0;       // writes queued for a writer now
    std::size_t may_wait = 0;      // how many may be queued now (see max_queued)
    double writes_per_second = 0;  // the writers' recent rate (see max_wait); 0 before a batch
    bool damaged = false;          // damaged data was found: writes are refused (see write)
  };
  Stats stats() const;

 private:
  class Impl;
  Dialect dialect_;
  DatabaseOptions options_;
  std::unique_ptr<Impl> impl_;
};

template <class F>
auto Database::read_value(F&& fn) -> decltype(fn(std::declval<Sql&>())) {
  using R = decltype(fn(std::declval<Sql&>()));
  std::optional<R> out;
  auto r = read([&](Sql& sql) -> Result<void> {
    out.emplace(fn(sql));
    if (out->has_error()) return out->error();
    return {};
  });
  if (!r) return r.error();
  return std::move(*out);
}

template <class F>
auto Database::write_value(F&& fn) -> decltype(fn(std::declval<Sql&>())) {
  using R = decltype(fn(std::declval<Sql&>()));
  std::optional<R> out;
  auto r = write([&](Sql& sql) -> Result<void> {
    out.emplace(fn(sql));
    if (out->has_error()) return out->error();
    return {};
  });
  if (!r) return r.error();
  return std::move(*out);
}

template <class F, class Done>
void Database::write_value_async(F fn, Done done) {
  using R = decltype(fn(std::declval<Sql&>()));
  auto out = std::make_shared<std::optional<R>>();
  write_async(
      [fn = std::move(fn), out](Sql& sql) -> Result<void> {
        out->emplace(fn(sql));
        if ((*out)->has_error()) return (*out)->error();
        return {};
      },
      [out, done = std::move(done)](Result<void> r) mutable {
        if (!r) return done(R(r.error()));
        done(std::move(**out));
      });
}

// Opens the database named by a URL: "sqlite:PATH" or "postgresql://…" (libpq URI).
// For SQLite the parent directory is created, the file is created if missing, and the process
// takes an exclusive lock on PATH.lock: a second process gets kFailedPrecondition ("in use by
// another jiceng process"). Applies nothing: call migrate() next.
[[nodiscard]] Result<std::unique_ptr<Database>> open_database(const std::string& url,
                                                              DatabaseOptions options = {});

}  // namespace jiceng::store
