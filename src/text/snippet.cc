#include "text/snippet.h"

#include <algorithm>
#include <vector>

#include "common/utf8.h"
#include "text/normalize.h"
#include "text/tokenize.h"

namespace jiceng::text {

namespace {

struct Match {
  std::uint32_t begin;  // in NormalizedText::chars
  std::uint32_t end;
};

struct Indexed {
  Token token;
  std::string text;
};

// Every place where the tokens of a term are adjacent and in order: in the sequence, or, for a
// term of single characters, among the unigrams.
void find_term(const std::vector<Indexed>& sequence, const std::vector<Indexed>& unigrams,
               const std::vector<std::string>& term, std::vector<Match>& out) {
  for (const auto* tokens : {&sequence, &unigrams}) {
    const auto& v = *tokens;
    for (std::size_t i = 0; i + term.size() <= v.size(); ++i) {
      bool match = true;
      for (std::size_t k = 0; k < term.size() && match; ++k) {
        match = v[i + k].text == term[k] &&
                (k == 0 || v[i + k].token.group == v[i + k - 1].token.group || tokens == &sequence);
      }
      if (match) out.push_back({v[i].token.begin, v[i + term.size() - 1].token.end});
    }
  }
}

void append_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

Snippet snippet_html(std::string_view original, const SearchQuery& q, std::size_t width) {
  NormalizedText t = normalize(original);
  std::vector<Indexed> sequence;
  std::vector<Indexed> unigrams;
  for_each_token(
      t,
      [&](const Token& token) {
        auto& column = token.kind == TokenKind::kUnigram ? unigrams : sequence;
        column.push_back({token, token_text(t, token)});
      },
      t.chars.size() + 1);
  std::vector<Match> matches;
  Snippet out;
  for (const auto& term : q.terms) {
    std::size_t before = matches.size();
    find_term(sequence, unigrams, term, matches);
    if (matches.size() > before) ++out.terms;
  }
  if (matches.empty()) return out;
  std::sort(matches.begin(), matches.end(),
            [](const Match& a, const Match& b) { return a.begin < b.begin; });
  // The window: a little context before the first match, then up to `width` characters.
  const std::size_t n = t.chars.size();
  std::size_t first = matches.front().begin;
  std::size_t begin = first > width / 4 ? first - width / 4 : 0;
  std::size_t end = std::min(n, begin + width);
  if (end - begin < width) begin = end > width ? end - width : 0;  // a short tail: more before
  end = std::max<std::size_t>(end, matches.front().end);
  std::string& html = out.html;
  if (begin > 0) html += "…";
  auto m = matches.begin();
  std::size_t mark_end = 0;  // the end of the open <mark>, 0 when none is open
  for (std::size_t i = begin; i < end; ++i) {
    if (mark_end == 0) {
      while (m != matches.end() && m->end <= i) ++m;
      if (m != matches.end() && m->begin <= i) {
        html += "<mark>";
        mark_end = m->end;
        // Overlapping and touching matches share one mark.
        for (auto k = m; k != matches.end() && k->begin <= mark_end; ++k) {
          mark_end = std::max<std::size_t>(mark_end, k->end);
        }
      }
    }
    if (t.shows_source(i)) {
      append_escaped(html, original.substr(t.source[i].begin, t.source[i].end - t.source[i].begin));
    } else {
      append_utf8(html, t.chars[i]);
    }
    if (mark_end != 0 && i + 1 >= std::min(mark_end, end)) {
      html += "</mark>";
      mark_end = 0;
    }
  }
  if (end < n) html += "…";
  return out;
}

}  // namespace jiceng::text
