// The words of the demo cases (`jiceng demo --cases`): what residents write about each category,
// what units answer, the reasons staff give, and the names of people, roads, compounds and
// companies. Data only; app/demo_cases.cc picks and fills them in.
//
// Slots in braces are filled per case: {地} the place's short name (余家村, 公园社区, 春涛镇),
// {组} a spot in it (3组, 5栋), {镇} its township, {县} its county, {路} a road, {小区} a
// residential compound, {厂} a company, {姓} a surname (for 王记烧烤, 王某), {时} a time of day,
// {N} a number from 2 to 9, {天} days (2 to 30), {月} months (2 to 12), {元} an amount of money.
#pragma once

#include <span>
#include <string_view>

namespace jiceng::app {

struct DemoText {
  std::string_view category;  // a leaf category's code, or a top-level one for its whole family
  std::string_view text;
};

struct DemoTexts {
  std::span<const DemoText> descriptions;  // at least 40 per top-level category of the seed
  std::span<const DemoText> replies;       // written replies when a case is resolved (办结答复)
  std::span<const std::string_view> openings;           // before a description: "您好，" …
  std::span<const std::string_view> closings;           // after it: "希望尽快处理。" …
  std::span<const std::string_view> petition_closings;  // after a petition's
  std::span<const std::string_view> decline_reasons;    // 不予受理
  std::span<const std::string_view> return_reasons;     // 退单
  std::span<const std::string_view> transfer_reasons;   // 转送
  std::span<const std::string_view> extension_reasons;  // 申请延期
  std::span<const std::string_view> extension_denials;  // 不批准延期
  std::span<const std::string_view> closed_unreached;   // 结案 without a follow-up call
  std::span<const std::string_view> remarks_satisfied;  // 回访 remarks, by rating
  std::span<const std::string_view> remarks_unsatisfied;
  std::span<const std::string_view> review_requests;     // 申请复查
  std::span<const std::string_view> review_replies;      // 复查答复
  std::span<const std::string_view> re_review_requests;  // 申请复核
  std::span<const std::string_view> re_review_replies;   // 复核答复
  std::span<const std::string_view> surnames;            // most common first
  std::span<const std::string_view> given_first;         // first character of two-character names
  std::span<const std::string_view> given_second;        // second character, or a whole given name
  std::span<const std::string_view> roads;
  std::span<const std::string_view> compounds;
  std::span<const std::string_view> companies;
  std::span<const std::string_view> times_of_day;
};

const DemoTexts& demo_texts();

}  // namespace jiceng::app
