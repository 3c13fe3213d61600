// A SQLite VFS for fault-injection tests (TESTS.md D3, D4): it wraps the platform's VFS, passes
// every call through, and can fail one chosen I/O operation (a read, write, sync or truncate
// of any file SQLite opens) or refuse every write that would grow a file, as a full disk does.
// install() registers it as the default VFS of the process, so every connection a Database
// opens afterwards uses it; until it is armed it changes nothing. Its files offer no memory
// mapping (I/O methods version 2): every page read is an xRead it can fail.
//
// A test edge only: nothing in jiceng links it.
#pragma once

#include <cstdint>

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

  // Operations counted since the last fail_nth or clear.
  std::uint64_t operations() const;
  // Whether the operation fail_nth chose has been failed; how many writes the full disk refused.
  bool fired() const;
  std::uint64_t refused_as_full() const;

 private:
  FaultyVfs() = default;
};

}  // namespace jiceng::testing
