// The sign-in throttle (TESTS.md S2): slows password guessing per account and per client address
// without letting an attacker lock the account's owner out (OWASP "device cookie" approach).
//
// Three counters of failed sign-ins, kept in memory (a restart forgets them):
// - per (account, address) pair: after pair_failures failures the pair waits pair_first_delay,
//   doubled with each further failure up to pair_max_delay. The streak is forgotten once a
//   whole window has passed after its last failure and the wait that failure caused.
// - per address, across accounts: address_failures failures within a window refuse the address
//   until the oldest of them is a window old.
// - per account, across addresses: account_failures failures within a window refuse the account
//   the same way, but only to clients without a trusted-device token for it, so the owner's
//   browser still gets in while a distributed attack goes on.
// Accounts count as typed, trimmed and in ASCII lower case (so unknown names are throttled like
// known ones, S3), at most their first 256 bytes. Addresses are IPs without port; an IPv6
// address counts as its /64 network (one host usually holds a whole /64); a string that is no IP
// counts as itself.
//
// The same table also serves plain request rate limits (admit_address, admit_key: Open311's
// per-client limits, http/api.h Open311Limits), each key with the times of its latest requests
// as the address and account counters hold failures; give such limits an instance of their own,
// whose `window` is theirs.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/date.h"

namespace jiceng::app {

// The defaults are the production numbers; every count is at least 1.
struct ThrottleLimits {
  std::chrono::seconds window{15 * 60};          // how long a failure counts
  int pair_failures = 5;                         // failures of a pair before its first wait
  std::chrono::seconds pair_first_delay{60};     // that wait, doubled at each further failure
  std::chrono::seconds pair_max_delay{15 * 60};  // up to this
  int address_failures = 50;                     // per address within a window
  int account_failures = 20;                     // per account within a window
  std::size_t max_keys = 100'000;                // pairs + addresses + accounts held
};

// Thread-safe: every member takes one internal mutex.
class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottleLimits limits = {});

  // nullopt when a sign-in attempt for `account` from `address` may proceed now; else how long
  // the client must wait (at least 1 s; the longest of the locks that apply), for a 429 with
  // Retry-After. `trusted_device`: the client presented a valid device token for this account
  // (device_token_valid), which lifts the account-wide lock only.
  std::optional<std::chrono::seconds> retry_after(std::string_view account,
                                                  std::string_view address, bool trusted_device,
                                                  Instant now) const;

  // Counts a failed sign-in (wrong password or code, or unknown account) in all three counters.
  void record_failure(std::string_view account, std::string_view address, Instant now);

  // Clears the pair's failures after a successful sign-in; the address and account counters keep
  // theirs.
  void record_success(std::string_view account, std::string_view address, Instant now);

  // A request rate limit: nullopt, and the request counted, when the client made fewer than
  // `limit` requests within the window; else how long until the oldest of them leaves it (at
  // least 1 s, for a 429 with Retry-After), and the refused request is not counted, so that a
  // client that waits as told gets in. admit_address counts an address as the failures do
  // (IPv6 by /64); admit_key counts any other key (an API key) as given, at most its first 256
  // bytes. A limit below 1 is 1.
  std::optional<std::chrono::seconds> admit_address(std::string_view address, int limit,
                                                    Instant now);
  std::optional<std::chrono::seconds> admit_key(std::string_view key, int limit, Instant now);
  // The same for requests with a key that is not valid, counted by the client's address (IPv6
  // by /64) apart from its other requests: keys made up on the spot do not each get an entry.
  std::optional<std::chrono::seconds> admit_unknown_key(std::string_view address, int limit,
                                                        Instant now);

  // The number of keys (pairs, addresses, accounts, rate-limited keys) held. Never more than
  // limits.max_keys: entries past their window are dropped as failures come in, and when the table
  // is still full the least recently failed key goes first.
  std::size_t tracked_keys() const;

 private:
  struct Entry {
    // Pairs: the length of the current streak of failures and the time of its last one.
    int streak = 0;
    Instant last{};
    // Addresses and accounts: the times of the latest failures, oldest first, at most the limit.
    std::vector<Instant> recent;
    std::list<const std::string*>::iterator lru;  // this entry's place in lru_
  };
  using Map = std::unordered_map<std::string, Entry>;

  std::chrono::microseconds pair_delay(int streak) const;
  Instant expiry(const std::string& key, const Entry& e) const;
  // The entry for `key`, made if missing (evicting when full), now the most recently used.
  Entry& touch(const std::string& key, Instant now);
  void erase(Map::iterator it);
  void prune(Instant now);
  void add_recent(Entry& e, int limit, Instant now) const;
  Instant recent_lock_end(const std::string& key, int limit) const;
  std::optional<std::chrono::seconds> admit(const std::string& key, int limit, Instant now);

  const ThrottleLimits limits_;
  mutable std::mutex mutex_;
  Map entries_;                        // guarded by mutex_
  std::list<const std::string*> lru_;  // keys of entries_, least recently failed first
};

// A device token for `account`: base64url (no padding) of a random 16-byte nonce and the
// HMAC-SHA-512-256 (libsodium crypto_auth) under `key` of the nonce and the normalized account.
// Set it as a long-lived cookie after a successful sign-in. Thread-safe.
std::string issue_device_token(std::string_view account, std::span<const unsigned char, 32> key);

// Whether `token` was issued by issue_device_token for `account` (compared normalized) under
// `key`; the MAC comparison takes constant time. False for anything malformed.
bool device_token_valid(std::string_view token, std::string_view account,
                        std::span<const unsigned char, 32> key);

}  // namespace jiceng::app
