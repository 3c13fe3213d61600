#include "store/open311_repo.h"

#include <fmt/format.h>

namespace jiceng::store::open311 {

Statement request_page_statement(const RequestQuery& q) {
  Statement s;
  auto param = [&s](Value v) {
    s.params.push_back(std::move(v));
    return fmt::format("${}", s.params.size());
  };
  // kind and accused_unit_id as literals: they are the predicate of the partial index
  // cases_public_received, which a planner uses only when the query says the same.
  std::string where = "c.kind = 'demand' AND c.accused_unit_id IS NULL";
  where += fmt::format(" AND c.received_at >= {} AND c.received_at < {}",
                       param(to_micros(q.received_from)), param(to_micros(q.received_to)));
  // A township's or a village's cases are few: the place index finds them and they are
  // sorted. A county or a wider area holds many: the place, the states and the services are
  // compared as expressions, which no index serves, so the planner walks cases_public_received
  // within the window and keeps the rows that match (as store/case_repo.cc's list_filter does
  // for its orders); given a plain state, SQLite took cases_state_created and sorted every
  // open case of the window.
  const bool wide = q.place_first.size() <= 6;
  auto column = [wide](std::string_view c) {
    return wide ? fmt::format("({} || '')", c) : std::string(c);
  };
  const std::string place = column("c.place_code");
  where += fmt::format(" AND {} >= {} AND {} < {}", place, param(q.place_first), place,
                       param(q.place_last));
  for (const auto& [name, values] :
       {std::pair{"c.category_code", &q.category_codes}, std::pair{"c.state", &q.states}}) {
    if (values->empty()) continue;
    std::string in;
    for (const std::string& v : *values) {
      if (!in.empty()) in += ", ";
      in += param(v);
    }
    where += fmt::format(" AND {} IN ({})", column(name), in);
  }
  const std::string limit = param(static_cast<std::int64_t>(q.limit));
  const std::string offset = param(static_cast<std::int64_t>(q.offset));
  s.sql = fmt::format(
      "SELECT c.number FROM cases c WHERE {} ORDER BY c.received_at DESC, c.number DESC "
      "LIMIT {} OFFSET {}",
      where, limit, offset);
  return s;
}

Result<std::vector<std::string>> request_page(Sql& sql, const RequestQuery& q) {
  Statement s = request_page_statement(q);
  auto rows = sql.query(s.sql, Params(s.params));
  if (!rows) return rows.error();
  std::vector<std::string> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) out.push_back(r.text(0));
  return out;
}

}  // namespace jiceng::store::open311
