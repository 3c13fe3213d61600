#include "store/migrations.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>

#include "domain/burst.h"
#include "store/calendar_repo.h"
#include "store/case_repo.h"
#include "store/catalogue_repo.h"
#include "store/repeat_repo.h"
#include "store/search_repo.h"
#include "store/signal_repo.h"

namespace jiceng::store {

namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

// 0020_stop_words: sign and count every stored case's topic words again, with the new list.
Result<void> sign_and_count_words_again(Sql& sql) {
  if (auto r = repeats::record_all_cases(sql); !r) return r;
  return signals::count_all_words(sql);
}

// The person a case was counted as before 0022: its contact's digits as they were typed.
std::int64_t person_before_0022(const domain::Case& c) {
  std::string key;
  if (!c.anonymous) {
    for (char ch : c.submitter_contact) {
      if (ch >= '0' && ch <= '9') key += ch;
    }
    if (!key.empty()) {
      key.insert(0, "contact:");
    } else if (c.resident_id) {
      key = "resident:" + std::to_string(*c.resident_id);
    } else if (!c.submitter_name.empty()) {
      key = "name:" + c.submitter_name;
    }
  }
  if (key.empty()) key = "case:" + c.number;
  return domain::person_pseudonym(key);
}

// 0022_contact_keys: contacts compared in their normalised form, in the repeat signatures'
// contact keys and in the signal counts' people.
Result<void> rekey_contacts(Sql& sql) {
  if (auto r = repeats::rekey_contacts(sql); !r) return r;
  return signals::recount_people(sql, &person_before_0022);
}

// The days an approve_extension event granted: its note begins "延期 N 天"
// (domain::notes::extension); 0 when it does not.
int extension_days_of(std::string_view note) {
  constexpr std::string_view kPrefix = "延期 ";
  if (!note.starts_with(kPrefix)) return 0;
  int days = 0;
  const char* first = note.data() + kPrefix.size();
  auto [p, ec] = std::from_chars(first, note.data() + note.size(), days);
  return ec == std::errc() && p != first ? days : 0;
}

// 0025_clock_warn_at: the running clocks' extension days, read once from their approve_extension
// events after the clock started (from now on the command stores them), and their warning
// points and limits. A demand's handling clock counts its category's limit (as it is now: the
// best known): a working-day limit now warns at 80 % of its working time. The petition clocks' limits are the configuration's, which a
// migration does not know: their warning stays at 80 % of the wall-clock span, as it was (their
// limits are calendar days unless configured otherwise); the next clock they start has its own.
Result<void> fill_clock_times(Sql& sql) {
  auto days = calendar::load(sql);
  if (!days) return days.error();
  const domain::WorkCalendar cal(std::move(*days));
  const Instant any = from_micros(std::numeric_limits<std::int64_t>::min());
  std::string last;
  for (;;) {
    auto page = cases::with_deadline_after(sql, any, last, 500);
    if (!page) return page.error();
    if (page->empty()) return {};
    for (domain::Case& c : *page) {
      last = c.number;
      if (!c.clock_started_at) continue;
      c.extension_days = 0;
      if (c.extensions > 0) {
        auto events = cases::events(sql, c.number);
        if (!events) return events.error();
        for (const auto& e : *events) {
          if (e.command == "approve_extension" && e.at >= *c.clock_started_at) {
            c.extension_days += extension_days_of(e.note);
          }
        }
      }
      std::optional<domain::Period> limit;
      if (c.kind == domain::CaseKind::kDemand && c.clock == domain::ClockKind::kHandling) {
        auto category = catalogue::find_category(sql, c.category_code);
        if (!category) return category.error();
        if (*category) limit = (*category)->time_limit;
      }
      c.clock_limit = limit;
      c.warn_at =
          limit && limit->unit == domain::PeriodUnit::kWorkingDays
              ? std::min(domain::working_fraction_point(*c.clock_started_at,
                                                        limit->amount + c.extension_days,
                                                        domain::kWarnFraction, cal),
                         *c.deadline_at)
              : domain::fraction_point(*c.clock_started_at, *c.deadline_at,
                                       domain::kWarnFraction);
      const auto timer = domain::next_timer(c);
      if (auto r = sql.exec(
              "UPDATE cases SET warn_at = $1, extension_days = $2, next_timer_at = $3, "
              "clock_amount = $4, clock_unit = $5 WHERE number = $6",
              {to_micros(*c.warn_at), std::int64_t{c.extension_days},
               timer ? Value(to_micros(*timer)) : Value(nullptr),
               limit ? Value(std::int64_t{limit->amount}) : Value(nullptr),
               limit ? Value(std::string(domain::to_string(limit->unit))) : Value(nullptr),
               c.number});
          !r) {
        return r.error();
      }
    }
  }
}

// What a migration needs done in C++ after its script, in the same transaction.
using MigrationStep = Result<void> (*)(Sql&);

// A step that one store needs and the other skips.
template <Dialect D, MigrationStep Step>
Result<void> on(Sql& sql) {
  if (sql.dialect() != D) return {};
  return Step(sql);
}

const std::map<int, MigrationStep> kStepsAfterScript = {
    // 0009_search and 0014_search_scope: index the cases stored before them with their places;
    // on PostgreSQL 0021 makes the index anew, and the code of today writes its new form only.
    {9, &on<Dialect::kSqlite, &search::index_all_cases>},
    {10, &repeats::record_all_cases},  // 0010_repeats: sign the cases stored before it
    {11, &signals::count_all_cases},   // 0011_signals: count the cases stored before it
    {14, &on<Dialect::kSqlite, &search::index_all_cases>},
    {19, &signals::count_all_words},    // 0019_signal_word_table: count the stored cases' words
    {20, &sign_and_count_words_again},  // 0020_stop_words: the same, with the new stop list
    // 0021_search_weeks: index every case again with its week (PostgreSQL).
    {21, &on<Dialect::kPostgres, &search::index_all_cases>},
    {22, &rekey_contacts},  // 0022_contact_keys: the keys and people of contacts written otherwise
    {25, &fill_clock_times},  // 0025_clock_warn_at: the running clocks' warning points
};

}  // namespace

Result<std::vector<Migration>> migrations_for(Dialect dialect) {
  std::string_view own = dialect == Dialect::kSqlite ? ".sqlite.sql" : ".postgres.sql";
  std::string_view other = dialect == Dialect::kSqlite ? ".postgres.sql" : ".sqlite.sql";
  std::map<int, Migration> by_version;
  for (const auto& f : embedded_migration_files()) {
    if (f.name.ends_with(other)) continue;
    int version = 0;
    auto [p, ec] = std::from_chars(f.name.data(), f.name.data() + f.name.size(), version);
    if (ec != std::errc() || p != f.name.data() + 4 || f.name[4] != '_' || version <= 0) {
      return Error::internal(fmt::format("bad migration file name {}", f.name));
    }
    bool dialect_specific = f.name.ends_with(own);
    std::string_view stem = f.name.substr(0, f.name.size() - (dialect_specific ? own.size() : 4));
    auto [it, fresh] = by_version.try_emplace(version);
    if (!fresh) return Error::internal(fmt::format("two migrations numbered {}", version));
    it->second = Migration{version, std::string(stem), std::string(f.sql)};
  }
  std::vector<Migration> out;
  for (auto& [v, m] : by_version) out.push_back(std::move(m));
  return out;
}

Result<int> schema_version(Database& db) {
  return db.read_value([](Sql& sql) -> Result<int> {
    auto exists = sql.query(sql.dialect() == Dialect::kSqlite
                                ? "SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'"
                                : "SELECT 1 WHERE to_regclass('schema_migrations') IS NOT NULL",
                            {});
    if (!exists) return exists.error();
    if (exists->empty()) return 0;
    auto row = sql.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {});
    if (!row) return row.error();
    return static_cast<int>(row->int64(0));
  });
}

Result<int> migrate(Database& db) {
  auto all = migrations_for(db.dialect());
  if (!all) return all.error();
  int applied = 0;
  for (const Migration& m : *all) {
    // Check and apply in one transaction, so that two servers starting together on one
    // PostgreSQL database do not both apply a migration (the second waits on the lock).
    auto did = db.write_value([&](Sql& sql) -> Result<bool> {
      if (sql.dialect() == Dialect::kPostgres) {
        if (auto r = sql.query("SELECT pg_advisory_xact_lock(7411)", {}); !r) return r.error();
      }
      if (auto r = sql.exec(kCreateTable); !r) return r.error();
      auto seen = sql.query("SELECT 1 FROM schema_migrations WHERE version = $1",
                            {std::int64_t{m.version}});
      if (!seen) return seen.error();
      if (!seen->empty()) return false;
      if (auto r = sql.exec_script(m.sql); !r) {
        return Error::internal(fmt::format("migration {} failed: {}", m.name, r.error().message));
      }
      if (auto step = kStepsAfterScript.find(m.version); step != kStepsAfterScript.end()) {
        if (auto r = step->second(sql); !r) {
          return Error::internal(fmt::format("migration {} failed: {}", m.name, r.error().message));
        }
      }
      auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
      if (auto r = sql.exec("INSERT INTO schema_migrations (version, name, applied_at) "
                            "VALUES ($1, $2, $3)",
                            {std::int64_t{m.version}, m.name, std::int64_t{now}});
          !r) {
        return r.error();
      }
      return true;
    });
    if (!did) return did.error();
    if (*did) {
      spdlog::info("applied migration {}", m.name);
      ++applied;
    }
  }
  return applied;
}

}  // namespace jiceng::store
