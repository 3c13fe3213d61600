#include "app/login_throttle.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace jiceng::app {
namespace {

using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using Wait = std::optional<seconds>;

const Instant kStart = Instant(seconds(1'700'000'000));

void fail(LoginThrottle& t, std::string_view account, std::string_view address, Instant now,
          int times = 1) {
  for (int i = 0; i < times; ++i) t.record_failure(account, address, now);
}

TEST(LoginThrottle, PairLockDoublesUpToFifteenMinutes) {
  LoginThrottle t;
  Instant now = kStart;
  fail(t, "zhangsan", "198.51.100.7", now, 4);
  EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.7", false, now), std::nullopt);
  fail(t, "zhangsan", "198.51.100.7", now);
  EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.7", false, now), Wait(seconds(60)));
  EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.7", true, now), Wait(seconds(60)));
  EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.7", false, now + seconds(59)), Wait(seconds(1)));
  // Other pairs are not affected.
  EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.8", false, now), std::nullopt);
  EXPECT_EQ(t.retry_after("lisi", "198.51.100.7", false, now), std::nullopt);

  for (int expected : {120, 240, 480, 900, 900}) {
    now += seconds(*t.retry_after("zhangsan", "198.51.100.7", false, now));
    EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.7", false, now), std::nullopt);
    fail(t, "zhangsan", "198.51.100.7", now);
    EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.7", false, now), Wait(seconds(expected)));
  }
}

TEST(LoginThrottle, WaitsRoundUpToWholeSecondsOfAtLeastOne) {
  LoginThrottle t;
  fail(t, "zhangsan", "198.51.100.7", kStart, 5);
  Instant almost = kStart + seconds(58) + microseconds(500'000);
  EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.7", false, almost), Wait(seconds(2)));
  Instant last = kStart + seconds(60) - microseconds(1);
  EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.7", false, last), Wait(seconds(1)));
}

TEST(LoginThrottle, FailuresAreForgottenAfterTheWindow) {
  LoginThrottle t;
  fail(t, "a", "198.51.100.7", kStart, 4);
  fail(t, "a", "198.51.100.7", kStart + minutes(15));
  EXPECT_EQ(t.retry_after("a", "198.51.100.7", false, kStart + minutes(15)), std::nullopt);

  fail(t, "b", "198.51.100.7", kStart, 4);
  fail(t, "b", "198.51.100.7", kStart + minutes(14));
  EXPECT_EQ(t.retry_after("b", "198.51.100.7", false, kStart + minutes(14)), Wait(seconds(60)));

  // A locked streak lasts a window past the end of its lock.
  fail(t, "c", "198.51.100.7", kStart, 5);  // locked until kStart + 1 min
  fail(t, "c", "198.51.100.7", kStart + minutes(15));
  EXPECT_EQ(t.retry_after("c", "198.51.100.7", false, kStart + minutes(15)), Wait(seconds(120)));
  fail(t, "d", "198.51.100.7", kStart, 5);
  fail(t, "d", "198.51.100.7", kStart + minutes(16));
  EXPECT_EQ(t.retry_after("d", "198.51.100.7", false, kStart + minutes(16)), std::nullopt);
}

TEST(LoginThrottle, SuccessClearsThePairOnly) {
  LoginThrottle t(ThrottleLimits{.pair_failures = 5, .account_failures = 6});
  fail(t, "zhangsan", "198.51.100.7", kStart, 4);
  t.record_success("ZhangSan", "198.51.100.7", kStart);
  fail(t, "zhangsan", "198.51.100.7", kStart, 3);
  // The pair has a streak of 3 now; the account has 7 failures.
  EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.7", true, kStart), std::nullopt);
  EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.7", false, kStart), Wait(seconds(15 * 60)));
}

TEST(LoginThrottle, AddressLockCoversAllAccounts) {
  LoginThrottle t(ThrottleLimits{
      .window = minutes(10), .pair_failures = 100, .address_failures = 5, .account_failures = 100});
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(t.retry_after("user" + std::to_string(i), "203.0.113.9", false, kStart + minutes(i)),
              std::nullopt);
    fail(t, "user" + std::to_string(i), "203.0.113.9", kStart + minutes(i));
  }
  Instant now = kStart + minutes(4);
  EXPECT_EQ(t.retry_after("someone-else", "203.0.113.9", false, now), Wait(seconds(6 * 60)));
  EXPECT_EQ(t.retry_after("someone-else", "203.0.113.9", true, now), Wait(seconds(6 * 60)));
  EXPECT_EQ(t.retry_after("someone-else", "203.0.113.10", false, now), std::nullopt);
  // The oldest failure leaves the window: one more try.
  EXPECT_EQ(t.retry_after("someone-else", "203.0.113.9", false, kStart + minutes(10)),
            std::nullopt);
}

TEST(LoginThrottle, AddressesCountAsIpsAndIpv6As64BitNetworks) {
  LoginThrottle t(ThrottleLimits{.pair_failures = 100, .address_failures = 3});
  fail(t, "u1", "2001:db8:0:1::1", kStart);
  fail(t, "u2", "2001:DB8:0:1:ffff::2", kStart);
  fail(t, "u3", "2001:db8:0:1:1234:5678:9abc:def0", kStart);
  EXPECT_TRUE(t.retry_after("u4", "2001:db8:0:1::77", false, kStart));
  EXPECT_EQ(t.retry_after("u4", "2001:db8:0:2::1", false, kStart), std::nullopt);

  fail(t, "u1", "192.0.2.1", kStart);
  fail(t, "u2", "::ffff:192.0.2.1", kStart);
  fail(t, "u3", "192.0.2.1", kStart);
  EXPECT_TRUE(t.retry_after("u4", "::ffff:192.0.2.1", false, kStart));
  EXPECT_EQ(t.retry_after("u4", "192.0.2.2", false, kStart), std::nullopt);
}

TEST(LoginThrottle, AccountLockSparesTrustedDevices) {
  LoginThrottle t(
      ThrottleLimits{.pair_failures = 100, .address_failures = 100, .account_failures = 3});
  fail(t, "ZhangSan", "198.51.100.1", kStart);
  fail(t, " zhangsan", "198.51.100.2", kStart + minutes(1));
  EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.3", false, kStart + minutes(1)), std::nullopt);
  fail(t, "ZHANGSAN\t", "198.51.100.3", kStart + minutes(2));
  Instant now = kStart + minutes(2);
  EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.4", false, now), Wait(seconds(13 * 60)));
  EXPECT_EQ(t.retry_after(" ZhangSan ", "198.51.100.4", false, now), Wait(seconds(13 * 60)));
  EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.4", true, now), std::nullopt);
  EXPECT_EQ(t.retry_after("lisi", "198.51.100.4", false, now), std::nullopt);
  EXPECT_EQ(t.retry_after("zhangsan", "198.51.100.4", false, kStart + minutes(15)), std::nullopt);
}

TEST(LoginThrottle, MemoryIsCapped) {
  LoginThrottle t(ThrottleLimits{.pair_failures = 2, .max_keys = 30});
  for (int i = 0; i < 1000; ++i) {
    fail(t, "user" + std::to_string(i), "198.51.100." + std::to_string(i % 250),
         kStart + microseconds(i));
    ASSERT_LE(t.tracked_keys(), 30u);
  }
  // The newest keys are kept: a fresh pair still locks.
  fail(t, "victim", "203.0.113.1", kStart + seconds(1), 2);
  EXPECT_TRUE(t.retry_after("victim", "203.0.113.1", false, kStart + seconds(1)));
  // A failure after the window drops the expired entries.
  fail(t, "late", "203.0.113.2", kStart + minutes(20));
  EXPECT_EQ(t.tracked_keys(), 3u);
}

TEST(LoginThrottle, ConcurrentFailuresAreAllCounted) {
  LoginThrottle t(
      ThrottleLimits{.pair_failures = 1000, .address_failures = 1000, .account_failures = 40});
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&t, n] {
      for (int i = 0; i < 10; ++i) {
        t.record_failure("zhangsan", "198.51.100." + std::to_string(n), kStart);
        (void)t.retry_after("zhangsan", "198.51.100.9", false, kStart);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_TRUE(t.retry_after("zhangsan", "198.51.100.9", false, kStart));
}

// The request rate limits (Open311): a sliding window of the latest `limit` requests per key.
TEST(RequestLimit, TheLimitWithinAWindowThenTheOldestLeavingIt) {
  LoginThrottle t(ThrottleLimits{.window = seconds(60)});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(t.admit_key("jck_app", 3, kStart + seconds(10 * i)), std::nullopt) << i;
  }
  // The fourth waits until the first is a minute old; refusals do not count.
  EXPECT_EQ(t.admit_key("jck_app", 3, kStart + seconds(30)), Wait(seconds(30)));
  EXPECT_EQ(t.admit_key("jck_app", 3, kStart + seconds(59) + microseconds(1)), Wait(seconds(1)));
  EXPECT_EQ(t.admit_key("jck_app", 3, kStart + seconds(60)), std::nullopt);
  // Now the second is the oldest of the three within the window.
  EXPECT_EQ(t.admit_key("jck_app", 3, kStart + seconds(61)), Wait(seconds(9)));
  // Keys count apart, case and all; addresses apart from keys.
  EXPECT_EQ(t.admit_key("JCK_APP", 3, kStart + seconds(61)), std::nullopt);
  EXPECT_EQ(t.admit_address("jck_app", 3, kStart + seconds(61)), std::nullopt);
}

TEST(RequestLimit, AddressesCountAsIpsAndIpv6As64BitNetworks) {
  LoginThrottle t(ThrottleLimits{.window = seconds(60)});
  EXPECT_EQ(t.admit_address("2001:db8:0:1::1", 2, kStart), std::nullopt);
  EXPECT_EQ(t.admit_address("2001:DB8:0:1:ffff::2", 2, kStart), std::nullopt);
  EXPECT_TRUE(t.admit_address("2001:db8:0:1::77", 2, kStart));
  EXPECT_EQ(t.admit_address("2001:db8:0:2::1", 2, kStart), std::nullopt);
  EXPECT_EQ(t.admit_address("192.0.2.1", 1, kStart), std::nullopt);
  EXPECT_TRUE(t.admit_address("::ffff:192.0.2.1", 1, kStart));
  // Failures of sign-ins from the address are another count.
  t.record_failure("zhangsan", "192.0.2.9", kStart);
  EXPECT_EQ(t.admit_address("192.0.2.9", 1, kStart), std::nullopt);
}

TEST(RequestLimit, MemoryIsCapped) {
  LoginThrottle t(ThrottleLimits{.window = seconds(60), .max_keys = 30});
  for (int i = 0; i < 1000; ++i) {
    (void)t.admit_key("key" + std::to_string(i), 5, kStart + microseconds(i));
    ASSERT_LE(t.tracked_keys(), 30u);
  }
  (void)t.admit_key("late", 5, kStart + minutes(2));
  EXPECT_EQ(t.tracked_keys(), 1u);
}

TEST(DeviceToken, AcceptsOnlyItsAccountAndKey) {
  std::array<unsigned char, 32> key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i * 7 + 1);
  std::array<unsigned char, 32> other_key = key;
  other_key[31] ^= 1;

  std::string token = issue_device_token("ZhangSan", key);
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_NE(token, issue_device_token("ZhangSan", key));  // a fresh nonce each time

  EXPECT_TRUE(device_token_valid(token, "zhangsan", key));
  EXPECT_TRUE(device_token_valid(token, " ZHANGSAN ", key));
  EXPECT_FALSE(device_token_valid(token, "lisi", key));
  EXPECT_FALSE(device_token_valid(token, "zhangsan2", key));
  EXPECT_FALSE(device_token_valid(token, "zhangsan", other_key));
  for (std::size_t i : {std::size_t{0}, std::size_t{20}, token.size() - 2}) {
    std::string altered = token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(device_token_valid(altered, "zhangsan", key)) << i;
  }
  EXPECT_FALSE(device_token_valid("", "zhangsan", key));
  EXPECT_FALSE(device_token_valid(token + "=", "zhangsan", key));
  EXPECT_FALSE(device_token_valid(token.substr(1), "zhangsan", key));
  EXPECT_FALSE(device_token_valid(std::string(64, '*'), "zhangsan", key));
}

}  // namespace
}  // namespace jiceng::app
