// Time-based one-time passwords for the second sign-in factor (RFC 6238 through liboath):
// HMAC-SHA-1, 6 digits, 30-second steps counted from the Unix epoch, the parameters every
// authenticator app supports. Secrets are base32 (RFC 4648, upper case, no padding; lower case
// and padding are accepted on input). All functions are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/date.h"

namespace jiceng::app {

// A new secret: 20 random bytes (160 bits, RFC 4226's recommendation), base32, 32 characters.
std::string new_totp_secret();

// The time step (RFC 6238's T, seconds since the epoch / 30) whose code equals `code`, trying
// now's step first and then up to `window` steps before and after it. nullopt when none
// matches, or when the secret is not base32 (or empty), the code is not exactly 6 ASCII digits,
// `window` is negative or `now` is before the epoch. A verifier that remembers the last step it
// accepted for a user and refuses it and earlier ones stops a code from being replayed
// (RFC 6238 section 5.2).
std::optional<std::int64_t> totp_matched_step(std::string_view secret_base32, std::string_view code,
                                              Instant now, int window = 1);

// Whether totp_matched_step finds a step.
bool totp_valid(std::string_view secret_base32, std::string_view code, Instant now, int window = 1);

// The 6-digit code of the step that holds `at`; "" for a malformed secret or `at` before the
// epoch.
std::string totp_code(std::string_view secret_base32, Instant at);

// The Key URI that authenticator apps read from a QR code:
// otpauth://totp/ISSUER:ACCOUNT?secret=S&issuer=ISSUER&algorithm=SHA1&digits=6&period=30,
// issuer and account percent-encoded as UTF-8 (all but A-Z a-z 0-9 - . _ ~).
std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret_base32);

}  // namespace jiceng::app
