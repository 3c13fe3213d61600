// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) over the case store, for apps
// and for anyone who wants the public picture of what residents report:
// - services are the active leaf categories of the catalogue;
// - a service request is a demand (诉求); petitions (信访) never appear, nor cases that accuse a
//   unit (whistle-blowing);
// - reading is public and shows no personal data: no names, contacts or street addresses, no
//   description (residents write personal details into it), points rounded to 3 decimals and
//   only for matters about a place (domain::about_a_place), not a person's circumstances;
// - creating needs an app's API key (form field api_key) and a jurisdiction_id that names the
//   county, township or village of the deployment where the matter is, since every case sits
//   on a node of the jurisdiction tree;
// - every resource comes as .json and .xml, errors as [{"code":…,"description":…}] (all errors
//   under /open311/v2, the server's own too: http/errors.h), times in China Standard Time with
//   their offset ("2026-03-02T09:00:00+08:00");
// - a blank parameter (white space of any script only) is the same as none; service_request_id,
//   service_code and status may be repeated and hold comma lists, which combine; any other
//   parameter given twice with different values is refused.
// Text is Chinese unless the caller's Accept-Language prefers English.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "app/idempotency.h"
#include "app/imports.h"
#include "app/login_throttle.h"
#include "common/utf8.h"
#include "domain/access.h"
#include "domain/case_intake.h"
#include "domain/catalogue.h"
#include "domain/deadline.h"
#include "http/api.h"
#include "http/errors.h"
#include "http/xml.h"
#include "store/case_repo.h"
#include "store/catalogue_repo.h"
#include "store/jurisdiction_repo.h"
#include "store/open311_repo.h"

namespace jiceng::http {
namespace {

namespace json = boost::json;
using domain::Category;

constexpr std::string_view kBase = "/open311/v2";
constexpr std::size_t kMaxPageSize = 1000;        // also the default: the spec's 1,000
constexpr std::size_t kMaxOffset = 100'000;       // (page - 1) * page_size
constexpr auto kWindow = std::chrono::days(90);   // the spec's default and widest range
constexpr std::size_t kMaxIds = kMaxPageSize;     // in one service_request_id list
constexpr std::string_view kNoName = "未留姓名";  // a contact given without a name

using Format = Open311Format;

// ---- Requests and responses in the spec's shapes ----

struct Resource {
  std::string name;
  Format format = Format::kJson;
};

// "360602-2026-000123.json" → {"360602-2026-000123", kJson}: the text before the last dot and
// the format after it; nullopt for any other extension.
std::optional<Resource> split_format(std::string_view file) {
  auto dot = file.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  std::string_view ext = file.substr(dot + 1);
  if (ext != "json" && ext != "xml") return std::nullopt;
  return Resource{std::string(file.substr(0, dot)), ext == "json" ? Format::kJson : Format::kXml};
}

// True when the first zh or en range of Accept-Language is en (then text is English).
bool english(const Request& req) {
  return preferred_language(req.header("Accept-Language")) == Language::kEnglish;
}

constexpr const char* kXmlType = "text/xml; charset=utf-8";

Response document(const json::value& v, Format f, std::string_view root, std::string_view item,
                  unsigned status = 200) {
  Response res;
  res.status = status;
  if (f == Format::kXml) {
    res.content_type = kXmlType;
    res.body = to_xml(v, root, item);
  } else {
    res.body = to_plain_json(v);
  }
  return res;
}

// The spec's error document: the shared form of every error under /open311/v2 (errors.h).
// en: the answer in English (Accept-Language); request_id: quoted in the answer to an internal
// error (http::public_message).
Response spec_error(const Error& e, bool en, const std::string& request_id, Format f) {
  return open311_error(error_response(e, request_id, !en), f, en);
}

Response spec_error(const Error& e, const Request& req, Format f) {
  return spec_error(e, english(req), req.request_id, f);
}

// A resource asked for in a format the spec does not have (".csv"), or in none.
Error wrong_format(std::string_view resource) {
  return Error::not_found(fmt::format("use {}.xml or .json", resource))
      .zh(fmt::format("请使用 {}.xml 或 {}.json", resource, resource));
}

Error bad(std::string en, std::string zh) {
  return Error::invalid_argument(std::move(en)).zh(std::move(zh));
}

// s without the white space (of any script: the ideographic space an IME types too) and
// invisible format characters around it.
std::string_view trimmed(std::string_view s) {
  std::size_t first = s.size();
  std::size_t end = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t size = decode_utf8_at(s, i).size;
    if (!domain::is_blank(s.substr(i, size))) {
      if (first == s.size()) first = i;
      end = i + size;
    }
    i += size;
  }
  return first == s.size() ? std::string_view() : s.substr(first, end - first);
}

// The parameters of a query string or a form, every value kept (router.h keeps the first of a
// repeated name). GeoReport v2: an empty parameter is the same as none, and so here is a blank
// one (white space only); service_request_id, service_code and status hold comma lists and may
// be repeated.
class Params {
 public:
  // The request's query parameters.
  static Result<Params> of_query(const Request& req) {
    if (req.raw == nullptr) {  // a request made in a unit test: its decoded query
      return Params(Pairs(req.query.begin(), req.query.end()));
    }
    std::string_view target = req.raw->target();
    auto qmark = target.find('?');
    auto pairs = parse_pairs(qmark == std::string_view::npos ? std::string_view()
                                                             : target.substr(qmark + 1));
    if (!pairs) return pairs.error();
    return Params(std::move(*pairs));
  }
  // The fields of an application/x-www-form-urlencoded body.
  static Result<Params> of_form(std::string_view body) {
    auto pairs = parse_pairs(body);
    if (!pairs) return pairs.error();
    return Params(std::move(*pairs));
  }

  // The value of a text field as given (white space kept), nullopt when it is missing or
  // blank; kInvalidArgument when it was given twice with different values.
  Result<std::optional<std::string_view>> text(std::string_view name) const {
    std::optional<std::string_view> out;
    for (const auto& [key, value] : pairs_) {
      if (key != name || domain::is_blank(value)) continue;
      if (out && *out != value) return given_twice(name);
      out = value;
    }
    return out;
  }
  // The value of a code, number, date or key, without white space around it; else as text().
  Result<std::optional<std::string_view>> single(std::string_view name) const {
    std::optional<std::string_view> out;
    for (const auto& [key, value] : pairs_) {
      if (key != name || domain::is_blank(value)) continue;
      std::string_view v = trimmed(value);
      if (out && *out != v) return given_twice(name);
      out = v;
    }
    return out;
  }
  // The items of every value of a list parameter, each value split at commas, each item
  // trimmed, blank ones and repeats left out, in the order given.
  std::vector<std::string> list(std::string_view name) const {
    std::vector<std::string> out;
    std::set<std::string_view> seen;  // views into pairs_
    for (const auto& [key, value] : pairs_) {
      if (key != name) continue;
      std::string_view rest = value;
      while (!rest.empty()) {
        auto comma = rest.find(',');
        std::string_view item = trimmed(rest.substr(0, comma));
        if (!item.empty() && seen.insert(item).second) out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
    return out;
  }

 private:
  explicit Params(Pairs pairs) : pairs_(std::move(pairs)) {}

  static Error given_twice(std::string_view name) {
    return bad(fmt::format("{}: given more than once with different values; give it once", name),
               fmt::format("{}：重复提供且取值不同，请只提供一次", name));
  }

  Pairs pairs_;
};

// ---- Time ----

// "2026-03-02T09:00:00+08:00": China Standard Time, to the second.
std::string china_time(Instant t) {
  using namespace std::chrono;
  auto local = floor<seconds>(t) + domain::kChinaOffset;
  auto day = floor<days>(local);
  year_month_day ymd(day);
  hh_mm_ss hms(local - day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+08:00", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

json::value china_time_or_null(const std::optional<Instant>& t) {
  if (!t) return nullptr;
  return json::string(china_time(*t));
}

std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// A W3C datetime: "2026-03-01" (midnight, China time), or "2026-03-01T08:00[:00[.000]]" and a
// zone: "Z" or an offset ("+08:00", "+0800", "+08"). A space stands for '+', as an unencoded
// '+' in a query string arrives. nullopt on anything else.
std::optional<Instant> parse_datetime(std::string_view s) {
  using namespace std::chrono;
  auto date = parse_date(s.substr(0, 10));
  if (!date) return std::nullopt;
  if (s.size() == 10) return domain::china_midnight(*date);
  if (s.size() < 17 || (s[10] != 'T' && s[10] != 't') || s[13] != ':') return std::nullopt;
  auto hour = digits(s, 11, 2);
  auto minute = digits(s, 14, 2);
  if (!hour || !minute || *hour > 23 || *minute > 59) return std::nullopt;
  Instant t = Instant(*date) + hours(*hour) + minutes(*minute);
  std::size_t pos = 16;
  if (s[pos] == ':') {
    auto second = digits(s, pos + 1, 2);
    if (!second || *second > 59) return std::nullopt;
    t += seconds(*second);
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      std::int64_t scale = 100'000;
      std::size_t end = pos + 1;
      for (; end < s.size() && s[end] >= '0' && s[end] <= '9'; ++end) {
        t += microseconds((s[end] - '0') * scale);
        scale /= 10;
      }
      if (end == pos + 1) return std::nullopt;
      pos = end;
    }
  }
  std::string_view zone = s.substr(pos);
  if (zone == "Z" || zone == "z") return t;
  if (zone.empty() || (zone[0] != '+' && zone[0] != '-' && zone[0] != ' ')) return std::nullopt;
  auto oh = digits(zone, 1, 2);
  std::optional<int> om = 0;
  if (zone.size() == 6 && zone[3] == ':') {
    om = digits(zone, 4, 2);
  } else if (zone.size() == 5) {
    om = digits(zone, 3, 2);
  } else if (zone.size() != 3) {
    return std::nullopt;
  }
  if (!oh || !om || *oh > 14 || *om > 59) return std::nullopt;
  auto offset = hours(*oh) + minutes(*om);
  return zone[0] == '-' ? t + offset : t - offset;
}

// ---- Jurisdictions ----

// The subtree a jurisdiction_id names: the node must be the deployment's root or lie below it;
// any other code is the spec's "404 - jurisdiction_id not found". The messages quote the code as
// it was given.
Result<domain::Jurisdiction> deployment_node(app::App& app, std::string_view given) {
  // Apps may send the padded codes of the standards (360600 for 3606): the same node.
  const std::string code = domain::canonical_code(given);
  Error outside =
      Error::not_found(fmt::format("jurisdiction_id: {} is not a jurisdiction of this deployment; "
                                   "give the code of its county, township or village",
                                   given))
          .zh(fmt::format("jurisdiction_id：{} 不是本系统所辖的行政区划，请填写县、乡镇或"
                          "村的区划代码",
                          given));
  auto root = app::deployment_root(app.db);
  if (!root) return root.error().code == ErrorCode::kNotFound ? outside : root.error();
  if (!domain::in_scope(*root, code)) return outside;
  auto node = app.jurisdictions.get(code);
  if (!node) {
    return node.error().code == ErrorCode::kNotFound ||
                   node.error().code == ErrorCode::kInvalidArgument
               ? outside
               : node.error();
  }
  return node->node;
}

// A jurisdiction_id given to a resource that is the same in every jurisdiction (the services,
// one request, a token) must still name one of this deployment's (the spec's 404 otherwise).
Result<void> check_jurisdiction_id(app::App& app, const Request& req) {
  auto params = Params::of_query(req);
  if (!params) return params.error();
  auto j = params->single("jurisdiction_id");
  if (!j) return j.error();
  if (*j) {
    if (auto node = deployment_node(app, **j); !node) return node.error();
  }
  return {};
}

// ---- Services ----

// The services: active categories without an active child, in catalogue order.
std::vector<const Category*> services_of(const std::vector<Category>& all) {
  std::set<std::string_view> parents;
  for (const Category& c : all) {
    if (c.active && !c.parent_code.empty()) parents.insert(c.parent_code);
  }
  std::vector<const Category*> out;
  for (const Category& c : all) {
    if (c.active && !parents.contains(c.code)) out.push_back(&c);
  }
  return out;
}

const Category* find_category(const std::vector<Category>& all, std::string_view code) {
  auto it = std::find_if(all.begin(), all.end(), [&](const Category& c) { return c.code == code; });
  return it == all.end() ? nullptr : &*it;
}

std::string_view name_of(const Category& c, bool en) { return en ? c.name_en : c.name_zh; }

// metadata is false: jiceng asks no service-specific attributes (so a service definition has
// none), and requests get their ids at once (type realtime).
json::object service_json(const std::vector<Category>& all, const Category& c, bool en) {
  const Category* parent = find_category(all, c.parent_code);
  std::string keywords(name_of(c, !en));
  if (parent) keywords += fmt::format(",{},{}", parent->name_zh, parent->name_en);
  return json::object{
      {"service_code", c.code},
      {"service_name", name_of(c, en)},
      {"description",
       en ? fmt::format("{}: handled within {}", c.name_en, domain::period_text(c.time_limit, true))
          : fmt::format("{}：办理时限 {}", c.name_zh, domain::period_text(c.time_limit, false))},
      {"metadata", false},
      {"type", "realtime"},
      {"keywords", keywords},
      {"group", parent ? name_of(*parent, en) : std::string_view()},
  };
}

Error unknown_service(std::string_view code) {
  return Error::not_found(fmt::format("service_code: no service has the code '{}'", code))
      .zh(fmt::format("service_code：没有代码为“{}”的服务类型", code));
}

Response services(app::App& app, const Request& req, Format f) {
  if (auto ok = check_jurisdiction_id(app, req); !ok) return spec_error(ok.error(), req, f);
  auto all = app.catalogue.categories();
  if (!all) return spec_error(all.error(), req, f);
  json::array out;
  for (const Category* c : services_of(*all)) out.push_back(service_json(*all, *c, english(req)));
  return document(out, f, "services", "service");
}

Response service_definition(app::App& app, const Request& req) {
  auto file = split_format(req.params.at("code_format"));
  if (!file) return spec_error(wrong_format("services/{service_code}"), req, Format::kXml);
  if (auto ok = check_jurisdiction_id(app, req); !ok) {
    return spec_error(ok.error(), req, file->format);
  }
  auto all = app.catalogue.categories();
  if (!all) return spec_error(all.error(), req, file->format);
  auto services = services_of(*all);
  if (std::none_of(services.begin(), services.end(),
                   [&](const Category* c) { return c->code == file->name; })) {
    return spec_error(unknown_service(file->name), req, file->format);
  }
  return document(json::object{{"service_code", file->name}, {"attributes", json::array()}},
                  file->format, "service_definition", "");
}

// ---- Discovery ----

// "http://HOST/open311/v2" from the Host header (https behind a proxy that says so); the bare
// path when the header is missing or holds characters a host cannot have.
std::string base_url(const Request& req) {
  auto host = req.header("Host");
  if (!host || host->empty() ||
      host->find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
          std::string_view::npos) {
    return std::string(kBase);
  }
  auto proto = req.header("X-Forwarded-Proto");
  return fmt::format("{}://{}{}", proto && *proto == "https" ? "https" : "http", *host, kBase);
}

Response discovery(app::App& app, const Request& req, Format f) {
  const bool en = english(req);
  std::string place = "jiceng";
  if (auto root = app::deployment_root(app.db)) {
    auto node = app.jurisdictions.get(*root);
    if (!node) return spec_error(node.error(), req, f);
    place = node->node.name;
  } else if (root.error().code != ErrorCode::kNotFound) {
    return spec_error(root.error(), req, f);
  }
  json::object endpoint{{"specification", "http://wiki.open311.org/GeoReport_v2"},
                        {"url", base_url(req)},
                        {"changeset", JICENG_VERSION},
                        {"type", "production"},
                        {"formats", json::array{"text/xml", "application/json"}}};
  json::object out{
      {"changeset", JICENG_VERSION},
      {"contact", en ? fmt::format("12345 citizen service hotline of {}", place)
                     : fmt::format("{}12345政务服务便民热线", place)},
      {"key_service", en ? "API keys for apps are issued by this deployment's administrators "
                           "(jiceng apikey create NAME); ask them through the contact above"
                         : "应用的 API 密钥由本系统管理员签发（jiceng apikey create 名称），"
                           "请通过上述联系方式申请"},
      {"endpoints", json::array{std::move(endpoint)}}};
  return document(out, f, "discovery", "");
}

// ---- Service requests: the public view ----

bool is_closed(domain::CaseState s) {
  return s == domain::CaseState::kClosed || s == domain::CaseState::kDeclined ||
         s == domain::CaseState::kMerged;
}

// Renders cases as public service requests, inside one read transaction.
class PublicView {
 public:
  PublicView(store::Sql& sql, const std::vector<Category>& categories, bool en)
      : sql_(sql), categories_(categories), en_(en) {}

  // The request for a case number; nullopt when there is no such case or it is not public.
  Result<std::optional<json::object>> request(std::string_view number) {
    auto found = store::cases::find(sql_, number);
    if (!found) return found.error();
    if (!*found || (*found)->kind != domain::CaseKind::kDemand || (*found)->accused_unit_id) {
      return std::optional<json::object>();
    }
    const domain::Case& c = **found;
    auto unit = c.unit_id ? unit_name(*c.unit_id) : Result<std::string>(std::string());
    if (!unit) return unit.error();
    auto address = place_name(c.place_code);
    if (!address) return address.error();
    const Category* category = find_category(categories_, c.category_code);
    json::value notice = nullptr;
    if (!c.merged_into.empty()) {
      notice = en_ ? "a repeat, merged into " + c.merged_into : "重复事项，已并入 " + c.merged_into;
    }
    // Every field of the spec's record, in its order; one without a value is null (an empty
    // element in XML), as in the spec's examples, never left out.
    json::object out{
        {"service_request_id", c.number},
        {"status", is_closed(c.state) ? "closed" : "open"},
        {"status_notes",
         fmt::format("{} ({})", domain::label_zh(c.state), domain::to_string(c.state))},
        {"service_name", category ? name_of(*category, en_) : std::string_view(c.category_code)},
        {"service_code", c.category_code},
        // Withheld: residents write personal details into it (and media_url below: a photo
        // can show people; the case file shows both to the staff who may see them).
        {"description", nullptr},
        {"agency_responsible", unit->empty() ? json::value(nullptr) : json::value(*unit)},
        {"service_notice", std::move(notice)},
        {"requested_datetime", china_time(c.received_at)},
        {"updated_datetime", china_time(c.updated_at)},
        {"expected_datetime", china_time_or_null(c.deadline_at)},
        {"address", *address},
        {"address_id", nullptr},
        {"zipcode", nullptr},
        {"lat", nullptr},
        {"long", nullptr},
        {"media_url", nullptr},
    };
    if (c.point && domain::about_a_place(c.category_code)) {
      // To about 100 m: where the matter is, not whose door it is; and only for a place's
      // matters (a welfare or medical one's point would show a household).
      out["lat"] = std::round(c.point->lat * 1000) / 1000;
      out["long"] = std::round(c.point->lon * 1000) / 1000;
    }
    return std::optional<json::object>(std::move(out));
  }

 private:
  Result<std::string> unit_name(std::int64_t id) {
    if (auto it = units_.find(id); it != units_.end()) return it->second;
    auto unit = store::catalogue::find_unit(sql_, id);
    if (!unit) return unit.error();
    return units_[id] = *unit ? (*unit)->name : std::string();
  }

  // The names from the county down to the place: "余江区潢溪镇渡口村".
  Result<std::string> place_name(std::string_view code) {
    std::string out;
    for (std::size_t len : {6, 9, 12}) {
      if (code.size() < len) break;
      std::string prefix(code.substr(0, len));
      auto it = places_.find(prefix);
      if (it == places_.end()) {
        auto node = store::jurisdictions::find(sql_, prefix);
        if (!node) return node.error();
        it = places_.emplace(prefix, *node ? (*node)->name : std::string()).first;
      }
      out += it->second;
    }
    return out;
  }

  store::Sql& sql_;
  const std::vector<Category>& categories_;
  bool en_;
  std::map<std::int64_t, std::string> units_;
  std::map<std::string, std::string> places_;
};

struct ListFilter {
  std::vector<std::string> ids;  // service_request_id: when given, the rest is ignored
  store::open311::RequestQuery query;
};

// A whole number from 1 to max, fallback when the parameter is absent.
Result<std::size_t> count_param(const Params& params, std::string_view name, std::size_t fallback,
                                std::size_t max) {
  auto v = params.single(name);
  if (!v) return v.error();
  if (!*v) return fallback;
  std::string_view text = **v;
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > max) {
    return bad(fmt::format("{}: a whole number from 1 to {}", name, max),
               fmt::format("{}：应为 1 到 {} 的整数", name, max));
  }
  return n;
}

Result<ListFilter> list_filter(app::App& app, const Request& req,
                               const std::vector<Category>& categories) {
  auto params = Params::of_query(req);
  if (!params) return params.error();
  ListFilter f;
  f.ids = params->list("service_request_id");
  if (f.ids.size() > kMaxIds) {
    return bad(fmt::format("service_request_id: at most {} ids at a time", kMaxIds),
               fmt::format("service_request_id：一次最多 {} 个", kMaxIds));
  }
  if (!f.ids.empty()) return f;
  store::open311::RequestQuery& q = f.query;
  for (std::string& code : params->list("service_code")) {
    if (!find_category(categories, code)) {
      return bad(fmt::format("service_code: no service has the code '{}'", code),
                 fmt::format("service_code：没有代码为“{}”的服务类型", code));
    }
    // A group holds no requests of its own: filtering by it would answer "none", silently.
    // (A service no longer offered still filters its past requests.)
    if (std::any_of(categories.begin(), categories.end(),
                    [&](const Category& c) { return c.parent_code == code; })) {
      return bad(
          fmt::format("service_code: '{}' is a group of services, not a service; give "
                      "the codes of its services",
                      code),
          fmt::format("service_code：“{}”是服务类型的分组，不是服务类型，请填写其下的服务类型代码",
                      code));
    }
    q.category_codes.push_back(std::move(code));
  }
  bool open = false;
  bool closed = false;
  for (const std::string& s : params->list("status")) {
    if (s != "open" && s != "closed") {
      return bad("status: open, closed, or both separated by a comma",
                 "status：open、closed，或以逗号分隔两者");
    }
    (s == "open" ? open : closed) = true;
  }
  if (open != closed) {  // one of the two: the states that make it
    for (domain::CaseState state : domain::kAllStates) {
      if (is_closed(state) == closed) q.states.emplace_back(domain::to_string(state));
    }
  }
  std::optional<Instant> from;
  std::optional<Instant> to;
  for (auto [name, out] : {std::pair{"start_date", &from}, std::pair{"end_date", &to}}) {
    auto v = params->single(name);
    if (!v) return v.error();
    if (*v) {
      *out = parse_datetime(**v);
      if (!*out) {
        return bad(
            fmt::format("{}: a W3C datetime with a time zone, such as "
                        "2026-03-01T00:00:00+08:00, or a date",
                        name),
            fmt::format("{}：请使用带时区的时间（如 2026-03-01T00:00:00+08:00）或日期", name));
      }
      // A date alone is the whole day (China time): end_date=2026-12-01 includes that day.
      if (out == &to && (*v)->size() == 10)
        **out += std::chrono::hours(24) - std::chrono::microseconds(1);
    }
  }
  // end_date is inclusive; a range spans at most kWindow, and is the last kWindow by default.
  if (to) *to += std::chrono::microseconds(1);
  if (from && to && *to <= *from) {
    return bad("end_date: must not be before start_date", "end_date：不能早于 start_date");
  }
  if (from && to && *to - *from > kWindow + std::chrono::microseconds(1)) {
    return bad("start_date, end_date: the range may not span more than 90 days",
               "start_date、end_date：查询范围不能超过 90 天");
  }
  q.received_to = to ? *to : from ? *from + kWindow : app.clock.now() + std::chrono::seconds(1);
  q.received_from = from ? *from : q.received_to - kWindow;
  // The deployment's subtree, or the one jurisdiction_id names; every code without a deployment
  // (digits only: ["0", ":") holds them all).
  std::optional<std::string> scope;
  auto j = params->single("jurisdiction_id");
  if (!j) return j.error();
  if (*j) {
    auto node = deployment_node(app, **j);
    if (!node) return node.error();
    scope = node->code;
  } else if (auto root = app::deployment_root(app.db)) {
    scope = *root;
  } else if (root.error().code != ErrorCode::kNotFound) {
    return root.error();
  }
  if (scope) {
    std::tie(q.place_first, q.place_last) = domain::scope_range(*scope);
  } else {
    q.place_first = "0";
    q.place_last = ":";
  }
  auto page = count_param(*params, "page", 1, kMaxOffset);
  if (!page) return page.error();
  auto page_size = count_param(*params, "page_size", kMaxPageSize, kMaxPageSize);
  if (!page_size) return page_size.error();
  q.offset = (*page - 1) * *page_size;
  q.limit = *page_size;
  if (q.offset > kMaxOffset) {
    return bad(fmt::format("page: at most {} requests may come before a page; narrow the dates",
                           kMaxOffset),
               fmt::format("page：翻页不能超过前 {} 条，请缩小日期范围", kMaxOffset));
  }
  return f;
}

Result<json::array> render(app::App& app, const std::vector<Category>& categories, bool en,
                           const std::optional<store::open311::RequestQuery>& query,
                           std::vector<std::string> numbers) {
  return app.db.read_value([&](store::Sql& sql) -> Result<json::array> {
    if (query) {
      auto page = store::open311::request_page(sql, *query);
      if (!page) return page.error();
      numbers = std::move(*page);
    }
    PublicView view(sql, categories, en);
    json::array out;
    for (const std::string& number : numbers) {
      auto r = view.request(number);
      if (!r) return r.error();
      if (*r) out.push_back(std::move(**r));
    }
    return out;
  });
}

Response list_requests(app::App& app, const Request& req, Format f) {
  auto categories = app.catalogue.categories();
  if (!categories) return spec_error(categories.error(), req, f);
  auto filter = list_filter(app, req, *categories);
  if (!filter) return spec_error(filter.error(), req, f);
  auto out = filter->ids.empty()
                 ? render(app, *categories, english(req), filter->query, {})
                 : render(app, *categories, english(req), std::nullopt, filter->ids);
  if (!out) return spec_error(out.error(), req, f);
  return document(*out, f, "service_requests", "request");
}

Error unknown_request(std::string_view id) {
  return Error::not_found(fmt::format("no service request has the id '{}'", id))
      .zh(fmt::format("没有编号为“{}”的服务请求", id));
}

Response one_request(app::App& app, const Request& req) {
  auto file = split_format(req.params.at("id_format"));
  if (!file) return spec_error(wrong_format("requests/{service_request_id}"), req, Format::kXml);
  if (auto ok = check_jurisdiction_id(app, req); !ok) {
    return spec_error(ok.error(), req, file->format);
  }
  auto categories = app.catalogue.categories();
  if (!categories) return spec_error(categories.error(), req, file->format);
  auto out = render(app, *categories, english(req), std::nullopt, {file->name});
  if (!out) return spec_error(out.error(), req, file->format);
  if (out->empty()) return spec_error(unknown_request(file->name), req, file->format);
  return document(*out, file->format, "service_requests", "request");
}

Response token(app::App& app, const Request& req) {
  auto file = split_format(req.params.at("token_format"));
  if (!file) return spec_error(wrong_format("tokens/{token}"), req, Format::kXml);
  if (auto ok = check_jurisdiction_id(app, req); !ok) {
    return spec_error(ok.error(), req, file->format);
  }
  Error unknown =
      Error::not_found("no service request has this token").zh("没有与此 token 对应的服务请求");
  auto code = domain::normalize_tracking_code(file->name);
  if (!code) return spec_error(unknown, req, file->format);
  auto tracked = app.cases.track(*code);
  if (!tracked) {
    return spec_error(tracked.error().code == ErrorCode::kNotFound ? unknown : tracked.error(), req,
                      file->format);
  }
  if (tracked->kind != domain::CaseKind::kDemand) return spec_error(unknown, req, file->format);
  return document(
      json::array{json::object{{"service_request_id", tracked->number}, {"token", *code}}},
      file->format, "service_requests", "request");
}

// ---- Creating a service request ----

// The intake's field names in a message, renamed to the form's.
Error in_form_terms(Error e) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"place", "jurisdiction_id"},
      {"point", "lat/long"},
      {"address", "address_string"},
      {"category", "service_code"},
      {"submitter_name", "first_name/last_name"},
      {"submitter_contact", "phone/email"}};
  return with_field_names(std::move(e), kNames);
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// 姓 before 名 for Chinese names ("欧阳" + "修"), "First Last" otherwise.
std::string full_name(std::string_view first, std::string_view last) {
  if (first.empty() || last.empty()) return std::string(first.empty() ? last : first);
  if (!is_ascii(first) || !is_ascii(last)) return std::string(last) + std::string(first);
  return std::string(first) + " " + std::string(last);
}

Result<double> coordinate(std::string_view v, std::string_view name) {
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(d)) {
    return bad(fmt::format("{}: a number of WGS-84 degrees", name),
               fmt::format("{}：应为 WGS-84 经纬度数值", name));
  }
  return d;
}

// The fields of a create's form that jiceng reads, each nullopt when missing or blank; the
// others (device_id, account_id, attribute[…]) are accepted and ignored.
struct CreateForm {
  std::optional<std::string> api_key, service_code, jurisdiction_id, lat, lon, address_string,
      address_id, description, first_name, last_name, phone, email, media_url;
};

Result<CreateForm> read_form(const Params& params) {
  CreateForm f;
  // Free text keeps its white space; codes, numbers, keys and contacts lose it around them.
  const struct {
    std::string_view name;
    std::optional<std::string> CreateForm::*field;
    bool text;
  } kFields[] = {{"api_key", &CreateForm::api_key, false},
                 {"service_code", &CreateForm::service_code, false},
                 {"jurisdiction_id", &CreateForm::jurisdiction_id, false},
                 {"lat", &CreateForm::lat, false},
                 {"long", &CreateForm::lon, false},
                 {"address_string", &CreateForm::address_string, true},
                 {"address_id", &CreateForm::address_id, false},
                 {"description", &CreateForm::description, true},
                 {"first_name", &CreateForm::first_name, true},
                 {"last_name", &CreateForm::last_name, true},
                 {"phone", &CreateForm::phone, false},
                 {"email", &CreateForm::email, false},
                 {"media_url", &CreateForm::media_url, false}};
  for (const auto& field : kFields) {
    auto v = field.text ? params.text(field.name) : params.single(field.name);
    if (!v) return v.error();
    if (*v) f.*field.field = std::string(**v);
  }
  return f;
}

// The intake a form describes; the app behind api_key is checked before.
Result<domain::Intake> intake_from_form(app::App& app, const CreateForm& form,
                                        const std::vector<Category>& categories) {
  domain::Intake in;
  in.kind = domain::CaseKind::kDemand;
  in.channel = domain::Channel::kOpen311;
  if (!form.service_code) return bad("service_code: is required", "service_code：必填");
  const std::string& code = *form.service_code;
  auto services = services_of(categories);
  // The spec's "404 - service_code not found" (a group of services is not one).
  if (std::none_of(services.begin(), services.end(),
                   [&](const Category* c) { return c->code == code; })) {
    return unknown_service(code);
  }
  in.category_code = code;
  if (!form.jurisdiction_id) {
    return bad(
        "jurisdiction_id: is required: the code of the county, township or village "
        "where the matter is",
        "jurisdiction_id：必填，请填写事项所在县、乡镇或村的区划代码");
  }
  auto node = deployment_node(app, *form.jurisdiction_id);
  if (!node) return node.error();
  in.place_code = node->code;

  if (form.lat.has_value() != form.lon.has_value()) {
    return bad("lat, long: give both or neither", "lat、long：须同时提供");
  }
  if (form.lat) {
    auto la = coordinate(*form.lat, "lat");
    if (!la) return la.error();
    auto lo = coordinate(*form.lon, "long");
    if (!lo) return lo.error();
    in.point = domain::GeoPoint{*la, *lo};
  }
  in.address = form.address_string.value_or("");
  if (!in.point && in.address.empty()) {
    return form.address_id
               ? bad("address_id: this server keeps no address ids; send lat and long, or "
                     "address_string",
                     "address_id：本系统不使用地址编号，请提供 lat 和 long，或 address_string")
               : bad("a location is required: lat and long, or address_string",
                     "须提供位置：lat 和 long，或 address_string");
  }
  // Kept for the case file (the staff who see the person); the public record below leaves it
  // out (a photo can show people), as it does the description.
  in.media_url = form.media_url.value_or("");
  const Category& category = *find_category(categories, in.category_code);
  in.description = form.description ? *form.description
                                    : fmt::format("{}（提交时未填写描述）", category.name_zh);
  // Without a phone or e-mail nobody can be answered: the request is anonymous.
  std::string contact = form.phone.value_or(form.email.value_or(""));
  in.anonymous = contact.empty();
  if (!in.anonymous) {
    in.submitter_contact = std::move(contact);
    in.submitter_name = full_name(form.first_name.value_or(""), form.last_name.value_or(""));
    if (in.submitter_name.empty()) in.submitter_name = kNoName;
  }
  return in;
}

// What the app tells the resident, read in the registration's transaction. It ends with the
// case's tracking code: the answer carries the service_request_id, so the spec leaves the token
// out of it ("should not be returned if service_request_id is returned"), and the resident
// needs the code to follow, rate or escalate the matter on the tracking page (GET tokens/{token}
// also takes it).
Result<std::string> created_notice(store::Sql& sql, const app::Registration& r, bool en) {
  const domain::Case& c = r.registered;
  const std::string code =
      en ? fmt::format("; tracking code {} (to follow, rate or escalate it)", c.tracking_code)
         : fmt::format("；查询码：{}（凭此码查看进度、评价或申请提级）", c.tracking_code);
  if (r.repeat_of) {
    return en ? fmt::format(
                    "the same matter as open request {}, which is being handled; this "
                    "request was merged into it{}",
                    r.repeat_of->number, code)
              : fmt::format("与尚未办结的 {} 为同一事项，已并入该件办理{}", r.repeat_of->number,
                            code);
  }
  std::string unit;
  if (c.unit_id) {
    auto u = store::catalogue::find_unit(sql, *c.unit_id);
    if (!u) return u.error();
    if (*u) unit = (*u)->name;
  }
  std::string deadline = c.deadline_at ? china_time(*c.deadline_at) : "";
  return en ? fmt::format("registered; handled by {}; expected by {}{}", unit, deadline, code)
            : fmt::format("已登记，承办单位：{}；办理期限：{}{}", unit, deadline, code);
}

// Answers after the commit, from the store's writer (the worker thread is free meanwhile), as
// POST /api/v1/cases does.
std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A create's Content-Type: a form (or none said), in UTF-8. GeoReport v2 takes all text as
// UTF-8; a form declared in another charset (GBK, say) is refused rather than read as UTF-8,
// which would store mojibake whenever its bytes happen to be valid UTF-8.
Result<void> check_form_type(std::optional<std::string_view> type) {
  if (!type) return {};
  std::string_view rest = *type;
  auto semicolon = rest.find(';');
  if (lower_trimmed(rest.substr(0, semicolon)) != "application/x-www-form-urlencoded") {
    return bad("send the request as application/x-www-form-urlencoded",
               "请以 application/x-www-form-urlencoded 表单格式提交");
  }
  while (semicolon != std::string_view::npos) {
    rest.remove_prefix(semicolon + 1);
    semicolon = rest.find(';');
    std::string_view parameter = rest.substr(0, semicolon);
    auto eq = parameter.find('=');
    if (eq == std::string_view::npos || lower_trimmed(parameter.substr(0, eq)) != "charset") {
      continue;
    }
    std::string charset = lower_trimmed(parameter.substr(eq + 1));
    if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
      charset = charset.substr(1, charset.size() - 2);
    }
    if (charset != "utf-8" && charset != "utf8") {
      return bad(fmt::format("charset: the form must be UTF-8, not {}", charset),
                 fmt::format("charset：表单须使用 UTF-8 编码，不能是 {}", charset));
    }
  }
  return {};
}

// Open311's per-client limits (ApiOptions::open311) and the counts of the requests made.
struct ClientLimits {
  explicit ClientLimits(const Open311Limits& l)
      : limits(l), counts(app::ThrottleLimits{.window = l.window, .max_keys = l.max_keys}) {}
  const Open311Limits limits;
  app::LoginThrottle counts;
};

// The answer to a client over its limit: 429 with Retry-After (the server puts it in the spec's
// form).
Response too_many_requests(std::chrono::seconds wait, const Request& req) {
  return http::too_many_requests(
      Error{ErrorCode::kResourceExhausted,
            fmt::format("too many requests from this client: try again in {} s", wait.count()),
            fmt::format("请求过于频繁，请 {} 秒后重试", wait.count())},
      wait, req);
}

// A GET handler behind the per-address limit (none when gets_per_address is 0).
Handler limited_by_address(app::App& app, std::shared_ptr<ClientLimits> limits, Handler h) {
  if (limits->limits.gets_per_address <= 0) return h;
  return [&app, limits = std::move(limits), h = std::move(h)](const Request& req) {
    if (auto wait = limits->counts.admit_address(
            context_of(req).remote, limits->limits.gets_per_address, app.clock.now())) {
      return too_many_requests(*wait, req);
    }
    return h(req);
  };
}

// Answers after the commit, from the store's writer (the worker thread is free meanwhile), as
// POST /api/v1/cases does. Limited per valid api_key; requests with a key that is not valid are
// limited as many per client address (made-up keys would otherwise each start a count of their
// own, and crowd the other clients' counts out of the bounded table).
void create_request(app::App& app, const Request& req, const Responder& respond, Format f,
                    ClientLimits& limits) {
  if (auto ok = check_form_type(req.header("Content-Type")); !ok) {
    return respond(spec_error(ok.error(), req, f));
  }
  auto params = Params::of_form(req.body());
  if (!params) return respond(spec_error(params.error(), req, f));
  auto form = read_form(*params);
  if (!form) return respond(spec_error(form.error(), req, f));
  Error no_key{ErrorCode::kPermissionDenied,
               "invalid api_key received -- can't proceed with create_request",
               "api_key 无效，无法创建服务请求"};
  if (!form->api_key) return respond(spec_error(no_key, req, f));
  auto app_principal = app.access.app_for_key(*form->api_key);
  const int limit = limits.limits.posts_per_key;
  if (!app_principal) {
    if (limit > 0) {
      if (auto wait =
              limits.counts.admit_unknown_key(context_of(req).remote, limit, app.clock.now())) {
        return respond(too_many_requests(*wait, req));
      }
    }
    return respond(spec_error(
        app_principal.error().code == ErrorCode::kUnauthenticated ? no_key : app_principal.error(),
        req, f));
  }
  if (limit > 0) {
    if (auto wait = limits.counts.admit_key(*form->api_key, limit, app.clock.now())) {
      return respond(too_many_requests(*wait, req));
    }
  }
  auto categories = app.catalogue.categories();
  if (!categories) return respond(spec_error(categories.error(), req, f));
  auto in = intake_from_form(app, *form, *categories);
  if (!in) return respond(spec_error(in.error(), req, f));
  const app::Actor actor = app::Actor::of(*app_principal, context_of(req));
  // Read now if need be, not by the writer inside the create's transaction.
  if (auto cal = app.cases.load_calendar(); !cal) return respond(spec_error(cal.error(), req, f));
  auto prepared = app.cases.prepare(std::move(*in), actor);
  if (!prepared) return respond(spec_error(in_form_terms(prepared.error()), req, f));
  const bool en = english(req);
  // The case and the answer in one transaction, so that a retry with the same Idempotency-Key
  // gets this answer again (the stored body is the document in this route's format).
  auto create = [&app, prepared = std::move(*prepared), actor, en,
                 f](store::Sql& sql) -> Result<app::StoredResponse> {
    auto registered = app.cases.register_in(sql, prepared, actor);
    if (!registered) return registered.error();
    auto notice = created_notice(sql, *registered, en);
    if (!notice) return notice.error();
    // Registered at once ("realtime" services): the id, and no token beside it (the notice
    // names the tracking code).
    json::array out{json::object{{"service_request_id", registered->registered.number},
                                 {"service_notice", *notice},
                                 {"account_id", nullptr}}};
    return app::StoredResponse{200, document(out, f, "service_requests", "request").body};
  };
  auto answer = [respond, en, request_id = req.request_id, f](Result<app::StoredResponse> r) {
    respond.later([r = std::move(r), en, request_id, f]() {
      if (!r) return spec_error(in_form_terms(r.error()), en, request_id, f);
      Response res;
      if (f == Format::kXml) res.content_type = kXmlType;
      res.body = r->body;
      if (r->replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
      return res;
    });
  };
  if (auto idempotency_key = req.header("Idempotency-Key")) {
    if (auto ok = app::check_idempotency_key(*idempotency_key); !ok) {
      return respond(spec_error(ok.error(), req, f));
    }
    return app::run_idempotent_async(app.db,
                                     {"POST " + req.path + " " + app_principal->actor(),
                                      std::string(*idempotency_key), app::hash_request(req.body())},
                                     app.clock.now(), std::move(create), std::move(answer));
  }
  app.db.write_value_async(std::move(create), std::move(answer));
}

}  // namespace

void add_open311_routes(Router& router, app::App& app, const Open311Limits& limits) {
  auto counts = std::make_shared<ClientLimits>(limits);
  auto by_address = [&](Handler h) { return limited_by_address(app, counts, std::move(h)); };
  std::vector<AnswerDoc> get_answers;
  if (limits.gets_per_address > 0) {
    get_answers.push_back(
        {429, fmt::format("more than {} requests from the client's address within {} s",
                          limits.gets_per_address, limits.window.count())});
  }
  // Where a jurisdiction_id (or a service_code) may be given: the spec's 404 when it names none.
  const std::vector<ParamDoc> optional_jurisdiction{
      {.name = "jurisdiction_id",
       .description = "optional; 404 unless a jurisdiction of this deployment"}};
  std::vector<AnswerDoc> jurisdiction_answers = get_answers;
  jurisdiction_answers.push_back({404, "jurisdiction_id is not a jurisdiction of this deployment"});
  std::vector<AnswerDoc> post_answers{{403, "no api_key, or not a valid one"},
                                      {404, "service_code or jurisdiction_id was not found"}};
  if (limits.posts_per_key > 0) {
    post_answers.push_back({429, fmt::format("more than {} requests with this api_key within {} s",
                                             limits.posts_per_key, limits.window.count())});
  }
  for (Format f : {Format::kJson, Format::kXml}) {
    const std::string ext = f == Format::kJson ? ".json" : ".xml";
    router.add(
        {.method = "GET",
         .pattern = std::string(kBase) + "/discovery" + ext,
         .summary = "Open311 GeoReport v2 service discovery: contact, how to get an API "
                    "key, the endpoint and its formats",
         .answers = get_answers,
         .policy = Policy::kPublic,
         .handler = by_address([&app, f](const Request& req) { return discovery(app, req, f); })});
    router.add(
        {.method = "GET",
         .pattern = std::string(kBase) + "/services" + ext,
         .summary = "Open311: the services (request types): the active leaf categories, "
                    "with their group (parent category); Chinese names unless "
                    "Accept-Language prefers English",
         .query_params = optional_jurisdiction,
         .answers = jurisdiction_answers,
         .policy = Policy::kPublic,
         .handler = by_address([&app, f](const Request& req) { return services(app, req, f); })});
    router.add(
        {.method = "GET",
         .pattern = std::string(kBase) + "/requests" + ext,
         .summary = "Open311: public service requests (demands; never petitions), newest "
                    "received first (the case number breaking ties), without personal data "
                    "(description is null); points rounded to 3 decimals, address = the "
                    "jurisdiction's name. Default: the last 90 days, at most 1,000 per page. "
                    "start_date/end_date filter on the time the request was received "
                    "(requested_datetime, which staff may date back; a date alone is that "
                    "whole day in China time, end_date included); service_request_id "
                    "overrides the other filters; service_request_id, service_code and status "
                    "take comma lists and may be repeated; a blank parameter is the same as none",
         .query_params = {{.name = "service_request_id", .description = "comma-separated"},
                          {.name = "service_code", .description = "comma-separated"},
                          {.name = "start_date", .description = "W3C datetime with zone"},
                          {.name = "end_date", .description = "W3C datetime with zone"},
                          {.name = "status", .description = "open, closed, or both"},
                          {.name = "jurisdiction_id",
                           .description = "a subtree of the tree (404 outside this deployment)"},
                          {.name = "page", .type = "integer"},
                          {.name = "page_size", .type = "integer"}},
         .answers = jurisdiction_answers,
         .policy = Policy::kPublic,
         .handler =
             by_address([&app, f](const Request& req) { return list_requests(app, req, f); })});
    router.add({.method = "POST",
                .pattern = std::string(kBase) + "/requests" + ext,
                .summary =
                    "Open311: create a service request (a demand, channel open311). "
                    "api_key required (403 without a valid one). Form fields "
                    "(application/x-www-form-urlencoded, UTF-8; another charset is 400; a "
                    "blank field is none): service_code (a leaf category), "
                    "jurisdiction_id (required: the county, township or village of this "
                    "deployment where the matter is; the case's place), lat+long or "
                    "address_string, description, first_name, last_name, phone or email (the "
                    "contact; without one the request is anonymous), media_url (an http or "
                    "https link on the internet, kept in the case file for the staff who see "
                    "the person; the public records leave it out); device_id, account_id and "
                    "attribute[…] are ignored. Answers [{service_request_id, "
                    "service_notice (ends with the tracking code), account_id}]; an unknown "
                    "service_code or jurisdiction_id is 404. An "
                    "Idempotency-Key header (not part of GeoReport v2) makes retries safe: the "
                    "same key and form return the first answer, the same key otherwise 400",
                .body = {.kind = BodyDoc::Kind::kForm,
                         .fields = {{.name = "api_key", .required = true},
                                    {.name = "service_code", .required = true},
                                    {.name = "jurisdiction_id", .required = true},
                                    {.name = "lat", .type = "number"},
                                    {.name = "long", .type = "number"},
                                    {.name = "address_string"},
                                    {.name = "address_id"},
                                    {.name = "description"},
                                    {.name = "first_name"},
                                    {.name = "last_name"},
                                    {.name = "phone"},
                                    {.name = "email"},
                                    {.name = "media_url"}}},
                .idempotency_key = true,
                .answers = post_answers,
                .policy = Policy::kPublic,
                .async_handler = [&app, f, counts](const Request& req, const Responder& respond) {
                  create_request(app, req, respond, f, *counts);
                }});
  }
  router.add(
      {.method = "GET",
       .pattern = std::string(kBase) + "/services/{code_format}",
       .summary = "Open311: a service definition, services/{service_code}.json or .xml "
                  "(no attributes: metadata is false for every service)",
       .query_params = optional_jurisdiction,
       .answers = jurisdiction_answers,
       .policy = Policy::kPublic,
       .handler = by_address([&app](const Request& req) { return service_definition(app, req); })});
  router.add({.method = "GET",
              .pattern = std::string(kBase) + "/requests/{id_format}",
              .summary = "Open311: one public service request, requests/{service_request_id}.json "
                         "or .xml (the case number), as an array of one",
              .query_params = optional_jurisdiction,
              .answers = jurisdiction_answers,
              .policy = Policy::kPublic,
              .handler = by_address([&app](const Request& req) { return one_request(app, req); })});
  router.add({.method = "GET",
              .pattern = std::string(kBase) + "/tokens/{token_format}",
              .summary = "Open311: the service_request_id for a token (the tracking code that "
                         "POST requests' service_notice names), tokens/{token}.json or .xml",
              .query_params = optional_jurisdiction,
              .answers = jurisdiction_answers,
              .policy = Policy::kPublic,
              .handler = by_address([&app](const Request& req) { return token(app, req); })});
}

}  // namespace jiceng::http
