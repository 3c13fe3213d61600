#include "store/settings_repo.h"

namespace jiceng::store::settings {

Result<std::optional<std::string>> get(Sql& sql, std::string_view key) {
  auto rows = sql.query("SELECT value FROM setting WHERE key = $1", {std::string(key)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional(rows->front().text(0));
}

Result<void> put(Sql& sql, std::string_view key, std::string_view value) {
  auto r = sql.exec(
      "INSERT INTO setting (key, value) VALUES ($1, $2) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      {std::string(key), std::string(value)});
  if (!r) return r.error();
  return {};
}

}  // namespace jiceng::store::settings
