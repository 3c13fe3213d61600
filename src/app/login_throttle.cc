#include "app/login_throttle.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <boost/asio/ip/address.hpp>
#include <limits>

namespace jiceng::app {

namespace {

constexpr std::size_t kMaxAccountBytes = 256;
constexpr std::size_t kNonceBytes = 16;
constexpr std::size_t kTokenBytes = kNonceBytes + crypto_auth_BYTES;

// Trimmed of ASCII white space, ASCII lower case.
std::string normalize_account(std::string_view account) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  std::size_t begin = account.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  account = account.substr(begin, account.find_last_not_of(kSpace) - begin + 1);
  std::string out(account);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string normalize_address(std::string_view address) {
  boost::system::error_code ec;
  auto ip = boost::asio::ip::make_address(std::string(address), ec);
  if (ec) return std::string(address);
  if (ip.is_v4()) return ip.to_string();
  auto v6 = ip.to_v6();
  if (v6.is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  }
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

// Keys of the three kinds, told apart by their first character; the pair key carries the
// account's length so that no two (account, address) pairs share a key.
std::string throttle_account(std::string_view account) {
  std::string a = normalize_account(account);
  if (a.size() > kMaxAccountBytes) a.resize(kMaxAccountBytes);
  return a;
}
std::string pair_key(const std::string& account, const std::string& address) {
  return fmt::format("p{}:{}{}", account.size(), account, address);
}
std::string address_key(const std::string& address) { return "a" + address; }
std::string account_key(const std::string& account) { return "u" + account; }
// Rate-limited keys (admit): by address, or any other key.
std::string rate_address_key(const std::string& address) { return "ra" + address; }
std::string rate_key(std::string_view key) { return "rk" + std::string(key); }
std::string rate_unknown_key(const std::string& address) { return "ru" + address; }

void ensure_sodium() {
  static const int sodium_ready = sodium_init();  // idempotent; needed once per process
  (void)sodium_ready;
}

// What the device token's MAC covers: the nonce, then the normalized account.
std::string token_message(const unsigned char* nonce, std::string_view account) {
  std::string message(reinterpret_cast<const char*>(nonce), kNonceBytes);
  message += normalize_account(account);
  return message;
}

const unsigned char* bytes(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

LoginThrottle::LoginThrottle(ThrottleLimits limits) : limits_(limits) {}

std::chrono::microseconds LoginThrottle::pair_delay(int streak) const {
  if (streak < limits_.pair_failures) return std::chrono::microseconds(0);
  std::chrono::microseconds delay = limits_.pair_first_delay;
  for (int i = limits_.pair_failures; i < streak && delay < limits_.pair_max_delay; ++i) delay *= 2;
  return std::min<std::chrono::microseconds>(delay, limits_.pair_max_delay);
}

Instant LoginThrottle::expiry(const std::string& key, const Entry& e) const {
  if (key.front() == 'p') return e.last + pair_delay(e.streak) + limits_.window;
  return e.recent.empty() ? Instant::min() : e.recent.back() + limits_.window;
}

LoginThrottle::Entry& LoginThrottle::touch(const std::string& key, Instant now) {
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    lru_.splice(lru_.end(), lru_, it->second.lru);
    return it->second;
  }
  if (entries_.size() >= limits_.max_keys) prune(now);
  while (!lru_.empty() && entries_.size() >= limits_.max_keys) {
    erase(entries_.find(*lru_.front()));
  }
  it = entries_.emplace(key, Entry{}).first;
  it->second.lru = lru_.insert(lru_.end(), &it->first);
  return it->second;
}

void LoginThrottle::erase(Map::iterator it) {
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

// Drops expired entries from the least recently failed end, stopping at the first live one:
// cheap, and enough since failures come in roughly in time order.
void LoginThrottle::prune(Instant now) {
  while (!lru_.empty()) {
    auto it = entries_.find(*lru_.front());
    if (expiry(it->first, it->second) > now) return;
    erase(it);
  }
}

void LoginThrottle::add_recent(Entry& e, int limit, Instant now) const {
  auto live = std::find_if(e.recent.begin(), e.recent.end(),
                           [&](Instant t) { return t + limits_.window > now; });
  e.recent.erase(e.recent.begin(), live);
  e.recent.push_back(now);
  if (e.recent.size() > static_cast<std::size_t>(std::max(limit, 1))) {
    e.recent.erase(e.recent.begin());
  }
}

Instant LoginThrottle::recent_lock_end(const std::string& key, int limit) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return Instant::min();
  const std::vector<Instant>& recent = it->second.recent;
  if (recent.size() < static_cast<std::size_t>(std::max(limit, 1))) return Instant::min();
  return recent.front() + limits_.window;
}

std::optional<std::chrono::seconds> LoginThrottle::retry_after(std::string_view account,
                                                               std::string_view address,
                                                               bool trusted_device,
                                                               Instant now) const {
  std::string acct = throttle_account(account);
  std::string addr = normalize_address(address);
  std::lock_guard lock(mutex_);
  Instant until = now;
  if (auto it = entries_.find(pair_key(acct, addr)); it != entries_.end()) {
    const Entry& e = it->second;
    if (e.streak >= limits_.pair_failures) until = std::max(until, e.last + pair_delay(e.streak));
  }
  until = std::max(until, recent_lock_end(address_key(addr), limits_.address_failures));
  if (!trusted_device) {
    until = std::max(until, recent_lock_end(account_key(acct), limits_.account_failures));
  }
  if (until <= now) return std::nullopt;
  return std::max(std::chrono::ceil<std::chrono::seconds>(until - now), std::chrono::seconds(1));
}

void LoginThrottle::record_failure(std::string_view account, std::string_view address,
                                   Instant now) {
  std::string acct = throttle_account(account);
  std::string addr = normalize_address(address);
  std::lock_guard lock(mutex_);
  prune(now);
  {
    std::string key = pair_key(acct, addr);
    Entry& pair = touch(key, now);
    if (pair.streak > 0 && expiry(key, pair) <= now) pair.streak = 0;
    if (pair.streak < std::numeric_limits<int>::max()) ++pair.streak;
    pair.last = now;
  }
  add_recent(touch(address_key(addr), now), limits_.address_failures, now);
  add_recent(touch(account_key(acct), now), limits_.account_failures, now);
}

void LoginThrottle::record_success(std::string_view account, std::string_view address,
                                   Instant now) {
  std::string key = pair_key(throttle_account(account), normalize_address(address));
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) erase(it);
  prune(now);
}

std::optional<std::chrono::seconds> LoginThrottle::admit(const std::string& key, int limit,
                                                         Instant now) {
  limit = std::max(limit, 1);
  std::lock_guard lock(mutex_);
  prune(now);
  // As for failures: `limit` requests within a window refuse the key until the oldest of them
  // is a window old (recent_lock_end).
  if (const Instant until = recent_lock_end(key, limit); until > now) {
    return std::max(std::chrono::ceil<std::chrono::seconds>(until - now), std::chrono::seconds(1));
  }
  add_recent(touch(key, now), limit, now);
  return std::nullopt;
}

std::optional<std::chrono::seconds> LoginThrottle::admit_address(std::string_view address,
                                                                 int limit, Instant now) {
  return admit(rate_address_key(normalize_address(address)), limit, now);
}

std::optional<std::chrono::seconds> LoginThrottle::admit_key(std::string_view key, int limit,
                                                             Instant now) {
  return admit(rate_key(key.substr(0, kMaxAccountBytes)), limit, now);
}

std::optional<std::chrono::seconds> LoginThrottle::admit_unknown_key(std::string_view address,
                                                                     int limit, Instant now) {
  return admit(rate_unknown_key(normalize_address(address)), limit, now);
}

std::size_t LoginThrottle::tracked_keys() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::string issue_device_token(std::string_view account, std::span<const unsigned char, 32> key) {
  ensure_sodium();
  std::array<unsigned char, kTokenBytes> token{};
  randombytes_buf(token.data(), kNonceBytes);
  std::string message = token_message(token.data(), account);
  crypto_auth(token.data() + kNonceBytes, bytes(message), message.size(), key.data());
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::array<char, sodium_base64_ENCODED_LEN(kTokenBytes, kVariant)> text{};
  sodium_bin2base64(text.data(), text.size(), token.data(), token.size(), kVariant);
  return std::string(text.data());
}

bool device_token_valid(std::string_view token, std::string_view account,
                        std::span<const unsigned char, 32> key) {
  ensure_sodium();
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  if (token.size() != sodium_base64_ENCODED_LEN(kTokenBytes, kVariant) - 1) return false;
  std::array<unsigned char, kTokenBytes> bin{};
  std::size_t bin_len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(bin.data(), bin.size(), token.data(), token.size(), nullptr, &bin_len, &end,
                        kVariant) != 0 ||
      bin_len != kTokenBytes || end != token.data() + token.size()) {
    return false;
  }
  std::string message = token_message(bin.data(), account);
  return crypto_auth_verify(bin.data() + kNonceBytes, bytes(message), message.size(), key.data()) ==
         0;
}

}  // namespace jiceng::app
