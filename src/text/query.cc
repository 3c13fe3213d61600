#include "text/query.h"

#include <algorithm>

#include "common/utf8.h"
#include "text/normalize.h"
#include "text/tokenize.h"

namespace jiceng::text {

namespace {

// Appends the terms of one part of the query: the whole part as one phrase, or one term per
// word and per CJK run.
void add_terms(std::string_view part, bool phrase, SearchQuery& q, std::size_t& tokens) {
  NormalizedText t = normalize(part);
  std::vector<std::string> current;
  std::uint32_t group = 0;
  auto flush = [&] {
    if (!current.empty() && std::find(q.terms.begin(), q.terms.end(), current) == q.terms.end()) {
      q.terms.push_back(current);
    }
    current.clear();
  };
  for_each_token(t, [&](const Token& token) {
    if (token.kind == TokenKind::kUnigram) return;
    if (!phrase && token.group != group) flush();
    group = token.group;
    current.push_back(token_text(t, token));
    ++tokens;
  });
  flush();
}

}  // namespace

Result<SearchQuery> parse_query(std::string_view q) {
  auto length = utf8_length(q);
  if (!length) {
    return Error::invalid_argument("q: the query is not valid UTF-8")
        .zh("搜索词不是有效的 UTF-8 文本");
  }
  if (q.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Error::invalid_argument("q: give the words to search for").zh("请输入要搜索的词语");
  }
  if (*length > kMaxQueryChars) {
    return Error::invalid_argument("q: at most " + std::to_string(kMaxQueryChars) + " characters")
        .zh("搜索词最多 " + std::to_string(kMaxQueryChars) + " 个字");
  }
  SearchQuery out;
  std::size_t tokens = 0;
  // Quotes split the query: odd parts were quoted. Full-width quotes count as well.
  std::string plain = normalize_utf8(q);
  for (std::string_view quote : {"“", "”", "「", "」"}) {
    for (auto at = plain.find(quote); at != std::string::npos; at = plain.find(quote, at)) {
      plain.replace(at, quote.size(), 1, '"');
    }
  }
  std::string_view rest = plain;
  for (bool quoted = false; !rest.empty(); quoted = !quoted) {
    auto end = rest.find('"');
    add_terms(rest.substr(0, end), quoted, out, tokens);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  if (tokens > kMaxQueryTokens) {
    return Error::invalid_argument("q: at most " + std::to_string(kMaxQueryTokens) +
                                   " words and character pairs")
        .zh("搜索词过多，请精简");
  }
  if (out.terms.empty()) {
    return Error::invalid_argument("q: the query holds no word or character that can be searched")
        .zh("搜索词中没有可以搜索的文字");
  }
  return out;
}

}  // namespace jiceng::text
