// Sign-in over HTTP: the session routes and cookies, the authenticator every guarded route goes
// through, the administrators' account routes and the auditors' search of the audit log.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>
#include <filesystem>
#include <fstream>

#include "app/access.h"
#include "app/audit.h"
#include "http/api.h"
#include "http/errors.h"
#include "http/json.h"
#include "store/audit_repo.h"

namespace jiceng::http {
namespace {

namespace json = boost::json;
using domain::Role;

std::string session_cookie(const ApiOptions& o) {
  return o.secure_cookies ? "__Host-jiceng_session" : "jiceng_session";
}
std::string device_cookie(const ApiOptions& o) {
  return o.secure_cookies ? "__Host-jiceng_device" : "jiceng_device";
}

// "NAME=VALUE; Path=/; HttpOnly; SameSite=Strict[; Secure][; Max-Age=N]"
std::string set_cookie(const ApiOptions& o, std::string_view name, std::string_view value,
                       std::optional<long> max_age = std::nullopt) {
  std::string out =
      std::string(name) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Strict";
  if (o.secure_cookies) out += "; Secure";
  if (max_age) out += "; Max-Age=" + std::to_string(*max_age);
  return out;
}

// The value of cookie `name` in the Cookie header, if present.
std::optional<std::string> cookie(const Request& req, std::string_view name) {
  auto header = req.header("Cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto end = rest.find(';');
    std::string_view pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

json::object principal_json(const domain::Principal& p) {
  json::object out{{"username", p.username},
                   {"display_name", p.display_name},
                   {"role", domain::to_string(p.role)},
                   {"role_zh", domain::label_zh(p.role)}};
  if (!p.scope_code.empty()) out["scope"] = p.scope_code;
  if (p.unit_id) out["unit_id"] = *p.unit_id;
  return out;
}

json::object account_json(const app::Account& a) {
  json::object out{{"id", a.id},
                   {"username", a.username},
                   {"display_name", a.display_name},
                   {"role", domain::to_string(a.role)},
                   {"scope", a.scope_code},
                   {"disabled", a.disabled},
                   {"totp", a.has_totp},
                   {"created_at", format_instant_utc(a.created_at)}};
  out["unit_id"] = a.unit_id ? json::value(*a.unit_id) : json::value(nullptr);
  return out;
}

Response sign_in(app::AccessService& access, const ApiOptions& o, const Request& req) {
  auto body = parse_json_body(req, {"username", "password", "totp"});
  if (!body) return error_response(body.error(), req);
  app::Credentials c;
  for (auto [key, out] : {std::pair{"username", &c.username}, std::pair{"password", &c.password},
                          std::pair{"totp", &c.totp}}) {
    auto v = string_field(*body, key, std::string_view(key) != "totp");
    if (!v) return error_response(v.error(), req);
    *out = std::move(*v);
  }
  c.device_token = cookie(req, device_cookie(o)).value_or("");
  app::SignInRefusal refusal;
  auto s = access.sign_in(c, context_of(req), &refusal);
  if (!s) {
    using SecondFactor = app::SignInRefusal::SecondFactor;
    if (refusal.second_factor != SecondFactor::kNone) {
      // Codes of their own, so that clients ask for the code (totp_required) or say that it
      // was wrong (totp_invalid) beside the field, instead of reading the message.
      const Error& e = s.error();
      bool chinese = prefers_chinese(req.header("Accept-Language"));
      return protocol_error(
          http_status(e.code),
          refusal.second_factor == SecondFactor::kMissing ? "totp_required" : "totp_invalid",
          chinese && !e.message_zh.empty() ? e.message_zh : e.message, req.request_id, "totp");
    }
    if (s.error().code == ErrorCode::kResourceExhausted) {
      return too_many_requests(s.error(), refusal.retry_after, req);
    }
    return error_response(s.error(), req);
  }
  Response res = json_response(
      json::object{{"user", principal_json(s->principal)}, {"csrf_token", s->csrf_token}});
  res.headers.emplace_back("Set-Cookie", set_cookie(o, session_cookie(o), s->session_token));
  res.headers.emplace_back("Set-Cookie",
                           set_cookie(o, device_cookie(o), s->device_token, 365L * 24 * 3600));
  return res;
}

Response whoami(app::AccessService& access, const ApiOptions& o, const Request& req) {
  auto token = cookie(req, session_cookie(o));
  json::object out{{"user", principal_json(*req.principal)}};
  if (token) {
    auto s = access.session(*token);
    if (!s) return error_response(s.error(), req);
    out["csrf_token"] = s->csrf_token;
  }
  return json_response(out);
}

Response sign_out(app::AccessService& access, const ApiOptions& o, const Request& req) {
  if (auto token = cookie(req, session_cookie(o))) {
    if (auto r = access.sign_out(*token, context_of(req)); !r)
      return error_response(r.error(), req);
  }
  Response res;
  res.status = 204;
  res.content_type.clear();
  res.headers.emplace_back("Set-Cookie", set_cookie(o, session_cookie(o), "", 0));
  return res;
}

Response list_accounts(app::AccessService& access, const Request& req) {
  auto accounts = access.list_accounts(*req.principal);
  if (!accounts) return error_response(accounts.error(), req);
  json::array items;
  for (const auto& a : *accounts) items.push_back(account_json(a));
  return json_response(json::object{{"items", std::move(items)}});
}

Response create_account(app::AccessService& access, const Request& req) {
  auto body =
      parse_json_body(req, {"username", "password", "role", "scope", "unit_id", "display_name"});
  if (!body) return error_response(body.error(), req);
  app::NewAccount a;
  std::string role;
  for (auto [key, out] : {std::pair{"username", &a.username}, std::pair{"password", &a.password},
                          std::pair{"role", &role}, std::pair{"scope", &a.scope_code},
                          std::pair{"display_name", &a.display_name}}) {
    auto v = string_field(*body, key, std::string_view(key) != "display_name");
    if (!v) return error_response(v.error(), req);
    *out = std::move(*v);
  }
  auto r = domain::role_from_string(role);
  if (!r) return error_response(r.error(), req);
  if (!domain::is_staff(*r) || *r == Role::kAdmin || *r == Role::kAuditor) {
    // Administrators and auditors are made with `jiceng user create`: an administrator who
    // could make them could read the audit log or personal data through a second account.
    return error_response(
        Error{ErrorCode::kPermissionDenied,
              "role: administrators create staff accounts; administrators and auditors are made "
              "with `jiceng user create`",
              "管理员和审计员账号须由 jiceng user create 创建"},
        req);
  }
  a.role = *r;
  if (const auto* unit = body->if_contains("unit_id"); unit && !unit->is_null()) {
    if (!unit->is_int64()) return error_response(Error::invalid_argument("unit_id: an id"), req);
    a.unit_id = unit->as_int64();
  }
  auto created = access.create_account(a, *req.principal, context_of(req));
  if (!created) return error_response(created.error(), req);
  json::object out{{"account", account_json(created->account)}};
  if (!created->totp_secret.empty()) out["totp_secret"] = created->totp_secret;
  return json_response(out, 201);
}

Response disable_account(app::AccessService& access, const Request& req) {
  auto r = access.disable_account(req.params.at("username"), *req.principal, context_of(req));
  if (!r) return error_response(r.error(), req);
  Response res;
  res.status = 204;
  res.content_type.clear();
  return res;
}

Result<std::optional<Instant>> instant_param(const Request& req, std::string_view name) {
  auto v = req.query_value(name);
  if (!v) return std::optional<Instant>{};
  auto t = parse_instant_utc(*v);
  if (!t) return Error::invalid_argument(std::string(name) + ": an ISO 8601 UTC time");
  return std::optional<Instant>{*t};
}

Response search_audit(app::App& app, const Request& req) {
  store::audit::Query q;
  q.actor = std::string(req.query_value("actor").value_or(""));
  q.object_type = std::string(req.query_value("object_type").value_or(""));
  q.object_id = std::string(req.query_value("object_id").value_or(""));
  auto from = instant_param(req, "from");
  auto to = instant_param(req, "to");
  auto before = int_query(req, "before", 0, std::numeric_limits<std::int64_t>::max());
  auto limit = int_query(req, "limit", 50, 500);
  for (const Result<void>& ok :
       {from ? Result<void>{} : from.error(), to ? Result<void>{} : to.error(),
        before ? Result<void>{} : before.error(), limit ? Result<void>{} : limit.error()}) {
    if (!ok) return error_response(ok.error(), req);
  }
  q.from = *from;
  q.to = *to;
  q.before_seq = *before;
  q.limit = static_cast<int>(*limit);
  // Reading the log is itself logged, in the same transaction.
  auto found = app.db.write_value([&](store::Sql& sql) -> Result<std::vector<store::audit::Entry>> {
    auto rows = store::audit::find(sql, q);
    if (!rows) return rows.error();
    if (auto r =
            app::record_audit(sql, app.clock.now(), app::AuditActor::of(*req.principal),
                              {.action = "audit.search", .object_type = "audit"}, context_of(req));
        !r) {
      return r.error();
    }
    return rows;
  });
  if (!found) return error_response(found.error(), req);
  json::array items;
  for (const auto& e : *found) {
    items.push_back(json::object{{"seq", e.seq},
                                 {"at", format_instant_utc(e.at)},
                                 {"actor", e.actor},
                                 {"role", e.role},
                                 {"action", e.action},
                                 {"object_type", e.object_type},
                                 {"object_id", e.object_id},
                                 {"purpose", e.purpose},
                                 {"outcome", e.outcome},
                                 {"remote", e.remote},
                                 {"request_id", e.request_id},
                                 {"hash", e.hash}});
  }
  json::object out{{"items", std::move(items)}};
  if (static_cast<int>(found->size()) == q.limit && !found->empty()) {
    out["next"] = "before=" + std::to_string(found->back().seq);
  }
  return json_response(out);
}

// The chain walked on the server, so that auditors need not stop it (one process per SQLite
// file); the verdict is audited like any read of the log.
Response verify_audit(app::App& app, const ApiOptions& o, const Request& req) {
  app::VerifyOptions options;
  std::error_code ec;
  if (!o.audit_heads_file.empty() && std::filesystem::exists(o.audit_heads_file, ec)) {
    options.heads_file = o.audit_heads_file;
  }
  if (!o.audit_public_key_file.empty()) {
    std::ifstream in(o.audit_public_key_file);
    std::string key;
    if (in && std::getline(in, key) && !key.empty()) options.public_key = key;
  }
  auto report = app::verify_audit(app.db, options);
  if (!report) return error_response(report.error(), req);
  auto logged = app.db.write([&](store::Sql& sql) {
    return app::record_audit(sql, app.clock.now(), app::AuditActor::of(*req.principal),
                             {.action = "audit.verify",
                              .object_type = "audit",
                              .object_id = {},
                              .outcome = report->intact() ? "ok" : "tampered"},
                             context_of(req));
  });
  if (!logged) return error_response(logged.error(), req);
  json::object out{{"intact", report->intact()},
                   {"entries_checked", report->entries_checked},
                   {"last_seq", report->last_seq},
                   {"key_from_heads_file", report->key_from_heads_file}};
  out["problem"] = nullptr;
  if (report->problem) {
    out["problem"] = json::object{{"seq", report->problem->seq},
                                  {"kind", app::to_string(report->problem->kind)},
                                  {"message", report->problem->message}};
  }
  out["signed_head"] = nullptr;
  if (report->signed_head) {
    out["signed_head"] =
        json::object{{"seq", report->signed_head->seq}, {"at", report->signed_head->at}};
  }
  return json_response(out);
}

Response register_resident(app::AccessService& access, const Request& req) {
  auto body = parse_json_body(req, {"username", "password", "display_name"});
  if (!body) return error_response(body.error(), req);
  app::NewAccount a{.role = Role::kResident};
  for (auto [key, out] : {std::pair{"username", &a.username}, std::pair{"password", &a.password},
                          std::pair{"display_name", &a.display_name}}) {
    auto v = string_field(*body, key, std::string_view(key) != "display_name");
    if (!v) return error_response(v.error(), req);
    *out = std::move(*v);
  }
  auto created = access.create_account(a, std::nullopt, context_of(req));
  if (!created) return error_response(created.error(), req);
  return json_response(json::object{{"account", account_json(created->account)}}, 201);
}

}  // namespace

Authenticator make_authenticator(app::AccessService& access, const ApiOptions& options) {
  return [&access, options](const Request& req) -> Result<std::optional<Caller>> {
    if (auto auth = req.header("Authorization")) {
      constexpr std::string_view kBearer = "Bearer ";
      if (!auth->starts_with(kBearer)) {
        return Error{ErrorCode::kUnauthenticated, "use Authorization: Bearer <API key>",
                     "请使用 Authorization: Bearer <API 密钥>"};
      }
      auto app = access.app_for_key(auth->substr(kBearer.size()));
      if (!app) return app.error();
      return std::optional<Caller>{Caller{.principal = std::move(*app)}};
    }
    auto token = cookie(req, session_cookie(options));
    if (!token) return std::optional<Caller>{};
    auto s = access.session(*token);
    if (!s) return s.error();
    return std::optional<Caller>{Caller{.principal = std::move(s->principal),
                                        .via_cookie = true,
                                        .csrf_token = std::move(s->csrf_token)}};
  };
}

void add_access_routes(Router& router, app::App& app, const ApiOptions& options) {
  const auto signed_in = domain::RoleSet::staff().with(Role::kResident);
  router.add({.method = "POST",
              .pattern = "/api/v1/session",
              .summary = "Sign in. JSON body: username, password, totp (the 6-digit code, when "
                         "the account has a second factor). Sets the session cookie and answers "
                         "with the user and the CSRF token to send as X-CSRF-Token with writes. "
                         "401 unauthenticated for a wrong username or password; after a right "
                         "one, 401 totp_required when the account needs a code and none came, "
                         "totp_invalid when the code was wrong or used before",
              .body = {.kind = BodyDoc::Kind::kJson,
                       .fields = {{.name = "username", .required = true},
                                  {.name = "password", .required = true},
                                  {.name = "totp", .description = "the 6-digit code"}}},
              .answers = {{401,
                           "a wrong username or password (unauthenticated); totp_required, "
                           "totp_invalid"},
                          {429,
                           "too many failed sign-ins for this account or address; retry "
                           "after Retry-After"}},
              .policy = Policy::kPublic,
              .handler = [&app, options](const Request& req) {
                return sign_in(app.access, options, req);
              }});
  router.add({.method = "GET",
              .pattern = "/api/v1/session",
              .summary = "Who is signed in, and the session's CSRF token",
              .policy = Policy::only(signed_in, ScopeCheck::kOwn),
              .handler = [&app, options](const Request& req) {
                return whoami(app.access, options, req);
              }});
  router.add({.method = "DELETE",
              .pattern = "/api/v1/session",
              .summary = "Sign out: the session ends on the server",
              .success = 204,
              .policy = Policy::only(signed_in, ScopeCheck::kOwn),
              .handler = [&app, options](const Request& req) {
                return sign_out(app.access, options, req);
              }});
  router.add(
      {.method = "POST",
       .pattern = "/api/v1/residents",
       .summary = "Sign up as a resident. JSON body: username (a mobile number or an "
                  "e-mail address), password, display_name. Then sign in",
       .body = {.kind = BodyDoc::Kind::kJson,
                .fields = {{.name = "username", .required = true},
                           {.name = "password", .required = true},
                           {.name = "display_name"}}},
       .success = 201,
       .answers = {{409, "the username is taken"},
                   {429,
                    "too many sign-ups from the caller's address (access.signups_per_address)"}},
       .policy = Policy::kPublic,
       .handler = [&app,
                   flood = std::make_shared<AddressLimit>(
                       options.public_limits.window, options.public_limits.signups_per_address,
                       options.public_limits.max_keys)](const Request& req) {
         if (auto refused = flood->refuse(req, app.clock.now(),
                                          "too many sign-ups from this network: try again in {} s",
                                          "同一网络注册过于频繁，请 {} 秒后重试")) {
           return std::move(*refused);
         }
         return register_resident(app.access, req);
       }});
  router.add({.method = "GET",
              .pattern = "/api/v1/accounts",
              .summary = "The staff accounts inside the administrator's scope",
              .policy = Policy::only({Role::kAdmin}, ScopeCheck::kSubtree),
              .handler = [&app](const Request& req) { return list_accounts(app.access, req); }});
  router.add(
      {.method = "POST",
       .pattern = "/api/v1/accounts",
       .summary = "Create a staff account inside the administrator's scope. JSON body: "
                  "username, password, role, scope, unit_id, display_name",
       .body = {.kind = BodyDoc::Kind::kJson,
                .fields = {{.name = "username", .required = true},
                           {.name = "password", .required = true},
                           {.name = "role", .required = true},
                           {.name = "scope",
                            .description = "a division code inside yours",
                            .required = true},
                           {.name = "unit_id", .type = "integer"},
                           {.name = "display_name"}}},
       .success = 201,
       .answers = {{404, "no jurisdiction has the code in scope"}, {409, "the username is taken"}},
       .policy = Policy::only({Role::kAdmin}, ScopeCheck::kSubtree),
       .handler = [&app](const Request& req) { return create_account(app.access, req); }});
  router.add({.method = "POST",
              .pattern = "/api/v1/accounts/{username}/disable",
              .summary = "Disable a staff account inside the administrator's scope and end its "
                         "sessions",
              .success = 204,
              .policy = Policy::only({Role::kAdmin}, ScopeCheck::kSubtree),
              .handler = [&app](const Request& req) { return disable_account(app.access, req); }});
  router.add({.method = "GET",
              .pattern = "/api/v1/audit",
              .summary = "Search the audit log (auditors): actor, object_type, object_id, from, "
                         "to (ISO 8601 UTC), before (a seq, for the next page), limit",
              .query_params = {{.name = "actor"},
                               {.name = "object_type"},
                               {.name = "object_id"},
                               {.name = "from"},
                               {.name = "to"},
                               {.name = "before", .type = "integer"},
                               {.name = "limit", .type = "integer"}},
              .policy = Policy::only({Role::kAuditor}, ScopeCheck::kNone),
              .handler = [&app](const Request& req) { return search_audit(app, req); }});
  router.add(
      {.method = "GET",
       .pattern = "/api/v1/audit/verify",
       .summary = "Walk the audit chain and check it against the latest signed head "
                  "(auditors): intact, or the first altered, deleted, inserted, reordered, "
                  "truncated or rewritten entry",
       .policy = Policy::only({Role::kAuditor}, ScopeCheck::kNone),
       .handler = [&app, options](const Request& req) { return verify_audit(app, options, req); }});
}

}  // namespace jiceng::http
