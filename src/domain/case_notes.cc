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

}  // namespace jiceng::domain::notes
