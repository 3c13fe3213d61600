#include "domain/contact.h"

#include <algorithm>
#include <optional>

namespace jiceng::domain {

namespace {

// s with full-width ASCII (U+FF01..U+FF5E, what a Chinese input method types) and the
// ideographic space (U+3000) as their ASCII forms.
std::string half_width(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (i + 2 < s.size()) {
      const auto b1 = static_cast<unsigned char>(s[i + 1]);
      const auto b2 = static_cast<unsigned char>(s[i + 2]);
      if (b0 == 0xEF && b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF) {  // U+FF01..U+FF3F
        out += static_cast<char>(b2 - 0x81 + 0x21);
        i += 3;
        continue;
      }
      if (b0 == 0xEF && b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E) {  // U+FF40..U+FF5E
        out += static_cast<char>(b2 - 0x80 + 0x60);
        i += 3;
        continue;
      }
      if (b0 == 0xE3 && b1 == 0x80 && b2 == 0x80) {  // U+3000
        out += ' ';
        i += 3;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// 1 and a second digit from 3 to 9, eleven digits in all: the mainland's mobile numbers.
bool is_mobile(std::string_view digits) {
  return digits.size() == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9';
}

// The phone number s holds, in its compared form; nullopt when s is not only a phone number
// (digits, a leading +, and the separators people write between groups).
std::optional<std::string> phone_number(std::string_view s) {
  bool plus = false;
  std::string digits;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (!(is_space(c) || c == '-' || c == '.' || c == '/' || c == '(' || c == ')')) {
      return std::nullopt;
    }
  }
  // 00 is the international prefix dialled from China: 0086 … is +86 ….
  if (!plus && digits.starts_with("00")) {
    plus = true;
    digits.erase(0, 2);
  }
  bool china = false;
  if (plus) {
    if (!digits.starts_with("86"))
      return digits.empty() ? std::nullopt : std::optional("+" + digits);
    digits.erase(0, 2);
    china = true;
  } else if (digits.size() == 13 && digits.starts_with("86") &&
             is_mobile(std::string_view(digits).substr(2))) {
    digits.erase(0, 2);  // 86 13800000021: the country code without its +
  }
  if (digits.empty()) return std::nullopt;
  // After +86 a landline drops its trunk 0 (+86 701 …); at home it is dialled with it.
  if (china && !is_mobile(digits) && digits.front() != '0') digits.insert(0, "0");
  return digits;
}

}  // namespace

std::string normalized_contact(std::string_view contact) {
  const std::string half = half_width(contact);
  const std::string_view s = trimmed(half);
  if (s.empty()) return {};
  if (auto phone = phone_number(s)) return std::move(*phone);
  std::string out;
  out.reserve(s.size());
  const bool email = s.find('@') != std::string_view::npos;
  for (char c : s) {
    if (is_space(c)) {
      // An address has no spaces ("li @ qq.com" is a typing slip); other text keeps one.
      if (email || out.back() == ' ') continue;
      c = ' ';
    }
    out += lower(c);
  }
  return out;
}

bool reachable_contact(std::string_view contact) {
  const std::string half = half_width(contact);
  const std::string_view s = trimmed(half);
  const auto digits =
      std::count_if(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits >= 7) return true;
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = s.substr(at + 1);
  const auto dot = domain.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size() &&
         std::none_of(s.begin(), s.end(), [](char c) { return is_space(c); });
}

namespace {

// A name in the form names are compared in: without white space or the dots written between the
// parts of a name (买买提·艾力, 买买提•艾力, 买买提.艾力 and 买买提艾力 are one name), full-width
// letters as ASCII, ASCII lower-cased.
std::string compared_name(std::string_view name) {
  // U+00B7 middle dot, U+2022 bullet, U+2027 hyphenation point, U+30FB katakana middle dot,
  // U+FF65 half-width katakana middle dot (U+FF0E, the full-width full stop, is '.' by now).
  static constexpr std::string_view kDots[] = {"\u00B7", "\u2022", "\u2027", "\u30FB", "\uFF65"};
  const std::string half = half_width(name);
  std::string out;
  std::string_view s = half;
  while (!s.empty()) {
    bool dot = false;
    for (std::string_view d : kDots) {
      if (s.starts_with(d)) {
        s.remove_prefix(d.size());
        dot = true;
        break;
      }
    }
    if (dot) continue;
    const char c = s.front();
    s.remove_prefix(1);
    if (!is_space(c) && c != '.') out += lower(c);
  }
  return out;
}

}  // namespace

bool same_name(std::string_view a, std::string_view b) {
  const std::string x = compared_name(a);
  return !x.empty() && x == compared_name(b);
}

bool names_agree(std::string_view a, std::string_view b) {
  return compared_name(a).empty() || compared_name(b).empty() || same_name(a, b);
}

}  // namespace jiceng::domain
