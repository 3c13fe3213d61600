// UTF-8 checks shared by every layer that takes text from outside.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace jiceng {

// The number of Unicode code points in s, or nullopt when s is not well-formed UTF-8
// (truncated or stray bytes, overlong forms, surrogates, values past U+10FFFF).
std::optional<std::size_t> utf8_length(std::string_view s);

}  // namespace jiceng
