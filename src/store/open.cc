#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "store/database.h"
#include "store/postgres.h"
#include "store/search_repo.h"
#include "store/sqlite.h"

namespace jiceng::store {

namespace {

// A hook that runs first and then second (when set), stopping at an error.
std::function<Result<void>(Sql&)> run_both(Result<void> (*first)(Sql&),
                                           std::function<Result<void>(Sql&)> second) {
  if (!second) return first;
  return [first, second = std::move(second)](Sql& sql) -> Result<void> {
    if (auto r = first(sql); !r) return r;
    return second(sql);
  };
}

}  // namespace

Result<std::unique_ptr<Database>> open_database(const std::string& url, DatabaseOptions options) {
  options.description = url;
  if (url.starts_with("sqlite:")) {
    std::filesystem::path path = url.substr(7);
    if (path.empty())
      return Error::invalid_argument("sqlite: needs a file path, e.g. sqlite:var/jiceng.db");
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return Error::unavailable(
          fmt::format("cannot create {}: {}", path.parent_path().string(), ec.message()));
    }
    auto lock = ProcessLock::acquire(path);
    if (!lock) return lock.error();
    SqliteTuning tuning;
    std::int64_t cache_mib = static_cast<std::int64_t>(options.sqlite_cache_mib);
    if (cache_mib == 0) {
      const auto bytes = std::filesystem::file_size(path, ec);
      cache_mib = writer_cache_mib_for(ec ? 0 : bytes);  // a new file: the smallest
    }
    tuning.writer_cache_kib = cache_mib * 1024;
    // Open the writer once now so that a bad file or unsafe settings fail at startup.
    if (auto probe = connect_sqlite(path, ConnectionRole{.writer = true}, tuning); !probe) {
      return probe.error();
    }
    spdlog::debug("{}: the writer's page cache may grow to {} MiB", url, cache_mib);
    std::shared_ptr<ProcessLock> held = std::move(*lock);
    auto factory = [path, held, tuning](ConnectionRole role) {
      return connect_sqlite(path, role, tuning);
    };
    options.writers = 1;  // SQLite allows one writer; group commit makes it enough
    options.prepare_writer = run_both(search::prepare_writer, std::move(options.prepare_writer));
    options.before_commit = run_both(search::write_pending, std::move(options.before_commit));
    return std::make_unique<Database>(Dialect::kSqlite, factory, options);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return std::make_unique<Database>(Dialect::kPostgres, postgres_factory(url), options);
  }
  return Error::invalid_argument(fmt::format(
      "unknown database URL '{}': use sqlite:PATH or postgresql://USER@HOST:PORT/DB", url));
}

}  // namespace jiceng::store
