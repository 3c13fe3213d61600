// The disk's limit for durable writes: rows inserted into SQLite one transaction per row, with the
// settings jiceng's writer uses (WAL, synchronous=FULL), for a given time. bench/run runs it on
// the same file system as the benchmarked server's database, so that create-case (POST
// /api/v1/cases, durable) can be read against it: jiceng batches many requests into one commit,
// and the target is at least three times this rate. docs/PERFORMANCE.md.
//
//   jiceng_sqlite_commit DATABASE_FILE [SECONDS]
//
// Creates DATABASE_FILE (it must not exist), writes for SECONDS (default 5), prints one line
//   BENCH_SQLITE_COMMIT rows=N seconds=S rows_per_s=R
// and deletes the database and its WAL files. Exit status 1 on any SQLite error.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

int fail(sqlite3* db, const char* what) {
  std::fprintf(stderr, "jiceng_sqlite_commit: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
  sqlite3_close(db);
  return 1;
}

void remove_database(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ignored;
    std::filesystem::remove(path + suffix, ignored);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: jiceng_sqlite_commit DATABASE_FILE [SECONDS]\n");
    return 2;
  }
  const std::string path = argv[1];
  const double seconds = argc == 3 ? std::atof(argv[2]) : 5.0;
  if (!(seconds > 0)) {
    std::fprintf(stderr, "jiceng_sqlite_commit: SECONDS must be positive\n");
    return 2;
  }
  if (std::filesystem::exists(path)) {
    std::fprintf(stderr, "jiceng_sqlite_commit: %s exists; give a new file\n", path.c_str());
    return 2;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return fail(db, "open");
  // A row about the size of a case: a key, a few short columns and a description.
  if (sqlite3_exec(db,
                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                   "CREATE TABLE t (id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE, "
                   "place TEXT NOT NULL, description TEXT NOT NULL)",
                   nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail(db, "set-up");
  }
  sqlite3_stmt* insert = nullptr;
  if (sqlite3_prepare_v2(db, "INSERT INTO t (number, place, description) VALUES (?1, ?2, ?3)", -1,
                         &insert, nullptr) != SQLITE_OK) {
    return fail(db, "prepare");
  }
  const std::string description(600, 'x');
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  long rows = 0;
  while (Clock::now() < end) {
    const std::string number = "360602-2026-" + std::to_string(rows);
    sqlite3_bind_text(insert, 1, number.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, "360602001001", -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 3, description.c_str(), -1, SQLITE_STATIC);
    // No BEGIN: each INSERT is its own transaction, committed (and fsynced) before the next.
    if (sqlite3_step(insert) != SQLITE_DONE) {
      sqlite3_finalize(insert);
      return fail(db, "insert");
    }
    sqlite3_reset(insert);
    ++rows;
  }
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  remove_database(path);
  std::printf("BENCH_SQLITE_COMMIT rows=%ld seconds=%.2f rows_per_s=%.0f\n", rows, took,
              static_cast<double>(rows) / took);
  return 0;
}
