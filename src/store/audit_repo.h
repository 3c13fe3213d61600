// The audit log (审计日志): append-only and hash-chained, written inside the caller's
// transaction so that a change and its entry commit together or not at all (TESTS.md A1, A4).
//
// Chain: entry n's hash is the hex SHA-256 of entry n-1's hash (64 zeros for n = 1) followed by
// entry n's fields (seq, at, actor, role, action, object_type, object_id, purpose, outcome, remote,
// request_id), each as an 8-byte big-endian length and its bytes (seq and at, in microseconds
// since the epoch, as decimal text), so that no two different entries hash alike. Altering,
// deleting, inserting or reordering entries breaks the chain at the first such entry (A2).
// audit_head holds the newest (seq, hash); updating it first in append() serializes appends
// (a row lock on PostgreSQL, the single writer on SQLite).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/error.h"
#include "store/sql.h"

namespace jiceng::store::audit {

struct Entry {
  std::int64_t seq = 0;  // set by append()
  Instant at{};
  std::string actor{};        // a username, "resident:ID", "app:ID", "anonymous", "system"
  std::string role{};         // the actor's role ("" for anonymous and system)
  std::string action{};       // "case.read", "case.accept", "session.login", …
  std::string object_type{};  // "case", "account", "audit", … ("" for none)
  std::string object_id{};
  std::string purpose{};  // the stated purpose of a read, where one was asked
  std::string outcome{};  // "ok", "denied", "failed", "throttled"
  std::string remote{};   // the client's address
  std::string request_id{};
  std::string prev_hash{};  // set by append()
  std::string hash{};       // set by append()

  bool operator==(const Entry&) const = default;
};

// 64 zeros: the prev_hash of the first entry.
std::string_view genesis_hash();

// The hex SHA-256 that chains entry e to prev_hash (e.prev_hash and e.hash are not read).
std::string entry_hash(std::string_view prev_hash, const Entry& e);

// Appends e (seq, prev_hash and hash are set here) inside the caller's write transaction and
// returns it as stored. Any error must fail the caller's transaction. kInvalidArgument when
// e.action or e.outcome is empty.
[[nodiscard]] Result<Entry> append(Sql& sql, Entry e);

// The newest entry's (seq, hash) as recorded in audit_head: (0, genesis_hash()) when empty.
struct Head {
  std::int64_t seq = 0;
  std::string hash{};
};
[[nodiscard]] Result<Head> head(Sql& sql);

// A search of the log (the auditor's API). Empty strings and nullopt match everything.
struct Query {
  std::string actor{};
  std::string object_type{};
  std::string object_id{};
  std::optional<Instant> from{};  // at >= from
  std::optional<Instant> to{};    // at < to
  std::int64_t before_seq = 0;    // cursor: only entries with seq < before_seq (0: no bound)
  int limit = 50;
};
// Matching entries, newest first. kInvalidArgument unless 1 <= q.limit <= 1000.
[[nodiscard]] Result<std::vector<Entry>> find(Sql& sql, const Query& q);

// Entries with seq > after_seq in seq order, at most limit (> 0) of them (for walking the chain).
[[nodiscard]] Result<std::vector<Entry>> scan(Sql& sql, std::int64_t after_seq, int limit);

}  // namespace jiceng::store::audit
