#include "app/access.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include "app/idempotency.h"
#include "app/totp.h"
#include "common/utf8.h"
#include "store/account_repo.h"
#include "store/catalogue_repo.h"
#include "store/jurisdiction_repo.h"

namespace jiceng::app {
namespace {

using domain::Principal;
using domain::Role;
using store::accounts::AccountRow;

constexpr auto kTouchEvery = std::chrono::minutes(1);

// A random token of `bytes` bytes, base64url without padding.
std::string random_token(std::size_t bytes = 32) {
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

std::string digest(std::string_view secret) { return hash_request(secret); }

std::string normalize_username(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Error bad(std::string en, std::string zh) {
  return Error::invalid_argument(std::move(en)).zh(std::move(zh));
}

Error wrong_credentials() {
  return Error{ErrorCode::kUnauthenticated, "wrong username or password", "用户名或密码错误"};
}

bool staff_name_ok(std::string_view u) {
  if (u.size() < 3 || u.size() > 64) return false;
  return std::all_of(u.begin(), u.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

bool resident_name_ok(std::string_view u) {
  bool phone = u.size() == 11 && u.front() == '1' &&
               std::all_of(u.begin(), u.end(), [](char c) { return c >= '0' && c <= '9'; });
  auto at = u.find('@');
  bool email = at != std::string_view::npos && at > 0 && at + 1 < u.size() && u.size() <= 254 &&
               u.find('@', at + 1) == std::string_view::npos &&
               u.substr(at).find('.') != std::string_view::npos &&
               std::none_of(u.begin(), u.end(), [](char c) {
                 return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
               });
  return phone || email;
}

Result<Principal> principal_of(const AccountRow& a) {
  auto role = domain::role_from_string(a.role);
  if (!role) return Error::internal("account " + a.username + " has a bad role: " + a.role);
  return Principal{.role = *role,
                   .id = a.id,
                   .username = a.username,
                   .display_name = a.display_name,
                   .scope_code = a.scope_code,
                   .unit_id = a.unit_id};
}

Account account_of(const AccountRow& a) {
  return Account{.id = a.id,
                 .username = a.username,
                 .role = domain::role_from_string(a.role).has_value()
                             ? *domain::role_from_string(a.role)
                             : Role::kResident,
                 .scope_code = a.scope_code,
                 .unit_id = a.unit_id,
                 .display_name = a.display_name,
                 .disabled = a.disabled,
                 .has_totp = !a.totp_secret.empty(),
                 .created_at = a.created_at};
}

// Checks a new account's role, scope and unit against the store and against its creator.
Result<void> check_placement(store::Sql& sql, const NewAccount& a,
                             const std::optional<Principal>& by) {
  if (a.role == Role::kApp) return bad("apps use API keys, not accounts", "应用请使用 API 密钥");
  if (a.role == Role::kResident) {
    if (!a.scope_code.empty() || a.unit_id) {
      return bad("a resident account has no scope or unit", "群众账号没有管辖范围或单位");
    }
    return {};
  }
  auto node = store::jurisdictions::find(sql, a.scope_code);
  if (!node) return node.error();
  if (!*node) {
    return bad("scope " + a.scope_code + " is not a known jurisdiction",
               "管辖范围 " + a.scope_code + " 不是已知的行政区划");
  }
  if (by && !domain::in_scope(by->scope_code, a.scope_code)) {
    return Error::not_found("jurisdiction " + a.scope_code + " not found")
        .zh("未找到行政区划 " + a.scope_code);
  }
  if (a.unit_id) {
    auto unit = store::catalogue::find_unit(sql, *a.unit_id);
    if (!unit) return unit.error();
    if (!*unit || !domain::in_scope(a.scope_code, (*unit)->jurisdiction_code)) {
      return bad("unit " + std::to_string(*a.unit_id) + " is not inside scope " + a.scope_code,
                 "单位不在管辖范围 " + a.scope_code + " 内");
    }
  } else if (domain::acts_for_unit(a.role)) {
    return bad("a " + std::string(domain::to_string(a.role)) + " belongs to a unit: give --unit",
               "该角色必须属于一个单位");
  }
  return {};
}

}  // namespace

AccessService::AccessService(store::Database& db, const Clock& clock, PasswordPolicy policy,
                             AccessOptions options)
    : db_(db),
      clock_(clock),
      policy_(std::move(policy)),
      options_(std::move(options)),
      throttle_(options_.throttle) {
  if (!options_.device_key_set) {
    randombytes_buf(options_.device_key.data(), options_.device_key.size());
    options_.device_key_set = true;
  }
}

Result<SignIn> AccessService::sign_in(const Credentials& c, const RequestContext& ctx,
                                      SignInRefusal* refusal) {
  Instant now = clock_.now();
  std::string name = normalize_username(c.username);
  if (name.empty() || name.size() > 254 || std::any_of(name.begin(), name.end(), [](char ch) {
        return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f;
      })) {
    return bad("username: 1 to 254 characters, without control characters",
               "用户名为 1 到 254 个字符，不含控制字符");
  }
  const std::string& address = ctx.remote;
  bool trusted =
      !c.device_token.empty() && device_token_valid(c.device_token, name, options_.device_key);
  auto audit_attempt = [&](std::string_view outcome) {
    return db_.write([&](store::Sql& sql) {
      return record_audit(sql, now, AuditActor{name, ""},
                          {.action = "session.login",
                           .object_type = "account",
                           .object_id = name,
                           .outcome = std::string(outcome)},
                          ctx);
    });
  };
  if (auto wait = throttle_.retry_after(name, address, trusted, now)) {
    if (auto a = audit_attempt("throttled"); !a) return a.error();
    if (refusal != nullptr) refusal->retry_after = *wait;
    return Error{ErrorCode::kResourceExhausted,
                 "too many sign-in attempts; try again in " + std::to_string(wait->count()) + " s",
                 "登录尝试过于频繁，请 " + std::to_string(wait->count()) + " 秒后再试"};
  }
  SignInRefusal::SecondFactor second_factor = SignInRefusal::SecondFactor::kNone;
  auto signed_in = check_credentials(c, ctx, second_factor);
  if (!signed_in) {
    if (refusal != nullptr) refusal->second_factor = second_factor;
    if (signed_in.error().code == ErrorCode::kUnauthenticated) {
      throttle_.record_failure(name, address, now);
      if (auto a = audit_attempt("failed"); !a) return a.error();
    }
    return signed_in.error();
  }
  throttle_.record_success(name, address, now);
  signed_in->device_token = issue_device_token(name, options_.device_key);
  return signed_in;
}

Result<SignIn> AccessService::check_credentials(const Credentials& c, const RequestContext& ctx,
                                                SignInRefusal::SecondFactor& second_factor) {
  Instant now = clock_.now();
  std::string name = normalize_username(c.username);
  auto found =
      db_.read_value([&](store::Sql& sql) { return store::accounts::find_by_username(sql, name); });
  if (!found) return found.error();
  if (!*found || (*found)->disabled) {
    equalize_timing(options_.password);
    return wrong_credentials();
  }
  const AccountRow& a = **found;
  if (!verify_password(a.password_hash, c.password)) return wrong_credentials();
  auto principal = principal_of(a);
  if (!principal) return principal.error();
  if (principal->role == Role::kAdmin && a.totp_secret.empty()) {
    return Error{ErrorCode::kUnauthenticated,
                 "administrators need a second factor; run `jiceng user totp " + a.username + "`",
                 "管理员必须启用双因素认证"};
  }
  using SecondFactor = SignInRefusal::SecondFactor;
  const Error need_code{ErrorCode::kUnauthenticated,
                        "enter the 6-digit code from your authenticator app (totp)",
                        "请输入身份验证器中的 6 位动态码"};
  const Error wrong_code{ErrorCode::kUnauthenticated,
                         "the code is wrong or was used already; enter the current 6-digit code "
                         "from your authenticator app (totp)",
                         "动态码错误或已使用，请输入身份验证器中当前的 6 位动态码"};
  std::optional<std::int64_t> step;
  if (!a.totp_secret.empty()) {
    if (c.totp.empty()) {
      second_factor = SecondFactor::kMissing;
      return need_code;
    }
    step = totp_matched_step(a.totp_secret, c.totp, now);
    if (!step) {
      second_factor = SecondFactor::kWrong;
      return wrong_code;
    }
  }
  SignIn out{.session_token = random_token(),
             .csrf_token = random_token(),
             .device_token = {},
             .principal = std::move(*principal)};
  std::string rehash;
  if (needs_rehash(a.password_hash, options_.password)) {
    auto h = hash_password(c.password, options_.password);
    if (!h) return h.error();
    rehash = std::move(*h);
  }
  auto wrote = db_.write([&](store::Sql& sql) -> Result<void> {
    if (step) {
      // A code is good once (RFC 6238 §5.2): a replayed one fails like a wrong one.
      auto fresh = store::accounts::advance_totp_step(sql, a.id, *step);
      if (!fresh) return fresh.error();
      if (!*fresh) {
        second_factor = SecondFactor::kWrong;
        return wrong_code;
      }
    }
    if (!rehash.empty()) {
      if (auto r = store::accounts::set_password_hash(sql, a.id, rehash); !r) return r;
    }
    store::accounts::SessionRow s{.token_hash = digest(out.session_token),
                                  .account_id = a.id,
                                  .csrf_token = out.csrf_token,
                                  .created_at = now,
                                  .last_seen_at = now,
                                  .remote = ctx.remote};
    if (auto r = store::accounts::insert_session(sql, s); !r) return r;
    return record_audit(
        sql, now, AuditActor::of(out.principal),
        {.action = "session.login", .object_type = "account", .object_id = a.username}, ctx);
  });
  if (!wrote) return wrote.error();
  return out;
}

Result<void> AccessService::sign_out(std::string_view session_token, const RequestContext& ctx) {
  Instant now = clock_.now();
  std::string hash = digest(session_token);
  return db_.write([&](store::Sql& sql) -> Result<void> {
    auto found = store::accounts::find_session(sql, hash);
    if (!found) return found.error();
    if (!*found) return {};
    if (auto r = store::accounts::delete_session(sql, hash); !r) return r;
    auto p = principal_of((*found)->account);
    if (!p) return p.error();
    return record_audit(
        sql, now, AuditActor::of(*p),
        {.action = "session.logout", .object_type = "account", .object_id = p->username}, ctx);
  });
}

Result<SessionInfo> AccessService::session(std::string_view session_token) {
  Instant now = clock_.now();
  std::string hash = digest(session_token);
  auto found =
      db_.read_value([&](store::Sql& sql) { return store::accounts::find_session(sql, hash); });
  if (!found) return found.error();
  Error expired{ErrorCode::kUnauthenticated, "your session has ended; sign in again",
                "会话已结束，请重新登录"};
  if (!*found) return expired;
  const auto& [s, a] = **found;
  bool ended = a.disabled || now - s.last_seen_at > options_.session_idle ||
               now - s.created_at > options_.session_absolute;
  if (ended) {
    auto r = db_.write([&](store::Sql& sql) { return store::accounts::delete_session(sql, hash); });
    if (!r) return r.error();
    return expired;
  }
  if (now - s.last_seen_at > kTouchEvery) {
    auto r =
        db_.write([&](store::Sql& sql) { return store::accounts::touch_session(sql, hash, now); });
    if (!r) return r.error();
  }
  auto p = principal_of(a);
  if (!p) return p.error();
  return SessionInfo{.principal = std::move(*p),
                     .csrf_token = s.csrf_token,
                     .created_at = s.created_at,
                     .last_seen_at = s.last_seen_at};
}

Result<domain::Principal> AccessService::app_for_key(std::string_view key) {
  Error unknown{ErrorCode::kUnauthenticated, "unknown or revoked API key", "API 密钥无效或已吊销"};
  // "jck_<id>_<secret>"
  if (!key.starts_with("jck_")) return unknown;
  std::string_view rest = key.substr(4);
  auto sep = rest.find('_');
  if (sep == std::string_view::npos || sep == 0 || sep > 18) return unknown;
  std::int64_t id = 0;
  for (char ch : rest.substr(0, sep)) {
    if (ch < '0' || ch > '9') return unknown;
    id = id * 10 + (ch - '0');
  }
  auto found =
      db_.read_value([&](store::Sql& sql) { return store::accounts::find_api_key(sql, id); });
  if (!found) return found.error();
  std::string hash = digest(rest.substr(sep + 1));
  if (!*found || (*found)->revoked_at || hash.size() != (*found)->key_hash.size() ||
      sodium_memcmp(hash.data(), (*found)->key_hash.data(), hash.size()) != 0) {
    return unknown;
  }
  return Principal{.role = Role::kApp, .id = id, .username = (*found)->name};
}

Result<CreatedAccount> AccessService::create_account(const NewAccount& in,
                                                     const std::optional<Principal>& by,
                                                     const RequestContext& ctx) {
  NewAccount a = in;
  a.username = normalize_username(in.username);
  bool staff = domain::is_staff(a.role);
  // A case's history names its actors by username, and "resident" and "system" there mean the
  // submitter and jiceng itself (the escalation hold tells staff from them by it).
  if (staff && (a.username == "resident" || a.username == "system")) {
    return bad("the username " + a.username + " is reserved: the case history uses it",
               "用户名 " + a.username + " 为系统保留（案件记录中使用）");
  }
  if (staff ? !staff_name_ok(a.username) : !resident_name_ok(a.username)) {
    return staff ? bad("a staff username has 3 to 64 characters: a-z, 0-9, '.', '_' or '-'",
                       "工作人员用户名为 3 到 64 个字符：a-z、0-9、“.”、“_”或“-”")
                 : bad("sign up with a mobile number (11 digits) or an e-mail address",
                       "请使用 11 位手机号码或电子邮箱注册");
  }
  if (a.display_name.empty()) a.display_name = a.username;
  auto name_len = utf8_length(a.display_name);
  if (!name_len || *name_len > 64) {
    return bad("the display name has at most 64 characters", "显示名称最多 64 个字符");
  }
  if (auto ok = policy_.check(a.password, a.username); !ok) return ok.error();
  auto hash = hash_password(a.password, options_.password);
  if (!hash) return hash.error();
  CreatedAccount out;
  if (a.role == Role::kAdmin) out.totp_secret = new_totp_secret();
  Instant now = clock_.now();
  AccountRow row{.username = a.username,
                 .kind = staff ? "staff" : "resident",
                 .role = std::string(domain::to_string(a.role)),
                 .scope_code = a.scope_code,
                 .unit_id = a.unit_id,
                 .display_name = a.display_name,
                 .password_hash = *hash,
                 .totp_secret = out.totp_secret,
                 .created_at = now};
  auto wrote = db_.write([&](store::Sql& sql) -> Result<void> {
    if (auto ok = check_placement(sql, a, by); !ok) return ok;
    auto id = store::accounts::insert(sql, row);
    if (!id) {
      if (id.error().code == ErrorCode::kAlreadyExists) {
        return Error::already_exists("username " + a.username + " is taken")
            .zh("用户名 " + a.username + " 已被使用");
      }
      return id.error();
    }
    row.id = *id;
    return record_audit(
        sql, now, AuditActor::of(by, "system"),
        {.action = "account.create", .object_type = "account", .object_id = row.username}, ctx);
  });
  if (!wrote) return wrote.error();
  out.account = account_of(row);
  return out;
}

Result<void> AccessService::disable_account(std::string_view username,
                                            const std::optional<Principal>& by,
                                            const RequestContext& ctx) {
  std::string name = normalize_username(username);
  Instant now = clock_.now();
  return db_.write([&](store::Sql& sql) -> Result<void> {
    auto found = store::accounts::find_by_username(sql, name);
    if (!found) return found.error();
    bool visible = *found && (!by || ((*found)->kind == "staff" &&
                                      domain::in_scope(by->scope_code, (*found)->scope_code)));
    if (!visible) return Error::not_found("no account " + name).zh("没有账号 " + name);
    if (by && ((*found)->role == "admin" || (*found)->role == "auditor")) {
      return Error{ErrorCode::kPermissionDenied,
                   "administrators and auditors are disabled with `jiceng user disable`",
                   "管理员和审计员账号须由 jiceng user disable 停用"};
    }
    if (auto r = store::accounts::set_disabled(sql, (*found)->id, true); !r) return r;
    if (auto r = store::accounts::delete_sessions_of(sql, (*found)->id); !r) return r;
    return record_audit(sql, now, AuditActor::of(by, "system"),
                        {.action = "account.disable", .object_type = "account", .object_id = name},
                        ctx);
  });
}

Result<std::string> AccessService::reset_totp(std::string_view username,
                                              const RequestContext& ctx) {
  std::string name = normalize_username(username);
  std::string secret = new_totp_secret();
  Instant now = clock_.now();
  auto wrote = db_.write([&](store::Sql& sql) -> Result<void> {
    auto found = store::accounts::find_by_username(sql, name);
    if (!found) return found.error();
    if (!*found) return Error::not_found("no account " + name).zh("没有账号 " + name);
    if (auto r = store::accounts::set_totp_secret(sql, (*found)->id, secret); !r) return r;
    if (auto r = store::accounts::delete_sessions_of(sql, (*found)->id); !r) return r;
    return record_audit(
        sql, now, AuditActor{"system", ""},
        {.action = "account.totp_reset", .object_type = "account", .object_id = name}, ctx);
  });
  if (!wrote) return wrote.error();
  return secret;
}

Result<std::vector<Account>> AccessService::list_accounts(const Principal& by) {
  const auto range = domain::scope_range(by.scope_code);
  auto rows = db_.read_value([&](store::Sql& sql) {
    return store::accounts::staff_in_range(sql, range.first, range.second);
  });
  if (!rows) return rows.error();
  std::vector<Account> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(account_of(r));
  return out;
}

Result<CreatedApiKey> AccessService::create_api_key(std::string_view name,
                                                    const RequestContext& ctx) {
  auto len = utf8_length(name);
  if (!len || *len == 0 || *len > 100) {
    return bad("an API key needs a name of 1 to 100 characters", "API 密钥名称为 1 到 100 个字符");
  }
  std::string secret = random_token();
  Instant now = clock_.now();
  CreatedApiKey out{.name = std::string(name)};
  auto wrote = db_.write([&](store::Sql& sql) -> Result<void> {
    auto id = store::accounts::insert_api_key(
        sql, {.name = out.name, .key_hash = digest(secret), .created_at = now});
    if (!id) return id.error();
    out.id = *id;
    return record_audit(
        sql, now, AuditActor{"system", ""},
        {.action = "apikey.create", .object_type = "api_key", .object_id = std::to_string(*id)},
        ctx);
  });
  if (!wrote) return wrote.error();
  out.key = "jck_" + std::to_string(out.id) + "_" + secret;
  return out;
}

Result<void> AccessService::revoke_api_key(std::int64_t id, const RequestContext& ctx) {
  Instant now = clock_.now();
  return db_.write([&](store::Sql& sql) -> Result<void> {
    if (auto r = store::accounts::revoke_api_key(sql, id, now); !r) return r;
    return record_audit(
        sql, now, AuditActor{"system", ""},
        {.action = "apikey.revoke", .object_type = "api_key", .object_id = std::to_string(id)},
        ctx);
  });
}

}  // namespace jiceng::app
