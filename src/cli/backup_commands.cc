#include "cli/backup_commands.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string_view>

#include "store/sqlite.h"

namespace jiceng::cli {

namespace {

namespace fs = std::filesystem;

// The file of a sqlite: URL; nullopt for any other store, after saying what to use instead.
std::optional<fs::path> sqlite_file(const Config& config, std::string_view command) {
  constexpr std::string_view kScheme = "sqlite:";
  if (config.db.starts_with(kScheme)) return fs::path(config.db.substr(kScheme.size()));
  fmt::print(stderr,
             "jiceng {}: the store is PostgreSQL; back it up with PostgreSQL's own tools: "
             "pg_basebackup with WAL archiving (point-in-time recovery), or pg_dump of the "
             "database (docs/OPERATIONS.md)\n",
             command);
  return std::nullopt;
}

int failed(std::string_view command, const Error& e) {
  fmt::print(stderr, "jiceng {}: {}\n", command, e.message);
  return 1;
}

}  // namespace

int backup(const Config& config, const std::string& dest) {
  auto source = sqlite_file(config, "backup");
  if (!source) return 2;
  const auto start = std::chrono::steady_clock::now();
  auto copied = store::backup_sqlite(*source, dest);
  if (!copied) return failed("backup", copied.error());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("backed up {} to {}: {} pages of {} bytes ({:.1f} MB), checked, in {:.1f} s\n",
             source->string(), dest, copied->pages, copied->page_size,
             static_cast<double>(copied->pages * copied->page_size) / 1e6, seconds);
  return 0;
}

int restore(const Config& config, const std::string& backup) {
  auto target = sqlite_file(config, "restore");
  if (!target) return 2;
  auto aside = store::restore_sqlite(backup, *target);
  if (!aside) return failed("restore", aside.error());
  fmt::print("restored {} into {}\n", backup, target->string());
  if (!aside->empty()) fmt::print("the database it replaced is kept at {}\n", aside->string());
  std::error_code ec;
  const fs::path heads = config.audit_heads_file;
  if (fs::exists(heads, ec)) {
    // Named like the replaced database, or after the time when there was none.
    const std::string stamp =
        aside->empty() ? fmt::format("{:%Y%m%dT%H%M%SZ}", std::chrono::floor<std::chrono::seconds>(
                                                              std::chrono::system_clock::now()))
                       : aside->string().substr(aside->string().rfind(".replaced-") + 10);
    const fs::path heads_aside = fs::path(heads.string() + ".replaced-" + stamp);
    fs::rename(heads, heads_aside, ec);
    if (ec) {
      return failed("restore", Error::unavailable(fmt::format(
                                   "the database is restored, but the signed audit heads file "
                                   "{} could not be moved aside: {}; move it yourself before "
                                   "serving",
                                   heads.string(), ec.message())));
    }
    fmt::print(
        "the signed audit heads file {} was moved to {}: its heads sign audit entries made after "
        "the backup, which the restored log no longer has (`jiceng audit verify --heads` on it "
        "shows which); keep it with the record of this restore. New heads go to a new file.\n",
        heads.string(), heads_aside.string());
  }
  return 0;
}

}  // namespace jiceng::cli
