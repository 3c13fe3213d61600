// Search queries: what a user types, turned into the tokens the index holds (text/tokenize.h).
//
// A query is a list of terms, all of which must occur (AND). A quoted part ("3号楼 漏水") is
// one term, a phrase whose tokens must be adjacent and in order. Outside quotes, every word
// and every CJK run is a term of its own: a run of two or more characters is the phrase of its
// pairs (纠纷 → [纠纷], 宅基地 → [宅基, 基地]), a single character is its unigram.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace jiceng::text {

inline constexpr std::size_t kMaxQueryChars = 100;
inline constexpr std::size_t kMaxQueryTokens = 32;

struct SearchQuery {
  // Each term: its tokens in order (lower-case words, simplified CJK characters and pairs).
  std::vector<std::vector<std::string>> terms;
};

// kInvalidArgument (with a zh-CN message) for an empty query, one longer than kMaxQueryChars
// code points or kMaxQueryTokens tokens, bad UTF-8, or one with nothing searchable in it (only
// punctuation, symbols or emoji).
[[nodiscard]] Result<SearchQuery> parse_query(std::string_view q);

}  // namespace jiceng::text
