#include "domain/case_intake.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <cmath>

#include "domain/contact.h"
#include "domain/jurisdiction.h"

namespace jiceng::domain {

namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kTrackingChars = 12;

// The Chinese names of the intake's fields, for messages.
std::string_view field_zh(std::string_view field) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"category", "分类"},
      {"place", "地点"},
      {"description", "诉求内容"},
      {"address", "地址"},
      {"point", "坐标"},
      {"submitter", "提交人"},
      {"submitter_name", "姓名"},
      {"submitter_contact", "联系方式"},
      {"received_at", "收到时间"},
      {"channel", "渠道"},
      {"clock", "时限"},
      {"rating", "评价"},
      {"note", "理由或备注"},
      {"reply", "答复"},
      {"media_url", "图片或附件链接"}};
  for (auto [en, zh] : kNames) {
    if (en == field) return zh;
  }
  return field;
}

Error field_error(std::string_view field, std::string_view what, std::string_view what_zh = {}) {
  Error e = Error::invalid_argument(fmt::format("{}: {}", field, what));
  if (!what_zh.empty()) e.message_zh = fmt::format("{}（{}）：{}", field_zh(field), field, what_zh);
  return e;
}

// White space (Unicode White_Space) and default-ignorable format characters.
bool invisible(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0 || c == 0xad ||
         c == 0x1680 || c == 0x180e || (c >= 0x2000 && c <= 0x200f) || c == 0x2028 || c == 0x2029 ||
         c == 0x202f || c == 0x205f || (c >= 0x2060 && c <= 0x2064) || c == 0x3000 || c == 0xfeff;
}

// Whether a URL's host is this machine or a private or link-local network: localhost, and the
// IPv4 and IPv6 literals of RFC 1918, 6598, 3927, 4193 and 4291's loopback and link-local.
bool internal_host(const boost::urls::url_view& u) {
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4: {
      const auto b = u.host_ipv4_address().to_bytes();
      return b[0] == 0 || b[0] == 10 || b[0] == 127 || (b[0] == 169 && b[1] == 254) ||
             (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
             (b[0] == 100 && (b[1] & 0xc0) == 64);
    }
    case boost::urls::host_type::ipv6: {
      const auto a = u.host_ipv6_address();
      const auto b = a.to_bytes();
      return a.is_loopback() || a.is_unspecified() || a.is_v4_mapped() || (b[0] & 0xfe) == 0xfc ||
             (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
    }
    case boost::urls::host_type::name: {
      std::string host = u.host();
      std::transform(host.begin(), host.end(), host.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      while (!host.empty() && host.back() == '.') host.pop_back();
      return host == "localhost" || host.ends_with(".localhost");
    }
    default:
      return true;  // IPvFuture: nothing a browser would open
  }
}

}  // namespace

bool is_blank(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    auto d = decode_utf8_at(text, i);
    if (!d.valid || !invisible(d.value)) return false;
    i += d.size;
  }
  return true;
}

Result<void> check_text(std::string_view field, std::string_view text, std::size_t max,
                        bool required, bool multiline) {
  auto len = utf8_length(text);
  if (!len) return field_error(field, "is not valid UTF-8", "不是有效的 UTF-8 文本");
  if (required && is_blank(text)) return field_error(field, "is required", "必填");
  if (*len > max)
    return field_error(field, fmt::format("is longer than {} characters", max),
                       fmt::format("不能超过 {} 个字", max));
  for (std::size_t i = 0; i < text.size();) {
    const DecodedCodePoint d = decode_utf8_at(text, i);
    const char32_t c = d.value;
    i += d.size;
    const bool control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
    const bool allowed_control = multiline && (c == '\n' || c == '\t' || c == '\r');
    if ((control && !allowed_control) || c == 0x202d || c == 0x202e) {
      return field_error(field, "contains a control character", "含有控制字符");
    }
  }
  return {};
}

std::string_view to_string(Channel c) {
  switch (c) {
    case Channel::kWeb:
      return "web";
    case Channel::kPhone:
      return "phone";
    case Channel::kWalkIn:
      return "walk_in";
    case Channel::kLetter:
      return "letter";
    case Channel::kMailbox:
      return "mailbox";
    case Channel::kOpen311:
      return "open311";
  }
  return "web";
}

Result<Channel> channel_from_string(std::string_view s) {
  for (Channel c : {Channel::kWeb, Channel::kPhone, Channel::kWalkIn, Channel::kLetter,
                    Channel::kMailbox, Channel::kOpen311}) {
    if (to_string(c) == s) return c;
  }
  return Error::invalid_argument(
             fmt::format(
                 "channel: '{}' is not one of web, phone, walk_in, letter, mailbox, open311", s))
      .zh(fmt::format("渠道（channel）：{} 不是 web、phone、walk_in、letter、mailbox、open311 之一",
                      s));
}

bool staff_channel(Channel c) {
  return c == Channel::kPhone || c == Channel::kWalkIn || c == Channel::kLetter ||
         c == Channel::kMailbox;
}

Result<void> check_media_url(std::string_view field, std::string_view url) {
  if (url.size() > kMaxMediaUrlChars) {
    return field_error(field, fmt::format("is longer than {} characters", kMaxMediaUrlChars),
                       fmt::format("超过 {} 个字符", kMaxMediaUrlChars));
  }
  auto parsed = boost::urls::parse_uri(url);
  const bool web = parsed && (parsed->scheme_id() == boost::urls::scheme::http ||
                              parsed->scheme_id() == boost::urls::scheme::https);
  if (!web || parsed->encoded_host().empty()) {
    return field_error(field,
                       "must be a web address starting with http:// or https://, such as "
                       "https://example.cn/photo.jpg (spaces and Chinese characters "
                       "percent-encoded)",
                       "须为以 http:// 或 https:// 开头的网址，如 https://example.cn/photo.jpg"
                       "（空格和中文须经百分号编码）");
  }
  if (parsed->has_userinfo()) {
    return field_error(field, "must not carry a user name or password", "不能包含用户名或密码");
  }
  // Staff open it from inside the government's network: an address there (this machine, a
  // private or link-local network) would have their browser call it on the sender's behalf.
  if (internal_host(*parsed)) {
    return field_error(field, "must be an address on the internet, not on a local network",
                       "须为互联网地址，不能指向本机或内部网络");
  }
  return {};
}

Result<void> validate_intake(const Intake& in, Instant now, bool by_staff) {
  if (in.category_code.empty()) return field_error("category", "is required", "必填");
  if (auto level = level_of_code(in.place_code); !level) {
    return field_error("place", level.error().message, level.error().message_zh);
  }
  if (auto r = check_text("description", in.description, kMaxDescriptionChars, true, true); !r)
    return r;
  if (auto r = check_text("address", in.address, kMaxAddressChars, false, false); !r) return r;
  if (in.point) {
    const auto& p = *in.point;
    if (!std::isfinite(p.lat) || !std::isfinite(p.lon) || p.lat < -90 || p.lat > 90 ||
        p.lon < -180 || p.lon > 180) {
      return field_error("point", "latitude must be within ±90 and longitude within ±180 degrees",
                         "纬度应在 ±90 度、经度应在 ±180 度以内");
    }
    // Every place jiceng serves lies in China: a point outside its extent is a wrong fix (0, 0
    // from a phone without one) or swapped coordinates, and would mislead whoever goes there.
    if (p.lat < 3.5 || p.lat > 54 || p.lon < 73 || p.lon > 136) {
      return field_error("point",
                         "lies outside China (latitude 3.5 to 54° N, longitude 73 to 136° E, "
                         "WGS-84); check the position, or leave it out",
                         "坐标不在中国境内（北纬 3.5–54 度、东经 73–136 度，WGS-84），"
                         "请核对位置，或不填坐标");
    }
  }
  if (in.anonymous) {
    if (!in.submitter_name.empty() || !in.submitter_contact.empty()) {
      return field_error("submitter", "an anonymous submission carries no name or contact",
                         "匿名提交不填写姓名和联系方式");
    }
  } else {
    if (auto r = check_text("submitter_name", in.submitter_name, kMaxNameChars, true, false); !r)
      return r;
    if (auto r =
            check_text("submitter_contact", in.submitter_contact, kMaxContactChars, true, false);
        !r) {
      return r;
    }
    // Residents' own submissions: whoever answers must reach them. Staff registering a letter
    // or a visit take the contact the petitioner gave (a postal address, say): every petition
    // is registered (Art. 21).
    if (!by_staff && !reachable_contact(in.submitter_contact)) {
      return field_error("submitter_contact",
                         "a phone number (such as 138 0000 0021 or 0701-6221234) or an e-mail "
                         "address, so that the answer can reach you",
                         "请填写手机号、固定电话（如 0701-6221234）或电子邮箱，以便答复您");
    }
  }
  if (in.received_at) {
    if (!by_staff || !staff_channel(in.channel)) {
      return field_error("received_at",
                         "only staff registering a call, visit, letter or mailbox item may set it",
                         "只有登记来电、来访、来信、信箱件的工作人员可以填写");
    }
    if (*in.received_at > now)
      return field_error("received_at", "is in the future", "不能晚于当前时间");
    if (*in.received_at < now - std::chrono::days(kMaxReceivedAgeDays)) {
      return field_error("received_at",
                         fmt::format("is more than {} days ago", kMaxReceivedAgeDays),
                         fmt::format("不能早于 {} 天前", kMaxReceivedAgeDays));
    }
  }
  if (!in.media_url.empty()) {
    if (auto r = check_media_url("media_url", in.media_url); !r) return r;
  }
  if (in.channel == Channel::kOpen311 && by_staff) {
    return field_error("channel", "open311 is for applications using an API key",
                       "open311 渠道仅供持 API 密钥的应用使用");
  }
  return {};
}

std::string format_case_number(std::string_view county_code, int year, std::int64_t seq) {
  return fmt::format("{}-{:04}-{:06}", county_code, year, seq);
}

std::string make_tracking_code(std::span<const std::uint8_t> random) {
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < 8 && i < random.size(); ++i) bits = (bits << 8) | random[i];
  std::string out;
  for (std::size_t i = 0; i < kTrackingChars; ++i) {
    if (i > 0 && i % 4 == 0) out += '-';
    out += kCrockford[bits & 31];
    bits >>= 5;
  }
  return out;
}

std::optional<std::string> normalize_tracking_code(std::string_view typed) {
  std::string chars;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    char u = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (u == 'O') u = '0';
    if (u == 'I' || u == 'L') u = '1';
    if (kCrockford.find(u) == std::string_view::npos) return std::nullopt;
    chars += u;
  }
  if (chars.size() != kTrackingChars) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += '-';
    out += chars[i];
  }
  return out;
}

}  // namespace jiceng::domain
