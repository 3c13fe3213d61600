// The demo deployment (江西省 from the pinned npm package, the official calendar, 鹰潭市's
// units), set up once per backend per test binary and shared by its tests.
#pragma once

#include "store/database.h"
#include "support/test_db.h"

namespace jiceng::testing {

// nullptr (and a test failure) when the set-up fails. Tests that write must not assume the
// database is empty: other tests of the binary share it.
store::Database* demo_database(Backend backend);

}  // namespace jiceng::testing
