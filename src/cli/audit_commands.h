// `jiceng audit verify` and `jiceng audit anchor`: the operator's side of the tamper-evident
// audit log (app/audit.h, TESTS.md A2, A3).
#pragma once

#include <optional>
#include <string>

#include "cli/config.h"

namespace jiceng::cli {

// Where the audit signing key and the signed heads live: files, never the database, so that
// someone who can rewrite the database cannot also re-sign it. Relative paths are taken from
// the working directory, like the default SQLite file var/jiceng.db.
struct AuditPaths {
  // The Ed25519 secret key (mode 0600, created on first use); its public key goes beside it as
  // "<key_file>.pub".
  std::string key_file = "var/keys/audit-ed25519.key";
  // The append-only signed heads, one JSON line each; ship copies of it elsewhere.
  std::string heads_file = "var/audit-heads.jsonl";
};

// Walks the audit chain of config.db and checks it against the latest head in `heads_file`
// (default: paths.heads_file, skipped with a warning when that file does not exist; an explicit
// file must exist). The signature is checked with the public key in "<paths.key_file>.pub" when
// that file exists. Prints a report. Returns 0 when the log is intact, 1 when tampering was
// found, 2 on an error (no verdict).
int audit_verify(const Config& config, const AuditPaths& paths,
                 std::optional<std::string> heads_file);

// Signs the current chain head with the key in paths.key_file (created when missing) and
// appends it to paths.heads_file. Returns 0 when done (or the head was already signed), 1 on an
// error, e.g. when the log no longer extends the last signed head.
int audit_anchor(const Config& config, const AuditPaths& paths);

}  // namespace jiceng::cli
