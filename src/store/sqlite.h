// The SQLite adapter: connections to one database file in WAL mode with synchronous=FULL
// (an acknowledged commit survives power loss), foreign keys on, and a busy timeout.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "store/database.h"

namespace jiceng::store {

// Opens a connection to `path` (created if missing). Writers also switch the file to WAL.
// Checks that the settings took (synchronous=FULL, foreign_keys=ON, journal_mode=wal) and
// refuses with kFailedPrecondition otherwise. kUnavailable when the file cannot be opened.
[[nodiscard]] Result<std::unique_ptr<Connection>> connect_sqlite(const std::filesystem::path& path,
                                                                 ConnectionRole role);
ConnectionFactory sqlite_factory(std::filesystem::path path);

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
