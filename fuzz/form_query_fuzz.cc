// TESTS.md F3: query strings and form bodies (http::parse_target, parse_form, parse_pairs),
// which every route's parameters and Open311's form-encoded create go through. For any bytes:
// - what is accepted is valid UTF-8 without NUL, in every name, value and path segment;
// - parse_form keeps, of each name, the first value parse_pairs lists, and no other name;
// - a request target's query is read as the same form would be;
// - a form encoded again from what was read reads back the same (a round trip).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/router.h"

namespace {

using namespace jiceng;

[[noreturn]] void fail(const std::string& what, std::string_view input) {
  std::fprintf(stderr, "form_query_fuzz: %s\ninput: %.*s\n", what.c_str(),
               static_cast<int>(input.size()), input.data());
  std::abort();
}

bool clean(std::string_view s) {
  return s.find('\0') == std::string_view::npos && http::is_valid_utf8(s);
}

std::string encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void check_form(std::string_view input) {
  auto form = http::parse_form(input);
  auto pairs = http::parse_pairs(input);
  if (form.has_value() != pairs.has_value()) fail("parse_form and parse_pairs disagree", input);
  if (!form) {
    if (form.error().code != ErrorCode::kInvalidArgument) fail("refused, but not as 400", input);
    return;
  }
  http::StringMap firsts;
  for (const auto& [name, value] : *pairs) {
    if (!clean(name) || !clean(value)) fail("accepted a name or value that is not clean", input);
    firsts.try_emplace(name, value);
  }
  if (firsts != *form) fail("parse_form is not the first of each name", input);
  std::string again;
  for (const auto& [name, value] : *pairs) {
    if (name.empty() && value.empty()) continue;  // "=" reads as a pair of two empty strings
    if (!again.empty()) again += '&';
    again += encode(name) + "=" + encode(value);
  }
  auto reread = http::parse_pairs(again);
  if (!reread) fail("its own encoding was refused", input);
  http::Pairs expected;
  for (const auto& p : *pairs) {
    if (!(p.first.empty() && p.second.empty())) expected.push_back(p);
  }
  if (*reread != expected) fail("the round trip changed the pairs", input);
}

void check_target(std::string_view input) {
  auto t = http::parse_target(input);
  if (!t) {
    if (t.error().code != ErrorCode::kInvalidArgument) fail("refused, but not as 400", input);
    return;
  }
  if (!clean(t->path)) fail("accepted a path that is not clean", input);
  for (const auto& s : t->segments) {
    if (!clean(s)) fail("accepted a segment that is not clean", input);
  }
  const auto q = input.find('?');
  auto form = http::parse_form(q == std::string_view::npos ? "" : input.substr(q + 1));
  if (!form || *form != t->query) fail("the query is not read as a form", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_form(input);
  check_target(input);
  return 0;
}
