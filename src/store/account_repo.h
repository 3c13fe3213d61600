// Accounts, sessions and API keys, in portable SQL, inside the caller's transaction. Secrets
// arrive here already hashed (app/access.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "store/sql.h"

namespace jiceng::store::accounts {

struct AccountRow {
  std::int64_t id = 0;  // set by insert
  std::string username{};
  std::string kind{};  // "staff" or "resident"
  std::string role{};
  std::string scope_code{};  // "" for residents
  std::optional<std::int64_t> unit_id{};
  std::string display_name{};
  std::string password_hash{};
  std::string totp_secret{};  // "" without a second factor
  bool disabled = false;
  Instant created_at{};
};

// Returns the new id. kAlreadyExists when the username is taken.
[[nodiscard]] Result<std::int64_t> insert(Sql& sql, const AccountRow& a);
[[nodiscard]] Result<std::optional<AccountRow>> find_by_username(Sql& sql,
                                                                 std::string_view username);
// The display name of the staff account with this username ("演示话务员"); nullopt when there is
// none (residents' accounts are not looked up).
[[nodiscard]] Result<std::optional<std::string>> display_name(Sql& sql, std::string_view username);
[[nodiscard]] Result<void> set_password_hash(Sql& sql, std::int64_t id, std::string_view hash);
[[nodiscard]] Result<void> set_totp_secret(Sql& sql, std::int64_t id, std::string_view secret);
[[nodiscard]] Result<void> set_disabled(Sql& sql, std::int64_t id, bool disabled);
// Records `step` as the account's last accepted TOTP step if it is later than the recorded one;
// false when it is not (the code was used already: a replay).
[[nodiscard]] Result<bool> advance_totp_step(Sql& sql, std::int64_t id, std::int64_t step);
// Staff accounts whose scope lies in [first, last) (domain::scope_range), by username.
[[nodiscard]] Result<std::vector<AccountRow>> staff_in_range(Sql& sql, std::string_view first,
                                                             std::string_view last);

struct SessionRow {
  std::string token_hash{};
  std::int64_t account_id = 0;
  std::string csrf_token{};
  Instant created_at{};
  Instant last_seen_at{};
  std::string remote{};
};
[[nodiscard]] Result<void> insert_session(Sql& sql, const SessionRow& s);
// The session and its account.
struct SessionWithAccount {
  SessionRow session;
  AccountRow account;
};
[[nodiscard]] Result<std::optional<SessionWithAccount>> find_session(Sql& sql,
                                                                     std::string_view token_hash);
[[nodiscard]] Result<void> touch_session(Sql& sql, std::string_view token_hash, Instant now);
[[nodiscard]] Result<void> delete_session(Sql& sql, std::string_view token_hash);
[[nodiscard]] Result<void> delete_sessions_of(Sql& sql, std::int64_t account_id);

struct ApiKeyRow {
  std::int64_t id = 0;
  std::string name{};
  std::string key_hash{};
  Instant created_at{};
  std::optional<Instant> revoked_at{};
};
// Returns the new id.
[[nodiscard]] Result<std::int64_t> insert_api_key(Sql& sql, const ApiKeyRow& k);
[[nodiscard]] Result<std::optional<ApiKeyRow>> find_api_key(Sql& sql, std::int64_t id);
// kNotFound when there is no such key; revoking twice keeps the first time.
[[nodiscard]] Result<void> revoke_api_key(Sql& sql, std::int64_t id, Instant now);

}  // namespace jiceng::store::accounts
