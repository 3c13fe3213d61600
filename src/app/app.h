// The application: every use case, wired to one store and one clock. Built once by the
// composition root (cli/), handed to the HTTP layer. Thread-safe: services hold no mutable state
// of their own beyond what the store guards.
#pragma once

#include "app/access.h"
#include "app/case_search.h"
#include "app/cases.h"
#include "app/catalogue.h"
#include "app/catalogue_admin.h"
#include "app/jurisdictions.h"
#include "app/signals.h"
#include "app/stats.h"
#include "common/date.h"
#include "store/database.h"

namespace jiceng::app {

struct App {
  // policy: the password policy (with its list of common passwords) for new accounts.
  App(store::Database& database, const Clock& clock_,
      PasswordPolicy policy = PasswordPolicy(std::vector<std::string>{}),
      AccessOptions access_options = {})
      : db(database),
        clock(clock_),
        jurisdictions(db),
        catalogue(db),
        catalogue_admin(db, clock),
        cases(db, clock),
        search(db, clock),
        stats(db, clock),
        signals(db, clock),
        access(db, clock, std::move(policy), std::move(access_options)) {}

  store::Database& db;
  const Clock& clock;
  JurisdictionService jurisdictions;
  CatalogueService catalogue;
  CatalogueAdmin catalogue_admin;
  CaseService cases;
  CaseSearch search;
  StatsService stats;
  SignalService signals;
  AccessService access;
};

}  // namespace jiceng::app
