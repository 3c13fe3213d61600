// Sign-in, sessions and the route guard over HTTP (TESTS.md S2, S3, S4, S5, S7, S11): a real
// server on a loopback port over the demo deployment, on SQLite and on PostgreSQL. Rules that
// need another client address or time (the account-wide throttle, session timeouts) are tested
// on an app::AccessService of their own over the same store.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <thread>
#include <vector>

#include "integration/access_fixture.h"
#include "store/account_repo.h"
#include "store/catalogue_repo.h"

namespace jiceng {
namespace {

namespace json = boost::json;
namespace bhttp = boost::beast::http;
using domain::Role;
using testing::kPassword;

class AccessApi : public testing::AccessFixture {};

// A route's pattern with every {capture} replaced by `value`.
std::string fill(std::string_view pattern, std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    out += value;
    i = pattern.find('}', i);
  }
  return out;
}

// The JSON error object without its request_id, for comparing two answers.
std::string error_without_id(const http::testing::Reply& r) {
  auto v = testing::body_json(r);
  if (!v.is_object() || !v.as_object().contains("error")) return "not an error: " + r.res.body();
  json::object e = v.at("error").as_object();
  e.erase("request_id");
  return json::serialize(e);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// TESTS.md S2 over HTTP: five wrong passwords from one address, then even the right one waits,
// with 429 and Retry-After; every attempt is in the audit log.
TEST_P(AccessApi, ThrottlesGuessingAndAuditsEveryAttempt) {
  const std::string user = unique("s2.victim");
  make_account(user, Role::kOperator);
  for (int i = 0; i < 5; ++i) {
    auto r = post_session(user, "wrong password number " + std::to_string(i));
    EXPECT_EQ(r.res.result_int(), 401u) << r.res.body();
  }
  auto r = post_session(user, kPassword);
  ASSERT_EQ(r.res.result_int(), 429u) << r.res.body();
  EXPECT_TRUE(testing::set_cookies(r.res).empty());
  ASSERT_EQ(r.res.count(bhttp::field::retry_after), 1u);
  const std::string retry(r.res[bhttp::field::retry_after]);
  int seconds = 0;
  auto [end, ec] = std::from_chars(retry.data(), retry.data() + retry.size(), seconds);
  EXPECT_TRUE(ec == std::errc() && end == retry.data() + retry.size()) << retry;
  EXPECT_GE(seconds, 1) << retry;
  EXPECT_EQ(testing::body_json(r).at("error").at("code").as_string(), "resource_exhausted");

  int failed = 0;
  int throttled = 0;
  for (const auto& e : audit_of(user)) {
    if (e.action != "session.login") continue;
    failed += e.outcome == "failed";
    throttled += e.outcome == "throttled";
    EXPECT_EQ(e.actor, user);
    EXPECT_TRUE(e.remote.starts_with("127.0.0.1")) << e.remote;
  }
  EXPECT_EQ(failed, 5);
  EXPECT_EQ(throttled, 1);
}

// TESTS.md S2, "an attacker cannot lock a victim out": failures from many addresses lock the
// account for unknown browsers only; the owner's browser, with its device token, still gets in.
TEST_P(AccessApi, DistributedGuessingDoesNotLockOutTheOwner) {
  testing::ManualClock clock(clock_.now());
  app::AccessOptions options;
  options.throttle.account_failures = 3;
  options.throttle.pair_failures = 100;
  options.throttle.address_failures = 100;
  app::AccessService access(*db_, clock, app::PasswordPolicy(std::vector<std::string>{}), options);
  const std::string user = unique("s2.owner");
  const std::string other = unique("s2.other");
  for (const auto& name : {user, other}) {
    ASSERT_TRUE(access.create_account({.username = name,
                                       .password = std::string(kPassword),
                                       .role = Role::kOperator,
                                       .scope_code = std::string(testing::kYujiang)},
                                      std::nullopt, {}));
  }
  auto at = [](int n) {
    return app::RequestContext{.remote = "10.0.0." + std::to_string(n) + ":1234"};
  };
  auto owner = access.sign_in({.username = user, .password = std::string(kPassword)}, at(1));
  ASSERT_TRUE(owner) << owner.error().message;
  ASSERT_FALSE(owner->device_token.empty());
  auto stranger = access.sign_in({.username = other, .password = std::string(kPassword)}, at(1));
  ASSERT_TRUE(stranger);

  for (int n = 2; n <= 4; ++n) {
    auto r = access.sign_in({.username = user, .password = "not the password"}, at(n));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  }
  app::SignInRefusal refusal;
  auto locked =
      access.sign_in({.username = user, .password = std::string(kPassword)}, at(9), &refusal);
  ASSERT_FALSE(locked) << "the account is locked for browsers without a device token";
  EXPECT_EQ(locked.error().code, ErrorCode::kResourceExhausted);
  EXPECT_GE(refusal.retry_after.count(), 1);
  auto foreign = access.sign_in({.username = user,
                                 .password = std::string(kPassword),
                                 .totp = {},
                                 .device_token = stranger->device_token},
                                at(9));
  ASSERT_FALSE(foreign) << "another account's device token does not count";
  EXPECT_EQ(foreign.error().code, ErrorCode::kResourceExhausted);
  auto trusted = access.sign_in({.username = user,
                                 .password = std::string(kPassword),
                                 .totp = {},
                                 .device_token = owner->device_token},
                                at(9));
  EXPECT_TRUE(trusted) << trusted.error().message;
}

// TESTS.md S1: argon2id with unique salts, rehashed at sign-in when the parameters rise.
TEST_P(AccessApi, PasswordsAreRehashedWhenTheParametersRise) {
  auto stored_hash = [&](const std::string& name) {
    auto a = db_->read_value(
        [&](store::Sql& sql) { return store::accounts::find_by_username(sql, name); });
    EXPECT_TRUE(a && *a);
    return a && *a ? (*a)->password_hash : std::string();
  };
  app::AccessOptions weak;
  weak.password = {.opslimit = 1, .memlimit = 8u << 20};
  app::AccessService before(*db_, clock_, app::PasswordPolicy(std::vector<std::string>{}), weak);
  const std::string a = unique("s1.a");
  const std::string b = unique("s1.b");
  for (const auto& name : {a, b}) {
    ASSERT_TRUE(before.create_account({.username = name,
                                       .password = std::string(kPassword),
                                       .role = Role::kLeader,
                                       .scope_code = std::string(testing::kYujiang)},
                                      std::nullopt, {}));
  }
  std::string old_hash = stored_hash(a);
  EXPECT_TRUE(old_hash.starts_with("$argon2id$v=19$m=8192,t=1,p=1$")) << old_hash;
  EXPECT_NE(old_hash, stored_hash(b)) << "same password, different salts";

  app::AccessService after(*db_, clock_, app::PasswordPolicy(std::vector<std::string>{}), {});
  ASSERT_TRUE(after.sign_in({.username = a, .password = std::string(kPassword)}, {}));
  std::string new_hash = stored_hash(a);
  EXPECT_TRUE(new_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << new_hash;
  EXPECT_TRUE(after.sign_in({.username = a, .password = std::string(kPassword)}, {}));
  EXPECT_FALSE(after.sign_in({.username = a, .password = "not the password"}, {}));
}

// Administrators need the second factor (等保 level 3), and a code works only once.
// The case history names the submitter "resident" and jiceng itself "system": no staff member
// may take either name (the escalation hold would count their commands as nobody's).
TEST_P(AccessApi, TheHistorysActorNamesAreReserved) {
  for (const char* name : {"resident", "system", "SYSTEM"}) {
    auto made = app_->access.create_account({.username = name,
                                             .password = std::string(kPassword),
                                             .role = Role::kHandler,
                                             .scope_code = std::string(testing::kYujiang)},
                                            std::nullopt, {});
    ASSERT_FALSE(made) << name;
    EXPECT_EQ(made.error().code, ErrorCode::kInvalidArgument) << name;
    EXPECT_NE(made.error().message.find("reserved"), std::string::npos) << made.error().message;
  }
}

TEST_P(AccessApi, AdministratorsUseASecondFactorOnce) {
  const std::string admin = unique("s4.admin");
  auto created = app_->access.create_account({.username = admin,
                                              .password = std::string(kPassword),
                                              .role = Role::kAdmin,
                                              .scope_code = std::string(testing::kYujiang)},
                                             std::nullopt, {});
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_FALSE(created->totp_secret.empty());
  auto no_code = app_->access.sign_in({.username = admin, .password = std::string(kPassword)}, {});
  ASSERT_FALSE(no_code);
  EXPECT_EQ(no_code.error().code, ErrorCode::kUnauthenticated);
  std::string code = app::totp_code(created->totp_secret, clock_.now());
  auto first = app_->access.sign_in(
      {.username = admin, .password = std::string(kPassword), .totp = code}, {});
  ASSERT_TRUE(first) << first.error().message;
  auto replay = app_->access.sign_in(
      {.username = admin, .password = std::string(kPassword), .totp = code}, {});
  ASSERT_FALSE(replay) << "a TOTP code is good once";
  EXPECT_EQ(replay.error().code, ErrorCode::kUnauthenticated);
}

// Over HTTP the refusals about the second factor have codes of their own, so that the sign-in
// page asks for the code; only after a correct password, which keeps its generic answer.
TEST_P(AccessApi, SignInAsksForTheSecondFactorByCode) {
  const std::string admin = unique("s4.admin.http");
  const std::string secret = make_account(admin, Role::kAdmin);
  ASSERT_FALSE(secret.empty());
  auto code_of = [](const http::testing::Reply& r) {
    auto v = testing::body_json(r);
    return v.is_object() ? std::string(v.at("error").at("code").as_string()) : r.res.body();
  };
  auto wrong_password = post_session(admin, "not the password");
  EXPECT_EQ(wrong_password.res.result_int(), 401u);
  EXPECT_EQ(code_of(wrong_password), "unauthenticated");
  auto no_code = post_session(admin, kPassword, "", {{"Accept-Language", "zh-CN"}});
  EXPECT_EQ(no_code.res.result_int(), 401u) << no_code.res.body();
  EXPECT_EQ(code_of(no_code), "totp_required");
  EXPECT_EQ(testing::body_json(no_code).at("error").at("field").as_string(), "totp");
  EXPECT_NE(no_code.res.body().find("动态码"), std::string::npos) << no_code.res.body();
  auto wrong_code = post_session(admin, kPassword, "000000");
  EXPECT_EQ(wrong_code.res.result_int(), 401u) << wrong_code.res.body();
  const std::string wrong = code_of(wrong_code);
  // 000000 may be the current code once in a million runs.
  if (wrong_code.res.result_int() == 401) {
    EXPECT_EQ(wrong, "totp_invalid");
  }
  auto signed_in = post_session(admin, kPassword, app::totp_code(secret, clock_.now()));
  EXPECT_EQ(signed_in.res.result_int(), 200u) << signed_in.res.body();
}

// TESTS.md S3: a wrong password, an unknown user and a disabled account get the same answer.
TEST_P(AccessApi, SignInDoesNotTellWhichUsersExist) {
  const std::string user = unique("s3.known");
  const std::string disabled = unique("s3.disabled");
  make_account(user, Role::kHandler, "360603", unit_in(village_in(testing::kYujiang), "360603"));
  make_account(disabled, Role::kLeader);
  ASSERT_TRUE(app_->access.disable_account(disabled, std::nullopt, {}));

  auto wrong = post_session(user, "not the password at all");
  auto unknown = post_session(unique("s3.nobody"), "not the password at all");
  auto off = post_session(disabled, kPassword);
  for (const auto* r : {&wrong, &unknown, &off}) {
    EXPECT_EQ(r->res.result_int(), 401u) << r->res.body();
    EXPECT_TRUE(testing::set_cookies(r->res).empty());
  }
  EXPECT_EQ(error_without_id(wrong), error_without_id(unknown));
  EXPECT_EQ(error_without_id(wrong), error_without_id(off));
}

// TESTS.md S4: cookie attributes, a new token per sign-in, server-side sign-out.
TEST_P(AccessApi, SessionCookiesAndSignOut) {
  const std::string user = unique("s4.user");
  make_account(user, Role::kLeader);
  auto first = post_session(user, kPassword);
  ASSERT_EQ(first.res.result_int(), 200u) << first.res.body();
  bool session_seen = false;
  for (const auto& line : testing::set_cookies(first.res)) {
    session_seen = session_seen || line.starts_with("jiceng_session=");
    EXPECT_NE(line.find("; HttpOnly"), std::string::npos) << line;
    EXPECT_NE(line.find("; SameSite=Strict"), std::string::npos) << line;
    EXPECT_NE(line.find("; Path=/"), std::string::npos) << line;
    EXPECT_EQ(line.find("Secure"), std::string::npos) << "not without TLS: " << line;
  }
  ASSERT_TRUE(session_seen) << "no session cookie among the Set-Cookie headers";
  auto a = sign_in(user, Role::kLeader);
  auto b = sign_in(user, Role::kLeader);
  ASSERT_FALSE(a.cookie.empty());
  EXPECT_NE(a.cookie, b.cookie) << "a new token at each sign-in";
  EXPECT_NE(a.cookie, testing::cookie_pair(first.res, "jiceng_session"));
  EXPECT_NE(a.csrf, b.csrf);

  auto who = call(&a, "GET", "/api/v1/session");
  ASSERT_EQ(who.res.result_int(), 200u) << who.res.body();
  EXPECT_EQ(testing::body_json(who).at("user").at("username").as_string(), user);
  EXPECT_EQ(testing::body_json(who).at("csrf_token").as_string(), a.csrf);

  auto out = call(&a, "DELETE", "/api/v1/session");
  EXPECT_EQ(out.res.result_int(), 204u) << out.res.body();
  auto cleared = testing::set_cookies(out.res);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_TRUE(cleared[0].starts_with("jiceng_session=;")) << cleared[0];
  EXPECT_NE(cleared[0].find("Max-Age=0"), std::string::npos) << cleared[0];
  EXPECT_EQ(call(&a, "GET", "/api/v1/session").res.result_int(), 401u)
      << "the old cookie is dead on the server";
  EXPECT_EQ(call(&b, "GET", "/api/v1/session").res.result_int(), 200u)
      << "signing out ends that session only";
  http::testing::TestClient client(server_->port());
  EXPECT_EQ(client.get("/api/v1/session", {{"Cookie", "jiceng_session=forged"}}).res.result_int(),
            401u);
}

// TESTS.md S4: every write authenticated by the cookie needs the session's CSRF token.
TEST_P(AccessApi, CookieWritesNeedTheCsrfToken) {
  auto s = account_session("s4.csrf", Role::kOperator);
  ASSERT_FALSE(s.csrf.empty());
  auto without = s;
  without.csrf.clear();
  auto wrong = s;
  wrong.csrf = std::string(s.csrf.size(), 'A');
  const std::string command = "/api/v1/cases/360603-2099-000001/commands/accept";
  for (const auto* who : {&without, &wrong}) {
    auto r = call(who, "POST", command);
    EXPECT_EQ(r.res.result_int(), 403u) << r.res.body();
    EXPECT_NE(r.res.body().find("CSRF"), std::string::npos) << r.res.body();
    auto off = call(who, "DELETE", "/api/v1/session");
    EXPECT_EQ(off.res.result_int(), 403u) << off.res.body();
  }
  EXPECT_EQ(call(&s, "GET", "/api/v1/session").res.result_int(), 200u)
      << "the refused sign-outs changed nothing";
  auto right = call(&s, "POST", command);
  EXPECT_NE(right.res.result_int(), 403u) << right.res.body();
  EXPECT_EQ(right.res.result_int(), 428u) << "past the guard, If-Match is asked for";
  auto bye = call(&s, "DELETE", "/api/v1/session");
  EXPECT_EQ(bye.res.result_int(), 204u) << bye.res.body();
}

// An operator records when the call came in (the clock starts then); never in the future, and
// nobody else may set it.
TEST_P(AccessApi, OperatorsRecordWhenACallCameIn) {
  auto s = account_session("received", Role::kOperator);
  const Instant now = SystemClock().now();
  auto body_at = [&](std::string_view channel, const std::string& at) {
    return fmt::format(
        R"({{"channel":"{}","category":"urban.lighting","place":"{}","description":"路灯不亮",)"
        R"("name":"李四","contact":"13900001111","received_at":"{}"}})",
        channel, village_in(testing::kYujiang), at);
  };
  auto body = [&](std::string_view channel, Instant at) {
    return body_at(channel, format_instant_utc(at));
  };
  const Instant hour_ago = now - std::chrono::hours(1);
  auto made = call(&s, "POST", "/api/v1/cases", body("phone", hour_ago));
  ASSERT_EQ(made.res.result_int(), 201u) << made.res.body();
  const std::string number(json::parse(made.res.body()).at("number").as_string());
  auto file = call(&s, "GET", "/api/v1/cases/" + number + "?purpose=check");
  ASSERT_EQ(file.res.result_int(), 200u) << file.res.body();
  EXPECT_EQ(json::parse(file.res.body()).at("received_at").as_string(),
            format_instant_utc(hour_ago));
  // 路灯照明: 7 calendar days, the limit its clock counts.
  EXPECT_EQ(json::parse(file.res.body()).at("clock_limit"),
            (json::value{{"amount", 7}, {"unit", "calendar_days"}}));
  // The timeline names the operator by login and by the name people know them by.
  const json::value registered = json::parse(file.res.body()).at("events").as_array().front();
  EXPECT_TRUE(registered.at("actor").as_string().starts_with("received")) << registered;
  EXPECT_EQ(registered.at("actor_name"), "测试话务员");
  // Its note, jiceng's routing line, also in English (the unit's name as it is).
  const std::string note(registered.at("note").as_string());
  ASSERT_TRUE(note.starts_with("分派至")) << registered;
  EXPECT_EQ(registered.at("note_en").as_string(),
            "Routed to " + note.substr(std::string("分派至").size()));

  auto future = call(&s, "POST", "/api/v1/cases", body("phone", now + std::chrono::hours(1)));
  EXPECT_EQ(future.res.result_int(), 400u) << future.res.body();
  EXPECT_NE(future.res.body().find("received_at"), std::string::npos) << future.res.body();
  auto web = call(nullptr, "POST", "/api/v1/cases", body("web", hour_ago));
  EXPECT_EQ(web.res.result_int(), 400u) << "residents cannot set it: " << web.res.body();
  auto bad = call(&s, "POST", "/api/v1/cases",
                  R"({"channel":"phone","category":"urban.lighting","place":")" +
                      village_in(testing::kYujiang) +
                      R"(","description":"x","received_at":"2026-03-02"})");
  EXPECT_EQ(bad.res.result_int(), 400u) << "a date alone is not a moment: " << bad.res.body();
  // RFC 3339 with an offset, as a clock in China writes it: the same moment.
  std::string china = format_instant_utc(hour_ago + std::chrono::hours(8));
  china.back() = '+';
  china += "08:00";
  auto offset = call(&s, "POST", "/api/v1/cases", body_at("phone", china));
  ASSERT_EQ(offset.res.result_int(), 201u) << china << ": " << offset.res.body();
  auto offset_file =
      call(&s, "GET",
           "/api/v1/cases/" + std::string(json::parse(offset.res.body()).at("number").as_string()) +
               "?purpose=check");
  EXPECT_EQ(json::parse(offset_file.res.body()).at("received_at").as_string(),
            format_instant_utc(hour_ago))
      << china;
  for (const std::string& unclear :
       {std::string("2026-03-02T09:30:00"), std::string("2026-03-02 09:30"),
        std::string("2026-03-02T09:30:00+0800"), std::string("2026-03-02T09:30:00+24:00")}) {
    auto en = call(&s, "POST", "/api/v1/cases", body_at("phone", unclear));
    ASSERT_EQ(en.res.result_int(), 400u) << unclear << ": " << en.res.body();
    EXPECT_EQ(testing::body_json(en).at("error").at("field").as_string(), "received_at");
    EXPECT_NE(en.res.body().find("+08:00"), std::string::npos) << en.res.body();
    auto zh = call(&s, "POST", "/api/v1/cases", body_at("phone", unclear),
                   {{"Accept-Language", "zh-CN"}});
    EXPECT_NE(zh.res.body().find("带时区"), std::string::npos) << zh.res.body();
  }
  // A letter registered late, within the year: fine; a typo's year: refused.
  const Instant late = now - std::chrono::days(300);
  auto within = call(&s, "POST", "/api/v1/cases", body("letter", late));
  EXPECT_EQ(within.res.result_int(), 201u) << within.res.body();
  auto too_old = call(&s, "POST", "/api/v1/cases", body("letter", now - std::chrono::days(367)),
                      {{"Accept-Language", "zh-CN"}});
  ASSERT_EQ(too_old.res.result_int(), 400u) << too_old.res.body();
  EXPECT_EQ(testing::body_json(too_old).at("error").at("field").as_string(), "received_at");
  EXPECT_NE(too_old.res.body().find("366"), std::string::npos) << too_old.res.body();
  EXPECT_NE(too_old.res.body().find("收到时间"), std::string::npos) << too_old.res.body();
}

// A link to the resident's photo of the matter (media_url) is kept with the case: staff who
// see the person in the clear see it in the case file, as does the submitter in their own case;
// a reader who sees the person masked (a leader) does not, nor do the tracking page and the case
// list (a photo can show people, its address often names them). A link that is not a web
// address, or points into the staff's own network, is refused in the caller's language and
// stores nothing.
TEST_P(AccessApi, APhotoLinkIsKeptForStaffAndTheSubmitter) {
  Session me = account_session("media.resident", Role::kResident);
  const std::string url = "https://img.example.cn/" + unique("photo") + ".jpg?w=800";
  const std::string place = village_in(testing::kYujiang);
  auto body = [&](const std::string& link) {
    return boost::json::serialize(boost::json::object{{"category", "urban.lighting"},
                                                      {"place", place},
                                                      {"description", "路灯不亮，见照片"},
                                                      {"name", "王照片"},
                                                      {"contact", "13911112222"},
                                                      {"media_url", link}});
  };
  auto made = call(&me, "POST", "/api/v1/cases", body(url));
  ASSERT_EQ(made.res.result_int(), 201u) << made.res.body();
  const auto created = testing::body_json(made);
  const std::string number(created.at("number").as_string());
  const std::string code(created.at("tracking_code").as_string());

  Session op = account_session("media.op", Role::kOperator);
  Session leader = account_session("media.leader", Role::kLeader);
  auto file = call(&op, "GET", "/api/v1/cases/" + number + "?purpose=check");
  ASSERT_EQ(file.res.result_int(), 200u) << file.res.body();
  EXPECT_EQ(testing::body_json(file).at("media_urls"), (boost::json::array{url.c_str()}));
  auto own = call(&me, "GET", "/api/v1/my/cases/" + number);
  ASSERT_EQ(own.res.result_int(), 200u) << own.res.body();
  EXPECT_EQ(testing::body_json(own).at("media_urls"), (boost::json::array{url.c_str()}));
  auto tracked = call(nullptr, "GET", "/api/v1/track/" + code);
  ASSERT_EQ(tracked.res.result_int(), 200u) << tracked.res.body();
  EXPECT_EQ(tracked.res.body().find("img.example.cn"), std::string::npos) << tracked.res.body();
  auto masked = call(&leader, "GET", "/api/v1/cases/" + number + "?purpose=check");
  ASSERT_EQ(masked.res.result_int(), 200u) << masked.res.body();
  EXPECT_EQ(testing::body_json(masked).at("media_urls"), boost::json::array{});
  EXPECT_EQ(masked.res.body().find("img.example.cn"), std::string::npos) << masked.res.body();
  auto listed = call(&op, "GET", "/api/v1/cases?limit=100&place=" + place);
  ASSERT_EQ(listed.res.result_int(), 200u) << listed.res.body();
  EXPECT_NE(listed.res.body().find(number), std::string::npos) << "the case is on the page";
  EXPECT_EQ(listed.res.body().find("img.example.cn"), std::string::npos);
  // Without one: an empty list, not a missing field.
  Filed plain = file_case(place);
  auto plain_file = call(&op, "GET", "/api/v1/cases/" + plain.number + "?purpose=check");
  EXPECT_EQ(testing::body_json(plain_file).at("media_urls"), boost::json::array{});

  auto count = [&] {
    auto n = app_->db.read_value(
        [](store::Sql& sql) { return sql.query_one("SELECT COUNT(*) FROM case_media", {}); });
    EXPECT_TRUE(n);
    return n ? n->int64(0) : -1;
  };
  const std::int64_t before = count();
  for (const std::string& bad :
       {std::string("javascript:alert(document.cookie)"), std::string("//img.example.cn/p.jpg"),
        std::string("https://img.example.cn/带空格 的.jpg"), std::string("http://192.168.1.1/")}) {
    auto en = call(&me, "POST", "/api/v1/cases", body(bad));
    ASSERT_EQ(en.res.result_int(), 400u) << bad << ": " << en.res.body();
    EXPECT_EQ(testing::body_json(en).at("error").at("field").as_string(), "media_url");
    EXPECT_NE(en.res.body().find("media_url: must be"), std::string::npos) << en.res.body();
    auto zh = call(&me, "POST", "/api/v1/cases", body(bad), {{"Accept-Language", "zh-CN"}});
    ASSERT_EQ(zh.res.result_int(), 400u) << zh.res.body();
    EXPECT_NE(zh.res.body().find("图片或附件链接"), std::string::npos) << zh.res.body();
  }
  EXPECT_EQ(count(), before) << "a refused submission stores nothing";
}

// Staff register cases of their own jurisdiction only (403 elsewhere, in English and Chinese);
// a resident's submissions for the same place, anonymous or signed in, are accepted.
TEST_P(AccessApi, StaffRegisterOnlyInsideTheirJurisdiction) {
  const std::string elsewhere = village_in(testing::kYuehu);
  const std::string own = village_in(testing::kYujiang);
  auto body = [](const std::string& place) {
    return json::serialize(json::object{{"channel", "phone"},
                                        {"category", "urban.lighting"},
                                        {"place", place},
                                        {"description", "路灯不亮"},
                                        {"name", "李四"},
                                        {"contact", "13900002222"}});
  };
  for (Role role : {Role::kOperator, Role::kGridWorker}) {
    auto s = account_session("scope.registrar", role);
    auto en = call(&s, "POST", "/api/v1/cases", body(elsewhere), {{"Accept-Language", "en"}});
    ASSERT_EQ(en.res.result_int(), 403u) << domain::to_string(role) << ": " << en.res.body();
    EXPECT_EQ(testing::body_json(en).at("error").at("code").as_string(), "permission_denied");
    EXPECT_NE(en.res.body().find("outside your jurisdiction"), std::string::npos) << en.res.body();
    auto zh = call(&s, "POST", "/api/v1/cases", body(elsewhere), {{"Accept-Language", "zh-CN"}});
    ASSERT_EQ(zh.res.result_int(), 403u) << zh.res.body();
    EXPECT_NE(zh.res.body().find("不在您的辖区"), std::string::npos) << zh.res.body();
    auto inside = call(&s, "POST", "/api/v1/cases", body(own));
    EXPECT_EQ(inside.res.result_int(), 201u)
        << domain::to_string(role) << ": " << inside.res.body();
  }
  auto resident = account_session("scope.resident", Role::kResident);
  EXPECT_FALSE(file_case(elsewhere).number.empty()) << "the public form";
  EXPECT_FALSE(file_case(elsewhere, &resident).number.empty()) << "a signed-in resident";
}

// TESTS.md S13: what clients without a staff account create is limited per address
// (ApiOptions::public_limits): submissions by anonymous callers and residents, and sign-ups.
// Staff registering calls are not; behind a trusted proxy each client counts on its own.
TEST_P(AccessApi, PublicSubmissionsAndSignUpsAreLimitedPerAddress) {
  http::Metrics metrics;
  http::Router router = http::make_router(*app_, metrics,
                                          {.public_limits = {.window = std::chrono::seconds(60),
                                                             .submissions_per_address = 2,
                                                             .signups_per_address = 1}});
  http::ServerOptions options;
  options.worker_threads = 2;
  options.trusted_proxies = *http::TrustedProxies::parse("127.0.0.1");
  testing::OtherServer limited(router, options);
  auto post = [&](const Session* s, const std::string& target, const std::string& body,
                  http::testing::Headers headers = {}) {
    headers.emplace_back("Content-Type", "application/json");
    if (s != nullptr) {
      headers.emplace_back("Cookie", s->cookie);
      headers.emplace_back("X-CSRF-Token", s->csrf);
    }
    http::testing::TestClient client(limited.port());
    return client.request("POST", target, body, headers);
  };
  const std::string place = village_in(testing::kYujiang);
  auto submission = [&](std::string_view description) {
    return json::serialize(json::object{{"category", "urban.lighting"},
                                        {"place", place},
                                        {"description", description},
                                        {"anonymous", true}});
  };
  const std::string tag = unique("flood");
  auto count_described = [&](const std::string& description) {
    auto n = db_->read_value([&](store::Sql& sql) {
      return sql.query_one("SELECT count(*) FROM cases WHERE description = $1", {description});
    });
    EXPECT_TRUE(n) << n.error().message;
    return n ? n->int64(0) : -1;
  };

  // The cases are stamped with the fixture's clock, which other tests of this binary read
  // lists by: it is not moved here (LoginThrottle's own tests and Open311's move a window).
  EXPECT_EQ(post(nullptr, "/api/v1/cases", submission(tag + " 1")).res.result_int(), 201u);
  auto resident = account_session("flood.resident", Role::kResident);
  EXPECT_EQ(post(&resident, "/api/v1/cases",
                 json::serialize(json::object{{"category", "urban.lighting"},
                                              {"place", place},
                                              {"description", tag + " 2"},
                                              {"name", "王五"},
                                              {"contact", resident.username}}))
                .res.result_int(),
            201u);
  // The third from this address within the minute: refused, nothing written, and the resident
  // is told when to try again and that the hotline takes the matter now.
  auto refused = post(nullptr, "/api/v1/cases", submission(tag + " 3"));
  ASSERT_EQ(refused.res.result_int(), 429u) << refused.res.body();
  const int wait = std::stoi(std::string(refused.res["Retry-After"]));
  EXPECT_TRUE(wait >= 1 && wait <= 60) << wait;
  EXPECT_EQ(testing::body_json(refused).at("error").at("code").as_string(), "resource_exhausted");
  auto zh =
      post(&resident, "/api/v1/cases", submission(tag + " 3"), {{"Accept-Language", "zh-CN"}});
  ASSERT_EQ(zh.res.result_int(), 429u) << "a resident too: " << zh.res.body();
  EXPECT_NE(zh.res.body().find("12345"), std::string::npos) << zh.res.body();
  EXPECT_EQ(count_described(tag + " 3"), 0);
  // Staff registering a call are not limited.
  auto op = account_session("flood.operator", Role::kOperator);
  auto call_in = post(&op, "/api/v1/cases",
                      json::serialize(json::object{{"channel", "phone"},
                                                   {"category", "urban.lighting"},
                                                   {"place", place},
                                                   {"description", tag + " 4"},
                                                   {"name", "李四"},
                                                   {"contact", "13900002222"}}));
  EXPECT_EQ(call_in.res.result_int(), 201u) << call_in.res.body();
  // Another client behind the trusted proxy has its own count.
  EXPECT_EQ(
      post(nullptr, "/api/v1/cases", submission(tag + " 5"), {{"X-Forwarded-For", "203.0.113.5"}})
          .res.result_int(),
      201u);

  // One sign-up a minute per address.
  auto signup = [&](const std::string& name) {
    return post(nullptr, "/api/v1/residents",
                json::serialize(json::object{{"username", unique(name) + "@example.cn"},
                                             {"password", std::string(kPassword)}}));
  };
  EXPECT_EQ(signup("flood.signup").res.result_int(), 201u);
  auto second = signup("flood.signup");
  EXPECT_EQ(second.res.result_int(), 429u) << second.res.body();
  EXPECT_FALSE(second.res["Retry-After"].empty());
}

// A leader supervises (督办): they may move a case of their jurisdiction one level up with a
// reason, and do nothing else to it.
TEST_P(AccessApi, LeadersEscalateButDoNotDecide) {
  const Filed c = file_case(village_in(testing::kYujiang));
  const Filed foreign = file_case(village_in(testing::kYuehu));
  ASSERT_FALSE(c.number.empty());
  auto leader = account_session("leader.escalates", Role::kLeader);
  auto if_match = [&](const std::string& number) {
    return http::testing::Headers{{"If-Match", "\"" + std::to_string(version_of(number)) + "\""}};
  };
  const auto before = app_->cases.get(c.number);
  ASSERT_TRUE(before);
  for (const char* command : {"accept", "resolve", "close", "decline"}) {
    auto r = call(&leader, "POST", "/api/v1/cases/" + c.number + "/commands/" + command,
                  R"({"note":"领导批示","reply":"已办结"})", if_match(c.number));
    EXPECT_EQ(r.res.result_int(), 403u) << command << ": " << r.res.body();
  }
  auto no_reason = call(&leader, "POST", "/api/v1/cases/" + c.number + "/commands/escalate", "",
                        if_match(c.number));
  EXPECT_EQ(no_reason.res.result_int(), 400u) << no_reason.res.body();
  auto out = call(&leader, "POST", "/api/v1/cases/" + foreign.number + "/commands/escalate",
                  R"({"note":"督办"})", if_match(foreign.number));
  EXPECT_EQ(out.res.result_int(), 404u) << "outside the jurisdiction: " << out.res.body();
  EXPECT_EQ(version_of(c.number), before->c.version) << "the refusals changed nothing";

  auto up = call(&leader, "POST", "/api/v1/cases/" + c.number + "/commands/escalate",
                 R"({"note":"督办：村里拖了一周"})", if_match(c.number));
  ASSERT_EQ(up.res.result_int(), 200u) << up.res.body();
  const auto after = app_->cases.get(c.number);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->c.version, before->c.version + 1);
  EXPECT_EQ(after->c.state, before->c.state);
  ASSERT_TRUE(after->c.unit_id && before->c.unit_id);
  auto unit = [&](std::int64_t id) {
    auto u = db_->read_value([&](store::Sql& sql) { return store::catalogue::find_unit(sql, id); });
    EXPECT_TRUE(u && *u) << id;
    return u && *u ? **u : domain::Unit{};
  };
  EXPECT_LT(static_cast<int>(domain::level_of(unit(*after->c.unit_id))),
            static_cast<int>(domain::level_of(unit(*before->c.unit_id))))
      << "one level up";
  EXPECT_EQ(after->events.back().command, "escalate");
  EXPECT_EQ(after->events.back().actor, leader.username);
}

// Staff escalating a case already with the deployment's top unit are told why nothing moved:
// 409 failed_precondition, in Chinese too (the resident's request is recorded instead).
TEST_P(AccessApi, StaffEscalationAtTheTopIsRefusedClearly) {
  const Filed c = file_case(village_in(testing::kYujiang));
  ASSERT_FALSE(c.number.empty());
  bool at_top = false;
  for (int i = 0; i < 6 && !at_top; ++i) {
    auto r = app_->cases.apply(c.number, domain::Command::kEscalate, {.note = "提级"},
                               app::CaseService::kCurrentVersion,
                               app::Actor{.name = "system", .staff = true});
    at_top = !r && r.error().code == ErrorCode::kFailedPrecondition;
    ASSERT_TRUE(r || at_top) << r.error().message;
  }
  ASSERT_TRUE(at_top);
  const std::int64_t version = version_of(c.number);
  const http::testing::Headers if_match = {{"If-Match", "\"" + std::to_string(version) + "\""}};
  for (Role role : {Role::kOperator, Role::kLeader}) {
    auto s = account_session("top.escalation", role, "3606");
    auto headers = if_match;
    headers.emplace_back("Accept-Language", "zh-CN");
    auto r = call(&s, "POST", "/api/v1/cases/" + c.number + "/commands/escalate",
                  R"({"note":"再上一级"})", headers);
    ASSERT_EQ(r.res.result_int(), 409u) << domain::to_string(role) << ": " << r.res.body();
    EXPECT_EQ(testing::body_json(r).at("error").at("code").as_string(), "failed_precondition");
    EXPECT_NE(r.res.body().find("最高层级"), std::string::npos) << r.res.body();
  }
  EXPECT_EQ(version_of(c.number), version);
  auto by_code = call(nullptr, "POST", "/api/v1/track/" + c.tracking_code + "/commands/escalate",
                      R"({"note":"市里也不处理"})");
  EXPECT_EQ(by_code.res.result_int(), 200u) << by_code.res.body();
  EXPECT_EQ(version_of(c.number), version + 1);
}

// TESTS.md S4 and S11 behind TLS: __Host- cookies with Secure, and HSTS on every response.
TEST_P(AccessApi, SecureCookiesBehindTls) {
  http::Metrics metrics;
  http::Router router = http::make_router(*app_, metrics, {.secure_cookies = true});
  http::ServerOptions options;
  options.port = 0;
  options.worker_threads = 2;
  options.hsts = true;
  http::Server server(options, router, metrics);
  ASSERT_TRUE(server.listen());
  std::thread thread([&] { server.run(); });

  const std::string user = unique("s4.tls");
  make_account(user, Role::kCadre);
  http::testing::TestClient client(server.port());
  auto r =
      client.request("POST", "/api/v1/session",
                     json::serialize(json::object{{"username", user}, {"password", kPassword}}),
                     {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.res.result_int(), 200u) << r.res.body();
  EXPECT_NE(r.res.find("Strict-Transport-Security"), r.res.end());
  std::string pair = testing::cookie_pair(r.res, "__Host-jiceng_session");
  EXPECT_FALSE(pair.empty()) << "no __Host- session cookie";
  for (const auto& line : testing::set_cookies(r.res)) {
    EXPECT_TRUE(line.starts_with("__Host-")) << line;
    EXPECT_NE(line.find("; Secure"), std::string::npos) << line;
    EXPECT_NE(line.find("; Path=/"), std::string::npos) << line;
    EXPECT_EQ(lower(line).find("domain="), std::string::npos) << line;
    EXPECT_NE(line.find("; HttpOnly"), std::string::npos) << line;
  }
  if (!pair.empty()) {
    http::testing::TestClient c(server.port());
    EXPECT_EQ(c.get("/api/v1/session", {{"Cookie", pair}}).res.result_int(), 200u);
    http::testing::TestClient plain(server.port());
    EXPECT_EQ(plain.get("/api/v1/session", {{"Cookie", pair.substr(7)}}).res.result_int(), 401u)
        << "without the prefix the cookie is not the session's";
  }
  server.stop();
  thread.join();
}

// TESTS.md S4: sessions end after 30 minutes idle and 12 hours after sign-in, whatever the
// activity.
TEST_P(AccessApi, SessionsExpireIdleAndAbsolute) {
  testing::ManualClock clock(clock_.now());
  app::AccessService access(*db_, clock, app::PasswordPolicy(std::vector<std::string>{}));
  const std::string user = unique("s4.timeout");
  ASSERT_TRUE(access.create_account({.username = user,
                                     .password = std::string(kPassword),
                                     .role = Role::kLeader,
                                     .scope_code = std::string(testing::kYujiang)},
                                    std::nullopt, {}));
  auto sign_in = [&] {
    auto s = access.sign_in({.username = user, .password = std::string(kPassword)},
                            {.remote = "10.1.1.1:1"});
    EXPECT_TRUE(s);
    return s ? s->session_token : std::string();
  };

  std::string idle = sign_in();
  clock.advance(std::chrono::minutes(29));
  EXPECT_TRUE(access.session(idle)) << "29 minutes idle is fine";
  clock.advance(std::chrono::minutes(31));
  auto ended = access.session(idle);
  ASSERT_FALSE(ended) << "31 minutes after the last request";
  EXPECT_EQ(ended.error().code, ErrorCode::kUnauthenticated);
  clock.advance(std::chrono::minutes(-31));
  EXPECT_FALSE(access.session(idle)) << "an ended session is gone, not just late";

  std::string busy = sign_in();
  for (int minutes = 20; minutes <= 12 * 60; minutes += 20) {
    clock.advance(std::chrono::minutes(20));
    ASSERT_TRUE(access.session(busy)) << "active, after " << minutes << " minutes";
  }
  clock.advance(std::chrono::minutes(1));
  auto over = access.session(busy);
  ASSERT_FALSE(over) << "12 h 1 min after sign-in, however busy";
  EXPECT_EQ(over.error().code, ErrorCode::kUnauthenticated);
}

// TESTS.md S5: every route states who may call it; every route that is not public answers 401
// to anonymous callers and to forged credentials.
TEST_P(AccessApi, EveryGuardedRouteAsksForCredentials) {
  ASSERT_FALSE(router_->routes().empty());
  int guarded = 0;
  for (const auto& route : router_->routes()) {
    const std::string where = route.method + " " + route.pattern;
    EXPECT_NE(route.policy, http::Policy::kUndeclared) << where;
    if (route.policy.who == http::Policy::Who::kPublic) continue;
    ++guarded;
    const std::string target = fill(route.pattern, "x");
    const std::string body = route.method == "GET" ? "" : "{}";
    for (const http::testing::Headers& creds : {http::testing::Headers{},
                                                {{"Cookie", "jiceng_session=forged"}},
                                                {{"Authorization", "Bearer jck_1_forged"}},
                                                {{"Authorization", "Basic eDp5"}}}) {
      http::testing::Headers h = creds;
      h.emplace_back("Content-Type", "application/json");
      http::testing::TestClient client(server_->port());
      auto r = client.request(route.method, target, body, h);
      EXPECT_EQ(r.res.result_int(), 401u)
          << where << " " << (creds.empty() ? "" : creds[0].second) << ": " << r.res.body();
    }
  }
  EXPECT_GE(guarded, 10);
}

// TESTS.md S7: the administrators' routes refuse everyone else, and no method override gets
// around the guard.
TEST_P(AccessApi, AdminRoutesAndMethodOverride) {
  const std::string new_user = unique("s7.created");
  const std::string create = json::serialize(json::object{{"username", new_user},
                                                          {"password", kPassword},
                                                          {"role", "leader"},
                                                          {"scope", testing::kYujiang},
                                                          {"display_name", "新人"}});
  for (Role role :
       {Role::kOperator, Role::kLeader, Role::kAuditor, Role::kMediator, Role::kResident}) {
    auto s = account_session("s7.nonadmin", role);
    EXPECT_EQ(call(&s, "GET", "/api/v1/accounts").res.result_int(), 403u)
        << domain::to_string(role);
    EXPECT_EQ(call(&s, "POST", "/api/v1/accounts", create).res.result_int(), 403u)
        << domain::to_string(role);
    EXPECT_EQ(call(&s, "POST", "/api/v1/accounts/" + s.username + "/disable").res.result_int(),
              403u);
    auto get_override =
        call(&s, "GET", "/api/v1/accounts", "", {{"X-HTTP-Method-Override", "POST"}});
    EXPECT_EQ(get_override.res.result_int(), 400u) << get_override.res.body();
  }
  auto admin = account_session("s7.admin", Role::kAdmin);
  for (std::string_view header : {"X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"}) {
    auto r = call(&admin, "POST", "/api/v1/accounts", create, {{std::string(header), "GET"}});
    EXPECT_EQ(r.res.result_int(), 400u) << header << ": " << r.res.body();
  }
  auto listed = call(&admin, "GET", "/api/v1/accounts");
  ASSERT_EQ(listed.res.result_int(), 200u) << listed.res.body();
  EXPECT_EQ(listed.res.body().find(new_user), std::string::npos) << "nothing was created";

  auto user = account_session("s7.override", Role::kLeader);
  auto r = call(&user, "POST", "/api/v1/session", "{}", {{"X-HTTP-Method-Override", "DELETE"}});
  EXPECT_EQ(r.res.result_int(), 400u) << r.res.body();
  EXPECT_EQ(call(&user, "GET", "/api/v1/session").res.result_int(), 200u)
      << "the session survived the overridden POST";

  auto made = call(&admin, "POST", "/api/v1/accounts", create);
  EXPECT_EQ(made.res.result_int(), 201u)
      << "the same request without the header works: " << made.res.body();
}

// TESTS.md S11: the security headers on every kind of answer, and error bodies that say what
// went wrong with a correlation id, never how (no stack, no SQL).
TEST_P(AccessApi, SecurityHeadersOnEveryAnswer) {
  auto op = account_session("s11.operator", Role::kOperator);
  const std::string user = unique("s11.throttled");
  make_account(user, Role::kLeader);
  for (int i = 0; i < 5; ++i) post_session(user, "wrong password again");

  struct Sample {
    const char* what;
    http::testing::Reply reply;
    unsigned status;
  };
  const std::string case_target = "/api/v1/cases/" + std::string(testing::kYuehu) + "-2099-000001";
  std::vector<Sample> samples;
  samples.push_back({"200 session", call(&op, "GET", "/api/v1/session"), 200});
  samples.push_back({"401 anonymous", call(nullptr, "GET", "/api/v1/cases"), 401});
  samples.push_back({"403 role", call(&op, "GET", "/api/v1/accounts"), 403});
  samples.push_back({"404 case", call(&op, "GET", case_target), 404});
  samples.push_back({"404 path", call(&op, "GET", "/api/v1/no-such-thing"), 404});
  samples.push_back({"405 method", call(&op, "PUT", "/api/v1/session", "{}"), 405});
  samples.push_back({"429 throttled", post_session(user, kPassword), 429});
  samples.push_back({"400 override",
                     call(&op, "GET", "/api/v1/cases", "", {{"X-HTTP-Method-Override", "PUT"}}),
                     400});
  samples.push_back(
      {"400 body", call(nullptr, "POST", "/api/v1/session", "{\"username\":1}"), 400});
  samples.push_back({"428 if-match", call(&op, "POST", case_target + "/commands/accept"), 428});
  auto forged = op;
  forged.csrf = "nope";
  samples.push_back({"403 csrf", call(&forged, "POST", case_target + "/commands/accept"), 403});

  for (const auto& s : samples) {
    const auto& res = s.reply.res;
    ASSERT_FALSE(s.reply.ec) << s.what << ": " << s.reply.ec.message();
    EXPECT_EQ(res.result_int(), s.status) << s.what << ": " << res.body();
    EXPECT_NE(res["Content-Security-Policy"].find("default-src 'none'"), std::string::npos)
        << s.what;
    EXPECT_EQ(res["X-Content-Type-Options"], "nosniff") << s.what;
    EXPECT_FALSE(res["Referrer-Policy"].empty()) << s.what;
    EXPECT_NE(res[bhttp::field::cache_control].find("no-store"), std::string::npos) << s.what;
    const std::string request_id(res["X-Request-Id"]);
    EXPECT_FALSE(request_id.empty()) << s.what;
    if (s.status < 400) continue;
    auto v = testing::body_json(s.reply);
    ASSERT_TRUE(v.is_object() && v.as_object().contains("error")) << s.what << ": " << res.body();
    const auto& e = v.at("error").as_object();
    // code, message, request_id, and the input field at fault when the error names one.
    const bool names_field = e.contains("field");
    EXPECT_EQ(e.size(), names_field ? 4u : 3u) << s.what << ": " << res.body();
    EXPECT_TRUE(!names_field || e.at("field").is_string()) << s.what;
    EXPECT_TRUE(e.contains("code") && e.at("code").is_string()) << s.what;
    EXPECT_TRUE(e.contains("message") && e.at("message").is_string()) << s.what;
    EXPECT_TRUE(e.contains("request_id") && e.at("request_id").as_string() == request_id) << s.what;
    const std::string body = lower(res.body());
    for (std::string_view leak : {"sql", "select ", "insert ", "std::", "exception",
                                  ".cc:", "stack", "trace", "postgres", "sqlstate"}) {
      EXPECT_EQ(body.find(leak), std::string::npos)
          << s.what << " mentions " << leak << ": " << res.body();
    }
  }
}

// Residents sign up with a phone number or e-mail, see and act on their own cases only, and
// anyone holding a tracking code can rate, ask for review or escalate without an account.
TEST_P(AccessApi, ResidentsSignUpAndActOnTheirOwnCases) {
  const std::string email = unique("resident") + "@example.cn";
  http::testing::TestClient signup(server_->port());
  auto weak = signup.request(
      "POST", "/api/v1/residents",
      boost::json::serialize(boost::json::object{{"username", email}, {"password", "12345678"}}),
      {{"Content-Type", "application/json"}, {"Accept-Language", "zh-CN"}});
  EXPECT_EQ(weak.res.result_int(), 400u) << weak.res.body();
  EXPECT_NE(weak.res.body().find("常见"), std::string::npos) << weak.res.body();
  EXPECT_EQ(testing::body_json(weak).at("error").at("field").as_string(), "password")
      << "shown beside the password field";
  http::testing::TestClient again(server_->port());
  auto made = again.request("POST", "/api/v1/residents",
                            boost::json::serialize(boost::json::object{
                                {"username", email}, {"password", std::string(kPassword)}}),
                            {{"Content-Type", "application/json"}});
  ASSERT_EQ(made.res.result_int(), 201u) << made.res.body();
  Session me = sign_in(email, Role::kResident);
  Session other = account_session("other.resident", Role::kResident);

  Filed mine = file_case(village_in(testing::kYujiang), &me);
  Filed anonymous = file_case(village_in(testing::kYujiang));
  auto list = call(&me, "GET", "/api/v1/my/cases");
  ASSERT_EQ(list.res.result_int(), 200u) << list.res.body();
  EXPECT_NE(list.res.body().find(mine.number), std::string::npos) << list.res.body();
  EXPECT_EQ(list.res.body().find(anonymous.number), std::string::npos) << list.res.body();
  // Staff act on it: the resident sees what was done, not who did it.
  Session op = account_session("my.case.op", Role::kOperator);
  auto accepted = app_->cases.apply(mine.number, domain::Command::kAccept, {},
                                    app::CaseService::kCurrentVersion,
                                    app::Actor{.name = op.username, .staff = true});
  ASSERT_TRUE(accepted) << accepted.error().message;
  auto own = call(&me, "GET", "/api/v1/my/cases/" + mine.number);
  ASSERT_EQ(own.res.result_int(), 200u) << own.res.body();
  EXPECT_NE(own.res.body().find(mine.contact), std::string::npos) << "their own data, unmasked";
  EXPECT_EQ(own.res.body().find(op.username), std::string::npos) << own.res.body();
  EXPECT_EQ(own.res.body().find("测试话务员"), std::string::npos) << own.res.body();
  const auto own_file = testing::body_json(own);
  for (const auto& e : own_file.at("events").as_array()) {
    EXPECT_TRUE(e.at("actor_name").is_null()) << e;
  }
  // Another resident: as if the case did not exist.
  auto theirs = call(&other, "GET", "/api/v1/my/cases/" + mine.number);
  auto missing = call(&other, "GET", "/api/v1/my/cases/000000-2026-999999");
  EXPECT_EQ(theirs.res.result_int(), 404u);
  EXPECT_EQ(missing.res.result_int(), 404u);
  EXPECT_EQ(testing::body_json(theirs).at("error").at("code"),
            testing::body_json(missing).at("error").at("code"));
  EXPECT_EQ(theirs.res.body().find(mine.contact), std::string::npos);
  auto escalate_theirs =
      call(&other, "POST", "/api/v1/my/cases/" + mine.number + "/commands/escalate",
           R"({"note":"不是我的案件"})");
  EXPECT_EQ(escalate_theirs.res.result_int(), 404u) << escalate_theirs.res.body();
  // The owner may escalate (nothing blocks it), but may not decide the case.
  auto accept = call(&me, "POST", "/api/v1/my/cases/" + mine.number + "/commands/accept");
  EXPECT_EQ(accept.res.result_int(), 403u) << accept.res.body();
  auto escalate = call(&me, "POST", "/api/v1/my/cases/" + mine.number + "/commands/escalate",
                       R"({"note":"村里解决不了"})");
  EXPECT_EQ(escalate.res.result_int(), 200u) << escalate.res.body();
  // Without an account: the tracking code is the key.
  auto by_code =
      call(nullptr, "POST", "/api/v1/track/" + anonymous.tracking_code + "/commands/escalate",
           R"({"note":"一直没人处理"})");
  EXPECT_EQ(by_code.res.result_int(), 200u) << by_code.res.body();
  auto wrong_code =
      call(nullptr, "POST", "/api/v1/track/AAAA-BBBB-CCCC/commands/escalate", R"({"note":"x"})");
  EXPECT_EQ(wrong_code.res.result_int(), 404u);
  auto not_theirs =
      call(nullptr, "POST", "/api/v1/track/" + anonymous.tracking_code + "/commands/close", "");
  EXPECT_EQ(not_theirs.res.result_int(), 403u) << not_theirs.res.body();
}

// A signed-in resident whose case staff merged into another (并单) acts, from their own case's
// page, on the case that carries the matter, as its tracking code does: they can still
// escalate; the rating stays the other case's submitter's; another resident still cannot.
TEST_P(AccessApi, AResidentsMergedCaseActsOnTheCaseThatCarriesIt) {
  Session me = account_session("merged.resident", Role::kResident);
  Session other = account_session("merged.other", Role::kResident);
  const Filed mine = file_case(village_in(testing::kYujiang), &me);
  const Filed carrier = file_case(village_in(testing::kYujiang));
  ASSERT_FALSE(mine.number.empty() || carrier.number.empty());
  auto merged = app_->cases.apply(
      mine.number, domain::Command::kMerge, {.note = "同一处", .target_case = carrier.number},
      app::CaseService::kCurrentVersion, app::Actor{.name = "system", .staff = true});
  ASSERT_TRUE(merged) << merged.error().message;
  const std::int64_t own_version = version_of(mine.number);
  const std::int64_t carrier_version = version_of(carrier.number);

  const std::string path = "/api/v1/my/cases/" + mine.number + "/commands/";
  auto theirs = call(&other, "POST", path + "escalate", R"({"note":"不是我的"})");
  EXPECT_EQ(theirs.res.result_int(), 404u) << theirs.res.body();
  auto rate = call(&me, "POST", path + "follow_up", R"({"rating":"unsatisfied"})");
  EXPECT_EQ(rate.res.result_int(), 409u) << rate.res.body();
  EXPECT_NE(rate.res.body().find(carrier.number), std::string::npos) << rate.res.body();
  // If-Match names their own (final) case's version, not the other's: not compared.
  auto up = call(&me, "POST", path + "escalate", R"({"note":"村里一直没处理"})",
                 {{"If-Match", "\"" + std::to_string(own_version) + "\""}});
  ASSERT_EQ(up.res.result_int(), 200u) << up.res.body();
  EXPECT_EQ(testing::body_json(up).at("number").as_string(), carrier.number);
  EXPECT_EQ(version_of(carrier.number), carrier_version + 1);
  EXPECT_EQ(version_of(mine.number), own_version) << "their own case stays merged";
  auto d = app_->cases.get(carrier.number);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->events.back().command, "escalate");
  EXPECT_EQ(d->events.back().actor, "resident (" + mine.number + ")")
      << "staff see whose repeat asked";
  const auto entries = audit_of(carrier.number);
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.front().action, "case.escalate");
  EXPECT_TRUE(entries.front().actor.starts_with("resident:"))
      << "their account, not a code: " << entries.front().actor;
  EXPECT_EQ(entries.front().role, "resident");
  // The other case's submitter does not read this resident's reason on their page.
  auto page = call(nullptr, "GET", "/api/v1/track/" + carrier.tracking_code);
  ASSERT_EQ(page.res.result_int(), 200u) << page.res.body();
  EXPECT_EQ(page.res.body().find("村里一直没处理"), std::string::npos) << page.res.body();
}

// Issue 3, "Safety of writes", and TESTS.md C3: a retried command with its Idempotency-Key
// returns the first answer and applies nothing twice, even when the retries race; the same key
// with another body or If-Match is 422. The resident's commands by tracking code take a key too.
TEST_P(AccessApi, CommandsAreIdempotent) {
  const Filed c = file_case(village_in(testing::kYujiang));
  ASSERT_FALSE(c.number.empty());
  auto op = account_session("c3.operator", Role::kOperator);
  const std::string target = "/api/v1/cases/" + c.number + "/commands/accept";
  const std::string key = unique("accept-key");
  const std::string version = "\"" + std::to_string(version_of(c.number)) + "\"";
  const http::testing::Headers headers = {{"If-Match", version}, {"Idempotency-Key", key}};
  auto events = [&] {
    auto d = app_->cases.get(c.number);
    EXPECT_TRUE(d) << c.number;
    return d ? d->events.size() : 0;
  };
  const std::size_t registered = events();

  std::vector<http::testing::Reply> answers(8);
  std::vector<std::thread> threads;
  for (auto& a : answers) {
    threads.emplace_back([&] { a = call(&op, "POST", target, R"({"note":"受理"})", headers); });
  }
  for (auto& t : threads) t.join();
  for (const auto& a : answers) {
    ASSERT_EQ(a.res.result_int(), 200u) << a.res.body();
    EXPECT_EQ(a.res.body(), answers.front().res.body());
    EXPECT_EQ(a.res[bhttp::field::etag], answers.front().res[bhttp::field::etag]);
  }
  auto v = testing::body_json(answers.front());
  EXPECT_EQ(v.at("state").as_string(), "accepted") << answers.front().res.body();
  EXPECT_EQ(answers.front().res[bhttp::field::etag],
            "\"" + std::to_string(v.at("version").as_int64()) + "\"");
  EXPECT_EQ(events(), registered + 1) << "one command, one event, whoever's answer came first";
  auto replay = call(&op, "POST", target, R"({"note":"受理"})", headers);
  EXPECT_EQ(replay.res.result_int(), 200u) << replay.res.body();
  EXPECT_EQ(replay.res["Idempotent-Replayed"], "true");
  EXPECT_EQ(replay.res.body(), answers.front().res.body());

  auto other_body = call(&op, "POST", target, R"({"note":"另一个"})", headers);
  EXPECT_EQ(other_body.res.result_int(), 422u) << other_body.res.body();
  auto other_version = call(&op, "POST", target, R"({"note":"受理"})",
                            {{"If-Match", "\"99\""}, {"Idempotency-Key", key}});
  EXPECT_EQ(other_version.res.result_int(), 422u) << other_version.res.body();
  // Without the key the same request is a new one: the case moved on, so 412.
  auto stale = call(&op, "POST", target, R"({"note":"受理"})", {{"If-Match", version}});
  EXPECT_EQ(stale.res.result_int(), 412u) << stale.res.body();
  EXPECT_EQ(events(), registered + 1);
  // 412 and 428 speak the caller's language too.
  auto stale_zh = call(&op, "POST", target, R"({"note":"受理"})",
                       {{"If-Match", version}, {"Accept-Language", "zh-CN"}});
  EXPECT_EQ(stale_zh.res.result_int(), 412u);
  EXPECT_NE(stale_zh.res.body().find("请刷新后重试"), std::string::npos) << stale_zh.res.body();
  auto bare_zh = call(&op, "POST", target, R"({"note":"受理"})", {{"Accept-Language", "zh"}});
  EXPECT_EQ(bare_zh.res.result_int(), 428u);
  EXPECT_NE(bare_zh.res.body().find("If-Match 中带上"), std::string::npos) << bare_zh.res.body();
  // If-Match compares strongly (RFC 9110): a weak tag of even the current version matches
  // nothing, and changes nothing.
  const std::string weak = "W/\"" + std::to_string(version_of(c.number)) + "\"";
  auto weak_tag = call(&op, "POST", target, R"({"note":"受理"})", {{"If-Match", weak}});
  EXPECT_EQ(weak_tag.res.result_int(), 412u) << weak_tag.res.body();
  EXPECT_NE(weak_tag.res.body().find("weak entity tag"), std::string::npos) << weak_tag.res.body();
  // Version 0 is a tag no case ever had (and the store's "any version"): stale, never a match.
  auto zero = call(&op, "POST", target, R"({"note":"受理"})", {{"If-Match", "\"0\""}});
  EXPECT_EQ(zero.res.result_int(), 412u) << zero.res.body();
  EXPECT_EQ(
      call(&op, "POST", target, R"({"note":"受理"})", {{"If-Match", "\"-1\""}}).res.result_int(),
      400u);
  EXPECT_EQ(events(), registered + 1);

  // A refusal stores nothing under the key: the retry runs anew, and is audited each time.
  auto other_case = file_case(village_in(testing::kYuehu));
  const std::string foreign = "/api/v1/cases/" + other_case.number + "/commands/accept";
  const std::size_t audited = audit_of(other_case.number).size();
  const http::testing::Headers foreign_headers = {{"If-Match", "\"1\""},
                                                  {"Idempotency-Key", unique("foreign")}};
  for (int i = 0; i < 2; ++i) {
    auto refused = call(&op, "POST", foreign, "", foreign_headers);
    EXPECT_EQ(refused.res.result_int(), 404u) << refused.res.body();
    EXPECT_EQ(refused.res.count("Idempotent-Replayed"), 0u);
  }
  EXPECT_EQ(audit_of(other_case.number).size(), audited + 2) << "each refusal is audited";

  // The resident's escalation by tracking code, retried: one escalation.
  const Filed mine = file_case(village_in(testing::kYujiang));
  const std::string by_code = "/api/v1/track/" + mine.tracking_code + "/commands/escalate";
  const http::testing::Headers resident_key = {{"Idempotency-Key", unique("escalate")}};
  auto first = call(nullptr, "POST", by_code, R"({"note":"一直没人处理"})", resident_key);
  ASSERT_EQ(first.res.result_int(), 200u) << first.res.body();
  auto again = call(nullptr, "POST", by_code, R"({"note":"一直没人处理"})", resident_key);
  EXPECT_EQ(again.res.result_int(), 200u) << again.res.body();
  EXPECT_EQ(again.res["Idempotent-Replayed"], "true");
  EXPECT_EQ(again.res.body(), first.res.body());
  auto d = app_->cases.get(mine.number);
  ASSERT_TRUE(d);
  EXPECT_EQ(std::count_if(d->events.begin(), d->events.end(),
                          [](const auto& e) { return e.command == "escalate"; }),
            1);
  auto bad_key = call(nullptr, "POST", by_code, R"({"note":"x"})", {{"Idempotency-Key", "a b"}});
  EXPECT_EQ(bad_key.res.result_int(), 400u) << bad_key.res.body();
}

INSTANTIATE_TEST_SUITE_P(Stores, AccessApi, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng
