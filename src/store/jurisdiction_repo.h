// Queries over the jurisdiction table, in portable SQL. Each function runs inside the caller's
// transaction (see database.h) and returns the store's errors unchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "domain/jurisdiction.h"
#include "store/sql.h"

namespace jiceng::store::jurisdictions {

// The node with this code, nullopt if there is none.
[[nodiscard]] Result<std::optional<domain::Jurisdiction>> find(Sql& sql, std::string_view code);
// The node's ancestors from the province down to its parent (empty for a province).
[[nodiscard]] Result<std::vector<domain::Jurisdiction>> ancestors(Sql& sql,
                                                                  const domain::Jurisdiction& node);
[[nodiscard]] Result<std::vector<domain::Jurisdiction>> children(Sql& sql, std::string_view code);
[[nodiscard]] Result<std::int64_t> child_count(Sql& sql, std::string_view code);
// The nodes below code (not code itself), ordered by code; at most limit of them.
[[nodiscard]] Result<std::vector<domain::Jurisdiction>> descendants(Sql& sql,
                                                                    std::string_view code,
                                                                    int limit);
// Names equal to q, then starting with q, then containing q; each group by level, then code.
[[nodiscard]] Result<std::vector<domain::Jurisdiction>> search(Sql& sql, std::string_view q,
                                                               int limit);
[[nodiscard]] Result<std::int64_t> count(Sql& sql);

struct UpsertStats {
  std::int64_t inserted = 0;
  std::int64_t updated = 0;  // existing codes whose name changed
};
// Inserts the nodes, or updates the name of those that exist (idempotent). Parents must come
// before children or already exist. on_progress gets the number of rows staged so far.
[[nodiscard]] Result<UpsertStats> upsert_all(Sql& sql, std::span<const domain::Jurisdiction> nodes,
                                             const std::function<void(std::size_t)>& on_progress);

}  // namespace jiceng::store::jurisdictions
