#include "app/calendar_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace jiceng::app {

namespace {

namespace json = boost::json;

// A key as JSON text, so that odd characters show escaped.
std::string show(std::string_view key) { return json::serialize(json::string_view(key)); }

// The Chinese name from "English name,中文名,N"; nullopt when the value has another shape.
std::optional<std::string> chinese_name(const json::value& v) {
  const json::string* s = v.if_string();
  if (s == nullptr) return std::nullopt;
  std::string_view text(*s);
  std::size_t first = text.find(',');
  if (first == std::string_view::npos) return std::nullopt;
  std::size_t second = text.find(',', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  std::string_view name = text.substr(first + 1, second - first - 1);
  std::string_view days = text.substr(second + 1);
  if (first == 0 || name.empty() || days.empty() ||
      !std::all_of(days.begin(), days.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::string(name);
}

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  Result<std::vector<domain::CalendarDay>> parse(const json::value& root) {
    const json::object* top = root.if_object();
    if (top == nullptr) return fail("the top level must be an object");
    for (const auto& [key, value] : *top) {
      if (key != "holidays" && key != "workdays" && key != "inLieuDays") {
        return fail(fmt::format("unknown key {}", show(key)));
      }
    }
    std::map<Date, domain::CalendarDay> days;
    for (auto [key, kind] : {std::pair{"holidays", domain::DayKind::kHoliday},
                             std::pair{"workdays", domain::DayKind::kWorkday}}) {
      if (auto r = read_section(*top, key, kind, days); !r) return r.error();
    }
    if (top->contains("inLieuDays")) {
      std::map<Date, domain::CalendarDay> in_lieu;
      if (auto r = read_section(*top, "inLieuDays", domain::DayKind::kHoliday, in_lieu); !r) {
        return r.error();
      }
      for (const auto& [day, entry] : in_lieu) {
        auto it = days.find(day);
        if (it == days.end() || it->second.kind != domain::DayKind::kHoliday) {
          return fail(fmt::format("inLieuDays.{}: not listed in holidays", format_date(day)));
        }
      }
    }
    std::vector<domain::CalendarDay> out;
    out.reserve(days.size());
    for (auto& [day, entry] : days) out.push_back(std::move(entry));
    return out;
  }

 private:
  Error fail(std::string what) const {
    return Error::invalid_argument(fmt::format("{}: {}", file_, what));
  }

  // Adds the entries of top[section] to days; a day already there is an error.
  Result<void> read_section(const json::object& top, std::string_view section, domain::DayKind kind,
                            std::map<Date, domain::CalendarDay>& days) {
    const json::value* v = top.if_contains(section);
    if (v == nullptr) return fail(fmt::format("missing key {}", section));
    const json::object* entries = v->if_object();
    if (entries == nullptr) return fail(fmt::format("{}: must be an object", section));
    for (const auto& [key, value] : *entries) {
      auto day = parse_date(key);
      if (!day) return fail(fmt::format("{}.{}: not a date (YYYY-MM-DD)", section, show(key)));
      auto name = chinese_name(value);
      if (!name) {
        return fail(fmt::format("{}.{}: the value must be a string \"English name,中文名,N\"",
                                section, key));
      }
      auto [it, inserted] = days.try_emplace(*day, domain::CalendarDay{*day, kind, *name});
      if (!inserted) {
        return fail(
            fmt::format("{}.{}: also listed in {}", section, key,
                        it->second.kind == domain::DayKind::kHoliday ? "holidays" : "workdays"));
      }
    }
    return {};
  }

  std::string file_;
};

}  // namespace

Result<std::vector<domain::CalendarDay>> read_chinese_days_json(const std::filesystem::path& file) {
  std::string name = file.filename().string();
  std::error_code size_ec;
  auto size = std::filesystem::file_size(file, size_ec);
  if (size_ec) {
    return Error::invalid_argument(
        fmt::format("{}: cannot read {}: {}", name, file.string(), size_ec.message()));
  }
  std::string text(size, '\0');
  std::ifstream in(file, std::ios::binary);
  if (!in.read(text.data(), static_cast<std::streamsize>(size))) {
    return Error::invalid_argument(fmt::format("{}: cannot read {}", name, file.string()));
  }
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return Error::invalid_argument(fmt::format("{}: not valid JSON: {}", name, ec.message()));
  return Parser(name).parse(root);
}

}  // namespace jiceng::app
