#include "text/tokenize.h"

#include "common/utf8.h"

namespace jiceng::text {

bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3134F) || c == 0x3007 ||
         (c >= 0x3041 && c <= 0x30FF && c != 0x30FB) || (c >= 0xAC00 && c <= 0xD7A3);
}

bool is_word_char(char32_t c) {
  if (c < 0x80)
    return (c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9') || (c >= U'A' && c <= U'Z');
  return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

std::string token_text(const NormalizedText& t, const Token& token) {
  std::string out;
  for (std::uint32_t i = token.begin; i < token.end; ++i) append_utf8(out, t.chars[i]);
  return out;
}

void append_index_terms(std::string_view text, IndexTerms& out) {
  NormalizedText t = normalize(text);
  for_each_token(t, [&](const Token& token) {
    std::string& column = token.kind == TokenKind::kUnigram ? out.unigrams : out.sequence;
    if (!column.empty()) column += ' ';
    for (std::uint32_t i = token.begin; i < token.end; ++i) append_utf8(column, t.chars[i]);
  });
}

}  // namespace jiceng::text
