#include "app/idempotency.h"

#include <fmt/format.h>
#include <sodium.h>

#include <array>

namespace jiceng::app {

namespace {

// The stored response for (scope, key), or nullopt.
Result<std::optional<std::pair<std::string, StoredResponse>>> lookup(store::Sql& sql,
                                                                     const IdempotencyKey& k) {
  auto rows = sql.query(
      "SELECT request_hash, status, body FROM idempotency_key WHERE scope = $1 AND key = $2",
      {k.scope, k.key});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<std::pair<std::string, StoredResponse>>();
  const auto& r = rows->front();
  return std::optional(
      std::pair(r.text(0), StoredResponse{static_cast<unsigned>(r.int64(1)), r.text(2), true}));
}

Result<StoredResponse> replay(const std::pair<std::string, StoredResponse>& stored,
                              const IdempotencyKey& k) {
  if (stored.first != k.request_hash) {
    return Error{ErrorCode::kUnprocessable,
                 "this Idempotency-Key was used with a different request, which was done; use a "
                 "new key to make another",
                 "此请求标识（Idempotency-Key）已用于另一次请求，那次请求已经办理；如需再办，"
                 "请用新的标识重新提交"};
  }
  return stored.second;
}

}  // namespace

std::string hash_request(std::string_view body) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(body.data()),
                     body.size());
  std::string hex;
  for (unsigned char b : digest) hex += fmt::format("{:02x}", b);
  return hex;
}

Result<void> check_idempotency_key(std::string_view key) {
  bool printable = !key.empty() && key.size() <= 255;
  for (char c : key) printable = printable && c > 0x20 && c < 0x7f;
  if (!printable) {
    return Error::invalid_argument("Idempotency-Key: 1 to 255 printable ASCII characters")
        .zh("Idempotency-Key：须为 1 到 255 个可打印 ASCII 字符");
  }
  return {};
}

void run_idempotent_async(store::Database& db, IdempotencyKey key, Instant now,
                          std::function<Result<StoredResponse>(store::Sql&)> fn,
                          std::function<void(Result<StoredResponse>)> done) {
  auto attempt = [k = std::move(key), now,
                  fn = std::move(fn)](store::Sql& sql) -> Result<StoredResponse> {
    auto stored = lookup(sql, k);
    if (!stored) return stored.error();
    if (*stored) return replay(**stored, k);
    auto fresh = fn(sql);
    if (!fresh) return fresh.error();
    auto r = sql.exec(
        "INSERT INTO idempotency_key (scope, key, request_hash, status, body, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {k.scope, k.key, k.request_hash, std::int64_t{fresh->status}, fresh->body, to_micros(now)});
    if (!r) return r.error();
    return fresh;
  };
  db.write_value_async(attempt,
                       [&db, attempt, done = std::move(done)](Result<StoredResponse> out) mutable {
                         // Another writer committed the same key first (PostgreSQL runs several
                         // writers): its transaction is visible now, so the second attempt replays
                         // it.
                         if (!out && out.error().code == ErrorCode::kAlreadyExists) {
                           return db.write_value_async(std::move(attempt), std::move(done));
                         }
                         done(std::move(out));
                       });
}

}  // namespace jiceng::app
