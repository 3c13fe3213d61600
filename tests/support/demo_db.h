// The demo deployment (江西省 from the pinned npm package, the official calendar, 鹰潭市's
// units), set up once per backend per test binary and shared by its tests.
#pragma once

#include <string>

#include "store/database.h"
#include "support/test_db.h"

namespace jiceng::testing {

// nullptr (and a test failure) when the set-up fails. Tests that write must not assume the
// database is empty: other tests of the binary share it.
store::Database* demo_database(Backend backend);
// The URL of demo_database(backend), for a second connection pool on it (PostgreSQL only: a
// SQLite file is held by one Database); "" before demo_database(backend) succeeded.
std::string demo_database_url(Backend backend);

}  // namespace jiceng::testing
