// The subcommands of `jiceng`. Each returns the process exit code: 0 ok, 1 failure (the message
// is printed), 2 bad usage (CLI11 prints it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cli/config.h"

namespace jiceng::cli {

int serve(const Config& config);
int migrate(const Config& config);
int import_divisions(const Config& config, const std::string& province, bool all);
int import_calendar(const Config& config);
// Injected incidents of the demo cases: how many, and where their ground truth goes (JSON; ""
// for nowhere).
struct DemoIncidents {
  int count = 0;
  std::string truth_file{};
};
// Sets up the demo deployment once; with cases > 0, then adds demo cases until the store holds
// at least that many (app::top_up_demo_cases, from `seed`), with the incidents on top, printing
// progress and the time, and writes the incidents' ground truth.
int demo(const Config& config, std::int64_t cases = 0, std::uint64_t seed = 1,
         const DemoIncidents& incidents = {});

// Accounts and API keys (docs/SECURITY.md). user_create reads the password from stdin (one
// line; not echoed on a terminal) and prints an administrator's TOTP secret once.
struct NewUser {
  std::string username;
  std::string role;
  std::string scope;
  std::optional<std::int64_t> unit_id;
  std::string display_name;
};
int user_create(const Config& config, const NewUser& user);
int user_disable(const Config& config, const std::string& username);
// Gives the account a new second-factor secret and prints it (its sessions end).
int user_totp(const Config& config, const std::string& username);
// Prints the new key once; only its hash is stored.
int apikey_create(const Config& config, const std::string& name);
int apikey_revoke(const Config& config, std::int64_t id);

}  // namespace jiceng::cli
