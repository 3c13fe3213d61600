#include "app/track_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

namespace jiceng::app {
namespace {

using std::chrono::hours;

const Instant kNow = Instant(std::chrono::microseconds(1'800'000'000'000'000));

struct Fixture : ::testing::Test {
  TrackCache cache{1 << 20};
  std::shared_ptr<const void> calendar = std::make_shared<int>(1);

  TrackCache::Page page(std::string body, std::vector<std::string> cases,
                        Instant until = kNow + hours(1)) {
    return {.body = std::move(body),
            .cases = std::move(cases),
            .read_at = kNow,
            .fresh_until = until,
            .calendar = calendar};
  }
  std::optional<std::string> get(const std::string& key, Instant at = kNow) {
    return cache.get(key, at, calendar.get());
  }
  static store::ChangedKeys keys(std::vector<std::string> k) { return {.all = false, .keys = k}; }
};

TEST_F(Fixture, KeepsAPageUntilACaseItWasReadFromChanges) {
  EXPECT_FALSE(get("CODE1"));
  cache.put("CODE1", page("{\"a\":1}", {"360602-2026-000001", "360602-2026-000009"}),
            cache.ticket());
  EXPECT_EQ(get("CODE1"), "{\"a\":1}");
  cache.changed(keys({"360602-2026-000002"}));  // another case
  EXPECT_EQ(get("CODE1"), "{\"a\":1}");
  cache.changed(keys({"360602-2026-000009"}));  // the case it was merged into
  EXPECT_FALSE(get("CODE1"));
  EXPECT_FALSE(get("CODE1"));  // dropped, not kept
  auto s = cache.stats();
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.stale, 1u);
  EXPECT_EQ(s.pages, 0u);
}

TEST_F(Fixture, AChangeOfEverythingMakesEveryPageStale) {
  cache.put("A", page("a", {"1"}), cache.ticket());
  cache.put("B", page("b", {"2"}), cache.ticket());
  cache.changed({.all = true, .keys = {}});
  EXPECT_FALSE(get("A"));
  EXPECT_FALSE(get("B"));
  cache.put("A", page("a2", {"1"}), cache.ticket());
  EXPECT_EQ(get("A"), "a2");
}

TEST_F(Fixture, APageReadWhileItsCaseChangedIsNeverServed) {
  // The ticket is taken before the read; the write commits during it and is reported before
  // the page is put: the page may hold the old state and must not be kept.
  auto ticket = cache.ticket();
  cache.changed(keys({"1"}));
  cache.put("A", page("old", {"1"}), ticket);
  EXPECT_FALSE(get("A"));
  // Reported after the put (the write committed during the read, its report came later): the
  // page is found stale at the next get.
  ticket = cache.ticket();
  cache.put("A", page("old", {"1"}), ticket);
  cache.changed(keys({"1"}));
  EXPECT_FALSE(get("A"));
  // A page read after the report is kept.
  cache.put("A", page("new", {"1"}), cache.ticket());
  EXPECT_EQ(get("A"), "new");
  // An empty report changes nothing.
  cache.changed({});
  EXPECT_EQ(get("A"), "new");
}

TEST_F(Fixture, APageEndsAtItsTimeAndWithItsCalendar) {
  cache.put("A", page("a", {"1"}, kNow + hours(2)), cache.ticket());
  EXPECT_EQ(get("A", kNow + hours(2) - std::chrono::microseconds(1)), "a");
  EXPECT_FALSE(get("A", kNow + hours(2)));
  cache.put("A", page("a", {"1"}), cache.ticket());
  EXPECT_FALSE(get("A", kNow - std::chrono::microseconds(1)));  // a clock set back
  cache.put("A", page("a", {"1"}), cache.ticket());
  auto other = std::make_shared<int>(2);
  EXPECT_FALSE(cache.get("A", kNow, other.get()));  // a calendar loaded again
}

TEST(TrackCache, KeepsTheMostRecentlyServedPagesWithinItsBytes) {
  TrackCache cache(64 * 1024);  // 8 KiB per shard
  const std::string body(1000, 'x');
  for (int i = 0; i < 500; ++i) {
    cache.put("K" + std::to_string(i),
              {.body = body,
               .cases = {std::to_string(i)},
               .read_at = kNow,
               .fresh_until = kNow + hours(1),
               .calendar = nullptr},
              cache.ticket());
  }
  auto s = cache.stats();
  EXPECT_LE(s.bytes, 64u * 1024);
  EXPECT_GT(s.pages, 20u);
  EXPECT_LT(s.pages, 65u);
  EXPECT_TRUE(cache.get("K499", kNow, nullptr));  // the last put stays
  EXPECT_FALSE(cache.get("K0", kNow, nullptr));   // the first went
  // A page larger than a shard is not kept at all.
  cache.put("big",
            {.body = std::string(20000, 'y'),
             .cases = {},
             .read_at = kNow,
             .fresh_until = kNow + hours(1),
             .calendar = nullptr},
            cache.ticket());
  EXPECT_FALSE(cache.get("big", kNow, nullptr));
}

}  // namespace
}  // namespace jiceng::app
