#include "store/sql.h"

#include <fmt/format.h>

#include <cassert>
#include <charconv>

namespace jiceng::store {

std::string_view to_string(Dialect d) { return d == Dialect::kSqlite ? "sqlite" : "postgresql"; }

bool Row::is_null(std::size_t i) const {
  return std::holds_alternative<std::nullptr_t>(cells_.at(i));
}

std::int64_t Row::int64(std::size_t i) const {
  const Value& v = cells_.at(i);
  if (auto p = std::get_if<std::int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<std::int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    auto [ptr, ec] = std::from_chars(p->data(), p->data() + p->size(), out);
    assert(ec == std::errc() && ptr == p->data() + p->size());
    (void)ptr;
    return ec == std::errc() ? out : 0;
  }
  return 0;
}

double Row::float64(std::size_t i) const {
  const Value& v = cells_.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) {
    double out = 0;
    std::from_chars(p->data(), p->data() + p->size(), out);
    return out;
  }
  return 0;
}

std::string Row::text(std::size_t i) const {
  const Value& v = cells_.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return std::to_string(*p);
  return {};
}

std::optional<std::string> Row::opt_text(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return text(i);
}

std::optional<std::int64_t> Row::opt_int64(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return int64(i);
}

Result<Row> Sql::query_one(std::string_view sql, std::initializer_list<Value> params) {
  auto rows = query(sql, params);
  if (!rows) return rows.error();
  if (rows->empty()) return Error::not_found("no such row");
  return std::move(rows->front());
}

std::string values_placeholders(std::size_t rows, std::size_t columns) {
  std::string out;
  for (std::size_t r = 0; r < rows; ++r) {
    out += r == 0 ? "(" : ", (";
    for (std::size_t c = 0; c < columns; ++c) {
      out += fmt::format("{}${}", c == 0 ? "" : ", ", r * columns + c + 1);
    }
    out += ")";
  }
  return out;
}

}  // namespace jiceng::store
