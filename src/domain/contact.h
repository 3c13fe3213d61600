// A submitter's contact in the one form it is compared and keyed in. People give the same phone
// number many ways — "138 0000 0021", "+86 13800000021", "138-0000-0021", full-width digits
// typed with a Chinese input method — and each must find the same person: repeat linking
// (信访工作条例 Art. 19, 并单), the repeat signature's contact key and the signal counts' people.
// Pure: no I/O, no lookup of whether a number exists.
#pragma once

#include <string>
#include <string_view>

namespace jiceng::domain {

// The contact in its compared form, "" for a blank one:
// - a Chinese mobile: its 11 digits ("13800000021"), without separators (spaces, - . / ( ))
//   and without the country prefix +86, 0086 or 86;
// - a Chinese landline: the area code with its trunk 0 and the number ("07016221234"), also
//   when written "+86 701 622 1234" or "(0701) 622-1234";
// - another international number: "+" and its digits;
// - an e-mail address: trimmed and lower-cased;
// - anything else: trimmed, its runs of white space one space, ASCII lower-cased.
// Full-width ASCII (１３８, ＋, ＠) and the ideographic space count as their ASCII forms.
std::string normalized_contact(std::string_view contact);

// Whether someone could answer on this contact: a phone number (at least 7 digits, also with an
// extension written after it: "0701-6221234 转 801") or an e-mail address (name@domain.tld).
// "123" or "abc" is not: the office could not call back, nor the resident be told anything.
bool reachable_contact(std::string_view contact);

// Whether two submitter names, as staff recorded them, are one name: both given, and equal once
// white space (the ideographic space too) and the dots between a name's parts (·, •, ‧, ・, .)
// are dropped, full-width letters are read as ASCII and ASCII case is ignored ("张 三" and
// "张三", "买买提·艾力" and "买买提.艾力", "Li Ming" and "li ming"). A household sharing one
// phone gives other names: not one person.
bool same_name(std::string_view a, std::string_view b);
// The same, or one of them not recorded (linking a repeat, where a caller who gave no name this
// time is taken at their number).
bool names_agree(std::string_view a, std::string_view b);

}  // namespace jiceng::domain
