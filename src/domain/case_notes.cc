#include "domain/case_notes.h"

#include <fmt/format.h>

#include <algorithm>

namespace jiceng::domain::notes {

namespace {

// "text" or "text：more" (a full-width colon, as Chinese writes it).
std::string with(std::string text, std::string_view more) {
  if (!more.empty()) text += fmt::format("：{}", more);
  return text;
}

}  // namespace

std::string routed(std::string_view unit_name) { return fmt::format("分派至{}", unit_name); }

std::string no_unit() { return "所在地及上级均无可承办单位"; }

std::string repeat_of(std::string_view open_number, std::string_view unit_name) {
  if (unit_name.empty()) return fmt::format("重复件，已并入在办案件 {}", open_number);
  return fmt::format("重复件，已并入在办案件 {}，由{}办理", open_number, unit_name);
}

namespace {
constexpr std::string_view kSubmittedAgain = "同一事项再次反映";
constexpr std::string_view kNumbered = "，编号 ";
}  // namespace

std::string submitted_again(std::string_view new_number) {
  return fmt::format("{}{}{}", kSubmittedAgain, kNumbered, new_number);
}

std::string number_submitted_again(std::string_view note) {
  const std::string prefix = fmt::format("{}{}", kSubmittedAgain, kNumbered);
  if (!note.starts_with(prefix)) return "";
  return std::string(note.substr(prefix.size()));
}

std::string merged_elsewhere() { return "已并入另一在办案件"; }

std::string submitted_again_elsewhere() { return std::string(kSubmittedAgain); }

namespace {
std::string days_text(int days, PeriodUnit unit) {
  return unit == PeriodUnit::kWorkingDays ? fmt::format("{} 个工作日", days)
                                          : fmt::format("{} 天", days);
}
constexpr std::string_view kRequestPrefix = "申请延期 ";
}  // namespace

std::string extension(int days, PeriodUnit unit, std::string_view reason) {
  return with("延期 " + days_text(days, unit), reason);
}

std::string extension_request(int days, PeriodUnit unit, std::string_view reason) {
  return with(std::string(kRequestPrefix) + days_text(days, unit), reason);
}

std::string extension_request_reason(std::string_view note) {
  const std::string_view rest = note.substr(std::min(note.size(), kRequestPrefix.size()));
  if (!note.starts_with(kRequestPrefix) || rest.empty() || rest.front() < '0' ||
      rest.front() > '9') {
    return std::string(note);  // a reason written that way by hand, not the days asked for
  }
  // "申请延期 20 天" alone, or followed by "：理由" (with's separator).
  constexpr std::string_view kSeparator = "：";
  const auto at = note.find(kSeparator);
  return at == std::string_view::npos ? std::string()
                                      : std::string(note.substr(at + kSeparator.size()));
}

std::optional<int> extension_request_days(std::string_view note) {
  if (!note.starts_with(kRequestPrefix)) return std::nullopt;
  std::string_view rest = note.substr(kRequestPrefix.size());
  int days = 0;
  std::size_t digits = 0;
  while (digits < rest.size() && digits < 3 && rest[digits] >= '0' && rest[digits] <= '9') {
    days = days * 10 + (rest[digits] - '0');
    ++digits;
  }
  rest.remove_prefix(digits);
  if (digits == 0 || days == 0 || !(rest.starts_with(" 天") || rest.starts_with(" 个工作日"))) {
    return std::nullopt;
  }
  return days;
}

std::string time_limit(const Period& limit, Instant deadline, std::string_view note) {
  return with(fmt::format("限 {}内办结（{} 前）", period_text(limit, false),
                          format_china_deadline(deadline)),
              note);
}

std::string answered_by_unit() {
  return "本事项已办结答复，答复由承办单位直接告知您。"
         "The matter has been answered; the handling unit gives its answer to you directly.";
}

std::string place_refined(std::string_view note, std::string_view from_place,
                          std::string_view to_place) {
  return fmt::format("{}{}发生地点由 {} 明确到 {}", note, note.empty() ? "" : "；", from_place,
                     to_place);
}

std::string place_moved(std::string_view note, std::string_view from_place) {
  return fmt::format("{}{}发生地点由 {} 转出", note, note.empty() ? "" : "；", from_place);
}

std::string merged_into(std::string_view target, std::string_view note) {
  return with(fmt::format("并入 {}", target), note);
}

std::string merged_into_without_remark(std::string_view note, std::string_view target) {
  std::string bare = merged_into(target, "");
  return note.starts_with(bare) ? bare : std::string(note);
}

namespace {
std::string_view clock_name(ClockKind clock) {
  switch (clock) {
    case ClockKind::kAcceptance:
      return "受理时限";
    case ClockKind::kReviewReply:
      return "答复时限";
    default:
      return "办理时限";
  }
}
std::string_view clock_english(ClockKind clock) {
  switch (clock) {
    case ClockKind::kAcceptance:
      return "time limit for acceptance";
    case ClockKind::kReviewReply:
      return "time limit for the reply";
    default:
      return "time limit for handling";
  }
}
}  // namespace

std::string warned(ClockKind clock, Instant deadline) {
  return fmt::format("{}已用去 80%（期限 {}）", clock_name(clock), format_china_deadline(deadline));
}

std::string breached(ClockKind clock, Instant deadline) {
  return fmt::format("已超过{}（期限 {}）", clock_name(clock), format_china_deadline(deadline));
}

std::string deadline_recomputed(std::string_view old_deadline, std::string_view new_deadline) {
  return fmt::format("期限按更新后的法定节假日重新计算：{} → {}", old_deadline, new_deadline);
}

std::string escalated_on_breach(std::string_view unit_name) {
  return fmt::format("超期未办结，提级至{}", unit_name);
}

std::string escalation_at_top(std::string_view unit_name, std::string_view reason) {
  return fmt::format("已由本系统最高层级单位{}办理，提级请求已记录并提请督办：{}", unit_name,
                     reason);
}

std::string escalation_pending(std::string_view unit_name, std::string_view reason) {
  return fmt::format("已提级至{}，待其办理；提级请求已记录并提请督办：{}", unit_name, reason);
}

namespace {

// Removes `prefix` from the front of s; false (s unchanged) when s does not start with it.
bool take(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// s up to `mark` (removed with it from s); nullopt (s unchanged) when mark is not in s.
std::optional<std::string_view> take_until(std::string_view& s, std::string_view mark) {
  const auto at = s.find(mark);
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view head = s.substr(0, at);
  s.remove_prefix(at + mark.size());
  return head;
}

// Removes `suffix` from the end of s; false (s unchanged) when s does not end with it.
bool take_suffix(std::string_view& s, std::string_view suffix) {
  if (!s.ends_with(suffix)) return false;
  s.remove_suffix(suffix.size());
  return true;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "20 天", "5 个工作日", "24 小时", "7 个自然日" in English; nullopt for anything else.
std::optional<std::string> english_amount(std::string_view s) {
  const auto space = s.find(' ');
  if (space == std::string_view::npos || !all_digits(s.substr(0, space))) return std::nullopt;
  const std::string_view n = s.substr(0, space);
  const std::string_view unit = s.substr(space + 1);
  const std::string_view days = n == "1" ? "day" : "days";
  if (unit == "天") return fmt::format("{} {}", n, days);
  if (unit == "个自然日") return fmt::format("{} calendar {}", n, days);
  if (unit == "个工作日") return fmt::format("{} working {}", n, days);
  if (unit == "小时") return fmt::format("{} {}", n, n == "1" ? "hour" : "hours");
  return std::nullopt;
}

// A transfer's or dispatch's note: staff's words as written, then the place it moved the case
// from (place_moved, place_refined) in English; nullopt when the note does not end so.
std::optional<std::string> english_place(std::string_view s) {
  constexpr std::string_view kPlace = "发生地点由 ";
  const auto at = s.rfind(kPlace);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view staff = s.substr(0, at);
  std::string_view place = s.substr(at + kPlace.size());
  if (!staff.empty() && !take_suffix(staff, "；")) return std::nullopt;
  std::string moved;
  if (auto from = take_until(place, " 明确到 ")) {
    if (place.empty() || place.find(' ') != std::string_view::npos) return std::nullopt;
    moved = fmt::format("place narrowed from {} to {}", *from, place);
  } else if (take_suffix(place, " 转出") && !place.empty() &&
             place.find(' ') == std::string_view::npos) {
    moved = fmt::format("moved away from place {}", place);
  } else {
    return std::nullopt;
  }
  return staff.empty() ? moved : fmt::format("{}; {}", staff, moved);
}

// "head", or "head: rest" when the note went on after a full-width colon (the rest in English
// where it ends with the place part, as written otherwise).
std::string with_rest(std::string head, std::string_view rest) {
  if (!take(rest, "：")) return head;
  auto place = english_place(rest);
  return fmt::format("{}: {}", head, place ? *place : std::string(rest));
}

std::optional<std::string_view> clock_of(std::string_view& s) {
  for (ClockKind clock : {ClockKind::kAcceptance, ClockKind::kHandling, ClockKind::kReviewReply}) {
    if (take(s, clock_name(clock))) return clock_english(clock);
  }
  return std::nullopt;
}

// "{prefix}N 天[：rest]" (extension, extension_request) in English.
std::optional<std::string> english_days(std::string_view note, std::string_view prefix,
                                        std::string_view english) {
  if (!take(note, prefix)) return std::nullopt;
  const auto end = note.find("：");
  auto amount = english_amount(note.substr(0, end));
  if (!amount) return std::nullopt;
  note.remove_prefix(end == std::string_view::npos ? note.size() : end);
  return with_rest(fmt::format(fmt::runtime(english), *amount), note);
}

std::optional<std::string> english_merge(std::string_view note) {
  if (note == merged_elsewhere()) return "Merged into another case being handled";
  std::string_view s = note;
  if (take(s, "重复件，已并入在办案件 ")) {
    std::string_view rest = s;
    if (auto number = take_until(rest, "，由"); number && take_suffix(rest, "办理")) {
      return fmt::format("A repeat: linked to case {}, being handled by {}", *number, rest);
    }
    if (s.find("，") != std::string_view::npos) return std::nullopt;
    return fmt::format("A repeat: linked to case {}", s);
  }
  if (!take(s, "并入 ")) return std::nullopt;
  const auto end = s.find("：");
  const std::string_view target = s.substr(0, end);
  s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  return with_rest(fmt::format("Merged into {}", target), s);
}

// A dispatch's note: the time limit it gave, and the place part, around staff's words.
std::optional<std::string> english_dispatch(std::string_view note) {
  std::string_view s = note;
  if (!take(s, "限 ")) return english_place(note);
  auto period = take_until(s, "内办结（");
  auto deadline = period ? take_until(s, " 前）") : std::nullopt;
  auto amount = period ? english_amount(*period) : std::nullopt;
  if (!amount || !deadline) return std::nullopt;
  return with_rest(fmt::format("To be finished within {} (by {})", *amount, *deadline), s);
}

std::optional<std::string> english_clock_event(std::string_view command, std::string_view note) {
  std::string_view s = note;
  if (command == "warn") {
    auto clock = clock_of(s);
    if (clock && take(s, "已用去 80%（期限 ") && take_suffix(s, "）")) {
      return fmt::format("80% of the {} used (deadline {})", *clock, s);
    }
  } else if (command == "breach") {
    std::optional<std::string_view> clock;
    if (take(s, "已超过") && (clock = clock_of(s)) && take(s, "（期限 ") && take_suffix(s, "）")) {
      return fmt::format("The {} has passed (deadline {})", *clock, s);
    }
  } else if (command == "recompute_deadline") {
    if (take(s, "期限按更新后的法定节假日重新计算：")) {
      return fmt::format("Deadline counted again on the updated official holidays: {}", s);
    }
  }
  return std::nullopt;
}

constexpr std::string_view kSupervision = "提级请求已记录并提请督办：";

std::optional<std::string> english_escalation(std::string_view actor, std::string_view note) {
  std::string_view s = note;
  if (actor == "system") {
    if (take(s, "超期未办结，提级至"))
      return fmt::format("Not finished in time; escalated to {}", s);
    return std::nullopt;
  }
  if (take(s, "已由本系统最高层级单位")) {
    if (auto unit = take_until(s, "办理，"); unit && take(s, kSupervision)) {
      return fmt::format(
          "Already with {}, the highest unit here; the request to escalate is recorded for "
          "supervision: {}",
          *unit, s);
    }
    return std::nullopt;
  }
  if (take(s, "已提级至")) {
    if (auto unit = take_until(s, "，待其办理；"); unit && take(s, kSupervision)) {
      return fmt::format(
          "Already escalated to {}, which has not acted yet; the request to escalate is recorded "
          "for supervision: {}",
          *unit, s);
    }
  }
  return std::nullopt;
}

// follow_up: the rating, then ": " and the resident's words (CaseService::apply_in).
std::optional<std::string> english_rating(std::string_view note) {
  for (auto [zh, en] :
       {std::pair{"满意", "Satisfied"}, std::pair{"基本满意", "Basically satisfied"},
        std::pair{"不满意", "Unsatisfied"}}) {
    std::string_view s = note;
    if (!take(s, zh)) continue;
    if (s.empty()) return std::string(en);
    if (take(s, ": ")) return fmt::format("{}: {}", en, s);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> english(std::string_view command, std::string_view actor,
                                   std::string_view note) {
  if (note.empty()) return std::nullopt;
  if (command == "register") {
    if (note == no_unit()) return "No unit at the place or above it can handle this";
    std::string_view s = note;
    if (take(s, "分派至") && !s.empty()) return fmt::format("Routed to {}", s);
    return std::nullopt;
  }
  if (command == "merge") return english_merge(note);
  if (command == "repeat") {
    std::string_view s = note;
    if (!take(s, kSubmittedAgain)) return std::nullopt;
    if (s.empty()) return "The same matter was submitted again";
    if (take(s, kNumbered)) return fmt::format("The same matter was submitted again as {}", s);
    return std::nullopt;
  }
  if (command == "approve_extension") return english_days(note, "延期 ", "Extended by {}");
  if (command == "request_extension") {
    return english_days(note, kRequestPrefix, "Extension of {} requested");
  }
  if (command == "assign" || command == "redispatch" || command == "reopen") {
    return english_dispatch(note);
  }
  if (command == "transfer") return english_place(note);
  if (command == "escalate") return english_escalation(actor, note);
  if (command == "follow_up") return english_rating(note);
  return english_clock_event(command, note);
}

}  // namespace jiceng::domain::notes
