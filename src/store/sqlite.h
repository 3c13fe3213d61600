// The SQLite adapter: connections to one database file in WAL mode with synchronous=FULL
// (an acknowledged commit survives power loss), foreign keys on, and a busy timeout.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "store/database.h"

namespace jiceng::store {

// How the connections to one file use memory.
struct SqliteTuning {
  // The writer's page cache, in KiB (PRAGMA cache_size). It is the process's own memory: the
  // pages every write walks through (the indexes' interior pages, the B-trees' right edges) stay
  // in it whatever the kernel does with its page cache, and need no system call. SQLite fills it
  // only with pages it reads, so a small database never uses it all.
  std::int64_t writer_cache_kib = 32 * 1024;
};

// The writer's page cache for a database file of `file_bytes`, in MiB: 2 % of the file (about
// twice the interior pages of its B-trees), at least 32 and at most 1,024 (docs/CONFIG.md,
// database.cache_mib).
[[nodiscard]] std::int64_t writer_cache_mib_for(std::uintmax_t file_bytes);

// Opens a connection to `path` (created if missing). Writers also switch the file to WAL.
// Checks that the settings took (synchronous=FULL, foreign_keys=ON, journal_mode=wal) and
// refuses with kFailedPrecondition otherwise. kUnavailable when the file cannot be opened.
[[nodiscard]] Result<std::unique_ptr<Connection>> connect_sqlite(const std::filesystem::path& path,
                                                                 ConnectionRole role,
                                                                 const SqliteTuning& tuning = {});

// What backup_sqlite copied.
struct SqliteBackup {
  std::int64_t pages = 0;
  std::int64_t page_size = 0;
};

// Copies the SQLite database at `source` into the new file `dest` while other connections,
// other processes (a running `jiceng serve`) included, go on writing: SQLite's online backup in
// one step, so the copy is the database as of one commit (one read snapshot; the writer is not
// held, the WAL only cannot start over meanwhile). The copy is made under `dest`.partial,
// checked (PRAGMA quick_check), synced, and renamed to `dest` only then: `dest` is either a
// whole, checked copy or absent. Errors: kAlreadyExists when `dest` exists, kNotFound when
// `source` does not, kUnavailable when a file cannot be read or written, kFailedPrecondition
// when the copy does not check out.
[[nodiscard]] Result<SqliteBackup> backup_sqlite(const std::filesystem::path& source,
                                                 const std::filesystem::path& dest);

// Puts the copy `backup` (made by backup_sqlite) in place of the database at `target`, which
// no jiceng process may be using (its ProcessLock is taken for the duration). The backup is
// checked first (quick_check, and that it holds jiceng's schema); the database it replaces, if
// any, is kept beside it under `target`.replaced-YYYYMMDDTHHMMSSZ (with its WAL, so that
// nothing it held is lost), and `target` is written under a temporary name, synced and renamed.
// Returns the path the replaced database was moved to (empty when there was none).
[[nodiscard]] Result<std::filesystem::path> restore_sqlite(const std::filesystem::path& backup,
                                                           const std::filesystem::path& target);

// An exclusive advisory lock (flock) on PATH.lock, held for the lifetime of the object, so that
// only one jiceng process writes a SQLite file at a time.
class ProcessLock {
 public:
  // kFailedPrecondition naming the holder's pid when another process holds the lock.
  [[nodiscard]] static Result<std::unique_ptr<ProcessLock>> acquire(
      const std::filesystem::path& db_path);
  ~ProcessLock();
  ProcessLock(const ProcessLock&) = delete;
  ProcessLock& operator=(const ProcessLock&) = delete;

 private:
  explicit ProcessLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace jiceng::store
