#include "app/passwords.h"

#include <fmt/format.h>
#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>

#include "common/utf8.h"

namespace jiceng::app {

namespace {

void ensure_sodium() {
  static const int sodium_ready = sodium_init();  // idempotent; needed once per process
  (void)sodium_ready;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Copies `encoded` into a NUL-terminated buffer of crypto_pwhash_STRBYTES, as libsodium reads
// it; false when it does not fit (so it cannot be a libsodium hash).
bool to_hash_buffer(std::string_view encoded, char (&out)[crypto_pwhash_STRBYTES]) {
  if (encoded.size() >= crypto_pwhash_STRBYTES) return false;
  encoded.copy(out, encoded.size());
  out[encoded.size()] = '\0';
  return true;
}

// An error about the password field, in the form of every input check ("password: …",
// "密码（password）：…"), so that clients show it beside the field (http::field_of).
Error policy_error(std::string_view en, std::string_view zh) {
  return Error::invalid_argument("password: " + std::string(en))
      .zh("密码（password）：" + std::string(zh));
}

// The blocklist formats of PasswordPolicy::load. A JSON array of strings is what
// @zxcvbn-ts/language-common ships (src/passwords.json); plain lines suit hand-made lists.
Result<std::vector<std::string>> parse_json_list(const std::string& text, const std::string& name) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(text, ec);
  if (ec) return Error::invalid_argument(fmt::format("{}: not valid JSON: {}", name, ec.message()));
  if (!root.is_array()) return Error::invalid_argument(fmt::format("{}: not a JSON array", name));
  std::vector<std::string> list;
  list.reserve(root.get_array().size());
  for (const boost::json::value& v : root.get_array()) {
    if (!v.is_string()) {
      return Error::invalid_argument(fmt::format("{}: an element is not a string", name));
    }
    list.emplace_back(v.get_string());
  }
  return list;
}

std::vector<std::string> parse_line_list(const std::string& text) {
  std::vector<std::string> list;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) list.push_back(std::move(line));
  }
  return list;
}

}  // namespace

Result<std::string> hash_password(std::string_view password, const PasswordParams& params) {
  ensure_sodium();
  if (params.opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      params.opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX ||
      params.memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      params.memlimit > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
    return Error::invalid_argument(fmt::format("argon2id parameters out of range: t={}, m={}",
                                               params.opslimit, params.memlimit));
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.opslimit, params.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error{
        ErrorCode::kResourceExhausted,
        fmt::format("not enough memory to hash a password ({} bytes); try later", params.memlimit)};
  }
  return std::string(out);
}

bool verify_password(std::string_view encoded, std::string_view password) {
  ensure_sodium();
  char buffer[crypto_pwhash_STRBYTES];
  if (!to_hash_buffer(encoded, buffer)) return false;
  return crypto_pwhash_str_verify(buffer, password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view encoded, const PasswordParams& params) {
  ensure_sodium();
  char buffer[crypto_pwhash_STRBYTES];
  if (!to_hash_buffer(encoded, buffer)) return true;
  return crypto_pwhash_argon2id_str_needs_rehash(buffer, params.opslimit, params.memlimit) != 0;
}

void equalize_timing(const PasswordParams& params) {
  ensure_sodium();
  static std::mutex mutex;
  static std::map<std::pair<unsigned long long, std::size_t>, std::string> dummies;
  const std::string* dummy = nullptr;
  {
    std::lock_guard lock(mutex);
    auto key = std::make_pair(params.opslimit, params.memlimit);
    auto it = dummies.find(key);
    if (it == dummies.end()) {
      // A random password nobody knows; only the cost of verifying matters.
      std::string secret(16, '\0');
      randombytes_buf(secret.data(), secret.size());
      auto hash = hash_password(secret, params);
      if (!hash) return;  // no memory now: the next call tries again
      it = dummies.emplace(key, std::move(*hash)).first;
    }
    dummy = &it->second;  // map nodes are never erased, so this stays valid without the lock
  }
  (void)verify_password(*dummy, "equalize-timing");
}

std::filesystem::path default_blocklist_path(const std::filesystem::path& root) {
  return root / "node_modules" / "@zxcvbn-ts" / "language-common" / "src" / "passwords.json";
}

PasswordPolicy::PasswordPolicy(const std::vector<std::string>& blocklist) {
  blocklist_.reserve(blocklist.size());
  for (const std::string& p : blocklist) blocklist_.insert(ascii_lower(p));
}

Result<PasswordPolicy> PasswordPolicy::load(const std::filesystem::path& file) {
  std::string name = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::invalid_argument(fmt::format("{}: cannot open the file", name));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Error::invalid_argument(fmt::format("{}: cannot read the file", name));
  std::string text = std::move(buffer).str();

  std::size_t first = text.find_first_not_of(" \t\r\n");
  std::vector<std::string> list;
  if (first != std::string::npos && text[first] == '[') {
    auto parsed = parse_json_list(text, name);
    if (!parsed) return parsed.error();
    list = std::move(*parsed);
  } else {
    list = parse_line_list(text);
  }
  if (list.empty()) return Error::invalid_argument(fmt::format("{}: holds no password", name));
  return PasswordPolicy(list);
}

bool PasswordPolicy::blocked(std::string_view password) const {
  return blocklist_.contains(ascii_lower(password));
}

Result<void> PasswordPolicy::check(std::string_view password, std::string_view username) const {
  auto chars = utf8_length(password);
  if (!chars) return policy_error("is not valid UTF-8", "不是有效的 UTF-8 文本");
  if (*chars < kMinPasswordChars) {
    return policy_error(fmt::format("must have at least {} characters", kMinPasswordChars),
                        fmt::format("至少需要 {} 个字符", kMinPasswordChars));
  }
  if (*chars > kMaxPasswordChars) {
    return policy_error(fmt::format("must have at most {} characters", kMaxPasswordChars),
                        fmt::format("最多 {} 个字符", kMaxPasswordChars));
  }
  if (ascii_lower(password) == ascii_lower(username)) {
    return policy_error("must not be the user name", "不能与用户名相同");
  }
  if (blocked(password)) {
    return policy_error("is too common; choose another", "过于常见，请另选一个");
  }
  return {};
}

}  // namespace jiceng::app
