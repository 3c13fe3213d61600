// Versioned schema migrations, embedded in the binary from src/store/migrations/*.sql.
//
// File names: NNNN_what.sql applies to both dialects; NNNN_what.sqlite.sql and
// NNNN_what.postgres.sql hold a dialect's own version of migration NNNN (then both must exist).
// Applied migrations are recorded in schema_migrations; migrate() applies the missing ones in
// order, each in its own transaction, and is idempotent. A migration may have a step in C++
// after its script, in the same transaction (0009: index the stored cases for search). Never edit a
// released migration: add one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/database.h"

namespace jiceng::store {

struct MigrationFile {
  std::string_view name;
  std::string_view sql;
};
const std::vector<MigrationFile>& embedded_migration_files();

struct Migration {
  int version = 0;
  std::string name;  // "0001_foundation"
  std::string sql;
};

// The migrations for a dialect, ordered by version. A malformed file set is a build bug:
// kInternal.
[[nodiscard]] Result<std::vector<Migration>> migrations_for(Dialect dialect);
// Applies what is missing; returns how many were applied now.
[[nodiscard]] Result<int> migrate(Database& db);
// The highest applied version, 0 on an empty database.
[[nodiscard]] Result<int> schema_version(Database& db);

}  // namespace jiceng::store
