// Password storage and the password policy (TESTS.md S1, S3; OWASP ASVS 5.0 V6).
// Hashes are argon2id strings from libsodium ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash"), each
// with its own random salt and the parameters it was made with, so a rise of the parameters is
// seen at the next sign-in (needs_rehash). All functions are thread-safe.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/error.h"

namespace jiceng::app {

// argon2id cost. The defaults are the OWASP/ASVS minimum: m = 19 MiB, t = 2, p = 1.
struct PasswordParams {
  unsigned long long opslimit = 2;   // t, iterations
  std::size_t memlimit = 19u << 20;  // m, in bytes
};

// The argon2id string of `password` with a fresh random salt. kInvalidArgument when the
// parameters are outside libsodium's range; kResourceExhausted when the memory cannot be had
// (try later).
[[nodiscard]] Result<std::string> hash_password(std::string_view password,
                                                const PasswordParams& params);

// Whether `password` matches the hash `encoded` (argon2id or argon2i). False also for a
// malformed hash. Takes as long as hashing with the hash's own parameters.
bool verify_password(std::string_view encoded, std::string_view password);

// Whether `encoded` should be replaced by a hash made with `params`: it was made with other
// parameters or another algorithm, or it is malformed.
bool needs_rehash(std::string_view encoded, const PasswordParams& params);

// Does the work of one verify_password against a hash made with `params`, so that a sign-in
// for an unknown user takes as long as one with a wrong password (S3). The dummy hash is made
// once per distinct `params` and kept for the life of the process; when it cannot be made (see
// hash_password), the call does nothing and the next one tries again.
void equalize_timing(const PasswordParams& params);

// Limits in Unicode code points: at least 8; up to 256, so at most 1024 bytes of UTF-8.
inline constexpr std::size_t kMinPasswordChars = 8;
inline constexpr std::size_t kMaxPasswordChars = 256;

// Where the blocklist of the npm package @zxcvbn-ts/language-common lies under a deployment
// (or source) root: root/node_modules/@zxcvbn-ts/language-common/src/passwords.json, a JSON
// array of about 49,000 common passwords, most common first, all lower-case.
std::filesystem::path default_blocklist_path(const std::filesystem::path& root);

// What a new password must satisfy (ASVS V6.2): a length, no composition rules, not the user
// name, not a common password. Immutable after construction, so check is thread-safe.
class PasswordPolicy {
 public:
  // `blocklist`: passwords to refuse, compared ignoring ASCII case.
  explicit PasswordPolicy(const std::vector<std::string>& blocklist);

  // Reads a blocklist file. Two formats, told apart by the first non-blank character: a JSON
  // array of strings ('['; the format of default_blocklist_path), or else plain text with one
  // password per line (a trailing '\r' is dropped, empty lines are skipped).
  // kInvalidArgument "PATH: ..." when the file cannot be read, is not a JSON array of strings,
  // or holds no password.
  [[nodiscard]] static Result<PasswordPolicy> load(const std::filesystem::path& file);

  // OK when `password` may be set for the account `username`; else kInvalidArgument with an
  // English and a Chinese message saying why: not valid UTF-8, fewer than kMinPasswordChars
  // characters, more than kMaxPasswordChars characters, the same as the user name ignoring ASCII
  // case, or blocked.
  [[nodiscard]] Result<void> check(std::string_view password, std::string_view username) const;

  // Whether `password` is in the blocklist, ignoring ASCII case.
  bool blocked(std::string_view password) const;

  // The number of distinct passwords in the blocklist.
  std::size_t blocklist_size() const { return blocklist_.size(); }

 private:
  std::unordered_set<std::string> blocklist_;  // ASCII lower-case
};

}  // namespace jiceng::app
