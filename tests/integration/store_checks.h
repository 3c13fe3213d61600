// What must hold of a whole store, whatever happened to it (a crash, failed I/O, a restore):
// shared by the reliability tests.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "app/audit.h"
#include "store/database.h"
#include "store/stats_repo.h"

namespace jiceng::testing {

// What must hold of the whole store whatever failed: the file is sound, every case has its
// registration event, the counters equal the cases, the dashboard's sums equal a recount, the
// audit chain is intact, and each submission (description → number) made exactly one case,
// with one audit entry (demo cases have one per fill step, not one each).
inline void expect_store_whole(store::Database& db,
                               const std::map<std::string, std::string>& numbers_by_description) {
  auto found = db.read_value([&](store::Sql& sql) -> Result<std::vector<std::string>> {
    auto problems = store::stats::differences_from_recount(sql);
    if (!problems) return problems.error();
    auto integrity = sql.query_one("PRAGMA integrity_check", {});
    if (!integrity) return integrity.error();
    if (integrity->text(0) != "ok") problems->push_back("integrity_check: " + integrity->text(0));
    auto unevented = sql.query_one(
        "SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_event e WHERE "
        "e.case_number = c.number AND e.seq = 1 AND e.command = 'register')",
        {});
    if (!unevented) return unevented.error();
    if (unevented->int64(0) != 0) {
      problems->push_back(
          fmt::format("{} cases without their registration event", unevented->int64(0)));
    }
    auto counters = sql.query(
        "SELECT k.county_code, k.year, k.last_seq, (SELECT COUNT(*) FROM cases c WHERE "
        "c.number LIKE k.county_code || '-' || CAST(k.year AS TEXT) || '-%') FROM "
        "case_counter k",
        {});
    if (!counters) return counters.error();
    for (const auto& c : *counters) {
      if (c.int64(2) != c.int64(3)) {
        problems->push_back(fmt::format("counter {}-{} at {}, {} cases", c.text(0), c.int64(1),
                                        c.int64(2), c.int64(3)));
      }
    }
    for (const auto& [description, number] : numbers_by_description) {
      auto cases = sql.query(
          "SELECT number, (SELECT COUNT(*) FROM audit_log a WHERE a.action = 'case.register' "
          "AND a.object_id = c.number) FROM cases c WHERE description = $1",
          {description});
      if (!cases) return cases.error();
      if (cases->size() != 1 || cases->front().text(0) != number) {
        problems->push_back(
            fmt::format("{}: {} cases, expected only {}", description, cases->size(), number));
      } else if (cases->front().int64(1) != 1) {
        problems->push_back(fmt::format("{}: {} audit entries of its registration", number,
                                        cases->front().int64(1)));
      }
    }
    return problems;
  });
  ASSERT_TRUE(found) << found.error().message;
  for (const auto& p : *found) ADD_FAILURE() << p;
  auto audit = app::verify_audit(db, {});
  ASSERT_TRUE(audit) << audit.error().message;
  EXPECT_TRUE(audit->intact()) << audit->problem->message;
}

}  // namespace jiceng::testing
