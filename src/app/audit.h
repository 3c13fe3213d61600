// The audit log's integrity (审计日志防篡改, TESTS.md A2, A3): an Ed25519 key kept outside the
// database signs the chain head now and then ("anchoring"); the signed heads go to an
// append-only text file that an operator ships elsewhere; verify_audit() walks the hash chain
// (store/audit_repo.h) and checks it against the latest signed head, so that altered, deleted,
// inserted, reordered, truncated and wholly rewritten logs are all reported.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/date.h"
#include "common/error.h"
#include "store/database.h"

namespace jiceng::app {

// An Ed25519 key pair (libsodium's crypto_sign): the 64-byte secret key holds the seed and the
// public key.
struct AuditKey {
  std::array<unsigned char, 64> secret_key{};
  std::array<unsigned char, 32> public_key{};

  std::string public_key_hex() const;
};

// Where the public key of `key_file` is written: "<key_file>.pub" (hex and a newline).
std::filesystem::path audit_public_key_path(const std::filesystem::path& key_file);

// Loads the key pair from key_file (the secret key as 128 hex digits and a newline). When the
// file does not exist, creates a new key pair there: missing directories with mode 0700, the
// file with mode 0600. Writes the public key beside it (audit_public_key_path) when that file is
// missing. Errors, never replacing the file: kFailedPrecondition when key_file is readable or
// writable by group or others, or when the .pub file holds another key; kInvalidArgument when
// key_file is malformed; kUnavailable on I/O errors.
[[nodiscard]] Result<AuditKey> load_or_create_audit_key(const std::filesystem::path& key_file);

// One line of the heads file: the chain head (seq, hash) at `at`, signed.
struct SignedHead {
  std::int64_t seq = 0;
  std::string hash{};
  std::string at{};          // ISO 8601 UTC, exactly as signed
  std::string signature{};   // hex, 64 bytes
  std::string public_key{};  // hex, 32 bytes: the signer's claim, not to be trusted alone

  bool operator==(const SignedHead&) const = default;
};

// The text a head's signature covers: "jiceng-audit-head\n<seq>\n<hash>\n<at>".
std::string signed_head_text(std::int64_t seq, std::string_view hash, std::string_view at);

// True when `head.signature` is a valid signature of its text by public_key_hex.
bool signature_valid(const SignedHead& head, std::string_view public_key_hex);

// The last signed head in heads_file; nullopt when the file is missing or empty.
// kInvalidArgument when the last line is not a signed head; kUnavailable on I/O errors.
[[nodiscard]] Result<std::optional<SignedHead>> latest_signed_head(
    const std::filesystem::path& heads_file);

// Signs the current chain head at `now` and appends it to heads_file as one JSON line
// {"seq","hash","at","signature","public_key"}, fsynced (the file is created with mode 0600).
// Returns the head now latest in the file; writes nothing when it already holds this head.
// kFailedPrecondition, writing nothing, when the last line does not verify or the chain no
// longer extends it (its entry is gone or has another hash: run verify_audit).
[[nodiscard]] Result<SignedHead> anchor_audit_head(store::Database& db, const AuditKey& key,
                                                   const std::filesystem::path& heads_file,
                                                   Instant now);

enum class AuditProblemKind {
  kAltered,              // an entry's hash does not match its own fields
  kDeleted,              // a seq is missing
  kInsertedOrReordered,  // an entry does not chain to the one before it
  kHeadMismatch,         // audit_head disagrees with the newest entry
  kBadSignature,         // the latest signed head does not verify
  kTruncated,            // entries covered by the latest signed head are missing
  kRewritten,            // the entry of the latest signed head has another hash
};
std::string_view to_string(AuditProblemKind kind);

struct AuditProblem {
  std::int64_t seq = 0;  // the first bad entry (for kBadSignature: the signed head's seq)
  AuditProblemKind kind = AuditProblemKind::kAltered;
  std::string message{};  // one sentence for the operator
};

struct VerifyOptions {
  std::optional<std::filesystem::path> heads_file{};  // none: the chain is checked alone
  // The signer's public key (hex), e.g. from the key file's .pub. Without it the key written in
  // the heads line is used, which proves nothing against someone who can rewrite that file.
  std::optional<std::string> public_key{};
  int batch = 5000;  // entries read per read transaction
};

struct VerifyReport {
  std::int64_t entries_checked = 0;         // entries read, the bad one included
  std::int64_t last_seq = 0;                // of the last entry that checked out
  std::optional<AuditProblem> problem{};    // the first one found; none: the log is intact
  std::optional<SignedHead> signed_head{};  // the signed head checked, if any
  bool key_from_heads_file = false;         // the signature was checked with the line's own key

  bool intact() const { return !problem; }
};

// Walks the whole chain in seq order, `batch` entries per read transaction, and reports the
// first problem: chain problems first (kDeleted, kInsertedOrReordered, kAltered, then
// kHeadMismatch), then those of the latest signed head (kBadSignature, kTruncated, kRewritten).
// Errors (not tampering): kNotFound when options.heads_file does not exist, kInvalidArgument
// when it or options.public_key is malformed, store errors as they come.
[[nodiscard]] Result<VerifyReport> verify_audit(store::Database& db, const VerifyOptions& options);

}  // namespace jiceng::app
