#include "store/account_repo.h"

#include <utility>

namespace jiceng::store::accounts {
namespace {

Value text_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return s;
}

Value id_or_null(const std::optional<std::int64_t>& id) {
  if (!id) return nullptr;
  return *id;
}

// The same columns, in this order, are read by find_session (prefixed "a.").
constexpr std::string_view kAccountColumns =
    "id, username, kind, role, scope_code, unit_id, display_name, password_hash, totp_secret, "
    "disabled, created_at";

// Reads the account columns starting at column `at`.
AccountRow account_from_row(const Row& r, std::size_t at = 0) {
  return AccountRow{.id = r.int64(at),
                    .username = r.text(at + 1),
                    .kind = r.text(at + 2),
                    .role = r.text(at + 3),
                    .scope_code = r.text(at + 4),
                    .unit_id = r.opt_int64(at + 5),
                    .display_name = r.text(at + 6),
                    .password_hash = r.text(at + 7),
                    .totp_secret = r.text(at + 8),
                    .disabled = r.int64(at + 9) != 0,
                    .created_at = from_micros(r.int64(at + 10))};
}

Result<void> expect_one(Result<std::int64_t> changed, std::string_view what) {
  if (!changed) return changed.error();
  if (*changed == 0) return Error::not_found(std::string(what) + " not found");
  return {};
}

}  // namespace

Result<std::int64_t> insert(Sql& sql, const AccountRow& a) {
  auto rows = sql.query(
      "INSERT INTO account (username, kind, role, scope_code, unit_id, display_name, "
      "password_hash, totp_secret, disabled, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
      {a.username, a.kind, a.role, text_or_null(a.scope_code), id_or_null(a.unit_id),
       a.display_name, a.password_hash, text_or_null(a.totp_secret),
       std::int64_t{a.disabled ? 1 : 0}, to_micros(a.created_at)});
  if (!rows) return rows.error();
  return rows->at(0).int64(0);
}

Result<std::optional<AccountRow>> find_by_username(Sql& sql, std::string_view username) {
  static const std::string q =
      "SELECT " + std::string(kAccountColumns) + " FROM account WHERE username = $1";
  auto rows = sql.query(q, {std::string(username)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<AccountRow>{};
  return std::optional<AccountRow>{account_from_row(rows->front())};
}

Result<std::optional<std::string>> display_name(Sql& sql, std::string_view username) {
  // Staff only: a resident's username is their phone number or e-mail address, and their display
  // name is their real name, which an app's events (named by its API key's free text) must never
  // pick up.
  auto rows = sql.query("SELECT display_name FROM account WHERE username = $1 AND kind = 'staff'",
                        {std::string(username)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<std::string>{};
  return std::optional<std::string>{rows->front().text(0)};
}

Result<void> set_password_hash(Sql& sql, std::int64_t id, std::string_view hash) {
  return expect_one(
      sql.exec("UPDATE account SET password_hash = $2 WHERE id = $1", {id, std::string(hash)}),
      "account");
}

Result<void> set_totp_secret(Sql& sql, std::int64_t id, std::string_view secret) {
  return expect_one(
      sql.exec("UPDATE account SET totp_secret = $2 WHERE id = $1", {id, std::string(secret)}),
      "account");
}

Result<void> set_disabled(Sql& sql, std::int64_t id, bool disabled) {
  return expect_one(sql.exec("UPDATE account SET disabled = $2 WHERE id = $1",
                             {id, std::int64_t{disabled ? 1 : 0}}),
                    "account");
}

Result<bool> advance_totp_step(Sql& sql, std::int64_t id, std::int64_t step) {
  auto changed = sql.exec(
      "UPDATE account SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2", {id, step});
  if (!changed) return changed.error();
  return *changed == 1;
}

Result<std::vector<AccountRow>> staff_in_range(Sql& sql, std::string_view first,
                                               std::string_view last) {
  static const std::string q = "SELECT " + std::string(kAccountColumns) +
                               " FROM account WHERE kind = 'staff' AND scope_code >= $1 AND "
                               "scope_code < $2 ORDER BY username";
  auto rows = sql.query(q, {std::string(first), std::string(last)});
  if (!rows) return rows.error();
  std::vector<AccountRow> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) out.push_back(account_from_row(r));
  return out;
}

Result<void> insert_session(Sql& sql, const SessionRow& s) {
  auto r = sql.exec(
      "INSERT INTO session (token_hash, account_id, csrf_token, created_at, last_seen_at, remote) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      {s.token_hash, s.account_id, s.csrf_token, to_micros(s.created_at), to_micros(s.last_seen_at),
       s.remote});
  if (!r) return r.error();
  return {};
}

Result<std::optional<SessionWithAccount>> find_session(Sql& sql, std::string_view token_hash) {
  constexpr std::string_view q =
      "SELECT s.token_hash, s.account_id, s.csrf_token, s.created_at, s.last_seen_at, s.remote, "
      "a.id, a.username, a.kind, a.role, a.scope_code, a.unit_id, a.display_name, "
      "a.password_hash, a.totp_secret, a.disabled, a.created_at "
      "FROM session s JOIN account a ON a.id = s.account_id WHERE s.token_hash = $1";
  auto rows = sql.query(q, {std::string(token_hash)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<SessionWithAccount>{};
  const Row& r = rows->front();
  SessionRow s{.token_hash = r.text(0),
               .account_id = r.int64(1),
               .csrf_token = r.text(2),
               .created_at = from_micros(r.int64(3)),
               .last_seen_at = from_micros(r.int64(4)),
               .remote = r.text(5)};
  return std::optional<SessionWithAccount>{SessionWithAccount{s, account_from_row(r, 6)}};
}

Result<void> touch_session(Sql& sql, std::string_view token_hash, Instant now) {
  auto r = sql.exec("UPDATE session SET last_seen_at = $2 WHERE token_hash = $1",
                    {std::string(token_hash), to_micros(now)});
  if (!r) return r.error();
  return {};
}

Result<void> delete_session(Sql& sql, std::string_view token_hash) {
  auto r = sql.exec("DELETE FROM session WHERE token_hash = $1", {std::string(token_hash)});
  if (!r) return r.error();
  return {};
}

Result<void> delete_sessions_of(Sql& sql, std::int64_t account_id) {
  auto r = sql.exec("DELETE FROM session WHERE account_id = $1", {account_id});
  if (!r) return r.error();
  return {};
}

Result<std::int64_t> insert_api_key(Sql& sql, const ApiKeyRow& k) {
  auto rows =
      sql.query("INSERT INTO api_key (name, key_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
                {k.name, k.key_hash, to_micros(k.created_at)});
  if (!rows) return rows.error();
  return rows->at(0).int64(0);
}

Result<std::optional<ApiKeyRow>> find_api_key(Sql& sql, std::int64_t id) {
  auto rows = sql.query(
      "SELECT id, name, key_hash, created_at, revoked_at FROM api_key WHERE id = $1", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ApiKeyRow>{};
  const Row& r = rows->front();
  std::optional<Instant> revoked;
  if (auto at = r.opt_int64(4)) revoked = from_micros(*at);
  return std::optional<ApiKeyRow>{ApiKeyRow{.id = r.int64(0),
                                            .name = r.text(1),
                                            .key_hash = r.text(2),
                                            .created_at = from_micros(r.int64(3)),
                                            .revoked_at = revoked}};
}

Result<void> revoke_api_key(Sql& sql, std::int64_t id, Instant now) {
  auto found = find_api_key(sql, id);
  if (!found) return found.error();
  if (!*found) return Error::not_found("API key " + std::to_string(id) + " not found");
  auto r = sql.exec("UPDATE api_key SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                    {id, to_micros(now)});
  if (!r) return r.error();
  return {};
}

}  // namespace jiceng::store::accounts
