#include "app/calendar_csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>

namespace jiceng::app {

namespace {

constexpr std::size_t kMaxReported = 20;
constexpr std::size_t kMaxNameBytes = 60;  // 20 Chinese characters

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  for (;;) {
    auto comma = line.find(',');
    out.push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return out;
    line.remove_prefix(comma + 1);
  }
}

struct Problem {
  int line;
  std::string en;
  std::string zh;
};

}  // namespace

Result<std::vector<domain::CalendarDay>> parse_calendar_csv(std::string_view text,
                                                            std::string_view file) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<Problem> problems;
  std::map<Date, std::pair<domain::CalendarDay, int>> days;  // the day and its line
  bool header = false;
  int line_no = 0;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_no;
    if (line.empty() || line.starts_with('#')) continue;
    auto fields = split_fields(line);
    if (!header) {
      if (fields.size() != 3 || fields[0] != "date" || fields[1] != "kind" || fields[2] != "name") {
        problems.push_back({line_no, "the first line must be the header date,kind,name",
                            "第一行须为表头 date,kind,name"});
        break;  // without the header the rows are not read
      }
      header = true;
      continue;
    }
    if (fields.size() != 3) {
      problems.push_back({line_no,
                          fmt::format("{} field(s); a row is date,kind,name", fields.size()),
                          fmt::format("有 {} 个字段；每行须为 日期,类型,名称", fields.size())});
      continue;
    }
    auto day = parse_date(fields[0]);
    if (!day) {
      problems.push_back({line_no, fmt::format("'{}' is not a date (YYYY-MM-DD)", fields[0]),
                          fmt::format("“{}”不是日期（格式 YYYY-MM-DD）", fields[0])});
      continue;
    }
    domain::DayKind kind;
    if (fields[1] == "holiday" || fields[1] == "休") {
      kind = domain::DayKind::kHoliday;
    } else if (fields[1] == "workday" || fields[1] == "班") {
      kind = domain::DayKind::kWorkday;
    } else {
      problems.push_back({line_no,
                          fmt::format("kind '{}' is neither holiday nor workday", fields[1]),
                          fmt::format("类型“{}”须为 holiday（休）或 workday（班）", fields[1])});
      continue;
    }
    if (fields[2].empty() || fields[2].size() > kMaxNameBytes) {
      problems.push_back({line_no, "the name (e.g. 春节) is empty or too long",
                          "名称（如 春节）为空或过长"});
      continue;
    }
    if (kind == domain::DayKind::kWorkday && iso_weekday(*day) < 6) {
      problems.push_back(
          {line_no,
           fmt::format("{} is a weekday: a make-up workday (调休上班) is a Saturday or Sunday",
                       fields[0]),
           fmt::format("{} 是周一至周五：调休上班日应为周六或周日", fields[0])});
      continue;
    }
    auto [it, fresh] = days.try_emplace(
        *day, domain::CalendarDay{*day, kind, std::string(fields[2])}, line_no);
    if (!fresh) {
      problems.push_back({line_no,
                          fmt::format("{} is listed already on line {}", fields[0],
                                      it->second.second),
                          fmt::format("{} 已在第 {} 行列出", fields[0], it->second.second)});
    }
  }
  if (problems.empty() && days.empty()) {
    problems.push_back({line_no, "the file lists no days", "文件中没有任何日期"});
  }
  if (!problems.empty()) {
    std::string en = fmt::format("{}: {} bad row(s), nothing imported", file, problems.size());
    std::string zh = fmt::format("{}：{} 行有误，未导入任何数据", file, problems.size());
    for (std::size_t i = 0; i < problems.size() && i < kMaxReported; ++i) {
      en += fmt::format("\n{}:{}: {}", file, problems[i].line, problems[i].en);
      zh += fmt::format("\n{}:{}：{}", file, problems[i].line, problems[i].zh);
    }
    return Error::invalid_argument(std::move(en)).zh(std::move(zh));
  }
  std::vector<domain::CalendarDay> out;
  out.reserve(days.size());
  for (auto& [day, entry] : days) out.push_back(std::move(entry.first));
  return out;
}

}  // namespace jiceng::app
