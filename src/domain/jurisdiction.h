// The jurisdiction tree (行政区划): province → city → county → township → village, keyed by the
// national division codes (GB/T 2260 for the first three levels; 9- and 12-digit codes below).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace jiceng::domain {

enum class Level {
  kProvince = 1,  // 省级, 2 digits, e.g. 36 江西省
  kCity = 2,      // 地级, 4 digits, e.g. 3606 鹰潭市
  kCounty = 3,    // 县级, 6 digits, e.g. 360602 月湖区
  kTownship = 4,  // 乡级 (乡镇/街道), 9 digits
  kVillage = 5,   // 村级 (村/社区), 12 digits
};

std::string_view to_string(Level level);  // "province", "city", …
std::optional<Level> level_from_int(int v);

struct Jurisdiction {
  std::string code;
  std::string name;
  Level level = Level::kProvince;
  std::string parent_code;  // empty for a province

  bool operator==(const Jurisdiction&) const = default;
};

// The level a code of this shape denotes: all digits, of length 2, 4, 6, 9 or 12.
// kInvalidArgument otherwise (the message says what a code looks like).
[[nodiscard]] Result<Level> level_of_code(std::string_view code);
// A code as this system writes it, from the padded forms others use: the six digits of GB/T 2260
// (360600 for 鹰潭市 3606, 360000 for 江西省 36) and the twelve of the statistical division codes
// (360603000000 for 余江区 360603, 360603001000 for its township 360603001). Padding is read
// only where the standards reserve the zeros (no county, township or village is numbered 00 or
// 000); any other text comes back as it is, for level_of_code to judge.
std::string canonical_code(std::string_view code);
// The code of the parent node implied by the code's prefix; "" for a province.
// Precondition: level_of_code(code) is ok.
std::string parent_code_of(std::string_view code);

}  // namespace jiceng::domain
