// The tracking pages answered lately (GET /api/v1/track/{code}), kept as rendered so that a
// resident who reloads a page, or an app that polls it, costs no read of the store. A page is
// served from here only while nothing it was made from has changed since it was read:
//
// - the cases it read (the tracked case and the cases it was merged into): the store's writer
//   reports every row of `cases` and `case_event` a batch changes, by case number, before any
//   write of the batch is answered (store::Database::watch), and each report marks the pages of
//   those cases stale; a change of `unit` or `category` (a unit's name, a category's time limit
//   behind a deadline) marks every page stale;
// - the work calendar it was counted on (a calendar loaded again after an import);
// - the time: a page is made for the instant it is read, and is served from then until the first
//   instant at which the same read could answer otherwise (a review window closing, a new year
//   for a provisional deadline; CaseService::track says which), and never past the next
//   midnight in China.
//
// Staleness is tracked by a sequence: every report takes the next number and stores it in the
// slot of each changed case (slots are shared by hashing: two cases in one slot only cost a
// miss). A page remembers the number current *before* its read began; it is stale once a slot
// it depends on, or the all-slot, holds a larger one. A write committed after the read began
// is reported after its commit, so it always takes a larger number than the page remembers:
// at worst a page read in a race is dropped and read again. Between a commit and its report
// (microseconds on the writer thread) the old page can still be served; no write of that batch
// has been answered yet, so nobody can have seen the change: the page is never older than what
// a client was told.
//
// Only on a store whose every write passes through this process's Database (SQLite); on
// PostgreSQL other servers write too, and nothing is cached. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/date.h"
#include "store/database.h"

namespace jiceng::app {

class TrackCache {
 public:
  // The tables whose changes make pages stale (see above): what CaseService::track reads.
  static std::vector<store::WatchedTable> watched_tables();

  // max_bytes: the pages' bodies and keys together; the least recently served go first.
  explicit TrackCache(std::size_t max_bytes);
  TrackCache(const TrackCache&) = delete;
  TrackCache& operator=(const TrackCache&) = delete;

  // Taken before a page's read begins; put() needs it.
  struct Ticket {
    std::uint64_t seq = 0;
  };
  Ticket ticket() const { return {seq_.load()}; }

  // The page kept for `key`, if it is still what a read now would answer: nothing it depends on
  // changed, `now` lies between its read and its end (a clock set back does not make an old
  // page right again), and `calendar` is the one it was counted on.
  std::optional<std::string> get(std::string_view key, Instant now, const void* calendar);

  struct Page {
    std::string body;
    std::vector<std::string> cases;  // the case numbers it was made from
    Instant read_at;                 // it is what a read answers from then
    Instant fresh_until;             // until just before this instant
    std::shared_ptr<const void> calendar;
  };
  // Keeps a page read after `t` was taken (dropped at once if already stale, or too large).
  void put(std::string key, Page page, Ticket t);

  // The store's report of a batch of writes (store::Database::watch).
  void changed(const store::ChangedKeys& changes);

  // hits: served from here; misses: none kept; stale: one kept but out of date (dropped).
  struct Stats {
    std::uint64_t hits = 0, misses = 0, stale = 0;
    std::size_t pages = 0, bytes = 0;
  };
  Stats stats() const;

 private:
  static constexpr std::size_t kSlots = 1 << 18;  // 2 MiB: a burst of creates spares most pages
  static constexpr std::size_t kShards = 8;
  static std::size_t slot_of(std::string_view number);

  struct Entry {
    std::string key;
    std::string body;
    std::vector<std::uint32_t> slots;
    std::uint64_t seq;
    Instant read_at;
    Instant fresh_until;
    std::shared_ptr<const void> calendar;
    std::size_t bytes() const { return key.size() + body.size() + sizeof(Entry); }
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recently served first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index;
    std::size_t bytes = 0;
  };

  bool fresh(const Entry& e) const;
  Shard& shard_of(std::string_view key);
  void drop(Shard& s, std::list<Entry>::iterator it);

  const std::size_t max_shard_bytes_;
  std::atomic<std::uint64_t> seq_{0};
  std::atomic<std::uint64_t> all_{0};
  std::array<std::atomic<std::uint64_t>, kSlots> slots_{};
  std::array<Shard, kShards> shards_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, stale_{0};
};

}  // namespace jiceng::app
