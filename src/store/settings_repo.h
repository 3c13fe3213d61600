// Deployment settings: a small key → value table (e.g. "deployment.root" = "3606").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/sql.h"

namespace jiceng::store::settings {

[[nodiscard]] Result<std::optional<std::string>> get(Sql& sql, std::string_view key);
[[nodiscard]] Result<void> put(Sql& sql, std::string_view key, std::string_view value);

}  // namespace jiceng::store::settings
