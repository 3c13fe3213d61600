// Open311 GeoReport v2 contract tests (issue 3): every resource in .json and .xml, the spec's
// error format and statuses, form-encoded creation with an app's API key, the list's default
// window, paging and filters, tokens, and that public reads carry no personal data. A real
// server over the demo deployment (鹰潭市 3606), on both stores, with a clock the test moves.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "app/app.h"
#include "http/api.h"
#include "http/server.h"
#include "integration/access_fixture.h"
#include "integration/http_client.h"
#include "integration/openapi_check.h"
#include "store/catalogue_repo.h"
#include "store/open311_repo.h"
#include "support/demo_db.h"

namespace jiceng {
namespace {

namespace json = boost::json;
using http::testing::Headers;
using http::testing::Reply;
using testing::Backend;
using testing::OtherServer;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kYujiang = "360603";  // 余江区, in the deployment
// 2026-03-02 09:00 in China.
const Instant kT0 = *parse_instant_utc("2026-03-02T01:00:00Z");
constexpr std::chrono::days kDay{1};

// ---- A minimal XML reader: enough to check well-formedness and compare with the JSON ----

struct XmlNode {
  std::string name;
  std::string text;
  std::vector<XmlNode> children;
};

class XmlReader {
 public:
  explicit XmlReader(std::string_view doc) : s_(doc) {}

  // The root element after the declaration; nullopt when anything is malformed.
  std::optional<XmlNode> document() {
    const std::string_view decl = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    if (!s_.starts_with(decl)) return std::nullopt;
    pos_ = decl.size();
    skip_space();
    auto root = element();
    skip_space();
    if (!root || pos_ != s_.size()) return std::nullopt;
    return root;
  }

 private:
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == '\n' || s_[pos_] == ' ')) ++pos_;
  }

  std::optional<std::string> name() {
    std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '_' || s_[pos_] == '-')) {
      ++pos_;
    }
    if (pos_ == start) return std::nullopt;
    return std::string(s_.substr(start, pos_ - start));
  }

  std::optional<XmlNode> element() {
    if (pos_ >= s_.size() || s_[pos_] != '<') return std::nullopt;
    ++pos_;
    XmlNode node;
    auto n = name();
    if (!n) return std::nullopt;
    node.name = *n;
    if (s_.substr(pos_).starts_with("/>")) {
      pos_ += 2;
      return node;
    }
    if (pos_ >= s_.size() || s_[pos_] != '>') return std::nullopt;
    ++pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (s_.substr(pos_).starts_with("</")) {
        pos_ += 2;
        auto end = name();
        if (!end || *end != node.name || pos_ >= s_.size() || s_[pos_] != '>') return std::nullopt;
        ++pos_;
        return node;
      }
      if (c == '<') {
        auto child = element();
        if (!child) return std::nullopt;
        node.children.push_back(std::move(*child));
      } else if (c == '&') {
        static constexpr std::pair<std::string_view, char> kEntities[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        bool known = false;
        for (auto [entity, ch] : kEntities) {
          if (s_.substr(pos_).starts_with(entity)) {
            node.text += ch;
            pos_ += entity.size();
            known = true;
            break;
          }
        }
        if (!known) return std::nullopt;
      } else {
        node.text += c;
        ++pos_;
      }
    }
    return std::nullopt;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

std::optional<XmlNode> parse_xml(std::string_view doc) { return XmlReader(doc).document(); }

// "" when the XML element holds what the JSON value holds (arrays as repeated elements named
// `item`, objects as elements named by their keys in order, arrays under key K as items named K
// without its final 's'); otherwise the first difference.
std::string compare(const json::value& v, const XmlNode& x, std::string_view item) {
  auto differ = [&](std::string what) { return x.name + ": " + what; };
  switch (v.kind()) {
    case json::kind::array: {
      const auto& a = v.get_array();
      if (a.size() != x.children.size()) {
        return differ(std::to_string(a.size()) + " items in JSON, " +
                      std::to_string(x.children.size()) + " in XML");
      }
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (x.children[i].name != item) return differ("item named " + x.children[i].name);
        if (auto d = compare(a[i], x.children[i], ""); !d.empty()) return d;
      }
      return "";
    }
    case json::kind::object: {
      const auto& o = v.get_object();
      if (o.size() != x.children.size()) return differ("different number of fields");
      std::size_t i = 0;
      for (const auto& member : o) {
        const XmlNode& child = x.children[i++];
        std::string key(member.key());
        if (child.name != key) return differ("expected <" + key + ">, found <" + child.name + ">");
        std::string singular = key.ends_with('s') ? key.substr(0, key.size() - 1) : key;
        if (auto d = compare(member.value(), child, singular); !d.empty()) return d;
      }
      return "";
    }
    case json::kind::string:
      return x.text == v.get_string() && x.children.empty()
                 ? ""
                 : differ("'" + x.text + "' vs '" + std::string(v.get_string()) + "'");
    case json::kind::bool_:
      return x.text == (v.get_bool() ? "true" : "false") ? "" : differ("boolean " + x.text);
    case json::kind::null:
      return x.text.empty() && x.children.empty() ? "" : differ("not empty for null");
    default:
      return std::stod(x.text) == v.to_number<double>() ? "" : differ("number " + x.text);
  }
}

std::string form_encode(const Fields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    for (const std::string* part : {&name, &value}) {
      for (unsigned char c : *part) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
          out += static_cast<char>(c);
        } else if (c == ' ') {
          out += '+';
        } else {
          static constexpr char kHex[] = "0123456789ABCDEF";
          out += '%';
          out += kHex[c >> 4];
          out += kHex[c & 15];
        }
      }
      if (part == &name) out += '=';
    }
  }
  return out;
}

json::value parse_json(const Reply& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.res.body(), ec);
  EXPECT_FALSE(ec) << "not JSON: " << r.res.body();
  return ec ? json::value() : v;
}

std::string content_type(const Reply& r) {
  return std::string(r.res[boost::beast::http::field::content_type]);
}

class Open311 : public ::testing::TestWithParam<Backend> {
 protected:
  struct Created {
    std::string id;
    std::string token;
    std::string notice;
  };

  void SetUp() override {
    db_ = testing::demo_database(GetParam());
    ASSERT_TRUE(db_);
    app_ = std::make_unique<app::App>(*db_, clock_);
    router_ = std::make_unique<http::Router>(http::make_router(*app_, metrics_));
    http::ServerOptions options;
    options.port = 0;
    options.worker_threads = 2;
    server_ = std::make_unique<http::Server>(options, *router_, metrics_);
    ASSERT_TRUE(server_->listen());
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    // Every status the test saw is one the OpenAPI document lists for its route.
    if (router_) testing::expect_answers_documented(*router_, metrics_);
  }

  Reply get(const std::string& target, const Headers& headers = {}) {
    http::testing::TestClient client(server_->port());
    return client.request("GET", target, {}, headers);
  }

  // GETs a .json resource, expects the status and the JSON content type, and returns the body.
  json::value get_json(const std::string& target, unsigned status = 200,
                       const Headers& headers = {}) {
    auto r = get(target, headers);
    EXPECT_EQ(r.res.result_int(), status) << target << ": " << r.res.body();
    EXPECT_EQ(content_type(r), "application/json; charset=utf-8") << target;
    return parse_json(r);
  }

  // GETs the .xml twin of a .json target, expects the same status, the XML content type, a
  // well-formed document with this root, holding what the JSON holds; returns the body.
  std::string expect_same_xml(const std::string& json_target, const json::value& from_json,
                              std::string_view root, std::string_view item, unsigned status = 200,
                              const Headers& headers = {}) {
    std::string target = json_target;
    target.replace(target.find(".json"), 5, ".xml");
    auto r = get(target, headers);
    EXPECT_EQ(r.res.result_int(), status) << target << ": " << r.res.body();
    EXPECT_EQ(content_type(r), "text/xml; charset=utf-8") << target;
    auto doc = parse_xml(r.res.body());
    EXPECT_TRUE(doc) << target << " is not well-formed: " << r.res.body();
    if (doc) {
      EXPECT_EQ(doc->name, root) << target;
      EXPECT_EQ(compare(from_json, *doc, item), "") << target << ": " << r.res.body();
    }
    return r.res.body();
  }

  // Expects the spec's error: the status, and [{"code": status, "description": "…"}].
  void expect_spec_error(const Reply& r, unsigned status, const std::string& where) {
    EXPECT_EQ(r.res.result_int(), status) << where << ": " << r.res.body();
    if (content_type(r).starts_with("text/xml")) {
      auto doc = parse_xml(r.res.body());
      ASSERT_TRUE(doc) << where << ": " << r.res.body();
      EXPECT_EQ(doc->name, "errors") << where;
      ASSERT_EQ(doc->children.size(), 1u) << where;
      const XmlNode& e = doc->children[0];
      ASSERT_EQ(e.name, "error") << where;
      ASSERT_EQ(e.children.size(), 2u) << where;
      EXPECT_EQ(e.children[0].name, "code");
      EXPECT_EQ(e.children[0].text, std::to_string(status)) << where;
      EXPECT_EQ(e.children[1].name, "description");
      EXPECT_FALSE(e.children[1].text.empty()) << where;
      return;
    }
    EXPECT_EQ(content_type(r), "application/json; charset=utf-8") << where;
    auto v = parse_json(r);
    ASSERT_TRUE(v.is_array() && v.as_array().size() == 1) << where << ": " << r.res.body();
    const auto& e = v.as_array()[0].as_object();
    EXPECT_EQ(e.size(), 2u) << where;
    EXPECT_EQ(e.at("code").to_number<unsigned>(), status) << where;
    EXPECT_FALSE(e.at("description").as_string().empty()) << where;
  }

  std::string api_key() {
    static std::atomic<int> n{0};
    auto key = app_->access.create_api_key("open311-test-" + std::to_string(++n), {});
    EXPECT_TRUE(key);
    return key ? key->key : "";
  }

  // A village of 余江区 that no other test of this binary uses.
  std::string fresh_village() {
    static std::atomic<std::int64_t> next{0};
    auto [first, last] = domain::scope_range(kYujiang);
    std::int64_t offset = next++;
    auto row = db_->read_value([&](store::Sql& sql) {
      return sql.query_one(
          "SELECT code FROM jurisdiction WHERE level = 5 AND code >= $1 AND code < $2 "
          "ORDER BY code LIMIT 1 OFFSET $3",
          {first, last, offset});
    });
    EXPECT_TRUE(row) << "no village at offset " << offset;
    return row ? row->text(0) : "";
  }

  Reply post(const std::string& target, const Fields& fields, Headers headers = {}) {
    headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    http::testing::TestClient client(server_->port());
    return client.request("POST", target, form_encode(fields), headers);
  }

  // Creates a request (the key, service and place given, anonymous unless fields say otherwise;
  // a field in extra replaces the default of its name).
  Created create(const std::string& key, const std::string& place, Fields extra = {},
                 std::string service = "urban.sanitation") {
    Fields fields;
    for (auto& f : Fields{{"api_key", key},
                          {"service_code", service},
                          {"jurisdiction_id", place},
                          {"address_string", "村口"},
                          {"description", "路边垃圾无人清运"}}) {
      if (std::none_of(extra.begin(), extra.end(),
                       [&](const auto& x) { return x.first == f.first; })) {
        fields.push_back(std::move(f));
      }
    }
    for (auto& f : extra) fields.push_back(std::move(f));
    auto r = post("/open311/v2/requests.json", fields);
    EXPECT_EQ(r.res.result_int(), 200u) << r.res.body();
    EXPECT_EQ(content_type(r), "application/json; charset=utf-8");
    auto v = parse_json(r);
    Created c;
    if (!v.is_array() || v.as_array().size() != 1) {
      ADD_FAILURE() << "not an array of one: " << r.res.body();
      return c;
    }
    const auto& o = v.as_array()[0].as_object();
    c.id = std::string(o.at("service_request_id").as_string());
    c.notice = std::string(o.at("service_notice").as_string());
    EXPECT_TRUE(o.at("account_id").is_null());
    // Registered at once: the id, and no token beside it (the spec: not both); the notice
    // names the tracking code, which GET tokens/{token} takes.
    EXPECT_FALSE(o.contains("token")) << r.res.body();
    auto stored = app_->cases.get(c.id);
    if (!stored) {
      ADD_FAILURE() << "not stored: " << c.id;
      return c;
    }
    c.token = stored->c.tracking_code;
    EXPECT_NE(c.notice.find(c.token), std::string::npos) << c.notice;
    return c;
  }

  // The service_request_ids of a list answer, in order.
  std::vector<std::string> ids_of(const json::value& v) {
    std::vector<std::string> out;
    if (!v.is_array()) return out;
    for (const auto& r : v.as_array()) {
      out.emplace_back(r.at("service_request_id").as_string());
    }
    return out;
  }

  std::vector<std::string> list_ids(const std::string& query) {
    return ids_of(get_json("/open311/v2/requests.json?" + query));
  }

  store::Database* db_ = nullptr;
  testing::ManualClock clock_{kT0};
  std::unique_ptr<app::App> app_;
  http::Metrics metrics_;
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
};

TEST_P(Open311, Discovery) {
  auto v = get_json("/open311/v2/discovery.json");
  ASSERT_TRUE(v.is_object());
  for (std::string_view key : {"changeset", "contact", "key_service"}) {
    EXPECT_FALSE(v.at(key).as_string().empty()) << key;
  }
  EXPECT_NE(std::string(v.at("contact").as_string()).find("鹰潭市"), std::string::npos);
  const auto& endpoints = v.at("endpoints").as_array();
  ASSERT_EQ(endpoints.size(), 1u);
  const auto& e = endpoints[0].as_object();
  EXPECT_EQ(e.at("specification").as_string(), "http://wiki.open311.org/GeoReport_v2");
  EXPECT_EQ(e.at("url").as_string(), "http://127.0.0.1/open311/v2");  // the client's Host
  EXPECT_EQ(e.at("type").as_string(), "production");
  EXPECT_EQ(e.at("formats"), json::value(json::array{"text/xml", "application/json"}));
  auto xml = expect_same_xml("/open311/v2/discovery.json", v, "discovery", "");
  EXPECT_NE(xml.find("<formats><format>text/xml</format><format>application/json</format>"),
            std::string::npos);
}

// Web apps on other sites may read Open311 (CORS), its errors too; the rest of the API is not
// opened so.
TEST_P(Open311, OpenToWebAppsOnOtherSites) {
  for (const char* target :
       {"/open311/v2/discovery.json", "/open311/v2/services.xml", "/open311/v2/nope.json"}) {
    auto r = get(target);
    EXPECT_EQ(r.res["Access-Control-Allow-Origin"], "*") << target;
  }
  EXPECT_EQ(get("/api/v1/categories").res["Access-Control-Allow-Origin"], "");
}

TEST_P(Open311, ServicesAreTheLeafCategories) {
  auto categories = app_->catalogue.categories();
  ASSERT_TRUE(categories);
  std::set<std::string> parents;
  for (const auto& c : *categories) {
    if (c.active && !c.parent_code.empty()) parents.insert(c.parent_code);
  }
  std::set<std::string> leaves;
  for (const auto& c : *categories) {
    if (c.active && !parents.contains(c.code)) leaves.insert(c.code);
  }

  auto v = get_json("/open311/v2/services.json");
  std::set<std::string> codes;
  for (const auto& s : v.as_array()) {
    const auto& o = s.as_object();
    codes.insert(std::string(o.at("service_code").as_string()));
    EXPECT_EQ(o.at("type").as_string(), "realtime");
    EXPECT_EQ(o.at("metadata"), json::value(false));
    for (std::string_view key : {"service_name", "description", "keywords", "group"}) {
      EXPECT_TRUE(o.at(key).is_string()) << key;
    }
  }
  EXPECT_EQ(codes, leaves);
  EXPECT_FALSE(codes.contains("urban")) << "a parent category is a group, not a service";

  auto find = [](const json::value& list, std::string_view code) {
    for (const auto& s : list.as_array()) {
      if (s.at("service_code").as_string() == code) return s.as_object();
    }
    return json::object();
  };
  auto sanitation = find(v, "urban.sanitation");
  EXPECT_EQ(sanitation.at("service_name").as_string(), "环境卫生");
  EXPECT_EQ(sanitation.at("group").as_string(), "城乡建设");
  EXPECT_NE(std::string(sanitation.at("description").as_string()).find("7 个自然日"),
            std::string::npos);
  expect_same_xml("/open311/v2/services.json", v, "services", "service");

  const Headers english = {{"Accept-Language", "en-GB,en;q=0.9,zh;q=0.5"}};
  auto en = get_json("/open311/v2/services.json", 200, english);
  EXPECT_EQ(find(en, "urban.sanitation").at("service_name").as_string(), "Public sanitation");
  EXPECT_EQ(find(en, "urban.sanitation").at("group").as_string(), "Urban and rural construction");
  expect_same_xml("/open311/v2/services.json", en, "services", "service", 200, english);

  auto definition = get_json("/open311/v2/services/urban.sanitation.json");
  EXPECT_EQ(definition, json::value(json::object{{"service_code", "urban.sanitation"},
                                                 {"attributes", json::array()}}));
  expect_same_xml("/open311/v2/services/urban.sanitation.json", definition, "service_definition",
                  "");
  expect_spec_error(get("/open311/v2/services/urban.json"), 404, "a group");
  expect_spec_error(get("/open311/v2/services/nope.xml"), 404, "unknown, XML");
  expect_spec_error(get("/open311/v2/services/urban.sanitation.csv"), 404, "unknown format");
}

TEST_P(Open311, XmlEscapesText) {
  const std::string name = "测试<&>\"'名称";
  domain::Category c{.code = "urban.o311_escape",
                     .parent_code = "urban",
                     .name_zh = name,
                     .name_en = "Test <&> \"quotes\" 'apos'",
                     .time_limit = {7, domain::PeriodUnit::kCalendarDays},
                     .routing_level = domain::Level::kTownship,
                     .active = true,
                     .sort_order = 99};
  ASSERT_TRUE(
      db_->write([&](store::Sql& sql) { return store::catalogue::upsert_category(sql, c); }));

  auto r = get("/open311/v2/services.xml");
  ASSERT_EQ(r.res.result_int(), 200u);
  EXPECT_NE(r.res.body().find("<service_name>测试&lt;&amp;&gt;&quot;&apos;名称</service_name>"),
            std::string::npos)
      << r.res.body();
  EXPECT_EQ(r.res.body().find("<&>"), std::string::npos);
  auto doc = parse_xml(r.res.body());
  ASSERT_TRUE(doc) << r.res.body();
  bool found = false;
  for (const auto& s : doc->children) {
    if (s.children.at(0).text == c.code) {
      found = true;
      EXPECT_EQ(s.children.at(1).name, "service_name");
      EXPECT_EQ(s.children.at(1).text, name) << "reads back as written";
    }
  }
  EXPECT_TRUE(found);

  // And in a request's service_name.
  auto created = create(api_key(), fresh_village(), {}, c.code);
  auto one = get_json("/open311/v2/requests/" + created.id + ".json");
  EXPECT_EQ(one.at(0).at("service_name").as_string(), name);
  auto xml = expect_same_xml("/open311/v2/requests/" + created.id + ".json", one,
                             "service_requests", "request");
  EXPECT_EQ(xml.find("<&>"), std::string::npos);
}

TEST_P(Open311, CreateAndReadBack) {
  const std::string village = fresh_village();
  auto node = app_->jurisdictions.get(village);
  ASSERT_TRUE(node);
  auto created = create(api_key(), village,
                        {{"lat", "28.2412345"},
                         {"long", "116.8198765"},
                         {"first_name", "修"},
                         {"last_name", "欧阳"},
                         {"phone", "13912340001"},
                         {"email", "ouyang@example.cn"},
                         {"media_url", "https://example.cn/photo.jpg"},
                         {"attribute[size]", "large"}});
  ASSERT_TRUE(created.id.starts_with("360603-2026-")) << created.id;
  EXPECT_FALSE(created.token.empty());
  EXPECT_NE(created.notice.find("已登记"), std::string::npos) << created.notice;

  // What was stored: an open311 case at the village, submitted by the app.
  auto stored = app_->cases.get(created.id);
  ASSERT_TRUE(stored);
  const domain::Case& c = stored->c;
  EXPECT_EQ(c.channel, domain::Channel::kOpen311);
  EXPECT_EQ(c.kind, domain::CaseKind::kDemand);
  EXPECT_EQ(c.place_code, village);
  EXPECT_EQ(c.category_code, "urban.sanitation");
  EXPECT_EQ(c.address, "村口");
  EXPECT_EQ(c.description, "路边垃圾无人清运");
  EXPECT_EQ(c.submitter_name, "欧阳修");
  EXPECT_EQ(c.submitter_contact, "13912340001");
  EXPECT_FALSE(c.anonymous);
  ASSERT_TRUE(c.point);
  EXPECT_DOUBLE_EQ(c.point->lat, 28.2412345);
  EXPECT_EQ(c.tracking_code, created.token);
  ASSERT_FALSE(stored->events.empty());
  EXPECT_TRUE(stored->events[0].actor.starts_with("open311-test-")) << "the app acted";
  // The photo's link, for staff and the submitter (the public record below leaves it out).
  EXPECT_EQ(stored->media_urls, std::vector<std::string>{"https://example.cn/photo.jpg"});

  const std::string target = "/open311/v2/requests/" + created.id + ".json";
  auto v = get_json(target);
  ASSERT_TRUE(v.is_array());
  ASSERT_EQ(v.as_array().size(), 1u) << "a single request is still an array";
  const auto& r = v.at(0).as_object();
  EXPECT_EQ(r.at("service_request_id").as_string(), created.id);
  EXPECT_EQ(r.at("status").as_string(), "open");
  EXPECT_EQ(r.at("status_notes").as_string(),
            std::string(domain::label_zh(domain::CaseState::kRegistered)) + " (registered)");
  EXPECT_EQ(r.at("service_code").as_string(), "urban.sanitation");
  EXPECT_EQ(r.at("service_name").as_string(), "环境卫生");
  EXPECT_FALSE(r.at("agency_responsible").as_string().empty());
  EXPECT_EQ(r.at("requested_datetime").as_string(), "2026-03-02T09:00:00+08:00");
  EXPECT_EQ(r.at("updated_datetime").as_string(), "2026-03-02T09:00:00+08:00");
  ASSERT_TRUE(c.deadline_at);
  const std::string china = format_instant_utc(*c.deadline_at + std::chrono::hours(8));
  EXPECT_EQ(r.at("expected_datetime").as_string(), china.substr(0, 19) + "+08:00");
  const std::string address(r.at("address").as_string());
  EXPECT_TRUE(address.starts_with("余江区")) << address;
  EXPECT_TRUE(address.ends_with(node->node.name)) << address;
  EXPECT_EQ(r.at("lat"), json::value(28.241));
  EXPECT_EQ(r.at("long"), json::value(116.82));
  EXPECT_TRUE(r.at("description").is_null()) << "withheld, but there";
  EXPECT_TRUE(r.at("media_url").is_null()) << "withheld too: a photo can show people";
  // A matter about a person's circumstances shows no point: in a village it is their door.
  auto dibao =
      create(api_key(), village, {{"lat", "28.2412345"}, {"long", "116.8198765"}}, "civil.dibao");
  ASSERT_FALSE(dibao.id.empty());
  ASSERT_TRUE(app_->cases.get(dibao.id)->c.point) << "kept for staff";
  auto withheld = get_json("/open311/v2/requests/" + dibao.id + ".json");
  EXPECT_TRUE(withheld.at(0).at("lat").is_null()) << withheld;
  EXPECT_TRUE(withheld.at(0).at("long").is_null()) << withheld;
  const auto body = get(target).res.body();
  EXPECT_NE(body.find("\"lat\":28.241,"), std::string::npos) << "plain decimals: " << body;
  expect_same_xml(target, v, "service_requests", "request");

  // POST …/requests.xml answers in XML.
  auto xml = post("/open311/v2/requests.xml", {{"api_key", api_key()},
                                               {"service_code", "env.noise"},
                                               {"jurisdiction_id", village},
                                               {"lat", "28.2"},
                                               {"long", "116.8"}});
  ASSERT_EQ(xml.res.result_int(), 200u) << xml.res.body();
  EXPECT_EQ(content_type(xml), "text/xml; charset=utf-8");
  auto doc = parse_xml(xml.res.body());
  ASSERT_TRUE(doc) << xml.res.body();
  EXPECT_EQ(doc->name, "service_requests");
  ASSERT_EQ(doc->children.size(), 1u);
  ASSERT_EQ(doc->children[0].children.size(), 3u);
  EXPECT_EQ(doc->children[0].children[0].name, "service_request_id");
  auto anonymous = app_->cases.get(doc->children[0].children[0].text);
  ASSERT_TRUE(anonymous);
  EXPECT_TRUE(anonymous->c.anonymous) << "no phone or e-mail: anonymous";
  EXPECT_NE(anonymous->c.description.find("噪声扰民"), std::string::npos)
      << "no description: the service's name stands in";
}

TEST_P(Open311, CreateRefusals) {
  const std::string village = fresh_village();
  const std::string key = api_key();
  const Fields good = {{"service_code", "urban.sanitation"},
                       {"jurisdiction_id", village},
                       {"address_string", "村口"},
                       {"description", "垃圾"}};
  auto with = [&](Fields f, std::string_view drop = {}) {
    Fields out;
    for (const auto& g : good) {
      if (g.first == drop) continue;
      bool replaced = false;
      for (const auto& x : f) replaced = replaced || x.first == g.first;
      if (!replaced) out.push_back(g);
    }
    for (auto& x : f) out.push_back(std::move(x));
    return out;
  };
  const std::string target = "/open311/v2/requests.json";

  // The key: missing, wrong, revoked → 403.
  expect_spec_error(post(target, good), 403, "no api_key");
  expect_spec_error(post(target, with({{"api_key", "jck_1_forged"}})), 403, "forged");
  auto revoked = app_->access.create_api_key("open311-revoked", {});
  ASSERT_TRUE(revoked);
  ASSERT_TRUE(app_->access.revoke_api_key(revoked->id, {}));
  expect_spec_error(post(target, with({{"api_key", revoked->key}})), 403, "revoked");
  auto xml = post("/open311/v2/requests.xml", good);
  expect_spec_error(xml, 403, "no api_key, XML");
  EXPECT_NE(xml.res.body().find("<errors><error><code>403</code><description>"), std::string::npos)
      << xml.res.body();

  // The spec's "404 - service_code or jurisdiction_id was not found"; anything else the caller
  // got wrong → 400.
  const std::string big(domain::kMaxDescriptionChars + 1, 'x');
  const struct {
    const char* label;
    Fields fields;
    std::string_view drop;
    std::string_view mentions;
    unsigned status = 400;
  } cases[] = {
      {"unknown service", {{"service_code", "nope"}}, {}, "service_code", 404},
      {"a group, not a service", {{"service_code", "urban"}}, {}, "service_code", 404},
      {"no service", {}, "service_code", "service_code"},
      {"no jurisdiction", {}, "jurisdiction_id", "jurisdiction_id"},
      {"outside the deployment", {{"jurisdiction_id", "360102"}}, {}, "jurisdiction_id", 404},
      {"unknown village", {{"jurisdiction_id", "360603999999"}}, {}, "jurisdiction_id", 404},
      {"the deployment's city", {{"jurisdiction_id", "3606"}}, {}, "jurisdiction_id"},
      {"the city, padded", {{"jurisdiction_id", "360600"}}, {}, "not a whole city"},
      {"not a code", {{"jurisdiction_id", "yujiang"}}, {}, "jurisdiction_id", 404},
      {"no location", {}, "address_string", "address_string"},
      {"address_id only", {{"address_id", "17"}}, "address_string", "address_id"},
      {"lat without long", {{"lat", "28.2"}}, {}, "long"},
      {"lat not a number", {{"lat", "north"}, {"long", "116.8"}}, {}, "lat"},
      {"lat out of range", {{"lat", "200"}, {"long", "116.8"}}, {}, "lat/long"},
      {"description too long", {{"description", big}}, {}, "description"},
      {"media_url not a web address", {{"media_url", "javascript:alert(1)"}}, {}, "media_url"},
      {"media_url relative", {{"media_url", "/photos/1.jpg"}}, {}, "media_url"},
  };
  for (const auto& c : cases) {
    Fields f = c.fields;
    f.emplace_back("api_key", key);
    auto r = post(target, with(f, c.drop), {{"Accept-Language", "en"}});
    expect_spec_error(r, c.status, c.label);
    EXPECT_NE(r.res.body().find(c.mentions), std::string::npos) << c.label << ": " << r.res.body();
  }

  // Not a form.
  http::testing::TestClient client(server_->port());
  auto json_body = client.request("POST", target, "{\"api_key\":\"" + key + "\"}",
                                  {{"Content-Type", "application/json"}});
  expect_spec_error(json_body, 400, "JSON body");
  // Messages are Chinese unless English is preferred.
  auto zh = post(target, with({{"api_key", key}, {"service_code", "nope"}}));
  EXPECT_NE(zh.res.body().find("服务类型"), std::string::npos) << zh.res.body();
}

// Issue 3, "every POST accepts an Idempotency-Key": an app that retries a create after a lost
// answer gets the first answer (in the route's format) and one case; the same key with another
// form is refused, and the key is the app's own.
TEST_P(Open311, RetriedCreatesAreIdempotent) {
  const std::string key = api_key();
  const Fields fields = {{"api_key", key},
                         {"service_code", "urban.lighting"},
                         {"jurisdiction_id", fresh_village()},
                         {"address_string", "桥头"},
                         {"description", "路灯一直不亮"},
                         {"phone", "13912345678"}};
  const std::string target = "/open311/v2/requests.xml";
  const Headers retry = {{"Idempotency-Key", "open311-retry-" + testing::to_string(GetParam())}};
  auto first = post(target, fields, retry);
  ASSERT_EQ(first.res.result_int(), 200u) << first.res.body();
  auto again = post(target, fields, retry);
  ASSERT_EQ(again.res.result_int(), 200u) << again.res.body();
  EXPECT_EQ(again.res.body(), first.res.body());
  EXPECT_EQ(content_type(again), "text/xml; charset=utf-8");
  EXPECT_EQ(again.res["Idempotent-Replayed"], "true");
  auto doc = parse_xml(first.res.body());
  ASSERT_TRUE(doc) << first.res.body();
  const std::string number = doc->children.at(0).children.at(0).text;
  auto n = db_->read_value([&](store::Sql& sql) {
    return sql.query_one("SELECT COUNT(*) FROM cases WHERE submitter_contact = $1",
                         {std::string("13912345678")});
  });
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->int64(0), 1) << "one case for the retried create, " << number;

  Fields other = fields;
  other.back().second = "13912345679";
  expect_spec_error(post(target, other, retry), 400, "the same key, another form");
  // Another app's key space: the same Idempotency-Key is a new request.
  Fields theirs = other;
  theirs.front().second = api_key();
  auto separate = post(target, theirs, retry);
  EXPECT_EQ(separate.res.result_int(), 200u) << separate.res.body();
  EXPECT_NE(separate.res.body(), first.res.body());
  expect_spec_error(post(target, fields, {{"Idempotency-Key", "a b"}}), 400, "a bad key");
}

// A create waits for its commit without holding a worker: with the store's writer held, more
// creates than workers are in flight and a read that needs a worker is still answered; the
// creates are answered once the writer goes on.
TEST_P(Open311, CreatesWaitForTheirCommitWithoutAWorker) {
  const std::string key = api_key();
  const std::string village = fresh_village();
  std::promise<void> held;
  std::promise<void> release;
  std::shared_future<void> go = release.get_future().share();
  const bool pg = GetParam() == Backend::kPostgres;
  db_->write_async(
      [&held, go, pg](store::Sql& sql) -> Result<void> {
        // PostgreSQL has several writers: the lock holds the others' inserts of cases.
        if (pg) {
          if (auto r = sql.exec("LOCK TABLE cases IN EXCLUSIVE MODE"); !r) return r.error();
        }
        held.set_value();
        go.wait();
        return {};
      },
      [](Result<void>) {});
  held.get_future().wait();

  constexpr int kCreates = 3;  // more than the fixture's 2 workers
  std::vector<std::future<Reply>> creates;
  for (int i = 0; i < kCreates; ++i) {
    creates.push_back(std::async(std::launch::async, [&, i] {
      // Held until the release below: a deadline longer than the test's waits.
      http::testing::TestClient client(server_->port(), std::chrono::seconds(60));
      return client.request("POST", "/open311/v2/requests.json",
                            form_encode({{"api_key", key},
                                         {"service_code", "urban.sanitation"},
                                         {"jurisdiction_id", village},
                                         {"address_string", "村口"},
                                         {"description", "垃圾无人清运 " + std::to_string(i)}}),
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
    }));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (metrics_.in_flight() < kCreates && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(metrics_.in_flight(), kCreates) << "the creates arrived and wait for their commit";
  auto read = std::async(std::launch::async, [&] {
    return get("/open311/v2/requests.json?jurisdiction_id=" + village);
  });
  // The read's client gives up after 5 s: an error then means it waited for a worker.
  const Reply listed = read.get();
  EXPECT_FALSE(listed.ec) << "a read waited for a worker held by a create: " << listed.ec.message();
  EXPECT_EQ(listed.res.result_int(), 200u) << listed.res.body();
  for (const auto& c : creates) {
    EXPECT_NE(c.wait_for(std::chrono::seconds(0)), std::future_status::ready)
        << "a create answered before its commit";
  }
  release.set_value();
  for (auto& c : creates) {
    auto r = c.get();
    EXPECT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result_int(), 200u) << r.res.body();
  }
}

TEST_P(Open311, ListWindowAndPages) {
  const std::string v = fresh_village();
  const std::string key = api_key();
  clock_.advance(-100 * kDay);
  auto old = create(key, v);
  clock_.advance(90 * kDay);  // T0 - 10 days
  auto b = create(key, v);
  clock_.advance(std::chrono::seconds(1));
  auto c = create(key, v);
  clock_.advance(std::chrono::seconds(1));
  auto d = create(key, v);
  clock_.advance(10 * kDay - std::chrono::seconds(2));  // T0

  const std::string in = "jurisdiction_id=" + v;
  EXPECT_EQ(list_ids(in), (std::vector<std::string>{d.id, c.id, b.id}))
      << "the last 90 days, newest first";
  EXPECT_EQ(list_ids(in + "&page_size=2"), (std::vector<std::string>{d.id, c.id}));
  EXPECT_EQ(list_ids(in + "&page_size=2&page=2"), (std::vector<std::string>{b.id}));
  EXPECT_TRUE(list_ids(in + "&page_size=2&page=3").empty());

  const std::string from = format_instant_utc(kT0 - 101 * kDay);
  const std::string to = format_instant_utc(kT0 - 99 * kDay);
  EXPECT_EQ(list_ids(in + "&start_date=" + from + "&end_date=" + to),
            (std::vector<std::string>{old.id}));
  EXPECT_EQ(list_ids(in + "&start_date=" + from), (std::vector<std::string>{old.id}))
      << "start_date alone: 90 days from it";
  // With an offset; '+' sent raw arrives as a space and is still understood.
  EXPECT_EQ(
      list_ids(in + "&start_date=2026-02-20T09:00:00%2B08:00&end_date=2026-02-20T09:00:01+08:00"),
      (std::vector<std::string>{c.id, b.id}));
  EXPECT_EQ(list_ids(in + "&start_date=2026-02-20&end_date=2026-02-21"),
            (std::vector<std::string>{d.id, c.id, b.id}))
      << "dates: China days";
  EXPECT_EQ(list_ids(in + "&start_date=2026-02-20&end_date=2026-02-20"),
            (std::vector<std::string>{d.id, c.id, b.id}))
      << "an end date alone is the whole of that day";
  EXPECT_TRUE(list_ids(in + "&start_date=2026-02-19&end_date=2026-02-19").empty());
  auto json_list = get_json("/open311/v2/requests.json?" + in);
  expect_same_xml("/open311/v2/requests.json?" + in, json_list, "service_requests", "request");

  for (const std::string& bad : std::vector<std::string>{
           "start_date=" + format_instant_utc(kT0 - 91 * kDay) +
               "&end_date=" + format_instant_utc(kT0),
           "start_date=" + to + "&end_date=" + from, "start_date=yesterday",
           "end_date=2026-03-02T09:00:00", "page_size=0", "page_size=1001", "page=0", "page=x"}) {
    expect_spec_error(get("/open311/v2/requests.json?" + bad + "&" + in), 400, bad);
  }
  // The spec's "404 - jurisdiction_id not found": outside this deployment, or no code at all.
  for (const char* other : {"jurisdiction_id=360102", "jurisdiction_id=36", "jurisdiction_id=x"}) {
    expect_spec_error(get(std::string("/open311/v2/requests.json?") + other), 404, other);
  }
  expect_spec_error(get("/open311/v2/requests.xml?status=pending"), 400, "XML");
}

TEST_P(Open311, StatusAndServiceFilters) {
  const std::string v = fresh_village();
  const std::string key = api_key();
  const Fields person = {{"first_name", "三"}, {"last_name", "张"}, {"phone", "13912340002"}};
  auto x = create(key, v, person);
  clock_.advance(std::chrono::seconds(1));
  // The same phone, matter and place from an app is NOT linked to x: a contact typed into a
  // form proves nothing, and linking on it would tell anyone whether that number has an open
  // case. Only a signed-in resident or staff registering a caller are linked (Art. 19).
  auto y = create(key, v, person);
  EXPECT_EQ(y.notice.find(x.id), std::string::npos) << y.notice;
  clock_.advance(std::chrono::seconds(1));
  auto z = create(key, v, {}, "env.noise");
  // The office declines y: it shows as closed, with the detailed state in status_notes.
  auto declined =
      app_->cases.apply(y.id, domain::Command::kDecline, {.note = "重复提交"},
                        app::CaseService::kCurrentVersion, {.name = "operator", .staff = true});
  ASSERT_TRUE(declined) << declined.error().message;
  auto closed = get_json("/open311/v2/requests/" + y.id + ".json");
  EXPECT_EQ(closed.at(0).at("status").as_string(), "closed");
  EXPECT_EQ(closed.at(0).at("status_notes").as_string(),
            std::string(domain::label_zh(domain::CaseState::kDeclined)) + " (declined)");

  const std::string in = "jurisdiction_id=" + v;
  EXPECT_EQ(list_ids(in + "&status=open"), (std::vector<std::string>{z.id, x.id}));
  EXPECT_EQ(list_ids(in + "&status=closed"), (std::vector<std::string>{y.id}));
  EXPECT_EQ(list_ids(in + "&status=open,closed"), (std::vector<std::string>{z.id, y.id, x.id}));
  EXPECT_EQ(list_ids(in + "&service_code=env.noise"), (std::vector<std::string>{z.id}));
  EXPECT_EQ(list_ids(in + "&service_code=env.noise,urban.sanitation&status=open"),
            (std::vector<std::string>{z.id, x.id}));
  EXPECT_EQ(list_ids(in + "&service_code=env.noise&page_size=1&page=2"),
            std::vector<std::string>{});
  expect_spec_error(get("/open311/v2/requests.json?" + in + "&status=pending"), 400, "status");
  expect_spec_error(get("/open311/v2/requests.json?" + in + "&service_code=nope"), 400, "code");
  auto group = get("/open311/v2/requests.json?" + in + "&service_code=env");
  expect_spec_error(group, 400, "a group, not a service");
  EXPECT_NE(group.res.body().find("分组"), std::string::npos) << group.res.body();
  // A jurisdiction_id above the village covers it.
  auto county = list_ids("jurisdiction_id=" + std::string(kYujiang) + "&service_code=env.noise");
  EXPECT_NE(std::find(county.begin(), county.end(), z.id), county.end());
  // The padded codes of the standards name the same nodes: GB/T 2260's six digits for the
  // city, the statistical codes' twelve for the county.
  EXPECT_EQ(list_ids("jurisdiction_id=" + std::string(kYujiang) + "000000&service_code=env.noise"),
            county);
  auto city = list_ids("jurisdiction_id=360600&service_code=env.noise");
  EXPECT_NE(std::find(city.begin(), city.end(), z.id), city.end());
}

TEST_P(Open311, ServiceRequestIdsOverrideFilters) {
  const std::string v = fresh_village();
  const std::string key = api_key();
  auto a = create(key, v);
  auto b = create(key, v, {}, "env.noise");
  // A petition (信访) at the same place never shows.
  domain::Intake petition{.kind = domain::CaseKind::kPetition,
                          .category_code = "land.compensation",
                          .place_code = v,
                          .address = {},
                          .point = {},
                          .anonymous = true,
                          .submitter_name = {},
                          .submitter_contact = {},
                          .description = "征地补偿款未发放",
                          .channel = domain::Channel::kLetter,
                          .received_at = {},
                          .media_url = {}};
  auto p = app_->cases.register_case(petition, app::Actor{.name = "o311-clerk", .staff = true});
  ASSERT_TRUE(p) << p.error().message;
  const std::string pid = p->registered.number;

  auto ids = list_ids("service_request_id=" + b.id + "," + pid + ",360603-2026-999999," + a.id +
                      "&service_code=env.air&status=closed&jurisdiction_id=360102");
  EXPECT_EQ(ids, (std::vector<std::string>{b.id, a.id}));
  auto listed = list_ids("jurisdiction_id=" + v);
  EXPECT_EQ(std::find(listed.begin(), listed.end(), pid), listed.end()) << "no petitions";
  expect_spec_error(get("/open311/v2/requests/" + pid + ".json"), 404, "a petition");
  expect_spec_error(get("/open311/v2/tokens/" + p->registered.tracking_code + ".json"), 404,
                    "a petition's tracking code");
}

TEST_P(Open311, PublicReadsCarryNoPersonalData) {
  const std::string v = fresh_village();
  const std::string tag = testing::to_string(GetParam());
  const std::vector<std::string> secrets = {
      "名字独特" + tag,
      "姓氏独特" + tag,
      "1390000" + std::to_string(GetParam() == Backend::kSqlite ? 1111 : 2222),
      "secret.person." + tag + "@example.cn",
      "描述里有住址和电话" + tag,
      "幸福路8号3单元" + tag,
      "2412345",
      "8198765"};
  auto created = create(api_key(), v,
                        {{"first_name", secrets[0]},
                         {"last_name", secrets[1]},
                         {"phone", secrets[2]},
                         {"email", secrets[3]},
                         {"description", secrets[4]},
                         {"address_string", secrets[5]},
                         {"lat", "28.2412345"},
                         {"long", "116.8198765"}});
  ASSERT_FALSE(created.id.empty());
  for (const std::string& target : {"/open311/v2/requests/" + created.id + ".json",
                                    "/open311/v2/requests/" + created.id + ".xml",
                                    "/open311/v2/requests.json?jurisdiction_id=" + v,
                                    "/open311/v2/requests.xml?jurisdiction_id=" + v,
                                    "/open311/v2/requests.json?service_request_id=" + created.id,
                                    "/open311/v2/tokens/" + created.token + ".json",
                                    "/open311/v2/tokens/" + created.token + ".xml"}) {
    auto r = get(target);
    ASSERT_EQ(r.res.result_int(), 200u) << target << ": " << r.res.body();
    EXPECT_NE(r.res.body().find(created.id), std::string::npos) << target;
    for (const auto& secret : secrets) {
      EXPECT_EQ(r.res.body().find(secret), std::string::npos) << target << " shows " << secret;
    }
    if (!target.starts_with("/open311/v2/tokens/")) {
      EXPECT_EQ(r.res.body().find(created.token), std::string::npos)
          << target << " shows the tracking code";
    }
  }
}

TEST_P(Open311, Tokens) {
  auto created = create(api_key(), fresh_village());
  const std::string target = "/open311/v2/tokens/" + created.token + ".json";
  auto v = get_json(target);
  EXPECT_EQ(v, json::value(json::array{
                   json::object{{"service_request_id", created.id}, {"token", created.token}}}));
  expect_same_xml(target, v, "service_requests", "request");
  // As a person types it: lower case, without dashes.
  std::string typed;
  for (char c : created.token) {
    if (c != '-') typed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  EXPECT_EQ(get_json("/open311/v2/tokens/" + typed + ".json"), v);
  expect_spec_error(get("/open311/v2/tokens/ZZZZ-ZZZZ-ZZZZ.json"), 404, "unknown token");
  expect_spec_error(get("/open311/v2/tokens/not-a-token.xml"), 404, "malformed token");
}

// Resources that are the same in every jurisdiction still check a jurisdiction_id given to them
// (the spec lists "404 - jurisdiction_id not found" for each).
TEST_P(Open311, AJurisdictionIdGivenAnywhereMustBeOneOfTheDeployments) {
  const std::string v = fresh_village();
  auto created = create(api_key(), v);
  for (const std::string& path :
       {std::string("/open311/v2/services.json"), std::string("/open311/v2/services.xml"),
        std::string("/open311/v2/services/urban.sanitation.json"),
        "/open311/v2/requests/" + created.id + ".json",
        "/open311/v2/tokens/" + created.token + ".xml"}) {
    EXPECT_EQ(get(path + "?jurisdiction_id=" + v).res.result_int(), 200u) << path;
    EXPECT_EQ(get(path + "?jurisdiction_id=").res.result_int(), 200u) << path << " (blank)";
    expect_spec_error(get(path + "?jurisdiction_id=360102"), 404, path + " outside");
    expect_spec_error(get(path + "?jurisdiction_id=bogus"), 404, path + " not a code");
  }
}

TEST_P(Open311, EmptyParametersAreAbsent) {
  const std::string v = fresh_village();
  const std::string key = api_key();
  auto a = create(key, v,
                  {{"first_name", ""},
                   {"last_name", ""},
                   {"phone", ""},
                   {"email", ""},
                   {"lat", ""},
                   {"long", ""},
                   {"address_id", ""},
                   {"media_url", ""}});
  ASSERT_FALSE(a.id.empty());
  auto stored = app_->cases.get(a.id);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->c.anonymous);
  EXPECT_FALSE(stored->c.point);

  const std::string in = "jurisdiction_id=" + v;
  auto plain = get_json("/open311/v2/requests.json?" + in);
  EXPECT_EQ(ids_of(plain), (std::vector<std::string>{a.id}));
  EXPECT_EQ(get_json("/open311/v2/requests.json?" + in +
                     "&service_request_id=&service_code=&status=&start_date=&end_date=&page="
                     "&page_size="),
            plain);
  EXPECT_EQ(plain.at(0).at("lat"), json::value(nullptr)) << "no point given";
  EXPECT_EQ(plain.at(0).at("long"), json::value(nullptr));
  expect_spec_error(post("/open311/v2/requests.json", {{"api_key", key},
                                                       {"service_code", "urban.sanitation"},
                                                       {"jurisdiction_id", ""},
                                                       {"address_string", "村口"}}),
                    400, "an empty jurisdiction_id is none");
  expect_spec_error(post("/open311/v2/requests.json", {{"api_key", ""}}), 403, "an empty key");
}

TEST_P(Open311, UnknownResources) {
  expect_spec_error(get("/open311/v2/requests/360603-2026-999999.json"), 404, "unknown id");
  expect_spec_error(get("/open311/v2/requests/360603-2026-999999.xml"), 404, "unknown id, XML");
  expect_spec_error(get("/open311/v2/requests/360603-2026-999999"), 404, "no format");
  expect_spec_error(get("/open311/v2/requests/360603-2026-999999.csv"), 404, "other format");
  // The format's error speaks the caller's language too (it was English only).
  auto zh = get("/open311/v2/requests/360603-2026-999999.csv");
  EXPECT_NE(zh.res.body().find("请使用 requests/{service_request_id}.xml"), std::string::npos)
      << zh.res.body();
  auto en = get("/open311/v2/tokens/abc.csv", {{"Accept-Language", "en"}});
  EXPECT_NE(en.res.body().find("use tokens/{token}.xml or .json"), std::string::npos)
      << en.res.body();
}

// Issue: errors raised before a handler runs (the server's 404, 405, 413, 503, a malformed
// target, the router's guard) took the API's {"error":{…}} form under /open311/v2. Every error
// there is the spec's [{"code","description"}] (or <errors><error>…), in the format the path
// asks for (XML without one), Chinese unless English is preferred; other paths keep theirs.
TEST_P(Open311, EveryErrorUnderTheBaseTakesTheSpecForm) {
  auto is_xml = [](const Reply& r) { return content_type(r).starts_with("text/xml"); };
  for (const std::string target : {"/open311/v2/nope.json", "/open311/v2/requests/a/b.json",
                                   "/open311/v2/services.csv.json"}) {
    auto r = get(target);
    expect_spec_error(r, 404, target);
    EXPECT_FALSE(is_xml(r)) << target;
    EXPECT_NE(r.res.body().find("没有这个资源"), std::string::npos) << r.res.body();
  }
  for (const std::string target :
       {"/open311/v2/nope.xml", "/open311/v2/services.csv", "/open311/v2", "/open311/v2/"}) {
    auto r = get(target);
    expect_spec_error(r, 404, target);
    EXPECT_TRUE(is_xml(r)) << target << ": the spec's required format";
  }
  auto english = get("/open311/v2/nope.json", {{"Accept-Language", "en"}});
  EXPECT_NE(english.res.body().find("no resource at"), std::string::npos) << english.res.body();

  // A method the resource does not have: 405, its Allow header kept.
  http::testing::TestClient client(server_->port());
  auto deleted = client.request("DELETE", "/open311/v2/requests.json");
  expect_spec_error(deleted, 405, "DELETE");
  EXPECT_EQ(deleted.res[boost::beast::http::field::allow], "GET, HEAD, POST");
  http::testing::TestClient client2(server_->port());
  auto put = client2.request("PUT", "/open311/v2/services.xml");
  expect_spec_error(put, 405, "PUT, XML");
  EXPECT_TRUE(is_xml(put));

  // The router's guard and the target's parser.
  expect_spec_error(get("/open311/v2/services.json", {{"X-HTTP-Method-Override", "DELETE"}}), 400,
                    "method override");
  expect_spec_error(get("/open311/v2/requests.xml?status=%FF"), 400, "bad UTF-8 in the query");
  expect_spec_error(get("/open311/v2/requests.json?status=%G1"), 400, "bad percent-encoding");

  // Other paths keep the API's own form, and so does a path that only begins alike.
  for (const std::string target : {"/api/v1/nope", "/open311/v2x/nope.json"}) {
    auto r = get(target);
    EXPECT_EQ(r.res.result_int(), 404u) << target;
    EXPECT_TRUE(parse_json(r).is_object()) << target << ": " << r.res.body();
  }
}

// The server's refusals before any handler: a body over the limit (413) and admission control
// (503, with Retry-After), in the spec's form too.
TEST_P(Open311, TooLargeAndBusyTakeTheSpecForm) {
  {
    http::ServerOptions options;
    options.body_limit = 1024;
    options.worker_threads = 1;
    OtherServer small(*router_, options);
    const std::string body =
        form_encode({{"api_key", api_key()}, {"description", std::string(2000, 'x')}});
    for (const std::string target : {"/open311/v2/requests.json", "/open311/v2/requests.xml"}) {
      http::testing::TestClient client(small.port());
      auto r = client.request("POST", target, body,
                              {{"Content-Type", "application/x-www-form-urlencoded"}});
      expect_spec_error(r, 413, target);
      EXPECT_EQ(content_type(r).starts_with("text/xml"), target.ends_with(".xml")) << target;
    }
  }
  {
    http::ServerOptions options;
    options.max_queued_handlers = 0;  // every handler for the pool is refused
    options.worker_threads = 1;
    OtherServer busy(*router_, options);
    http::testing::TestClient client(busy.port());
    auto r = client.request("GET", "/open311/v2/services.xml");
    expect_spec_error(r, 503, "busy");
    EXPECT_EQ(r.res[boost::beast::http::field::retry_after], "1");
    EXPECT_NE(r.res.body().find("服务器繁忙"), std::string::npos) << r.res.body();
  }
}

// Per-client limits (ApiOptions::open311): POST requests per valid api_key, whatever the format
// (with keys that are not valid: per client address), and GETs per client address, each within a
// sliding window; over a limit, 429 with Retry-After in the spec's form, and the clock the test
// moves lets the client in again when the oldest request leaves the window.
TEST_P(Open311, ClientsOverTheirLimitWaitAsTold) {
  http::Metrics metrics;  // for its /metrics route; the server below counts in its own
  http::Router router = http::make_router(
      *app_, metrics,
      {.open311 = {.window = std::chrono::seconds(60), .posts_per_key = 2, .gets_per_address = 3}});
  http::ServerOptions options;
  options.worker_threads = 2;
  OtherServer limited(router, options);
  auto post_to = [&](const std::string& target, const std::string& key) {
    http::testing::TestClient client(limited.port());
    return client.request("POST", target,
                          form_encode({{"api_key", key},
                                       {"service_code", "urban.sanitation"},
                                       {"jurisdiction_id", fresh_village()},
                                       {"address_string", "村口"},
                                       {"description", "路边垃圾无人清运"}}),
                          {{"Content-Type", "application/x-www-form-urlencoded"}});
  };
  auto get_from = [&](const std::string& target) {
    http::testing::TestClient client(limited.port());
    return client.request("GET", target);
  };
  auto retry_after = [](const Reply& r) { return std::string(r.res["Retry-After"]); };

  // Two creates per key a minute, the .json and .xml together.
  const std::string key = api_key();
  EXPECT_EQ(post_to("/open311/v2/requests.json", key).res.result_int(), 200u);
  clock_.advance(std::chrono::seconds(20));
  EXPECT_EQ(post_to("/open311/v2/requests.xml", key).res.result_int(), 200u);
  auto refused = post_to("/open311/v2/requests.json", key);
  expect_spec_error(refused, 429, "the third create within a minute");
  EXPECT_EQ(retry_after(refused), "40");
  EXPECT_NE(refused.res.body().find("请求过于频繁"), std::string::npos) << refused.res.body();
  auto refused_xml = post_to("/open311/v2/requests.xml", key);
  expect_spec_error(refused_xml, 429, "in XML too");
  EXPECT_EQ(content_type(refused_xml), "text/xml; charset=utf-8");
  // Another app is not held back by this one.
  EXPECT_EQ(post_to("/open311/v2/requests.json", api_key()).res.result_int(), 200u);
  // Refusals do not count: once the first create is a minute old, one more gets in.
  clock_.advance(std::chrono::seconds(39));
  EXPECT_EQ(retry_after(post_to("/open311/v2/requests.json", key)), "1");
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(post_to("/open311/v2/requests.json", key).res.result_int(), 200u);
  expect_spec_error(post_to("/open311/v2/requests.json", key), 429, "the window slides");
  // Keys that are not valid are counted by the client's address, whichever key: made-up keys
  // do not each get a count of their own.
  expect_spec_error(post_to("/open311/v2/requests.json", "jck_guessed"), 403, "a bad key");
  expect_spec_error(post_to("/open311/v2/requests.json", "jck_guessed2"), 403, "a bad key");
  expect_spec_error(post_to("/open311/v2/requests.json", "jck_guessed3"), 429, "guessing");
  // The valid key's count is its own.
  clock_.advance(std::chrono::seconds(60));
  EXPECT_EQ(post_to("/open311/v2/requests.json", key).res.result_int(), 200u);

  // Three GETs a minute from this address, whatever the resource; creates are not among them.
  EXPECT_EQ(get_from("/open311/v2/services.json").res.result_int(), 200u);
  EXPECT_EQ(get_from("/open311/v2/discovery.xml").res.result_int(), 200u);
  EXPECT_EQ(get_from("/open311/v2/requests.json").res.result_int(), 200u);
  auto busy = get_from("/open311/v2/services.json");
  expect_spec_error(busy, 429, "the fourth GET within a minute");
  EXPECT_EQ(retry_after(busy), "60");
  expect_spec_error(get_from("/open311/v2/tokens/nope.xml"), 429, "any resource");
  // The rest of the API is not limited by Open311's counts.
  EXPECT_EQ(get_from("/api/v1/categories").res.result_int(), 200u);
  clock_.advance(std::chrono::seconds(60));
  EXPECT_EQ(get_from("/open311/v2/services.json").res.result_int(), 200u);

  // Every status answered is in the OpenAPI document.
  testing::expect_answers_documented(router, limited.metrics());
}

// Issue: start_date/end_date filtered on the time a case was stored, not on when it was
// received (requested_datetime), which staff may date back. The window and the default are on
// received_at, newest received first, the number breaking ties, through an index (0024).
TEST_P(Open311, DatesFilterOnTheTimeReceived) {
  const std::string v = fresh_village();
  // Registered now by staff, received 120 days ago (a letter registered late).
  domain::Intake late{.kind = domain::CaseKind::kDemand,
                      .category_code = "urban.sanitation",
                      .place_code = v,
                      .address = "村口",
                      .point = {},
                      .anonymous = true,
                      .submitter_name = {},
                      .submitter_contact = {},
                      .description = "垃圾堆放多日",
                      .channel = domain::Channel::kLetter,
                      .received_at = kT0 - 120 * kDay,
                      .media_url = {}};
  auto backdated = app_->cases.register_case(late, app::Actor{.name = "o311-clerk", .staff = true});
  ASSERT_TRUE(backdated) << backdated.error().message;
  const std::string old_id = backdated->registered.number;
  const std::string in = "jurisdiction_id=" + v;
  EXPECT_TRUE(list_ids(in).empty()) << "received 120 days ago: outside the default 90 days";
  const std::string around = "&start_date=" + format_instant_utc(kT0 - 121 * kDay) +
                             "&end_date=" + format_instant_utc(kT0 - 119 * kDay);
  auto listed = get_json("/open311/v2/requests.json?" + in + around);
  EXPECT_EQ(ids_of(listed), (std::vector<std::string>{old_id}));
  if (!listed.as_array().empty()) {
    EXPECT_EQ(listed.at(0).at("requested_datetime").as_string(), "2025-11-02T09:00:00+08:00");
  }
  EXPECT_TRUE(list_ids(in + "&start_date=" + format_instant_utc(kT0 - kDay)).empty())
      << "stored today, received long before";

  // Three received in the same microsecond: the number orders them, and pages neither repeat
  // nor skip one.
  const std::string key = api_key();
  std::vector<std::string> same;
  for (int i = 0; i < 3; ++i) same.push_back(create(key, v).id);
  std::sort(same.rbegin(), same.rend());
  EXPECT_EQ(list_ids(in), same);
  std::vector<std::string> paged;
  for (int page = 1; page <= 4; ++page) {
    for (auto& id : list_ids(in + "&page_size=1&page=" + std::to_string(page))) {
      paged.push_back(id);
    }
  }
  EXPECT_EQ(paged, same);

  // The default page of a county walks the index for it.
  store::open311::RequestQuery q;
  std::tie(q.place_first, q.place_last) = domain::scope_range(kYujiang);
  q.received_from = kT0 - 90 * kDay;
  q.received_to = kT0;
  q.states = {"registered"};
  q.category_codes = {"urban.sanitation", "env.noise"};
  const auto s = store::open311::request_page_statement(q);
  const bool pg = GetParam() == Backend::kPostgres;
  auto plan = db_->read_value([&](store::Sql& sql) -> Result<std::string> {
    // On a few rows PostgreSQL would rather read the table: the question is whether the index
    // can serve the query at all.
    if (pg) {
      if (auto r = sql.exec("SET LOCAL enable_seqscan = off"); !r) return r.error();
    }
    auto rows =
        sql.query((pg ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + s.sql, store::Params(s.params));
    if (!rows) return rows.error();
    std::string out;
    for (const auto& r : *rows) out += r.text(pg ? 0 : 3) + "\n";
    return out;
  });
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_NE(plan->find("cases_public_received"), std::string::npos) << *plan;
  EXPECT_EQ(plan->find(pg ? "Sort" : "TEMP B-TREE"), std::string::npos) << "no sort: " << *plan;
}

// Issue: a form declared in another charset was read as UTF-8. GBK's 路 is the bytes C2 B7,
// which are valid UTF-8 (·): without the check it was stored as mojibake.
TEST_P(Open311, AFormInAnotherCharsetIsRefused) {
  const std::string key = api_key();
  const std::string body = "api_key=" + key +
                           "&service_code=urban.sanitation&jurisdiction_id=" + fresh_village() +
                           "&lat=28.2&long=116.8&description=%C2%B7";
  auto stored_as_dot = [&] {
    auto n = db_->read_value([&](store::Sql& sql) {
      return sql.query_one("SELECT COUNT(*) FROM cases WHERE description = $1", {std::string("·")});
    });
    EXPECT_TRUE(n);
    return n ? n->int64(0) : -1;
  };
  const std::int64_t before = stored_as_dot();
  for (const std::string type : {"application/x-www-form-urlencoded; charset=GBK",
                                 "application/x-www-form-urlencoded;charset=\"gb2312\"",
                                 "Application/X-WWW-Form-Urlencoded; charset=ISO-8859-1"}) {
    for (const std::string target : {"/open311/v2/requests.json", "/open311/v2/requests.xml"}) {
      http::testing::TestClient client(server_->port());
      auto r = client.request("POST", target, body, {{"Content-Type", type}});
      expect_spec_error(r, 400, type);
      EXPECT_NE(r.res.body().find("charset"), std::string::npos) << r.res.body();
    }
  }
  EXPECT_EQ(stored_as_dot(), before) << "nothing stored";
  // Declared UTF-8 (quoted or not, any case), the same bytes are the text they spell.
  for (const std::string type : {"application/x-www-form-urlencoded; charset=UTF-8",
                                 "application/x-www-form-urlencoded; charset=\"utf-8\""}) {
    http::testing::TestClient client(server_->port());
    auto r = client.request("POST", "/open311/v2/requests.json", body, {{"Content-Type", type}});
    EXPECT_EQ(r.res.result_int(), 200u) << type << ": " << r.res.body();
  }
  EXPECT_EQ(stored_as_dot(), before + 2);
}

// Issue: only an empty parameter counted as absent; one of white space (the ideographic space
// U+3000 an IME types included) was taken as a value. Blank is absent, for every optional
// parameter, in GET filters and POST fields alike; values lose the white space around them.
TEST_P(Open311, BlankParametersAreAbsent) {
  const std::string v = fresh_village();
  const std::string key = api_key();
  const std::string ideographic = "\u3000";
  auto a = create(key, v,
                  {{"first_name", " "},
                   {"last_name", ideographic},
                   {"phone", ideographic + " \t"},
                   {"email", "\u00a0"},
                   {"lat", " "},
                   {"long", ideographic},
                   {"address_id", ideographic},
                   {"description", ideographic + ideographic}});
  ASSERT_FALSE(a.id.empty());
  auto stored = app_->cases.get(a.id);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->c.anonymous) << "a blank phone is no phone";
  EXPECT_FALSE(stored->c.point);
  EXPECT_NE(stored->c.description.find("提交时未填写描述"), std::string::npos)
      << "a blank description is none: " << stored->c.description;

  const std::string in = "jurisdiction_id=" + v;
  auto plain = get_json("/open311/v2/requests.json?" + in);
  EXPECT_EQ(ids_of(plain), (std::vector<std::string>{a.id}));
  const std::string blank = "%E3%80%80";  // U+3000
  EXPECT_EQ(get_json("/open311/v2/requests.json?" + in + "&service_request_id=" + blank +
                     "&service_code=+&status=%09&start_date=" + blank + "&end_date=+" + blank +
                     "&page=" + blank + "&page_size=%20"),
            plain);
  EXPECT_EQ(get_json("/open311/v2/requests.json?jurisdiction_id=" + blank + v + "+" +
                     "&status=+open" + blank + "&service_code=" + blank + "urban.sanitation"),
            plain)
      << "white space around a value is not part of it";
  expect_spec_error(post("/open311/v2/requests.json", {{"api_key", key},
                                                       {"service_code", "urban.sanitation"},
                                                       {"jurisdiction_id", "\u3000"},
                                                       {"address_string", "村口"}}),
                    400, "a blank jurisdiction_id is none");
  expect_spec_error(post("/open311/v2/requests.json", {{"api_key", key},
                                                       {"service_code", "urban.sanitation"},
                                                       {"jurisdiction_id", v},
                                                       {"address_string", "\u3000 "}}),
                    400, "a blank address_string is no location");
  expect_spec_error(post("/open311/v2/requests.xml", {{"api_key", " \u3000"}}), 403, "a blank key");
}

// Issue: a repeated parameter kept its first value. service_request_id, service_code and status
// combine across repeats and comma lists (GeoReport v2: "can be declared multiple times, comma
// delimited"); any other parameter given twice with two values is refused, not guessed.
TEST_P(Open311, RepeatedParametersCombine) {
  const std::string v = fresh_village();
  const std::string key = api_key();
  auto x = create(key, v);
  clock_.advance(std::chrono::seconds(1));
  auto y = create(key, v, {}, "env.noise");
  clock_.advance(std::chrono::seconds(1));
  auto z = create(key, v, {}, "urban.lighting");
  auto declined =
      app_->cases.apply(y.id, domain::Command::kDecline, {.note = "不属于受理范围"},
                        app::CaseService::kCurrentVersion, {.name = "operator", .staff = true});
  ASSERT_TRUE(declined) << declined.error().message;

  const std::string in = "jurisdiction_id=" + v;
  const std::vector<std::string> all = {z.id, y.id, x.id};
  EXPECT_EQ(list_ids(in + "&status=open&status=closed"), all);
  EXPECT_EQ(list_ids(in + "&status=closed&status=closed"), (std::vector<std::string>{y.id}));
  EXPECT_EQ(list_ids(in + "&service_code=env.noise&service_code=urban.lighting"),
            (std::vector<std::string>{z.id, y.id}));
  EXPECT_EQ(list_ids(in + "&service_code=env.noise&service_code=urban.lighting,urban.sanitation" +
                     "&status=open"),
            (std::vector<std::string>{z.id, x.id}));
  EXPECT_EQ(list_ids("service_request_id=" + x.id + "," + z.id + "&service_request_id=" + y.id),
            (std::vector<std::string>{x.id, z.id, y.id}))
      << "in the order asked";
  EXPECT_EQ(list_ids("service_request_id=" + x.id + "&service_request_id=" + x.id),
            (std::vector<std::string>{x.id}))
      << "once each";
  EXPECT_EQ(list_ids(in + "&" + in + "&page_size=2&page_size=2"),
            (std::vector<std::string>{z.id, y.id}))
      << "the same value twice is that value";
  for (const std::string& twice :
       {in + "&jurisdiction_id=" + std::string(kYujiang), in + "&page=1&page=2",
        in + "&start_date=2026-03-01&start_date=2026-02-01"}) {
    expect_spec_error(get("/open311/v2/requests.json?" + twice), 400, twice);
  }
  auto r = post("/open311/v2/requests.json",
                {{"api_key", key},
                 {"service_code", "urban.sanitation"},
                 {"jurisdiction_id", v},
                 {"address_string", "村口"},
                 {"description", "一"},
                 {"description", "二"}},
                {{"Accept-Language", "en"}});
  expect_spec_error(r, 400, "two descriptions");
  EXPECT_NE(r.res.body().find("description: given more than once"), std::string::npos)
      << r.res.body();
  // A blank repeat is no value: the other one counts.
  auto w = create(key, v, {{"phone", ""}, {"phone", "13912340077"}, {"phone", "\u3000"}});
  auto stored = app_->cases.get(w.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->c.submitter_contact, "13912340077");
}

// Issue: fields without a value were left out (description always). Every field of the spec's
// documents is there, in the spec's order, null (an empty element in XML) when it has no value.
TEST_P(Open311, EveryFieldOfTheSpecIsThere) {
  auto keys = [](const json::value& v) {
    std::vector<std::string> out;
    for (const auto& m : v.as_object()) out.emplace_back(m.key());
    return out;
  };
  const std::string v = fresh_village();
  auto created = create(api_key(), v, {{"description", ""}});
  const std::string target = "/open311/v2/requests/" + created.id + ".json";
  auto one = get_json(target);
  ASSERT_EQ(one.as_array().size(), 1u);
  EXPECT_EQ(keys(one.at(0)),
            (std::vector<std::string>{"service_request_id", "status", "status_notes",
                                      "service_name", "service_code", "description",
                                      "agency_responsible", "service_notice", "requested_datetime",
                                      "updated_datetime", "expected_datetime", "address",
                                      "address_id", "zipcode", "lat", "long", "media_url"}));
  for (std::string_view absent :
       {"description", "service_notice", "address_id", "zipcode", "lat", "long", "media_url"}) {
    EXPECT_TRUE(one.at(0).at(absent).is_null()) << absent;
  }
  auto xml = expect_same_xml(target, one, "service_requests", "request");
  EXPECT_NE(xml.find("<description></description>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<media_url></media_url>"), std::string::npos) << xml;
  auto listed = get_json("/open311/v2/requests.json?jurisdiction_id=" + v);
  EXPECT_EQ(listed, one) << "the list shows the same record";

  auto services = get_json("/open311/v2/services.json");
  for (const auto& service : services.as_array()) {
    EXPECT_EQ(keys(service),
              (std::vector<std::string>{"service_code", "service_name", "description", "metadata",
                                        "type", "keywords", "group"}));
  }
  EXPECT_EQ(keys(get_json("/open311/v2/services/urban.sanitation.json")),
            (std::vector<std::string>{"service_code", "attributes"}));
  EXPECT_EQ(keys(get_json("/open311/v2/discovery.json")),
            (std::vector<std::string>{"changeset", "contact", "key_service", "endpoints"}));
  auto answer = post("/open311/v2/requests.json", {{"api_key", api_key()},
                                                   {"service_code", "env.noise"},
                                                   {"jurisdiction_id", v},
                                                   {"lat", "28.2"},
                                                   {"long", "116.8"}});
  ASSERT_EQ(answer.res.result_int(), 200u) << answer.res.body();
  EXPECT_EQ(keys(parse_json(answer).at(0)),
            (std::vector<std::string>{"service_request_id", "service_notice", "account_id"}));
  auto answer_xml = post("/open311/v2/requests.xml", {{"api_key", api_key()},
                                                      {"service_code", "env.noise"},
                                                      {"jurisdiction_id", v},
                                                      {"lat", "28.2"},
                                                      {"long", "116.8"}});
  EXPECT_NE(answer_xml.res.body().find("<account_id></account_id>"), std::string::npos)
      << answer_xml.res.body();
}

INSTANTIATE_TEST_SUITE_P(Stores, Open311, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng
