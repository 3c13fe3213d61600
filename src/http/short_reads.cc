#include "http/short_reads.h"

#include <sys/resource.h>

#include <utility>

namespace jiceng::http {

ShortReadGate::ShortReadGate(std::chrono::microseconds budget, std::chrono::milliseconds hold,
                             DiskReads disk_reads)
    : budget_(budget),
      hold_(hold),
      disk_reads_(disk_reads ? std::move(disk_reads) : DiskReads(thread_disk_reads)) {}

bool ShortReadGate::pooled(Clock::time_point now) const {
  return now.time_since_epoch().count() < pooled_until_.load(std::memory_order_relaxed);
}

ShortReadGate::Start ShortReadGate::begin(Clock::time_point now) const {
  return {now, budget_.count() > 0 ? disk_reads_() : 0};
}

bool ShortReadGate::observe(const Start& start, Clock::time_point end) {
  if (budget_.count() <= 0 || end - start.at <= budget_) return false;
  if (disk_reads_() == start.disk_reads) return false;
  const Clock::rep until = (end + hold_).time_since_epoch().count();
  Clock::rep seen = pooled_until_.load(std::memory_order_relaxed);
  while (seen < until &&
         !pooled_until_.compare_exchange_weak(seen, until, std::memory_order_relaxed)) {
  }
  return true;
}

std::uint64_t ShortReadGate::thread_disk_reads() {
  rusage usage{};
  if (getrusage(RUSAGE_THREAD, &usage) != 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_inblock) + static_cast<std::uint64_t>(usage.ru_majflt);
}

}  // namespace jiceng::http
