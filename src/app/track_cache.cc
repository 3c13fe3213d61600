#include "app/track_cache.h"

#include <algorithm>
#include <functional>

namespace jiceng::app {

std::vector<store::WatchedTable> TrackCache::watched_tables() {
  return {{.table = "cases", .key_column = "number"},
          {.table = "case_event", .key_column = "case_number"},
          {.table = "unit"},
          {.table = "category"}};
}

TrackCache::TrackCache(std::size_t max_bytes) : max_shard_bytes_(max_bytes / kShards) {}

std::size_t TrackCache::slot_of(std::string_view number) {
  return std::hash<std::string_view>{}(number) % kSlots;
}

TrackCache::Shard& TrackCache::shard_of(std::string_view key) {
  // Not the slots' hash alone: its low bits pick the slot.
  return shards_[(std::hash<std::string_view>{}(key) / kSlots) % kShards];
}

bool TrackCache::fresh(const Entry& e) const {
  if (all_.load() > e.seq) return false;
  return std::all_of(e.slots.begin(), e.slots.end(),
                     [&](std::uint32_t s) { return slots_[s].load() <= e.seq; });
}

void TrackCache::drop(Shard& s, std::list<Entry>::iterator it) {
  s.bytes -= it->bytes();
  s.index.erase(it->key);
  s.lru.erase(it);
}

std::optional<std::string> TrackCache::get(std::string_view key, Instant now,
                                           const void* calendar) {
  Shard& s = shard_of(key);
  std::lock_guard lock(s.mu);
  auto found = s.index.find(key);
  if (found == s.index.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  auto it = found->second;
  if (!fresh(*it) || now < it->read_at || now >= it->fresh_until ||
      it->calendar.get() != calendar) {
    drop(s, it);
    stale_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  s.lru.splice(s.lru.begin(), s.lru, it);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->body;
}

void TrackCache::put(std::string key, Page page, Ticket t) {
  Entry e{.key = std::move(key),
          .body = std::move(page.body),
          .slots = {},
          .seq = t.seq,
          .read_at = page.read_at,
          .fresh_until = page.fresh_until,
          .calendar = std::move(page.calendar)};
  e.slots.reserve(page.cases.size());
  for (const std::string& number : page.cases) {
    e.slots.push_back(static_cast<std::uint32_t>(slot_of(number)));
  }
  if (e.bytes() > max_shard_bytes_ || !fresh(e)) return;
  Shard& s = shard_of(e.key);
  std::lock_guard lock(s.mu);
  if (auto old = s.index.find(e.key); old != s.index.end()) drop(s, old->second);
  s.bytes += e.bytes();
  s.lru.push_front(std::move(e));
  s.index.emplace(s.lru.front().key, s.lru.begin());
  while (s.bytes > max_shard_bytes_) drop(s, std::prev(s.lru.end()));
}

void TrackCache::changed(const store::ChangedKeys& changes) {
  if (changes.empty()) return;
  const std::uint64_t n = seq_.fetch_add(1) + 1;
  // Never lowered: with reports from several threads, a later number may be stored first.
  const auto raise = [n](std::atomic<std::uint64_t>& a) {
    std::uint64_t was = a.load();
    while (was < n && !a.compare_exchange_weak(was, n)) {
    }
  };
  if (changes.all) return raise(all_);
  for (const std::string& number : changes.keys) raise(slots_[slot_of(number)]);
}

TrackCache::Stats TrackCache::stats() const {
  Stats out{.hits = hits_.load(), .misses = misses_.load(), .stale = stale_.load()};
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    out.pages += s.lru.size();
    out.bytes += s.bytes;
  }
  return out;
}

}  // namespace jiceng::app
