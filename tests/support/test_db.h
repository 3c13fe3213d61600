// Test databases for the suites that run on both stores. SQLite: a fresh file in a temp dir.
// PostgreSQL: a fresh schema in the cluster named by JICENG_TEST_PG (scripts/with-pg sets it),
// selected through the URL's search_path, so that suites never see each other's tables.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/database.h"

namespace jiceng::testing {

enum class Backend { kSqlite, kPostgres };
std::string to_string(Backend b);

// The backends to run: SQLite always; PostgreSQL when JICENG_TEST_PG is set. When it is unset
// and CI is set, PostgreSQL is still listed, and fresh_url() fails the test: CI must never skip it.
std::vector<Backend> backends();

// A URL for a new, empty database of this backend. Fails the current test (ADD_FAILURE) and
// returns "" when the backend is not available.
std::string fresh_url(Backend backend);

// Opens fresh_url(backend) with migrations applied; nullptr (and a test failure) on error.
std::unique_ptr<store::Database> open_fresh(Backend backend, store::DatabaseOptions options = {});
// The same for a URL fresh_url gave.
std::unique_ptr<store::Database> open_fresh_at(const std::string& url,
                                               store::DatabaseOptions options = {});

}  // namespace jiceng::testing
