#include "store/sqlite.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
// The preupdate hook's declarations (SqliteConnection::watch); Debian's libsqlite3 is built with
// it (PRAGMA compile_options lists ENABLE_PREUPDATE_HOOK).
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/sqlite_rank.h"

namespace jiceng::store {

namespace {

Error map_error(sqlite3* db, int rc) {
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return {ErrorCode::kAlreadyExists, msg, {}, true};
      }
      return {ErrorCode::kInvalidArgument, msg, {}, true};
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Error::unavailable("the database file is damaged: " + msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return {ErrorCode::kUnavailable, msg};
    default:
      return {ErrorCode::kInternal, msg};
  }
}

class Statement {
 public:
  Statement(sqlite3_stmt* stmt, std::vector<int> param_index)
      : stmt_(stmt), param_index_(std::move(param_index)) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return stmt_; }
  // param_index()[k] is the SQLite index of parameter $k+1 (0 when the SQL does not use it).
  const std::vector<int>& param_index() const { return param_index_; }

 private:
  sqlite3_stmt* stmt_;
  std::vector<int> param_index_;
};

// Copies the WAL back into the database file on a thread and connection of its own, so that
// commits rarely wait for it: SQLite's automatic checkpoint runs inside the commit that crosses
// its threshold, on the writer, which every write in flight is waiting for. The writer's WAL
// hook (called after each commit with the WAL's size) wakes it; a PASSIVE checkpoint never
// blocks the writer or the readers.
//
// That alone cannot bound the WAL. It starts over only when, at the start of a write, it has
// been wholly copied and no reader still reads from it; a reader on an old snapshot stops a
// checkpoint at that snapshot. Under a steady load the writer appends while the thread copies,
// and some read is always in flight, so the WAL grew without end: each read then searched a
// longer WAL index, reads got slower and overlapped more (the held load's meltdown after four
// minutes, docs/PERFORMANCE.md). So at kRestartFrames the writer itself runs a RESTART
// checkpoint between two transactions: it copies the rest (little: the thread did most) and
// waits, at most kRestartWaitMs, for the reads begun before it; reads begun after it read the
// database file only. The WAL then starts over with the next write. A wait that runs out (a
// read longer than kRestartWaitMs) leaves the WAL as it is; the writer tries again once it
// has grown by another kRestartFrames. Durability is the commit's (the WAL is synced before a
// commit returns); checkpoints only bound the WAL's size.
class Checkpointer {
 public:
  // SQLite's default for its automatic checkpoint, in pages.
  static constexpr int kThresholdFrames = 1000;
  // The writer checkpoints and restarts the WAL itself past this (16 MB of 4 KB pages).
  static constexpr int kRestartFrames = 4 * kThresholdFrames;
  // How long the writer waits for older reads to finish (writes wait meanwhile).
  static constexpr int kRestartWaitMs = 200;
  // The writer's busy timeout otherwise.
  static constexpr int kBusyTimeoutMs = 10000;

  // Takes db, a connection to the writer's file that does nothing else.
  explicit Checkpointer(sqlite3* db) : db_(db), thread_([this] { loop(); }) {}
  ~Checkpointer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
    sqlite3_close_v2(db_);
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Makes the writer's commits wake this checkpointer (and turns SQLite's own off).
  void watch(sqlite3* writer) {
    sqlite3_wal_hook(
        writer,
        [](void* self, sqlite3* db, const char*, int frames) {
          static_cast<Checkpointer*>(self)->committed(db, frames);
          return SQLITE_OK;
        },
        this);
  }

 private:
  // On the writer, after each commit: `frames` is the WAL's length.
  void committed(sqlite3* writer, int frames) {
    if (frames < kRestartFrames) retry_at_ = kRestartFrames;  // it started over
    if (frames < retry_at_) {
      if (frames >= kThresholdFrames) wake();
      return;
    }
    // The wait polls every millisecond (SQLite's own busy handler sleeps up to 100 ms at a
    // time, and every write waits with it). Only the time spent waiting counts against
    // kRestartWaitMs: the copy before it may take long on a slow disk, and counted, it left no
    // wait at all, so the WAL never started over there.
    struct Wait {
      std::chrono::steady_clock::duration waited{};
      bool ran_out = false;
    } wait;
    const auto start = std::chrono::steady_clock::now();
    sqlite3_busy_handler(
        writer,
        [](void* arg, int) {
          auto* w = static_cast<Wait*>(arg);
          if (w->waited >= std::chrono::milliseconds(kRestartWaitMs)) {
            w->ran_out = true;
            return 0;
          }
          const auto t = std::chrono::steady_clock::now();
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          w->waited += std::chrono::steady_clock::now() - t;
          return 1;
        },
        &wait);
    const int rc =
        sqlite3_wal_checkpoint_v2(writer, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    sqlite3_busy_timeout(writer, kBusyTimeoutMs);  // SQLite's handler again
    const auto took = std::chrono::steady_clock::now() - start;
    if (took - wait.waited > std::chrono::milliseconds(250)) {
      // Besides the wait, the time went to copying the WAL and syncing the file: a slow disk.
      spdlog::info("sqlite: restarting the WAL ({} pages) held the writer {} ms", frames,
                   std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
    }
    // Refused at once (the thread was copying) is tried again after the next commit; a wait
    // that ran out, only once the WAL has grown by kRestartFrames more.
    if (rc != SQLITE_OK && wait.ran_out) {
      retry_at_ = frames + kRestartFrames;
      // A WAL that keeps growing slows every read; say so, with how far it has grown.
      spdlog::info("sqlite: the WAL ({} pages) could not start over: reads went on for {} ms",
                   frames, kRestartWaitMs);
    }
  }

  void wake() {
    {
      std::lock_guard lock(mu_);
      due_ = true;
    }
    cv_.notify_one();
  }

  void loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return due_ || stopping_; });
      if (stopping_) return;
      due_ = false;
      lock.unlock();
      // Busy (another checkpoint, a reader on an old snapshot) is fine: the next wake retries.
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      lock.lock();
    }
  }

  sqlite3* db_;
  int retry_at_ = kRestartFrames;  // the writer's next RESTART, in WAL frames (writer only)
  std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false;       // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    cache_.clear();
    sqlite3_close_v2(db_);
    checkpointer_.reset();  // after the writer, whose hook calls it
  }

  // Writer connections only: checkpoints on a thread of their own (Checkpointer), through db,
  // a second connection to the same file.
  void checkpoint_elsewhere(sqlite3* db) {
    checkpointer_ = std::make_unique<Checkpointer>(db);
    checkpointer_->watch(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  bool healthy() const override { return healthy_; }
  std::optional<std::string> damage() const override { return damage_; }

  Result<void> watch(const std::vector<WatchedTable>& tables) override {
    sqlite3_preupdate_hook(db_, nullptr, nullptr);
    watched_.clear();
    changes_ = {};
    for (const WatchedTable& t : tables) {
      // A name that matches nothing would never be reported: refused.
      const Value name[] = {t.table};
      // table_xinfo: its cid counts hidden and generated columns too, as the preupdate hook's
      // column numbers do.
      auto columns = query("SELECT name, cid FROM pragma_table_xinfo($1)", name);
      if (!columns) return columns.error();
      if (columns->empty()) return Error::internal(fmt::format("no table {} to watch", t.table));
      int column = -1;
      for (const Row& c : *columns) {
        if (c.text(0) == t.key_column) column = static_cast<int>(c.int64(1));
      }
      if (!t.key_column.empty() && column < 0) {
        return Error::internal(fmt::format("no column {}.{} to watch", t.table, t.key_column));
      }
      watched_.push_back({t.table, column});
    }
    if (!watched_.empty()) sqlite3_preupdate_hook(db_, &SqliteConnection::noted, this);
    return {};
  }

  ChangedKeys take_changes() override { return std::exchange(changes_, {}); }

  Result<Rows> query(std::string_view sql, Params params) override {
    auto stmt = prepare(sql);
    if (!stmt) return stmt.error();
    if (auto b = bind(**stmt, params); !b) return b.error();
    sqlite3_stmt* s = (*stmt)->get();
    Rows rows;
    for (;;) {
      int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return fail(s);
      int n = sqlite3_column_count(s);
      std::vector<Value> cells;
      cells.reserve(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) cells.push_back(column(s, i));
      rows.emplace_back(std::move(cells));
    }
    sqlite3_reset(s);
    return rows;
  }

  Result<std::int64_t> exec(std::string_view sql, Params params) override {
    auto stmt = prepare(sql);
    if (!stmt) return stmt.error();
    return run(**stmt, params);
  }

  Result<void> exec_script(std::string_view sql) override {
    std::string text(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      Error e = error_for(sqlite3_extended_errcode(db_));
      if (err) {
        e.message = err;
        sqlite3_free(err);
      }
      return e;
    }
    return {};
  }

  Result<void> bulk_insert(std::string_view table, std::span<const std::string_view> columns,
                           const std::vector<std::vector<Value>>& rows) override {
    const std::string sql =
        fmt::format("INSERT INTO {} ({}) VALUES {}", table, fmt::join(columns, ", "),
                    values_placeholders(1, columns.size()));
    auto stmt = prepare(sql);  // once: each row only binds and steps
    if (!stmt) return stmt.error();
    for (const auto& row : rows) {
      if (auto r = run(**stmt, Params(row)); !r) return r.error();
    }
    return {};
  }

 private:
  // Keys by text; finds by string_view without making a string.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  // Binds params to stmt and runs it to the end; the number of rows it changed.
  Result<std::int64_t> run(const Statement& stmt, Params params) {
    if (auto b = bind(stmt, params); !b) return b.error();
    sqlite3_stmt* s = stmt.get();
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return fail(s);
    sqlite3_reset(s);
    return static_cast<std::int64_t>(sqlite3_changes64(db_));
  }

  Result<Statement*> prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second.get();
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) return error_for(sqlite3_extended_errcode(db_));
    std::vector<int> index;
    for (int k = 1;; ++k) {
      int i = sqlite3_bind_parameter_index(s, fmt::format("${}", k).c_str());
      if (i == 0 && k > sqlite3_bind_parameter_count(s)) break;
      index.push_back(i);
    }
    auto [pos, _] =
        cache_.emplace(std::string(sql), std::make_unique<Statement>(s, std::move(index)));
    return pos->second.get();
  }

  Result<void> bind(const Statement& stmt, Params params) {
    sqlite3_stmt* s = stmt.get();
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    const auto& index = stmt.param_index();
    for (std::size_t k = 0; k < params.size(); ++k) {
      if (k >= index.size() || index[k] == 0) {
        return Error::internal(fmt::format("statement has no parameter ${}", k + 1));
      }
      int i = index[k];
      int rc = std::visit(
          [&](const auto& v) -> int {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>)
              return sqlite3_bind_null(s, i);
            else if constexpr (std::is_same_v<T, std::int64_t>)
              return sqlite3_bind_int64(s, i, v);
            else if constexpr (std::is_same_v<T, double>)
              return sqlite3_bind_double(s, i, v);
            else
              return sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
          },
          params[k]);
      if (rc != SQLITE_OK) return map_error(db_, rc);
    }
    return {};
  }

  static Value column(sqlite3_stmt* s, int i) {
    switch (sqlite3_column_type(s, i)) {
      case SQLITE_INTEGER:
        return static_cast<std::int64_t>(sqlite3_column_int64(s, i));
      case SQLITE_FLOAT:
        return sqlite3_column_double(s, i);
      case SQLITE_NULL:
        return nullptr;
      default: {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
        return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
      }
    }
  }

  Error fail(sqlite3_stmt* s) {
    Error e = error_for(sqlite3_extended_errcode(db_));
    sqlite3_reset(s);
    return e;
  }
  // The error for a failed call. Damage (a malformed page, a file that is not a database) also
  // makes this connection unusable, and is kept for damage().
  Error error_for(int rc) {
    Error e = map_error(db_, rc);
    if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
      healthy_ = false;
      if (!damage_) damage_ = sqlite3_errmsg(db_);
    }
    return e;
  }

  // The preupdate hook (Debian's SQLite has it; the session extension is built on it): each
  // row change of a watched table in the main database, WITHOUT ROWID tables included.
  static void noted(void* self, sqlite3* db, int op, const char* schema, const char* table,
                    sqlite3_int64, sqlite3_int64) noexcept {
    auto& c = *static_cast<SqliteConnection*>(self);
    if (c.changes_.all || std::strcmp(schema, "main") != 0) return;
    try {
      note(c, db, op, table);
    } catch (...) {  // no memory for the key: not an exception to let through SQLite's C
      c.changes_.keys.clear();
      c.changes_.all = true;
    }
  }
  static void note(SqliteConnection& c, sqlite3* db, int op, const char* table) {
    for (const Watched& w : c.watched_) {
      if (w.table != table) continue;
      // A transaction that changes this many rows (an import, a bulk fill) is reported as
      // changing everything rather than kept key by key.
      if (w.column < 0 || c.changes_.keys.size() >= kMaxNotedKeys) {
        c.changes_ = {.all = true, .keys = {}};
        return;
      }
      for (bool after : {false, true}) {
        if ((after && op == SQLITE_DELETE) || (!after && op == SQLITE_INSERT)) continue;
        sqlite3_value* v = nullptr;
        int rc = after ? sqlite3_preupdate_new(db, w.column, &v)
                       : sqlite3_preupdate_old(db, w.column, &v);
        const unsigned char* text = rc == SQLITE_OK && v ? sqlite3_value_text(v) : nullptr;
        if (!text) {
          c.changes_ = {.all = true, .keys = {}};
          return;
        }
        c.changes_.keys.emplace_back(reinterpret_cast<const char*>(text),
                                     static_cast<std::size_t>(sqlite3_value_bytes(v)));
      }
      return;
    }
  }
  static constexpr std::size_t kMaxNotedKeys = 100'000;
  struct Watched {
    std::string table;
    int column;  // the key column's index; -1: the table only
  };

  sqlite3* db_;
  std::vector<Watched> watched_;
  ChangedKeys changes_;
  std::unique_ptr<Checkpointer> checkpointer_;  // writers only
  bool healthy_ = true;
  std::optional<std::string> damage_;
  std::unordered_map<std::string, std::unique_ptr<Statement>, TextHash, std::equal_to<>> cache_;
};

// Once per process, before SQLite's first use: no memory statistics. With them on (the library's
// default) every sqlite3_malloc and sqlite3_free of every connection takes one global mutex to
// count the bytes; under load the readers, the writer and the workers queued on it
// (docs/PERFORMANCE.md, "Overload"). jiceng reads no SQLite memory statistics. If the library
// was already initialised (a test or a tool opened a database first), the call is refused and
// the default stays: slower, not wrong.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

Result<std::string> pragma_value(Connection& c, std::string_view pragma) {
  auto rows = c.query(fmt::format("PRAGMA {}", pragma), {});
  if (!rows) return rows.error();
  if (rows->empty()) return std::string();
  return rows->front().text(0);
}

}  // namespace

std::int64_t writer_cache_mib_for(std::uintmax_t file_bytes) {
  constexpr std::uintmax_t kMiB = 1024 * 1024;
  return static_cast<std::int64_t>(std::clamp<std::uintmax_t>(file_bytes / 50 / kMiB, 32, 1024));
}

Result<std::unique_ptr<Connection>> connect_sqlite(const std::filesystem::path& path,
                                                   ConnectionRole role,
                                                   const SqliteTuning& tuning) {
  configure_sqlite_once();
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Error::unavailable(fmt::format("cannot open {}: {}", path.string(), msg));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, Checkpointer::kBusyTimeoutMs);
  auto conn = std::make_unique<SqliteConnection>(db);
  if (auto r = register_search_rank(db); !r) return r.error();
  const std::string setup = role.writer ? fmt::format(
                                              "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                              "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
                                              "PRAGMA cache_size=-{};",
                                              std::max<std::int64_t>(tuning.writer_cache_kib, 1))
                                        : "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                                          "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384; "
                                          "PRAGMA mmap_size=268435456; PRAGMA query_only=1;";
  if (auto r = conn->exec_script(setup); !r) {
    return Error::unavailable(
        fmt::format("cannot set up {}: {}", path.string(), r.error().message));
  }
  // Startup guard (TESTS.md D6): never run with settings that could lose acknowledged writes.
  auto sync = pragma_value(*conn, "synchronous");
  auto fk = pragma_value(*conn, "foreign_keys");
  auto journal = pragma_value(*conn, "journal_mode");
  if (!sync || !fk || !journal) return Error::unavailable("cannot read SQLite settings");
  if (*sync != "2" || *fk != "1" || (role.writer && *journal != "wal")) {
    return Error::failed_precondition(fmt::format(
        "{}: unsafe SQLite settings (synchronous={}, foreign_keys={}, journal_mode={}); "
        "refusing to run",
        path.string(), *sync, *fk, *journal));
  }
  if (role.writer) {
    sqlite3* checkpoints = nullptr;
    rc = sqlite3_open_v2(path.c_str(), &checkpoints, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                         nullptr);
    // synchronous=FULL: a checkpoint syncs the database file before the WAL may be reused.
    if (rc != SQLITE_OK ||
        sqlite3_busy_timeout(checkpoints, Checkpointer::kBusyTimeoutMs) != SQLITE_OK ||
        sqlite3_exec(checkpoints, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr) !=
            SQLITE_OK) {
      std::string msg = checkpoints ? sqlite3_errmsg(checkpoints) : sqlite3_errstr(rc);
      sqlite3_close_v2(checkpoints);
      return Error::unavailable(
          fmt::format("cannot open {} for checkpoints: {}", path.string(), msg));
    }
    conn->checkpoint_elsewhere(checkpoints);
  }
  return std::unique_ptr<Connection>(std::move(conn));
}

namespace {

namespace fs = std::filesystem;

// A raw handle, closed on every path out.
struct Handle {
  sqlite3* db = nullptr;
  Handle() = default;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { sqlite3_close_v2(db); }
};

Result<void> open_raw(Handle& h, const fs::path& path, int flags) {
  configure_sqlite_once();
  if (sqlite3_open_v2(path.c_str(), &h.db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    return Error::unavailable(fmt::format("cannot open {}: {}", path.string(),
                                          h.db ? sqlite3_errmsg(h.db) : "out of memory"));
  }
  sqlite3_extended_result_codes(h.db, 1);
  sqlite3_busy_timeout(h.db, 5000);
  return {};
}

Result<std::string> first_text(Handle& h, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(h.db, sql, -1, &s, nullptr) != SQLITE_OK) {
    return map_error(h.db, sqlite3_extended_errcode(h.db));
  }
  std::string out;
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW && sqlite3_column_text(s, 0)) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return map_error(h.db, rc);
  return out;
}

// A copy fit to serve from: sound (quick_check) and jiceng's (its migrations table).
Result<void> check_copy(Handle& h, const fs::path& path) {
  auto check = first_text(h, "PRAGMA quick_check");
  if (!check) return check.error();
  if (*check != "ok") {
    return Error::failed_precondition(
        fmt::format("{} does not check out (PRAGMA quick_check: {})", path.string(), *check));
  }
  auto ours = first_text(h, "SELECT name FROM sqlite_master WHERE name = 'schema_migrations'");
  if (!ours) return ours.error();
  if (ours->empty()) {
    return Error::failed_precondition(
        fmt::format("{} is not a jiceng database (it has no schema_migrations)", path.string()));
  }
  return {};
}

// fsync of a file, or of a directory (so that a rename in it is durable).
Result<void> sync_path(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int e = errno;
    if (fd >= 0) ::close(fd);
    return Error::unavailable(fmt::format("cannot sync {}: {}", path.string(), std::strerror(e)));
  }
  ::close(fd);
  return {};
}

// Renames `from` to `to` and makes the rename durable.
Result<void> rename_durably(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) {
    return Error::unavailable(
        fmt::format("cannot rename {} to {}: {}", from.string(), to.string(), ec.message()));
  }
  return sync_path(to.has_parent_path() ? to.parent_path() : fs::path("."));
}

fs::path with_suffix(const fs::path& p, std::string_view suffix) {
  return fs::path(p.string() + std::string(suffix));
}

}  // namespace

Result<SqliteBackup> backup_sqlite(const fs::path& source, const fs::path& dest) {
  std::error_code ec;
  if (fs::exists(dest, ec)) {
    return Error::already_exists(fmt::format("{} exists; name a new file", dest.string()));
  }
  if (!fs::exists(source, ec)) {
    return Error::not_found(fmt::format("no database at {}", source.string()));
  }
  const fs::path partial = with_suffix(dest, ".partial");
  for (const char* extra : {"", "-journal", "-wal", "-shm"})
    fs::remove(with_suffix(partial, extra), ec);
  SqliteBackup out;
  {
    Handle from, to;
    if (auto r = open_raw(from, source, SQLITE_OPEN_READONLY); !r) return r.error();
    if (auto r = open_raw(to, partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE); !r) {
      return r.error();
    }
    sqlite3_backup* b = sqlite3_backup_init(to.db, "main", from.db, "main");
    if (!b) return map_error(to.db, sqlite3_extended_errcode(to.db));
    // In one step: one read transaction on the source for the whole copy.
    const int rc = sqlite3_backup_step(b, -1);
    out.pages = sqlite3_backup_pagecount(b);
    const int finished = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE || finished != SQLITE_OK) {
      Error e = map_error(to.db, rc != SQLITE_DONE ? rc : finished);
      fs::remove(partial, ec);
      return e;
    }
    // A copy in rollback-journal mode: reading it (a check, a restore) leaves no -wal and -shm
    // beside it; the server's writer turns it back to WAL when it opens it.
    auto mode = first_text(to, "PRAGMA journal_mode = DELETE");
    if (!mode) return mode.error();
    auto size = first_text(to, "PRAGMA page_size");
    if (!size) return size.error();
    out.page_size = std::stoll(*size);
    if (auto r = check_copy(to, dest); !r) {
      fs::remove(partial, ec);
      return r.error();
    }
  }
  if (auto r = sync_path(partial); !r) return r.error();
  if (auto r = rename_durably(partial, dest); !r) return r.error();
  return out;
}

Result<fs::path> restore_sqlite(const fs::path& backup, const fs::path& target) {
  std::error_code ec;
  if (!fs::exists(backup, ec))
    return Error::not_found(fmt::format("no backup at {}", backup.string()));
  auto lock = ProcessLock::acquire(target);
  if (!lock) return lock.error();
  {
    Handle copy;
    if (auto r = open_raw(copy, backup, SQLITE_OPEN_READONLY); !r) return r.error();
    if (auto r = check_copy(copy, backup); !r) return r.error();
  }
  fs::path aside;
  if (fs::exists(target, ec)) {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    aside = with_suffix(
        target, fmt::format(".replaced-{:04}{:02}{:02}T{:02}{:02}{:02}Z", utc.tm_year + 1900,
                            utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec));
    // The WAL goes with its database: what it holds is part of the replaced one.
    if (fs::exists(with_suffix(target, "-wal"), ec)) {
      if (auto r = rename_durably(with_suffix(target, "-wal"), with_suffix(aside, "-wal")); !r) {
        return r.error();
      }
    }
    if (auto r = rename_durably(target, aside); !r) return r.error();
  }
  fs::remove(with_suffix(target, "-shm"), ec);
  fs::remove(with_suffix(target, "-journal"), ec);
  const fs::path partial = with_suffix(target, ".partial");
  fs::copy_file(backup, partial, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    return Error::unavailable(
        fmt::format("cannot copy {} to {}: {}", backup.string(), partial.string(), ec.message()));
  }
  if (auto r = sync_path(partial); !r) return r.error();
  if (auto r = rename_durably(partial, target); !r) return r.error();
  return aside;
}

Result<std::unique_ptr<ProcessLock>> ProcessLock::acquire(const std::filesystem::path& db_path) {
  std::string lock_path = db_path.string() + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Error::unavailable(fmt::format("cannot open {}: {}", lock_path, std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "unknown";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    return Error::failed_precondition(
        fmt::format("the database {} is in use by another jiceng process (pid {}); stop it first",
                    db_path.string(), holder));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The pid is only informative; the lock itself is held.
  }
  return std::unique_ptr<ProcessLock>(new ProcessLock(fd));
}

ProcessLock::~ProcessLock() { ::close(fd_); }

}  // namespace jiceng::store
