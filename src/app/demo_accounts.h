// The demo deployment's accounts: one per role, on real units of 鹰潭市, with random passwords
// that are shown once (the demo prints them and keeps a copy only the operator can read).
#pragma once

#include <string>
#include <vector>

#include "app/app.h"
#include "common/error.h"

namespace jiceng::app {

struct DemoAccount {
  std::string username;
  std::string password;
  std::string role;
  std::string scope;
  std::string unit;         // the unit's name, "" for none
  std::string totp_secret;  // administrators: the second factor's secret (base32)
};

// Creates the demo accounts under the deployment root unless they exist (then returns none).
// Needs the demo deployment (set_up_demo) with its units.
[[nodiscard]] Result<std::vector<DemoAccount>> create_demo_accounts(App& app);

}  // namespace jiceng::app
