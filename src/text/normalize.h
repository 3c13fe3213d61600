// The one form search works on. Every text — a case's description when it is indexed, a query,
// a snippet being marked — goes through normalize() first, so that 糾紛, 纠纷 and ｢纠纷｣ meet.
//
// In order: invalid UTF-8 becomes U+FFFD, one per bad byte (never an error: stored text is
// indexed whatever it holds); full-width forms become half-width (U+FF01–U+FF5E → ASCII,
// the ideographic space U+3000 → space); Latin letters are lower-cased (ASCII, Latin-1 and
// Latin Extended-A); every Unicode white space and control character becomes a space and
// zero-width characters vanish; traditional Chinese becomes simplified (text::Simplifier,
// OpenCC t2s); runs of spaces collapse to one, and leading and trailing spaces go.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jiceng::text {

// Bytes [begin, end) of the original text.
struct SourceSpan {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

struct NormalizedText {
  std::u32string chars;
  // source[i]: the bytes of the original that chars[i] stands for (a collapsed space stands for
  // the whole run of white space). Same size as chars.
  std::vector<SourceSpan> source;
  // Whether chars[i] stands for well-formed original text that can be shown as it was (not a
  // space, not the U+FFFD of a bad byte).
  bool shows_source(std::size_t i) const { return chars[i] != U' ' && chars[i] != U'\uFFFD'; }
};

// Normalises UTF-8 text of up to 4 GiB (longer input is cut there).
NormalizedText normalize(std::string_view utf8);
// The same, as UTF-8.
std::string normalize_utf8(std::string_view utf8);
// The form keywords are matched in (the dispatch catalogue's routing rules): normalize_utf8
// without any space, so that "ＷＩＦＩ", "wifi" and "Wi Fi", or "１２号楼" and "12 号楼", are one
// keyword. Chinese text has no spaces between words; Latin words run together here, which a
// keyword of a few letters may then match across (acceptable for routing hints).
std::string match_form(std::string_view utf8);

}  // namespace jiceng::text
