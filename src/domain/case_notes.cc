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

// s up to `mark` (removed with it from s); nullopt when mark is not in s.
std::optional<std::string_view> take_until(std::string_view& s, std::string_view mark) {
  const auto at = s.find(mark);
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view head = s.substr(0, at);
  s.remove_prefix(at + mark.size());
  return head;
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
  const bool one = n == "1";
  if (unit == "天") return fmt::format("{} {}", n, one ? "day" : "days");
  if (unit == "个自然日") return fmt::format("{} calendar {}", n, one ? "day" : "days");
  if (unit == "个工作日") return fmt::format("{} working {}", n, one ? "day" : "days");
  if (unit == "小时") return fmt::format("{} {}", n, one ? "hour" : "hours");
  return std::nullopt;
}

// What follows jiceng's part of a note: staff's words as written, and the place a transfer or
// dispatch moved the case from (place_moved, place_refined) in English. Sets `ours` when that
// place part is there.
std::string english_tail(std::string_view s, bool& ours) {
  constexpr std::string_view kPlace = "发生地点由 ";
  const auto at = s.find(kPlace);
  if (at == std::string_view::npos) return std::string(s);
  std::string_view staff = s.substr(0, at);
  std::string_view place = s.substr(at + kPlace.size());
  const bool separated = staff.ends_with("；");
  if (!staff.empty() && !separated) return std::string(s);
  if (separated) staff.remove_suffix(std::string_view("；").size());
  std::string out(staff);
  if (!out.empty()) out += "; ";
  if (auto from = take_until(place, " 明确到 "); from && place.find(' ') == std::string_view::npos) {
    out += fmt::format("place narrowed from {} to {}", *from, place);
  } else if (place.ends_with(" 转出") && place.find(' ') == place.size() - std::string_view(" 转出").size()) {
    place.remove_suffix(std::string_view(" 转出").size());
    out += fmt::format("moved away from place {}", place);
  } else {
    return std::string(s);
  }
  ours = true;
  return out;
}

// "head" alone, or "head: tail" when the note went on after a full-width colon.
std::string with_tail(std::string head, std::string_view rest) {
  bool ours = false;
  if (take(rest, "：")) head += ": " + english_tail(rest, ours);
  return head;
}

std::optional<std::string_view> clock_of(std::string_view& s) {
  for (ClockKind clock : {ClockKind::kAcceptance, ClockKind::kHandling, ClockKind::kReviewReply}) {
    if (take(s, clock_name(clock))) return clock_english(clock);
  }
  return std::nullopt;
}

constexpr std::string_view kSupervision = "提级请求已记录并提请督办：";

}  // namespace

std::optional<std::string> english(std::string_view note) {
  std::string_view s = note;
  if (note == no_unit()) return "No unit at the place or above it can handle this";
  if (note == merged_elsewhere()) return "Merged into another case being handled";
  if (take(s, "分派至") && !s.empty()) return fmt::format("Routed to {}", s);
  s = note;
  if (take(s, "重复件，已并入在办案件 ")) {
    if (auto number = take_until(s, "，由"); number && s.ends_with("办理")) {
      s.remove_suffix(std::string_view("办理").size());
      return fmt::format("A repeat: linked to case {}, being handled by {}", *number, s);
    }
    return fmt::format("A repeat: linked to case {}", s);
  }
  if (take(s, kSubmittedAgain)) {
    if (s.empty()) return "The same matter was submitted again";
    if (take(s, kNumbered)) return fmt::format("The same matter was submitted again as {}", s);
    return std::nullopt;
  }
  for (auto [prefix, english] : {std::pair{kRequestPrefix, "Extension of {} requested"},
                                 std::pair{std::string_view("延期 "), "Extended by {}"}}) {
    s = note;
    if (!take(s, prefix)) continue;
    const auto end = s.find("：");
    auto amount = english_amount(s.substr(0, end));
    if (!amount) return std::nullopt;
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
    return with_tail(fmt::format(fmt::runtime(english), *amount), s);
  }
  s = note;
  if (take(s, "限 ")) {
    auto period = take_until(s, "内办结（");
    auto deadline = take_until(s, " 前）");
    std::optional<std::string> amount = period ? english_amount(*period) : std::nullopt;
    if (!amount || !deadline) return std::nullopt;
    return with_tail(fmt::format("To be finished within {} (by {})", *amount, *deadline), s);
  }
  s = note;
  if (take(s, "并入 ")) {
    const auto end = s.find("：");
    const std::string_view target = s.substr(0, end);
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
    return with_tail(fmt::format("Merged into {}", target), s);
  }
  s = note;
  if (auto clock = clock_of(s); clock && take(s, "已用去 80%（期限 ") && s.ends_with("）")) {
    s.remove_suffix(std::string_view("）").size());
    return fmt::format("80% of the {} used (deadline {})", *clock, s);
  }
  s = note;
  if (take(s, "已超过")) {
    if (auto clock = clock_of(s); clock && take(s, "（期限 ") && s.ends_with("）")) {
      s.remove_suffix(std::string_view("）").size());
      return fmt::format("The {} has passed (deadline {})", *clock, s);
    }
    return std::nullopt;
  }
  s = note;
  if (take(s, "期限按更新后的法定节假日重新计算：")) {
    return fmt::format("Deadline counted again on the updated official holidays: {}", s);
  }
  s = note;
  if (take(s, "超期未办结，提级至")) return fmt::format("Not finished in time; escalated to {}", s);
  s = note;
  if (take(s, "已由本系统最高层级单位")) {
    if (auto unit = take_until(s, "办理，"); unit && take(s, kSupervision)) {
      return fmt::format(
          "Already with {}, the highest unit here; the request to escalate is recorded for "
          "supervision: {}",
          *unit, s);
    }
    return std::nullopt;
  }
  s = note;
  if (take(s, "已提级至")) {
    if (auto unit = take_until(s, "，待其办理；"); unit && take(s, kSupervision)) {
      return fmt::format(
          "Already escalated to {}, which has not acted yet; the request to escalate is recorded "
          "for supervision: {}",
          *unit, s);
    }
    return std::nullopt;
  }
  bool ours = false;
  std::string tail = english_tail(note, ours);
  if (ours) return tail;
  return std::nullopt;
}

}  // namespace jiceng::domain::notes
