#include "cli/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>
#include <functional>

#include "http/proxies.h"

extern char** environ;

namespace jiceng::cli {

namespace {

// One setting: its TOML path ("server.listen") and how to set it from text.
struct Key {
  std::string_view path;
  std::function<Result<void>(Config&, std::string_view)> set;
};

Result<std::int64_t> to_int(std::string_view path, std::string_view text, std::int64_t min,
                            std::int64_t max) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < min || v > max) {
    return Error::invalid_argument(
        fmt::format("{} must be a whole number from {} to {}, not '{}'", path, min, max, text));
  }
  return v;
}

template <class T>
Key int_key(std::string_view path, T Config::*field, std::int64_t min, std::int64_t max) {
  return {path, [=](Config& c, std::string_view text) -> Result<void> {
            auto v = to_int(path, text, min, max);
            if (!v) return v.error();
            c.*field = static_cast<T>(*v);
            return {};
          }};
}

Key string_key(std::string_view path, std::string Config::*field) {
  return {path, [=](Config& c, std::string_view text) -> Result<void> {
            c.*field = std::string(text);
            return {};
          }};
}

Key bool_key(std::string_view path, bool Config::*field) {
  return {path, [=](Config& c, std::string_view text) -> Result<void> {
            if (text != "true" && text != "false") {
              return Error::invalid_argument(
                  fmt::format("{} must be true or false, not '{}'", path, text));
            }
            c.*field = text == "true";
            return {};
          }};
}

// Reverse proxies whose X-Forwarded-For is believed (http::TrustedProxies), checked when read.
Key proxies_key(std::string_view path, std::string Config::*field) {
  return {path, [=](Config& c, std::string_view text) -> Result<void> {
            if (auto p = http::TrustedProxies::parse(text); !p) return p.error();
            c.*field = std::string(text);
            return {};
          }};
}

const std::vector<Key>& keys() {
  static const std::vector<Key> all = {
      string_key("server.listen", &Config::listen),
      int_key("server.io_threads", &Config::io_threads, 1, 256),
      int_key("server.worker_threads", &Config::worker_threads, 1, 1024),
      int_key("server.queue_limit", &Config::queue_limit, 1, 1 << 20),
      int_key("server.max_in_flight", &Config::max_in_flight, 0, 1 << 20),
      int_key("server.max_loop_lag_ms", &Config::max_loop_lag_ms, 0, 60000),
      int_key("server.short_read_budget_ms", &Config::short_read_budget_ms, 0, 60000),
      int_key("server.track_cache_mib", &Config::track_cache_mib, 0, 65536),
      int_key("server.body_limit", &Config::body_limit, 1024, std::int64_t{1} << 30),
      int_key("server.header_timeout_s", &Config::header_timeout_s, 1, 3600),
      int_key("server.idle_timeout_s", &Config::idle_timeout_s, 1, 3600),
      int_key("server.shutdown_grace_s", &Config::shutdown_grace_s, 0, 3600),
      string_key("database.url", &Config::db),
      int_key("database.readers", &Config::db_readers, 1, 256),
      int_key("database.writers", &Config::db_writers, 1, 64),
      int_key("database.cache_mib", &Config::db_cache_mib, 0, 1 << 20),
      string_key("data.divisions_dir", &Config::divisions_dir),
      string_key("data.calendar_file", &Config::calendar_file),
      string_key("log.level", &Config::log_level),
      bool_key("server.secure_cookies", &Config::secure_cookies),
      proxies_key("server.trusted_proxies", &Config::trusted_proxies),
      string_key("server.web_root", &Config::web_root),
      string_key("access.password_blocklist", &Config::password_blocklist),
      int_key("access.session_idle_min", &Config::session_idle_min, 1, 24 * 60),
      int_key("access.session_absolute_h", &Config::session_absolute_h, 1, 24 * 7),
      int_key("access.public_window_s", &Config::public_window_s, 1, 24 * 3600),
      int_key("access.submissions_per_address", &Config::submissions_per_address, 0, 1 << 20),
      int_key("access.signups_per_address", &Config::signups_per_address, 0, 1 << 20),
      string_key("audit.key_file", &Config::audit_key_file),
      string_key("audit.heads_file", &Config::audit_heads_file),
      int_key("audit.anchor_interval_s", &Config::audit_anchor_interval_s, 10, 24 * 3600),
      int_key("open311.window_s", &Config::open311_window_s, 1, 24 * 3600),
      int_key("open311.posts_per_key", &Config::open311_posts_per_key, 0, 1 << 20),
      int_key("open311.gets_per_address", &Config::open311_gets_per_address, 0, 1 << 20),
  };
  return all;
}

std::string env_name(std::string_view path) {
  std::string out = "JICENG_";
  for (char c : path)
    out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<void> apply_toml(Config& config, std::string_view toml_text, std::string_view source_name) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    return Error::invalid_argument(
        fmt::format("{}:{}: {}", source_name, e.source().begin.line, e.description()));
  }
  // Every key in the file must be known.
  std::vector<std::string> seen;
  for (auto&& [section, node] : doc) {
    auto* table = node.as_table();
    if (!table) {
      return Error::invalid_argument(
          fmt::format("{}: '{}' must be a section like [server]", source_name, section.str()));
    }
    for (auto&& [name, value] : *table) {
      std::string path = fmt::format("{}.{}", section.str(), name.str());
      const Key* key = nullptr;
      for (const Key& k : keys()) key = k.path == path ? &k : key;
      if (!key)
        return Error::invalid_argument(fmt::format("{}: unknown setting {}", source_name, path));
      std::string text;
      if (auto s = value.value<std::string>(); s && value.is_string()) {
        text = *s;
      } else if (auto i = value.value<std::int64_t>(); i && value.is_integer()) {
        text = std::to_string(*i);
      } else if (auto b = value.value<bool>(); b && value.is_boolean()) {
        text = *b ? "true" : "false";
      } else {
        return Error::invalid_argument(fmt::format(
            "{}: {} must be a string, a whole number or true/false", source_name, path));
      }
      if (auto r = key->set(config, text); !r) {
        return Error::invalid_argument(fmt::format("{}: {}", source_name, r.error().message));
      }
    }
  }
  return {};
}

Result<void> apply_env(Config& config, const std::map<std::string, std::string>& env) {
  for (const auto& [name, value] : env) {
    if (!name.starts_with("JICENG_")) continue;
    std::string_view path;
    if (name == "JICENG_DB") path = "database.url";
    if (name == "JICENG_LISTEN") path = "server.listen";
    if (name == "JICENG_CONFIG") continue;  // read by the caller
    // The test harness's and the benchmarks' own variables.
    if (name.starts_with("JICENG_TEST_") || name.starts_with("JICENG_BENCH_")) continue;
    const Key* key = nullptr;
    for (const Key& k : keys()) {
      if (k.path == path || env_name(k.path) == name) key = &k;
    }
    if (!key) return Error::invalid_argument(fmt::format("unknown environment variable {}", name));
    if (auto r = key->set(config, value); !r) {
      return Error::invalid_argument(fmt::format("{}: {}", name, r.error().message));
    }
  }
  return {};
}

std::map<std::string, std::string> jiceng_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    if (!kv.starts_with("JICENG_")) continue;
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return out;
}

Result<ListenAddress> parse_listen(std::string_view s) {
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Error::invalid_argument(fmt::format("listen address '{}' is not HOST:PORT", s));
  }
  auto port = to_int("the port", s.substr(colon + 1), 0, 65535);
  if (!port) return port.error();
  std::string host(s.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return ListenAddress{host, static_cast<std::uint16_t>(*port)};
}

}  // namespace jiceng::cli
