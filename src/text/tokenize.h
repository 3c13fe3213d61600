// The search tokenizer: the same for indexing and for queries, on normalised text
// (text/normalize.h).
//
// A normalised text is cut into words and CJK runs; everything else (punctuation, symbols,
// emoji, spaces, other scripts) separates them and is dropped.
// - A word is a run of ASCII letters and digits and Latin letters (Latin-1, Extended-A/B), cut
//   at kMaxWordChars: "12345", "wifi", "café".
// - A CJK run (Han ideographs, kana, hangul) of one character gives that character (kChar); a
//   longer run gives its overlapping pairs in order (kPair: 邻里纠纷 → 邻里 里纠 纠纷), and each of
//   its characters separately as a unigram (kUnigram), so that one-character queries find them.
// The sequence (words, lone characters, pairs) keeps the text's order, so that adjacent
// tokens of a query phrase are adjacent in the sequence of a text that holds the phrase.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "text/normalize.h"

namespace jiceng::text {

inline constexpr std::size_t kMaxWordChars = 32;
// At most this many tokens of the sequence, and as many unigrams, per indexed text: the rest
// of a very long text is not indexed.
inline constexpr std::size_t kMaxTokens = 4096;

enum class TokenKind { kWord, kChar, kPair, kUnigram };

struct Token {
  TokenKind kind = TokenKind::kWord;
  std::uint32_t begin = 0;  // [begin, end) in NormalizedText::chars
  std::uint32_t end = 0;
  std::uint32_t group = 0;  // which word or CJK run of the text it comes from, counted from 0
};

bool is_cjk(char32_t c);
bool is_word_char(char32_t c);

// Calls fn(const Token&) for every token of t in order (a run's pairs, then its unigrams),
// up to `limit` tokens of the sequence and `limit` unigrams.
template <typename Fn>
void for_each_token(const NormalizedText& t, Fn&& fn, std::size_t limit = kMaxTokens) {
  const std::u32string& s = t.chars;
  std::size_t in_sequence = 0;
  std::size_t unigrams = 0;
  std::uint32_t group = 0;
  for (std::size_t i = 0; i < s.size() && in_sequence < limit;) {
    std::size_t j = i;
    if (is_word_char(s[i])) {
      while (j < s.size() && is_word_char(s[j])) ++j;
      auto end = static_cast<std::uint32_t>(std::min(j, i + kMaxWordChars));
      fn(Token{TokenKind::kWord, static_cast<std::uint32_t>(i), end, group++});
      ++in_sequence;
    } else if (is_cjk(s[i])) {
      while (j < s.size() && is_cjk(s[j])) ++j;
      auto b = static_cast<std::uint32_t>(i);
      if (j - i == 1) {
        fn(Token{TokenKind::kChar, b, b + 1, group});
        ++in_sequence;
      } else {
        for (std::size_t k = i; k + 1 < j && in_sequence < limit; ++k, ++in_sequence) {
          auto at = static_cast<std::uint32_t>(k);
          fn(Token{TokenKind::kPair, at, at + 2, group});
        }
        for (std::size_t k = i; k < j && unigrams < limit; ++k, ++unigrams) {
          auto at = static_cast<std::uint32_t>(k);
          fn(Token{TokenKind::kUnigram, at, at + 1, group});
        }
      }
      ++group;
    } else {
      j = i + 1;
    }
    i = j;
  }
}

// The token's text as UTF-8.
std::string token_text(const NormalizedText& t, const Token& token);

// What the stores index for one case: space-separated tokens, in two columns.
struct IndexTerms {
  std::string sequence;  // words, lone characters and pairs, in text order
  std::string unigrams;  // the characters of the CJK runs of two or more
};
// Normalises and tokenises `text` and appends its tokens to `out` (a field after another:
// description, address, reply).
void append_index_terms(std::string_view text, IndexTerms& out);

}  // namespace jiceng::text
