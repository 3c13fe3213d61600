// Signed-in clients for the access tests (TESTS.md S, A): accounts made directly through
// app::AccessService, sign-in over HTTP, requests that carry the session cookie and the CSRF
// token, and cases filed over HTTP at places of the demo deployment (鹰潭市 3606).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/totp.h"
#include "integration/api_fixture.h"
#include "store/audit_repo.h"

namespace jiceng::testing {

inline constexpr std::string_view kPassword = "correct horse battery staple 42";
inline constexpr std::string_view kYujiang = "360603";  // 余江区: the staff's scope
inline constexpr std::string_view kYuehu = "360602";    // 月湖区: outside it

// A clock the test moves by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant start) : now_(start) {}
  Instant now() const override { return now_; }
  void advance(std::chrono::microseconds d) { now_ += d; }

 private:
  Instant now_;
};

// The Set-Cookie lines of a response.
inline std::vector<std::string> set_cookies(const http::testing::ClientResponse& res) {
  std::vector<std::string> out;
  for (const auto& f : res) {
    if (f.name() == boost::beast::http::field::set_cookie) out.emplace_back(f.value());
  }
  return out;
}

// "NAME=VALUE" of the Set-Cookie line whose name is `name`, or "".
inline std::string cookie_pair(const http::testing::ClientResponse& res, std::string_view name) {
  for (const auto& line : set_cookies(res)) {
    if (line.starts_with(std::string(name) + "=")) return line.substr(0, line.find(';'));
  }
  return "";
}

// The parsed body, or null when it is not JSON.
inline boost::json::value body_json(const http::testing::Reply& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.res.body(), ec);
  return ec ? boost::json::value() : v;
}

class AccessFixture : public ApiFixture {
 protected:
  struct Session {
    std::string username;
    domain::Role role = domain::Role::kResident;
    std::string cookie;           // "jiceng_session=…", for the Cookie header
    std::string device;           // "jiceng_device=…"
    std::string csrf;             // sent as X-CSRF-Token on writes unless empty
    std::string authorization{};  // an app's "Bearer jck_…" instead of a cookie
  };

  // A case filed over HTTP, with the personal data it carries.
  struct Filed {
    std::string number;
    std::string tracking_code;
    std::string place;
    std::string name;
    std::string contact;
    std::string description;
  };

  std::string backend() const { return testing::to_string(GetParam()); }

  // A name no other test of this binary uses: "stem.sqlite.7".
  std::string unique(std::string_view stem) {
    static std::atomic<int> counter{0};
    return std::string(stem) + "." + backend() + "." + std::to_string(++counter);
  }

  // Creates the account; returns its TOTP secret ("" unless an administrator).
  std::string make_account(const std::string& username, domain::Role role,
                           std::string_view scope = kYujiang,
                           std::optional<std::int64_t> unit = std::nullopt) {
    const bool staff = domain::is_staff(role);
    auto created = app_->access.create_account(
        app::NewAccount{.username = username,
                        .password = std::string(kPassword),
                        .role = role,
                        .scope_code = staff ? std::string(scope) : "",
                        .unit_id = unit,
                        .display_name = "测试" + std::string(domain::label_zh(role))},
        std::nullopt, {});
    EXPECT_TRUE(created) << username << ": " << (created ? "" : created.error().message);
    return created ? created->totp_secret : "";
  }

  // POST /api/v1/session with the given password.
  http::testing::Reply post_session(const std::string& username, std::string_view password,
                                    const std::string& totp = "",
                                    const http::testing::Headers& headers = {}) {
    boost::json::object body{{"username", username}, {"password", password}};
    if (!totp.empty()) body["totp"] = totp;
    http::testing::Headers h = headers;
    h.emplace_back("Content-Type", "application/json");
    http::testing::TestClient client(server_->port());
    return client.request("POST", "/api/v1/session", boost::json::serialize(body), h);
  }

  // Signs in over HTTP; a session with an empty cookie (and a test failure) when that fails.
  Session sign_in(const std::string& username, domain::Role role,
                  const std::string& totp_secret = "") {
    std::string totp = totp_secret.empty() ? "" : app::totp_code(totp_secret, clock_.now());
    auto r = post_session(username, kPassword, totp);
    Session s{.username = username, .role = role, .cookie = {}, .device = {}, .csrf = {}};
    EXPECT_EQ(r.res.result_int(), 200u) << username << ": " << r.res.body();
    if (r.res.result_int() != 200) return s;
    s.cookie = cookie_pair(r.res, "jiceng_session");
    s.device = cookie_pair(r.res, "jiceng_device");
    EXPECT_FALSE(s.cookie.empty()) << username << ": no session cookie";
    auto v = body_json(r);
    if (v.is_object() && v.as_object().contains("csrf_token")) {
      s.csrf = std::string(v.at("csrf_token").as_string());
    }
    return s;
  }

  // Makes an account of `role` and signs it in.
  Session account_session(std::string_view stem, domain::Role role,
                          std::string_view scope = kYujiang,
                          std::optional<std::int64_t> unit = std::nullopt) {
    std::string username =
        role == domain::Role::kResident ? unique(stem) + "@example.cn" : unique(stem);
    std::string secret = make_account(username, role, scope, unit);
    return sign_in(username, role, secret);
  }

  // Sends a request as `s` (anonymous when null): its cookie, and on writes its CSRF token.
  http::testing::Reply call(const Session* s, std::string_view method, const std::string& target,
                            std::string body = {}, http::testing::Headers headers = {}) {
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    if (s != nullptr && !s->authorization.empty()) {
      headers.emplace_back("Authorization", s->authorization);
    } else if (s != nullptr) {
      headers.emplace_back("Cookie", s->cookie);
      if (method != "GET" && method != "HEAD" && !s->csrf.empty()) {
        headers.emplace_back("X-CSRF-Token", s->csrf);
      }
    }
    http::testing::TestClient client(server_->port());
    return client.request(method, target, std::move(body), headers);
  }

  // The first village (level 5) below `county`.
  std::string village_in(std::string_view county) {
    auto [first, last] = domain::scope_range(county);
    auto row = db_->read_value([&](store::Sql& sql) {
      return sql.query_one(
          "SELECT code FROM jurisdiction WHERE level = 5 AND code >= $1 AND code < $2 "
          "ORDER BY code LIMIT 1",
          {first, last});
    });
    EXPECT_TRUE(row) << county << " has no village";
    return row ? row->text(0) : "";
  }

  // A unit on the place's chain whose own node lies inside `scope`; `preferred` when it does.
  std::int64_t unit_in(const std::string& place, std::string_view scope,
                       std::optional<std::int64_t> preferred = std::nullopt) {
    auto units = app_->catalogue.units_for_place(place);
    EXPECT_TRUE(units) << place;
    if (!units) return 0;
    std::int64_t any = 0;
    for (const auto& u : *units) {
      if (!domain::in_scope(scope, u.jurisdiction_code)) continue;
      if (preferred && u.id == *preferred) return u.id;
      if (any == 0) any = u.id;
    }
    EXPECT_NE(any, 0) << "no unit of " << place << " inside " << scope;
    return any;
  }

  // A unit of `place` inside `scope` other than `not_this` (0 when there is none).
  std::int64_t other_unit_in(const std::string& place, std::string_view scope,
                             std::int64_t not_this) {
    auto units = app_->catalogue.units_for_place(place);
    EXPECT_TRUE(units) << place;
    if (!units) return 0;
    std::int64_t other = 0;
    for (const auto& u : *units) {
      if (u.id != not_this && domain::in_scope(scope, u.jurisdiction_code)) other = u.id;
    }
    return other;
  }

  // Files a case at `place` over HTTP: anonymously, or as the signed-in resident `as`. The
  // submitter's name, contact and description are unique to this case.
  Filed file_case(const std::string& place, const Session* as = nullptr,
                  std::string_view category = "urban.sanitation") {
    static std::atomic<int> counter{0};
    const int n = ++counter + (GetParam() == Backend::kPostgres ? 5000 : 0);
    char contact[16];
    std::snprintf(contact, sizeof contact, "1391%07d", n);
    Filed f{.number = {},
            .tracking_code = {},
            .place = place,
            .name = "欧阳测试" + std::to_string(n),
            .contact = contact,
            .description = "专用测试描述-" + unique("case")};
    boost::json::object body{{"category", category},
                             {"place", place},
                             {"description", f.description},
                             {"name", f.name},
                             {"contact", f.contact}};
    auto r = call(as, "POST", "/api/v1/cases", boost::json::serialize(body));
    EXPECT_EQ(r.res.result_int(), 201u) << r.res.body();
    auto v = body_json(r);
    if (r.res.result_int() == 201 && v.is_object()) {
      f.number = std::string(v.at("number").as_string());
      f.tracking_code = std::string(v.at("tracking_code").as_string());
      EXPECT_FALSE(v.as_object().contains("repeat_of")) << "a fresh case: " << r.res.body();
    }
    return f;
  }

  // The case's version, as the store holds it.
  std::int64_t version_of(const std::string& number) {
    auto d = app_->cases.get(number);
    EXPECT_TRUE(d) << number;
    return d ? d->c.version : 0;
  }

  // The audit entries about one object, newest first.
  std::vector<store::audit::Entry> audit_of(const std::string& object_id) {
    auto found = db_->read_value([&](store::Sql& sql) {
      return store::audit::find(sql, {.object_id = object_id, .limit = 500});
    });
    EXPECT_TRUE(found) << (found ? "" : found.error().message);
    return found ? *found : std::vector<store::audit::Entry>{};
  }
};

}  // namespace jiceng::testing
