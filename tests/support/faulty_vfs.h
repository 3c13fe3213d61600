// A SQLite VFS for fault-injection tests (TESTS.md D2, D3, D4): it wraps the platform's VFS,
// passes every call through, and can fail one chosen I/O operation (a read, write, sync or
// truncate of any file SQLite opens), refuse every write that would grow a file, as a full disk
// does, or cut the power: keep what each write changed until its file is synced, stop all I/O
// at a chosen operation, and afterwards put every file back to its last sync, with a random part
// of the unsynced writes (whole, or some of their sectors) on the disk after all.
// install() registers it as the default VFS of the process, so every connection a Database
// opens afterwards uses it; until it is armed it changes nothing. Its files offer no memory
// mapping (I/O methods version 2): every page read is an xRead it can fail.
//
// A test edge only: nothing in jiceng links it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>

namespace jiceng::testing {

class FaultyVfs {
 public:
  // Registers the VFS as the process's default (once) and returns it.
  static FaultyVfs& install();

  // Counts the I/O operations from now on and fails the nth (1-based) with the error a real
  // failure of that operation gives (SQLITE_IOERR_READ, _WRITE, _FSYNC, _TRUNCATE). The
  // operations after it pass again. fail_nth(0) only counts.
  void fail_nth(std::uint64_t n);
  // While on, a write that would make a file larger fails with SQLITE_FULL; writes within a
  // file's size (a reused WAL, an updated page) still pass, as on a real full disk.
  void set_disk_full(bool on);
  // Stops counting and failing; the disk is no longer full.
  void clear();

  // D2. Every write and truncate is remembered, with what it replaced, until its file is
  // synced. The power of the disk that holds the directory `under` (the test's own store) goes
  // off at the `after`th operation on its files from now: it and every later one (reads,
  // writes, syncs, truncates, opens, deletes) fail with SQLITE_IOERR, as nothing reaches a
  // stopped disk. Files elsewhere (a database other tests share) are left alone. Use the files
  // only through this VFS meanwhile.
  void cut_power_after(std::uint64_t after, const std::filesystem::path& under);
  bool power_is_off() const;
  // What restore_after_power_cut did with the writes made since their files' last sync.
  struct Restored {
    std::uint64_t dropped = 0, kept = 0, torn = 0;
    std::uint64_t in_database_files = 0;  // of them, those to a database file (a checkpoint's)
  };
  // Call once every connection to the files under the cut directory is closed. Puts each of
  // them back as it was at its last sync, then replays the unsynced writes in their order, each
  // whole with probability `keep`, torn (a random choice of its 512-byte sectors) with half the
  // rest and dropped otherwise; deletes the shared-memory index (-shm), which lives in memory; and
  // turns the power back on, counting nothing.
  Restored restore_after_power_cut(std::mt19937& rng, double keep);

  // Operations counted since the last fail_nth or clear.
  std::uint64_t operations() const;
  // Whether the operation fail_nth chose has been failed; how many writes the full disk refused.
  bool fired() const;
  std::uint64_t refused_as_full() const;

 private:
  FaultyVfs() = default;
};

}  // namespace jiceng::testing
