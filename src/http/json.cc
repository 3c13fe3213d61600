#include "http/json.h"

#include <fmt/format.h>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace jiceng::http {

Response json_response(const boost::json::value& body, unsigned status) {
  Response res;
  res.status = status;
  res.body = boost::json::serialize(body);
  return res;
}

void add_version_etag(Response& res, std::int64_t version) {
  // Formatted, not "\"" + std::to_string(v) + "\"": GCC 12 warns (-Wrestrict) on that
  // concatenation once inlined, wrongly.
  res.headers.emplace_back("ETag", fmt::format("\"{}\"", version));
}

namespace {

// Finds a key given twice in one object (TESTS.md S9). Boost.JSON keeps the last one silently;
// a proxy, a log or an audit that read the first would then see another request than jiceng.
class DuplicateKeys {
 public:
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  using error_code = boost::system::error_code;
  using string_view = boost::json::string_view;

  std::optional<std::string> found;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_object_begin(error_code&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    keys_.pop_back();
    return true;
  }
  bool on_string_part(string_view, std::size_t, error_code&) { return true; }
  bool on_string(string_view, std::size_t, error_code&) { return true; }
  bool on_key_part(string_view s, std::size_t, error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(string_view s, std::size_t, error_code&) {
    key_.append(s.data(), s.size());
    if (!keys_.back().insert(key_).second && !found) found = key_;
    key_.clear();
    return true;
  }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
  bool on_double(double, string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

 private:
  std::vector<std::set<std::string>> keys_;  // those of each open object
  std::string key_;
};

// Whether a number of v (at any depth) lies beyond what a double holds: Boost.JSON reads 1e400
// as infinity, which it would write back as "Infinity", not JSON.
bool has_infinite_number(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      return !std::isfinite(v.get_double());
    case boost::json::kind::array:
      for (const auto& e : v.get_array()) {
        if (has_infinite_number(e)) return true;
      }
      return false;
    case boost::json::kind::object:
      for (const auto& kv : v.get_object()) {
        if (has_infinite_number(kv.value())) return true;
      }
      return false;
    default:
      return false;
  }
}

// The first key repeated within one object of `body` (which parsed), if any.
std::optional<std::string> duplicate_key(std::string_view body) {
  boost::json::basic_parser<DuplicateKeys> parser(boost::json::parse_options{});
  boost::system::error_code ec;
  parser.write_some(false, body.data(), body.size(), ec);
  return parser.handler().found;
}

}  // namespace

Result<boost::json::object> parse_object(std::string_view body,
                                         const std::set<std::string_view>& known) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) {
    return Error::invalid_argument("the body is not valid JSON: " + ec.message())
        .zh("请求体不是有效的 JSON");
  }
  if (!v.is_object()) {
    return Error::invalid_argument("the body must be a JSON object").zh("请求体须为 JSON 对象");
  }
  if (auto twice = duplicate_key(body)) {
    return Error::invalid_argument(*twice + ": is given twice; give each field once")
        .zh(*twice + "：重复出现，每个字段只能填写一次");
  }
  if (has_infinite_number(v)) {
    return Error::invalid_argument("a number in the body is too large").zh("请求体中的数值过大");
  }
  for (const auto& kv : v.as_object()) {
    if (!known.contains(kv.key())) {
      return Error::invalid_argument("unknown field '" + std::string(kv.key()) + "'")
          .zh("未知字段“" + std::string(kv.key()) + "”");
    }
  }
  return std::move(v.as_object());
}

Result<boost::json::object> parse_json_body(const Request& req,
                                            const std::set<std::string_view>& known) {
  auto type = req.header("Content-Type");
  if (!type || !type->starts_with("application/json")) {
    return Error::invalid_argument("send the body as JSON with Content-Type: application/json")
        .zh("请求体须为 JSON，并带 Content-Type: application/json");
  }
  return parse_object(req.body(), known);
}

Result<std::string> string_field(const boost::json::object& o, std::string_view key,
                                 bool required) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) {
    if (required) {
      return Error::invalid_argument(std::string(key) + ": is required")
          .zh(std::string(key) + "：必填");
    }
    return std::string();
  }
  if (!it->value().is_string()) {
    return Error::invalid_argument(std::string(key) + ": must be a string")
        .zh(std::string(key) + "：须为字符串");
  }
  return std::string(it->value().as_string());
}

Result<std::optional<domain::Period>> period_field(const boost::json::object& o,
                                                   std::string_view key, bool null_is_absent) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || (null_is_absent && v->is_null())) return std::optional<domain::Period>();
  const boost::json::object* limit = v->if_object();
  const boost::json::value* amount = limit ? limit->if_contains("amount") : nullptr;
  const boost::json::value* unit = limit ? limit->if_contains("unit") : nullptr;
  auto bad = [key] {
    return Error::invalid_argument(fmt::format("{}: {{\"amount\": a whole number, \"unit\": "
                                               "\"hours\", \"calendar_days\" or \"working_days\"}}",
                                               key))
        .zh(fmt::format("办理时限（{}）：须为 {{\"amount\": 整数, \"unit\": \"hours\"（小时）、"
                        "\"calendar_days\"（自然日）或 \"working_days\"（工作日）}}",
                        key));
  };
  if (!limit || limit->size() != 2 || !amount || !unit || !amount->is_int64() ||
      !unit->is_string() || amount->as_int64() < -1000000 || amount->as_int64() > 1000000) {
    return bad();
  }
  auto u = domain::period_unit_from_string(unit->as_string());
  if (!u) return bad();
  return std::optional(domain::Period{static_cast<int>(amount->as_int64()), *u});
}

Result<std::int64_t> int_query(const Request& req, std::string_view name, std::int64_t fallback,
                               std::int64_t max, std::int64_t min) {
  auto v = req.query_value(name);
  if (!v) return fallback;
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size() || out < min || out > max) {
    return Error::invalid_argument(fmt::format("{}: a whole number from {} to {}", name, min, max))
        .zh(fmt::format("{}：须为 {} 到 {} 之间的整数", name, min, max));
  }
  return out;
}

Result<bool> bool_query(const Request& req, std::string_view name) {
  auto v = req.query_value(name);
  if (!v || *v == "false") return false;
  if (*v == "true") return true;
  return Error::invalid_argument(std::string(name) + ": true or false")
      .zh(std::string(name) + "：须为 true 或 false");
}

boost::json::value instant_or_null(const std::optional<Instant>& t) {
  if (!t) return nullptr;
  return boost::json::string(format_instant_utc(*t));
}

}  // namespace jiceng::http
