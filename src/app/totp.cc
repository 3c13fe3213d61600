#include "app/totp.h"

#include <fmt/format.h>
#include <oath.h>
#include <sodium.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <new>

namespace jiceng::app {

namespace {

constexpr unsigned kDigits = 6;
constexpr unsigned kStepSeconds = OATH_TOTP_DEFAULT_TIME_STEP_SIZE;  // 30
constexpr std::size_t kSecretBytes = 20;

void ensure_libraries() {
  static const bool ready = [] {  // once per process
    bool sodium = sodium_init() >= 0;
    return oath_init() == OATH_OK && sodium;
  }();
  (void)ready;
}

// liboath returns buffers from malloc.
struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};
using OathBuffer = std::unique_ptr<char, FreeDeleter>;

// A decoded secret, wiped when it goes.
class Secret {
 public:
  // Empty (false) when `base32` is not valid base32 or decodes to nothing.
  explicit Secret(std::string_view base32) {
    std::string upper(base32);
    for (char& c : upper) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    char* out = nullptr;
    std::size_t len = 0;
    if (oath_base32_decode(upper.data(), upper.size(), &out, &len) == OATH_OK) {
      bytes_.reset(out);
      size_ = len;
    }
    sodium_memzero(upper.data(), upper.size());
  }
  ~Secret() {
    if (bytes_) sodium_memzero(bytes_.get(), size_);
  }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  explicit operator bool() const { return bytes_ && size_ > 0; }
  const char* data() const { return bytes_.get(); }
  std::size_t size() const { return size_; }

 private:
  OathBuffer bytes_;
  std::size_t size_ = 0;
};

std::optional<std::time_t> unix_seconds(Instant t) {
  auto s = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  if (s < 0) return std::nullopt;
  return static_cast<std::time_t>(s);
}

bool six_digits(std::string_view code) {
  if (code.size() != kDigits) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void percent_encode(std::string_view s, std::string& out) {
  for (char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
}

}  // namespace

std::string new_totp_secret() {
  ensure_libraries();
  std::array<char, kSecretBytes> raw{};
  randombytes_buf(raw.data(), raw.size());
  char* out = nullptr;
  std::size_t len = 0;
  int rc = oath_base32_encode(raw.data(), raw.size(), &out, &len);
  sodium_memzero(raw.data(), raw.size());
  if (rc != OATH_OK) throw std::bad_alloc();  // its only failure is malloc's
  OathBuffer owned(out);
  std::string secret(out, len);
  while (!secret.empty() && secret.back() == '=') secret.pop_back();
  return secret;
}

std::optional<std::int64_t> totp_matched_step(std::string_view secret_base32, std::string_view code,
                                              Instant now, int window) {
  ensure_libraries();
  auto seconds = unix_seconds(now);
  if (!seconds || window < 0 || !six_digits(code)) return std::nullopt;
  Secret secret(secret_base32);
  if (!secret) return std::nullopt;
  std::string otp(code);
  int offset = 0;
  int rc = oath_totp_validate2(secret.data(), secret.size(), *seconds, kStepSeconds,
                               OATH_TOTP_DEFAULT_START_TIME, static_cast<std::size_t>(window),
                               &offset, otp.c_str());
  if (rc < 0) return std::nullopt;
  return static_cast<std::int64_t>(*seconds / kStepSeconds) + offset;
}

bool totp_valid(std::string_view secret_base32, std::string_view code, Instant now, int window) {
  return totp_matched_step(secret_base32, code, now, window).has_value();
}

std::string totp_code(std::string_view secret_base32, Instant at) {
  ensure_libraries();
  auto seconds = unix_seconds(at);
  Secret secret(secret_base32);
  if (!seconds || !secret) return {};
  char otp[kDigits + 1] = {};
  if (oath_totp_generate(secret.data(), secret.size(), *seconds, kStepSeconds,
                         OATH_TOTP_DEFAULT_START_TIME, kDigits, otp) != OATH_OK) {
    return {};
  }
  return std::string(otp, kDigits);
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret_base32) {
  std::string uri = "otpauth://totp/";
  percent_encode(issuer, uri);
  uri += ':';
  percent_encode(account, uri);
  uri += "?secret=";
  percent_encode(secret_base32, uri);
  uri += "&issuer=";
  percent_encode(issuer, uri);
  uri += "&algorithm=SHA1&digits=6&period=30";
  return uri;
}

}  // namespace jiceng::app
