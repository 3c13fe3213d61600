#include "support/test_db.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>

#include "store/migrations.h"
#include "store/postgres.h"

namespace jiceng::testing {

namespace {

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(rd() % 100000);
}

const char* pg_url() { return std::getenv("JICENG_TEST_PG"); }

}  // namespace

std::string to_string(Backend b) { return b == Backend::kSqlite ? "sqlite" : "postgres"; }

std::vector<Backend> backends() {
  std::vector<Backend> out = {Backend::kSqlite};
  if (pg_url() || std::getenv("CI")) out.push_back(Backend::kPostgres);
  return out;
}

std::string fresh_url(Backend backend) {
  if (backend == Backend::kSqlite) {
    auto dir = std::filesystem::temp_directory_path() / ("jiceng_test_" + unique_suffix());
    std::filesystem::create_directories(dir);
    return "sqlite:" + (dir / "jiceng.db").string();
  }
  const char* base = pg_url();
  if (!base) {
    ADD_FAILURE() << "JICENG_TEST_PG is not set: run the tests under scripts/with-pg "
                     "(make test does); CI never skips PostgreSQL";
    return "";
  }
  std::string schema = "t_" + unique_suffix();
  auto conn = store::connect_postgres(base);
  if (!conn) {
    ADD_FAILURE() << "cannot reach the test cluster: " << conn.error().message;
    return "";
  }
  if (auto r = (*conn)->exec("CREATE SCHEMA " + schema); !r) {
    ADD_FAILURE() << "cannot create schema: " << r.error().message;
    return "";
  }
  std::string url = base;
  url += (url.find('?') == std::string::npos ? "?" : "&");
  url += "options=-csearch_path%3D" + schema;
  return url;
}

std::unique_ptr<store::Database> open_fresh(Backend backend, store::DatabaseOptions options) {
  std::string url = fresh_url(backend);
  if (url.empty()) return nullptr;
  return open_fresh_at(url, options);
}

std::unique_ptr<store::Database> open_fresh_at(const std::string& url,
                                               store::DatabaseOptions options) {
  auto db = store::open_database(url, options);
  if (!db) {
    ADD_FAILURE() << "cannot open " << url << ": " << db.error().message;
    return nullptr;
  }
  if (auto m = store::migrate(**db); !m) {
    ADD_FAILURE() << "migrations failed: " << m.error().message;
    return nullptr;
  }
  return std::move(*db);
}

}  // namespace jiceng::testing
