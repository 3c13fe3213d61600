// The public list of Open311 GeoReport v2 (http/open311.cc) in portable SQL, inside the
// caller's transaction: demands that accuse no unit, filtered and ordered by the time each was
// received (the spec's requested_datetime, which staff may date back), not by when it was
// stored.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/date.h"
#include "store/sql.h"

namespace jiceng::store::open311 {

struct RequestQuery {
  std::string place_first{};  // the place codes in [place_first, place_last)
  std::string place_last{};
  Instant received_from{};  // received_at in [received_from, received_to)
  Instant received_to{};
  std::vector<std::string> category_codes{};  // empty: any
  std::vector<std::string> states{};          // empty: any
  std::size_t offset = 0;
  std::size_t limit = 1000;
};

// The statement request_page runs, with its parameters ($1, $2, …), for the query plan tests.
struct Statement {
  std::string sql;
  std::vector<Value> params;
};
Statement request_page_statement(const RequestQuery& q);

// The numbers of the cases q selects, newest received first, the case number breaking ties (a
// stable order for paging), from q.offset, at most q.limit. A county or a wider scope walks
// the index cases_public_received (migration 0024) backwards from received_to.
[[nodiscard]] Result<std::vector<std::string>> request_page(Sql& sql, const RequestQuery& q);

}  // namespace jiceng::store::open311
