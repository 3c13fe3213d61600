// The application: every use case, wired to one store and one clock. Built once by the
// composition root (cli/), handed to the HTTP layer. Thread-safe: services hold no mutable state
// of their own beyond what the store guards.
#pragma once

#include "app/cases.h"
#include "app/catalogue.h"
#include "app/jurisdictions.h"
#include "common/date.h"
#include "store/database.h"

namespace jiceng::app {

struct App {
  App(store::Database& database, const Clock& clock_)
      : db(database), clock(clock_), jurisdictions(db), catalogue(db), cases(db, clock) {}

  store::Database& db;
  const Clock& clock;
  JurisdictionService jurisdictions;
  CatalogueService catalogue;
  CaseService cases;
};

}  // namespace jiceng::app
