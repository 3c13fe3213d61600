#include "http/errors.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http/xml.h"

namespace jiceng::http {

namespace {

// A store that refuses writes under overload does so thousands of times a second (each counted
// in jiceng_store_writes_refused_total); one warning a second, with how many it stands for, says
// as much to an operator without making the log the next bottleneck.
void warn_unavailable(std::string_view request_id, const std::string& message) {
  static std::atomic<std::int64_t> last_ms{0};
  static std::atomic<std::uint64_t> unlogged{0};
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  std::int64_t last = last_ms.load(std::memory_order_relaxed);
  if (now - last < 1000 || !last_ms.compare_exchange_strong(last, now)) {
    unlogged.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const auto more = unlogged.exchange(0, std::memory_order_relaxed);
  if (more == 0) {
    spdlog::warn("request {}: unavailable: {}", request_id, message);
  } else {
    spdlog::warn("request {}: unavailable: {} (and {} more since the last such warning)",
                 request_id, message, more);
  }
}

}  // namespace

unsigned http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnprocessable:
      return 422;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

std::string_view field_of(const Error& e) {
  if (e.code != ErrorCode::kInvalidArgument) return {};
  std::string_view m = e.message;
  std::size_t colon = m.find(": ");
  if (colon == 0 || colon == std::string_view::npos) return {};
  for (char c : m.substr(0, colon)) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return {};
  }
  return m.substr(0, colon);
}

Error with_field_names(Error e,
                       std::span<const std::pair<std::string_view, std::string_view>> renames) {
  for (auto [ours, theirs] : renames) {
    const std::string prefix = std::string(ours) + ":";
    if (e.message.starts_with(prefix)) {
      e.message = std::string(theirs) + ":" + e.message.substr(prefix.size());
    }
    const std::string zh = "（" + std::string(ours) + "）";
    if (auto at = e.message_zh.find(zh); at != std::string::npos) {
      e.message_zh.replace(at, zh.size(), "（" + std::string(theirs) + "）");
    }
  }
  return e;
}

namespace {

// {"error": {"code", "message", "request_id", "field" (when known), "allowed" (a refused
// command's: the commands that could succeed now)}}.
Response error_body(unsigned status, std::string_view code, std::string_view message,
                    std::string_view request_id, std::string_view field,
                    std::string_view message_zh,
                    const std::optional<std::vector<std::string>>& allowed) {
  boost::json::object error;
  error["code"] = code;
  error["message"] = message;
  error["request_id"] = request_id;
  if (!field.empty()) error["field"] = field;
  if (allowed) {
    boost::json::array names;
    for (const auto& name : *allowed) names.emplace_back(name);
    error["allowed"] = std::move(names);
  }
  boost::json::object body;
  body["error"] = std::move(error);
  Response res;
  res.status = status;
  res.body = boost::json::serialize(body);
  res.error = ErrorText{std::string(message), std::string(message_zh)};
  return res;
}

}  // namespace

Response protocol_error(unsigned status, std::string_view code, std::string_view message,
                        std::string_view request_id, std::string_view field,
                        std::string_view message_zh) {
  return error_body(status, code, message, request_id, field, message_zh, std::nullopt);
}

bool prefers_chinese(std::optional<std::string_view> accept_language) {
  return preferred_language(accept_language) == Language::kChinese;
}

namespace {

// The q-value of one language range's parameters ("q=0.8"); 1 when absent, -1 when malformed
// (RFC 9110 §12.4.2: at most three decimals, 0 ≤ q ≤ 1).
double quality_of(std::string_view params) {
  double q = 1.0;
  while (!params.empty()) {
    auto semi = params.find(';');
    std::string_view p = params.substr(0, semi);
    while (!p.empty() && (p.front() == ' ' || p.front() == '\t')) p.remove_prefix(1);
    while (!p.empty() && (p.back() == ' ' || p.back() == '\t')) p.remove_suffix(1);
    if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      std::string_view v = p.substr(2);
      if (v.empty() || v.size() > 5 || (v[0] != '0' && v[0] != '1')) return -1;
      if (v.size() > 1 && v[1] != '.') return -1;
      double frac = 0, scale = 0.1;
      for (char c : v.substr(std::min<std::size_t>(v.size(), 2))) {
        if (c < '0' || c > '9') return -1;
        frac += (c - '0') * scale;
        scale /= 10;
      }
      q = (v[0] - '0') + frac;
      if (q > 1.0) return -1;
    }
    if (semi == std::string_view::npos) break;
    params.remove_prefix(semi + 1);
  }
  return q;
}

// Whether a language range (without parameters) names the language `primary` ("zh",
// "zh-CN", "ZH-hans" for zh), case-insensitively.
bool names_language(std::string_view range, std::string_view primary) {
  if (range.size() < primary.size()) return false;
  for (std::size_t i = 0; i < primary.size(); ++i) {
    char c = range[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != primary[i]) return false;
  }
  return range.size() == primary.size() || range[primary.size()] == '-';
}

}  // namespace

std::optional<Language> preferred_language(std::optional<std::string_view> accept_language) {
  if (!accept_language) return std::nullopt;
  // The zh or en range with the highest q-value decides, the earlier one on a tie
  // ("en;q=0.5, zh-CN" → zh; "zh-CN,zh;q=0.9,en;q=0.8" → zh); q=0 means "not this one".
  std::optional<Language> best;
  double best_q = 0;
  std::string_view s = *accept_language;
  while (!s.empty()) {
    auto comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    auto semi = item.find(';');
    std::string_view range = item.substr(0, semi);
    while (!range.empty() && (range.front() == ' ' || range.front() == '\t'))
      range.remove_prefix(1);
    while (!range.empty() && (range.back() == ' ' || range.back() == '\t')) range.remove_suffix(1);
    double q = semi == std::string_view::npos ? 1.0 : quality_of(item.substr(semi + 1));
    std::optional<Language> lang;
    if (names_language(range, "zh")) lang = Language::kChinese;
    if (names_language(range, "en")) lang = Language::kEnglish;
    if (lang && q > best_q) {
      best = lang;
      best_q = q;
    }
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return best;
}

Response error_response(const Error& e, const Request& req) {
  return error_response(e, req.request_id, prefers_chinese(req.header("Accept-Language")));
}

Response too_many_requests(const Error& e, std::chrono::seconds wait, const Request& req) {
  Response res = error_response(e, req);
  std::erase_if(res.headers, [](const auto& h) { return h.first == "Retry-After"; });
  res.headers.emplace_back("Retry-After", std::to_string(std::max<std::int64_t>(wait.count(), 1)));
  return res;
}

ErrorText public_text(const Error& e, std::string_view request_id) {
  const std::string id(request_id);
  if (e.code == ErrorCode::kInternal) {
    spdlog::error("request {}: internal error: {}", request_id, e.message);
    return {"internal error, quote request id " + id + " when reporting it",
            "内部错误，报告时请提供请求编号 " + id};
  }
  if (e.code == ErrorCode::kUnavailable) {
    warn_unavailable(request_id, e.message);
    return {"the store is unavailable, try again shortly", "数据存储暂不可用，请稍后重试"};
  }
  if (e.raw) {
    // A dependency's words (a constraint's name, a table) are for the log, not the caller.
    spdlog::warn("request {}: {}: {}", request_id, to_string(e.code), e.message);
    return {"the request conflicts with stored data or breaks one of its rules; quote request id " +
                id + " when reporting it",
            "请求与已存数据冲突或不符合数据规则，报告时请提供请求编号 " + id};
  }
  return {e.message, e.message_zh};
}

namespace {

const std::string& in_language(const ErrorText& text, bool chinese) {
  return chinese && !text.zh.empty() ? text.zh : text.en;
}

}  // namespace

std::string public_message(const Error& e, std::string_view request_id, bool chinese) {
  return in_language(public_text(e, request_id), chinese);
}

Response protocol_error(unsigned status, std::string_view code, const Error& e,
                        std::string_view request_id, bool chinese) {
  ErrorText text = public_text(e, request_id);
  Response res = protocol_error(status, code, in_language(text, chinese), request_id, field_of(e));
  res.error = std::move(text);
  return res;
}

Response error_response(const Error& e, std::string_view request_id, bool chinese) {
  ErrorText text = public_text(e, request_id);
  Response res = error_body(http_status(e.code), to_string(e.code), in_language(text, chinese),
                            request_id, field_of(e), {}, e.allowed);
  res.error = std::move(text);
  if (e.code == ErrorCode::kResourceExhausted) res.headers.emplace_back("Retry-After", "1");
  if (e.code == ErrorCode::kUnavailable) res.headers.emplace_back("Retry-After", "5");
  return res;
}

constexpr std::string_view kOpen311Base = "/open311/v2";

bool is_open311_path(std::string_view path) {
  return path.starts_with(kOpen311Base) &&
         (path.size() == kOpen311Base.size() || path[kOpen311Base.size()] == '/');
}

Open311Format open311_format(std::string_view path) {
  return path.ends_with(".json") ? Open311Format::kJson : Open311Format::kXml;
}

unsigned open311_status(unsigned status) {
  switch (status) {
    case 401:
    case 403:
      return 403;
    case 404:
    case 405:
    case 413:
    case 429:
    case 431:
      return status;
    default:
      return status >= 500 ? status : 400;
  }
}

Response open311_error(Response res, Open311Format format, bool english) {
  if (!res.error || res.status < 400) return res;
  res.status = open311_status(res.status);
  const boost::json::array body{boost::json::object{
      {"code", res.status}, {"description", in_language(*res.error, !english)}}};
  if (format == Open311Format::kXml) {
    res.content_type = "text/xml; charset=utf-8";
    res.body = to_xml(body, "errors", "error");
  } else {
    res.content_type = "application/json; charset=utf-8";
    res.body = to_plain_json(body);
  }
  res.error.reset();
  return res;
}

}  // namespace jiceng::http
