// UTF-8 checks and decoding shared by every layer that takes text from outside.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace jiceng {

// One step of decoding: the code point that starts at a byte offset and how many bytes it takes.
// A byte that does not start a well-formed sequence (truncated or stray bytes, overlong forms,
// surrogates, values past U+10FFFF) decodes as U+FFFD with size 1 and valid false, so decoding
// always moves forward.
struct DecodedCodePoint {
  char32_t value = 0;
  std::size_t size = 1;
  bool valid = true;
};
DecodedCodePoint decode_utf8_at(std::string_view s, std::size_t offset);

// The number of Unicode code points in s, or nullopt when s is not well-formed UTF-8.
std::optional<std::size_t> utf8_length(std::string_view s);

// Appends the UTF-8 form of cp (U+FFFD for a surrogate or a value past U+10FFFF).
void append_utf8(std::string& out, char32_t cp);

}  // namespace jiceng
