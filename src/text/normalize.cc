#include "text/normalize.h"

#include <limits>

#include "common/utf8.h"
#include "text/simplify.h"

namespace jiceng::text {

namespace {

constexpr char32_t kDrop = 0;

bool is_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// Latin upper case → lower case: ASCII, Latin-1 (but ×), Latin Extended-A.
char32_t fold_latin(char32_t c) {
  if (c >= U'A' && c <= U'Z') return c + 0x20;
  if (c < 0xC0) return c;
  if (c <= 0xDE) return c == 0xD7 ? c : c + 0x20;
  if (c < 0x100 || c > 0x17F) return c;
  if (c == 0x130) return U'i';
  if (c == 0x178) return 0xFF;
  bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
  bool even_upper = !odd_upper && c != 0x138 && c != 0x149 && c != 0x17F;
  if (odd_upper && c % 2 == 1) return c + 1;
  if (even_upper && c % 2 == 0) return c + 1;
  return c;
}

// One code point's form before simplification: space, dropped, or a (folded) character.
char32_t map_char(char32_t c) {
  if (is_space(c) || c < 0x20 || (c >= 0x7F && c < 0xA0)) return U' ';
  if ((c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF) return kDrop;
  if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
  return fold_latin(c);
}

// Simplifies chars in place, keeping one character per original one: the whole text is
// converted when OpenCC keeps its length (nearly always), else character by character.
void simplify(std::u32string& chars) {
  const Simplifier& s = Simplifier::instance();
  bool any = false;
  for (char32_t c : chars) any = any || s.may_change(c);
  if (!any) return;
  std::string utf8;
  for (char32_t c : chars) append_utf8(utf8, c);
  std::string converted = s.convert(utf8);
  std::u32string out;
  out.reserve(chars.size());
  for (std::size_t at = 0; at < converted.size();) {
    DecodedCodePoint d = decode_utf8_at(converted, at);
    out.push_back(d.value);
    at += d.size;
  }
  if (out.size() == chars.size()) {
    chars = std::move(out);
    return;
  }
  for (char32_t& c : chars) {
    if (!s.may_change(c)) continue;
    std::string one;
    append_utf8(one, c);
    std::string conv = s.convert(one);
    DecodedCodePoint d = decode_utf8_at(conv, 0);
    if (!conv.empty() && d.size == conv.size()) c = d.value;
  }
}

}  // namespace

NormalizedText normalize(std::string_view utf8) {
  if (utf8.size() > std::numeric_limits<std::uint32_t>::max()) {
    utf8 = utf8.substr(0, std::numeric_limits<std::uint32_t>::max());
  }
  NormalizedText out;
  out.chars.reserve(utf8.size());
  out.source.reserve(utf8.size());
  for (std::size_t at = 0; at < utf8.size();) {
    DecodedCodePoint d = decode_utf8_at(utf8, at);
    char32_t c = d.valid ? map_char(d.value) : d.value;
    auto begin = static_cast<std::uint32_t>(at);
    at += d.size;
    if (c == kDrop) continue;
    out.chars.push_back(c);
    out.source.push_back({begin, static_cast<std::uint32_t>(at)});
  }
  simplify(out.chars);
  // Collapse white space: a space extends the span of the space before it; none at the ends.
  std::size_t n = 0;
  for (std::size_t i = 0; i < out.chars.size(); ++i) {
    if (out.chars[i] == U' ' && (n == 0 || out.chars[n - 1] == U' ')) {
      if (n > 0) out.source[n - 1].end = out.source[i].end;
      continue;
    }
    out.chars[n] = out.chars[i];
    out.source[n] = out.source[i];
    ++n;
  }
  if (n > 0 && out.chars[n - 1] == U' ') --n;
  out.chars.resize(n);
  out.source.resize(n);
  return out;
}

std::string normalize_utf8(std::string_view utf8) {
  NormalizedText t = normalize(utf8);
  std::string out;
  out.reserve(t.chars.size());
  for (char32_t c : t.chars) append_utf8(out, c);
  return out;
}

std::string match_form(std::string_view utf8) {
  NormalizedText t = normalize(utf8);
  std::string out;
  out.reserve(t.chars.size());
  for (char32_t c : t.chars) {
    if (c != U' ') append_utf8(out, c);
  }
  return out;
}

}  // namespace jiceng::text
