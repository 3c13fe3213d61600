// Access (账号与会话): staff and resident accounts, sign-in with throttling and an optional
// second factor, server-side sessions, API keys of Open311 apps, and the audit entries of all
// of it. Secrets are never stored: passwords as argon2id hashes, session tokens and API keys as
// SHA-256 digests. The rules of who may do what are in domain/access.h.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/audit_trail.h"
#include "app/login_throttle.h"
#include "app/passwords.h"
#include "common/date.h"
#include "common/error.h"
#include "domain/access.h"
#include "store/database.h"

namespace jiceng::app {

struct AccessOptions {
  PasswordParams password{};
  // A session ends after this long without a request, and this long after sign-in in any case.
  std::chrono::microseconds session_idle = std::chrono::minutes(30);
  std::chrono::microseconds session_absolute = std::chrono::hours(12);
  ThrottleLimits throttle{};
  // The key of the device tokens that let a known browser past an account-wide throttle.
  // Random per process unless the caller sets one (tokens then survive restarts).
  std::array<unsigned char, 32> device_key{};
  bool device_key_set = false;
};

// What a successful sign-in gives the client.
struct SignIn {
  std::string session_token{};  // for the session cookie; never stored
  std::string csrf_token{};     // to send as X-CSRF-Token with every write
  std::string device_token{};   // for the device cookie (see LoginThrottle)
  domain::Principal principal{};
};

struct Credentials {
  std::string username{};
  std::string password{};
  std::string totp{};          // the 6-digit code; required when the account has a second factor
  std::string device_token{};  // from the device cookie, if any
};

// What the HTTP answer of a refused sign-in needs beyond its Error.
struct SignInRefusal {
  std::chrono::seconds retry_after{0};  // kResourceExhausted: when to try again
  // kUnauthenticated after a correct password, on an account with a second factor: no code
  // came (the client then asks for it), or the code was wrong or used before.
  enum class SecondFactor { kNone, kMissing, kWrong };
  SecondFactor second_factor = SecondFactor::kNone;
};

// A session found by its token.
struct SessionInfo {
  domain::Principal principal{};
  std::string csrf_token{};
  Instant created_at{};
  Instant last_seen_at{};
};

struct NewAccount {
  std::string username{};
  std::string password{};
  domain::Role role = domain::Role::kResident;
  std::string scope_code{};               // staff: required; residents: ""
  std::optional<std::int64_t> unit_id{};  // staff of a unit
  std::string display_name{};
};

struct Account {
  std::int64_t id = 0;
  std::string username{};
  domain::Role role = domain::Role::kResident;
  std::string scope_code{};
  std::optional<std::int64_t> unit_id{};
  std::string display_name{};
  bool disabled = false;
  bool has_totp = false;
  Instant created_at{};
};

struct CreatedAccount {
  Account account{};
  std::string totp_secret{};  // base32, set for administrators (a second factor is required)
};

struct CreatedApiKey {
  std::int64_t id = 0;
  std::string name{};
  std::string key{};  // "jck_<id>_<secret>"; shown once, never stored
};

class AccessService {
 public:
  // The blocklist is the password policy's list of common passwords.
  AccessService(store::Database& db, const Clock& clock, PasswordPolicy policy,
                AccessOptions options = {});

  // Signs in. Unknown usernames, wrong passwords and disabled accounts all give the same
  // kUnauthenticated answer, in the same time (TESTS.md S3). A missing or wrong second factor
  // is kUnauthenticated too, but only after a correct password, and refusal->second_factor
  // says which. kResourceExhausted with refusal->retry_after when throttled (S2). Every
  // attempt is audited and counts towards the throttle. refusal may be null.
  [[nodiscard]] Result<SignIn> sign_in(const Credentials& c, const RequestContext& ctx,
                                       SignInRefusal* refusal = nullptr);
  // Ends the session server-side. Unknown tokens are fine (nothing to end).
  [[nodiscard]] Result<void> sign_out(std::string_view session_token, const RequestContext& ctx);
  // The session of a token: kUnauthenticated when unknown, expired (idle or absolute; the row
  // is then deleted) or its account is disabled. Refreshes last_seen_at at most once a minute.
  [[nodiscard]] Result<SessionInfo> session(std::string_view session_token);
  // The app behind an API key: kUnauthenticated when unknown or revoked.
  [[nodiscard]] Result<domain::Principal> app_for_key(std::string_view key);

  // Creates an account (CLI, admin API, resident registration). kInvalidArgument for a bad
  // username, role, scope, unit or password (policy); kAlreadyExists for a taken username.
  // `by` is who creates it (audited); nullopt for the CLI ("system").
  [[nodiscard]] Result<CreatedAccount> create_account(const NewAccount& a,
                                                      const std::optional<domain::Principal>& by,
                                                      const RequestContext& ctx);
  // Disables an account and ends its sessions. kNotFound for an unknown username, or for one
  // outside `by`'s scope.
  [[nodiscard]] Result<void> disable_account(std::string_view username,
                                             const std::optional<domain::Principal>& by,
                                             const RequestContext& ctx);
  // Sets a new TOTP secret for the account and returns it (base32).
  [[nodiscard]] Result<std::string> reset_totp(std::string_view username,
                                               const RequestContext& ctx);
  // The staff accounts inside the admin's scope, by username.
  [[nodiscard]] Result<std::vector<Account>> list_accounts(const domain::Principal& by);

  [[nodiscard]] Result<CreatedApiKey> create_api_key(std::string_view name,
                                                     const RequestContext& ctx);
  [[nodiscard]] Result<void> revoke_api_key(std::int64_t id, const RequestContext& ctx);

  const AccessOptions& options() const { return options_; }

 private:
  Result<SignIn> check_credentials(const Credentials& c, const RequestContext& ctx,
                                   SignInRefusal::SecondFactor& second_factor);

  store::Database& db_;
  const Clock& clock_;
  PasswordPolicy policy_;
  AccessOptions options_;
  LoginThrottle throttle_;
};

}  // namespace jiceng::app
