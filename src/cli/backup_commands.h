// `jiceng backup` and `jiceng restore`: an online copy of the SQLite store and putting one back
// (TESTS.md B1). PostgreSQL is backed up with its own tools (docs/OPERATIONS.md).
#pragma once

#include <string>

#include "cli/config.h"

namespace jiceng::cli {

// Copies config.db (SQLite) into the new file `dest` while a server may be running on it: the
// store as of one commit, checked, synced. Prints what it copied. 0 when done; 1 on an error;
// 2 when the store is not SQLite.
int backup(const Config& config, const std::string& dest);

// Puts the backup file `backup` in place of config.db (SQLite; no server may be running on
// it). The database it replaces is kept beside it, and the signed audit heads file
// (config.audit_heads_file) is moved aside too: its heads sign entries that the restored log
// does not have, and the server could sign no new head after them. Prints what it did.
// 0 when done; 1 on an error; 2 when the store is not SQLite.
int restore(const Config& config, const std::string& backup);

}  // namespace jiceng::cli
