#include "store/jurisdiction_repo.h"

#include <array>

#include "domain/access.h"

namespace jiceng::store::jurisdictions {

namespace {

domain::Jurisdiction from_row(const Row& row) {
  return domain::Jurisdiction{
      .code = row.text(0),
      .name = row.text(1),
      .level =
          domain::level_from_int(static_cast<int>(row.int64(2))).value_or(domain::Level::kVillage),
      .parent_code = row.text(3),
  };
}

Result<std::vector<domain::Jurisdiction>> many(Result<Rows> rows) {
  if (!rows) return rows.error();
  std::vector<domain::Jurisdiction> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) out.push_back(from_row(r));
  return out;
}

// "%q%" with LIKE wildcards in q escaped, so that q matches literally (with ESCAPE '\').
std::string like_pattern(std::string_view q) {
  std::string out = "%";
  for (char c : q) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  out += '%';
  return out;
}

}  // namespace

Result<std::optional<domain::Jurisdiction>> find(Sql& sql, std::string_view code) {
  auto rows = sql.query("SELECT code, name, level, parent_code FROM jurisdiction WHERE code = $1",
                        {std::string(code)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<domain::Jurisdiction>();
  return std::optional(from_row(rows->front()));
}

Result<std::vector<domain::Jurisdiction>> ancestors(Sql& sql, const domain::Jurisdiction& node) {
  // Codes are hierarchical: the ancestors are the node's code prefixes.
  std::array<std::string, 4> codes;
  std::size_t n = 0;
  for (std::string c = domain::parent_code_of(node.code); !c.empty();
       c = domain::parent_code_of(c)) {
    codes[n++] = c;
  }
  while (n < codes.size()) codes[n++] = "";
  return many(
      sql.query("SELECT code, name, level, parent_code FROM jurisdiction "
                "WHERE code IN ($1, $2, $3, $4) ORDER BY level",
                {codes[0], codes[1], codes[2], codes[3]}));
}

Result<std::vector<domain::Jurisdiction>> children(Sql& sql, std::string_view code) {
  return many(
      sql.query("SELECT code, name, level, parent_code FROM jurisdiction WHERE parent_code = $1 "
                "ORDER BY code",
                {std::string(code)}));
}

Result<std::int64_t> child_count(Sql& sql, std::string_view code) {
  auto row = sql.query_one("SELECT COUNT(*) FROM jurisdiction WHERE parent_code = $1",
                           {std::string(code)});
  if (!row) return row.error();
  return row->int64(0);
}

Result<std::vector<domain::Jurisdiction>> descendants(Sql& sql, std::string_view code,
                                                      int limit) {
  // Codes are hierarchical: the subtree is the range of codes that start with code.
  auto [first, last] = domain::scope_range(code);
  return many(
      sql.query("SELECT code, name, level, parent_code FROM jurisdiction "
                "WHERE code > $1 AND code < $2 ORDER BY code LIMIT $3",
                {first, last, static_cast<std::int64_t>(limit)}));
}

Result<std::vector<domain::Jurisdiction>> search(Sql& sql, std::string_view q, int limit) {
  std::vector<domain::Jurisdiction> out;
  auto add = [&](Result<std::vector<domain::Jurisdiction>> found) -> Result<void> {
    if (!found) return found.error();
    for (auto& j : *found) {
      if (static_cast<int>(out.size()) >= limit) break;
      bool seen = false;
      for (const auto& o : out) seen = seen || o.code == j.code;
      if (!seen) out.push_back(std::move(j));
    }
    return {};
  };
  const std::string query(q);
  const std::int64_t lim = limit;
  if (auto r = add(many(sql.query("SELECT code, name, level, parent_code FROM jurisdiction "
                                  "WHERE name = $1 ORDER BY level, code LIMIT $2",
                                  {query, lim})));
      !r) {
    return r.error();
  }
  if (static_cast<int>(out.size()) < limit) {
    // In binary (SQLite) and "C" (PostgreSQL) order, every name starting with q lies in
    // [q, q + U+10FFFF): an index range scan.
    if (auto r = add(many(sql.query("SELECT code, name, level, parent_code FROM jurisdiction "
                                    "WHERE name > $1 AND name < $2 ORDER BY level, code LIMIT $3",
                                    {query, query + "\xF4\x8F\xBF\xBF", lim})));
        !r) {
      return r.error();
    }
  }
  if (static_cast<int>(out.size()) < limit) {
    if (auto r = add(
            many(sql.query("SELECT code, name, level, parent_code FROM jurisdiction "
                           "WHERE name LIKE $1 ESCAPE '\\' ORDER BY level, code LIMIT $2",
                           {like_pattern(query), lim + static_cast<std::int64_t>(out.size())})));
        !r) {
      return r.error();
    }
  }
  return out;
}

Result<std::int64_t> count(Sql& sql) {
  auto row = sql.query_one("SELECT COUNT(*) FROM jurisdiction", {});
  if (!row) return row.error();
  return row->int64(0);
}

Result<UpsertStats> upsert_all(Sql& sql, std::span<const domain::Jurisdiction> nodes,
                               const std::function<void(std::size_t)>& on_progress) {
  if (auto r = sql.exec(
          "CREATE TEMPORARY TABLE jurisdiction_import ("
          " code TEXT NOT NULL, name TEXT NOT NULL, level INTEGER NOT NULL, parent_code TEXT)");
      !r) {
    return r.error();
  }
  constexpr std::size_t kChunk = 50'000;
  static constexpr std::array<std::string_view, 4> kCols = {"code", "name", "level", "parent_code"};
  std::vector<std::vector<Value>> rows;
  for (std::size_t i = 0; i < nodes.size(); i += kChunk) {
    rows.clear();
    for (std::size_t k = i; k < std::min(nodes.size(), i + kChunk); ++k) {
      const auto& n = nodes[k];
      rows.push_back({n.code, n.name, std::int64_t{static_cast<int>(n.level)},
                      n.parent_code.empty() ? Value(nullptr) : Value(n.parent_code)});
    }
    if (auto r = sql.bulk_insert("jurisdiction_import", kCols, rows); !r) return r.error();
    if (on_progress) on_progress(std::min(nodes.size(), i + kChunk));
  }
  UpsertStats stats;
  auto updated = sql.exec(
      "UPDATE jurisdiction SET name = i.name FROM jurisdiction_import i "
      "WHERE jurisdiction.code = i.code AND jurisdiction.name <> i.name");
  if (!updated) return updated.error();
  stats.updated = *updated;
  auto inserted = sql.exec(
      "INSERT INTO jurisdiction (code, name, level, parent_code) "
      "SELECT i.code, i.name, i.level, i.parent_code FROM jurisdiction_import i "
      "WHERE NOT EXISTS (SELECT 1 FROM jurisdiction j WHERE j.code = i.code) "
      "ORDER BY i.code");  // a parent's code is a prefix of its children's: parents come first
  if (!inserted) return inserted.error();
  stats.inserted = *inserted;
  if (auto r = sql.exec("DROP TABLE jurisdiction_import"); !r) return r.error();
  return stats;
}

}  // namespace jiceng::store::jurisdictions
