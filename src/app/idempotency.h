// Idempotent writes: a client that retries a request with the same Idempotency-Key gets the
// first response again and nothing is done twice (TESTS.md C3, C4).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/date.h"
#include "common/error.h"
#include "store/database.h"

namespace jiceng::app {

struct StoredResponse {
  unsigned status = 200;
  std::string body;
  bool replayed = false;  // true when this is the stored answer to an earlier request
};

struct IdempotencyKey {
  std::string scope;         // what the key is for, e.g. "POST /api/v1/cases"
  std::string key;           // the client's key: 1 to 255 printable ASCII characters
  std::string request_hash;  // a hash of the request body (see hash_request)
};

// The hex SHA-256 of a request body.
std::string hash_request(std::string_view body);
// kInvalidArgument unless the key is 1 to 255 printable ASCII characters.
[[nodiscard]] Result<void> check_idempotency_key(std::string_view key);

// Runs `fn` in a write transaction and stores its response under the key in the same
// transaction, so the write and its record commit together or not at all. When the key was
// used before: the same request hash returns the stored response (fn is not called); another
// hash is kUnprocessable. An error from fn is returned and nothing is stored, so a retry runs
// anew. Concurrent first requests with one key: one runs, the others get its response.
// Without waiting: done receives the result on a store writer thread once it is durable
// (Database::write_async; done must be quick and must not block). fn is kept until then.
void run_idempotent_async(store::Database& db, IdempotencyKey key, Instant now,
                          std::function<Result<StoredResponse>(store::Sql&)> fn,
                          std::function<void(Result<StoredResponse>)> done);

}  // namespace jiceng::app
