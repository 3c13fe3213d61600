#include "domain/jurisdiction.h"

#include <algorithm>

namespace jiceng::domain {

std::string_view to_string(Level level) {
  switch (level) {
    case Level::kProvince:
      return "province";
    case Level::kCity:
      return "city";
    case Level::kCounty:
      return "county";
    case Level::kTownship:
      return "township";
    case Level::kVillage:
      return "village";
  }
  return "unknown";
}

std::optional<Level> level_from_int(int v) {
  if (v < 1 || v > 5) return std::nullopt;
  return static_cast<Level>(v);
}

Result<Level> level_of_code(std::string_view code) {
  for (char c : code) {
    if (c < '0' || c > '9') {
      return Error::invalid_argument(
                 "a division code has only digits (2, 4, 6, 9 or 12 of them, e.g. 3606)")
          .zh("区划代码只能由数字组成（2、4、6、9 或 12 位，例如 3606）");
    }
  }
  switch (code.size()) {
    case 2:
      return Level::kProvince;
    case 4:
      return Level::kCity;
    case 6:
      return Level::kCounty;
    case 9:
      return Level::kTownship;
    case 12:
      return Level::kVillage;
    default:
      return Error::invalid_argument(
                 "a division code has 2, 4, 6, 9 or 12 digits (e.g. 36, 3606, 360602)")
          .zh("区划代码应为 2、4、6、9 或 12 位数字（例如 36、3606、360602）");
  }
}

std::string canonical_code(std::string_view code) {
  std::string c(code);
  if (c.empty() || !std::all_of(c.begin(), c.end(), [](char d) { return d >= '0' && d <= '9'; })) {
    return c;
  }
  if (c.size() == 12 && c.ends_with("000")) c.resize(9);
  if (c.size() == 9 && c.ends_with("000")) c.resize(6);
  if (c.size() == 6 && c.ends_with("00")) c.resize(4);
  if (c.size() == 4 && c.ends_with("00")) c.resize(2);
  return c;
}

std::string parent_code_of(std::string_view code) {
  switch (code.size()) {
    case 4:
      return std::string(code.substr(0, 2));
    case 6:
      return std::string(code.substr(0, 4));
    case 9:
      return std::string(code.substr(0, 6));
    case 12:
      return std::string(code.substr(0, 9));
    default:
      return {};
  }
}

}  // namespace jiceng::domain
