// Highlighted excerpts of search results, computed from the original text and the query.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "text/query.h"

namespace jiceng::text {

struct Snippet {
  std::string html;
  std::size_t terms = 0;  // how many of the query's terms occur in the text
};

// An excerpt of `original` (about `width` characters) around the first place where a term of
// q occurs, as HTML: the text is escaped (& < > " ') and every occurrence of a term inside the
// excerpt is wrapped in <mark>…</mark>, the only markup it holds. The excerpt shows the
// original characters (traditional stays traditional, full-width stays full-width); white space
// is shown as one space, bad UTF-8 as U+FFFD; "…" marks a cut. html is "" when no term occurs.
Snippet snippet_html(std::string_view original, const SearchQuery& q, std::size_t width = 80);

}  // namespace jiceng::text
