// Where a short read runs (Runs::kShortRead: a read of the store in the process, e.g. a
// resident's tracking page): on the connection's I/O thread while such reads are short, and on
// the worker pool for a while after one had to wait for the disk, for as long as those on the
// pool still wait for it (the server observes them too: with a cold cache every read waits, and
// back on the I/O threads after one hold the next reads stalled their event loops). A read whose
// pages are not in memory — a store larger than the machine's memory, a cache still cold after a
// start — holds its I/O thread, and with it every connection on that thread, for as long as the
// disk takes; on the pool it holds one worker. Measured at 10,000,000 cases (docs/PERFORMANCE.md,
// "The demo fill at 10,000,000"): inline, the tracking page's reads stalled the event loop and most
// requests were refused with 503.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

namespace jiceng::http {

class ShortReadGate {
 public:
  using Clock = std::chrono::steady_clock;
  // How many times the calling thread has read from the disk since it started (the default:
  // block input operations and major page faults, getrusage(RUSAGE_THREAD)). Only differences
  // between two calls on one thread are used.
  using DiskReads = std::function<std::uint64_t()>;

  // Where a short read began: when, and the calling thread's disk reads until then.
  struct Start {
    Clock::time_point at;
    std::uint64_t disk_reads = 0;
  };
  // A read that took longer than budget and read from the disk meanwhile sends the short reads
  // to the pool until hold after it ended. A budget of zero keeps them inline.
  ShortReadGate(std::chrono::microseconds budget, std::chrono::milliseconds hold,
                DiskReads disk_reads = {});

  // True when a short read starting now should run on the worker pool. Thread-safe.
  [[nodiscard]] bool pooled(Clock::time_point now) const;

  // Called on the thread about to run a short read, at its start (one getrusage call when there
  // is a budget).
  [[nodiscard]] Start begin(Clock::time_point now) const;

  // After a short read ran on this thread from start to end. True when it was slow for want of
  // the disk, so that short reads now go to the pool. Thread-safe. Asks disk_reads again only
  // for a read that took longer than the budget, and counts only the disk reads since its start:
  // a preempted read takes long too but reads nothing from the disk, and what the thread read
  // before (another request, a cold start) is not this read's doing.
  bool observe(const Start& start, Clock::time_point end);

  // getrusage(RUSAGE_THREAD): ru_inblock + ru_majflt so far.
  static std::uint64_t thread_disk_reads();

 private:
  std::chrono::microseconds budget_;
  std::chrono::milliseconds hold_;
  DiskReads disk_reads_;
  std::atomic<Clock::rep> pooled_until_{Clock::time_point::min().time_since_epoch().count()};
};

}  // namespace jiceng::http
