// The HTTP API: the route table that `jiceng serve` hands to the Server. Handlers are thin
// adapters: they parse the request, call one use case of app::App, and map its Result to JSON
// or to an error response (errors.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "app/app.h"
#include "app/idempotency.h"
#include "app/login_throttle.h"
#include "http/metrics.h"
#include "http/router.h"

namespace jiceng::http {

// Open311's per-client rate limits (open311.cc), in memory: GET requests per client address
// (IPv6 by /64; behind a reverse proxy, the client it names: server.trusted_proxies) and POST
// requests.json per api_key, each within a sliding window; over a limit, 429 with Retry-After in
// the spec's error form. 0: no limit.
struct Open311Limits {
  std::chrono::seconds window{60};
  int posts_per_key = 120;
  int gets_per_address = 600;
  std::size_t max_keys = 100'000;  // keys counted at once; past it the least recent go first
};

// What clients without a staff account create, per client address (IPv6 by /64) within a
// sliding window: case submissions (POST /api/v1/cases by anonymous callers, residents and
// apps; staff are not limited) and resident sign-ups. Every request counts, also one refused
// as invalid or answered again from its Idempotency-Key. A flood from one address (a script filing
// hundreds of cases) is refused with 429 and Retry-After, and the answer points residents to
// the hotline. The limits are far above what people submit by hand, also many residents
// behind one address (a village's Wi-Fi, a carrier's shared IPv4 address). 0: no limit.
struct PublicLimits {
  std::chrono::seconds window{600};
  int submissions_per_address = 60;
  int signups_per_address = 20;
  std::size_t max_keys = 100'000;
};

// A limit on requests per client address within a sliding window (app::LoginThrottle's
// admit_address), shared by the handlers of a route. Thread-safe.
class AddressLimit {
 public:
  AddressLimit(std::chrono::seconds window, int limit, std::size_t max_keys);
  // nullopt, and the request counted, while the caller's address is under the limit (always,
  // when the limit is 0); else the 429 to answer, which `why` explains (its messages take the
  // number of seconds to wait as {}), with Retry-After.
  std::optional<Response> refuse(const Request& req, Instant now, std::string_view why_en,
                                 std::string_view why_zh);

 private:
  int limit_;
  app::LoginThrottle counts_;
};

struct ApiOptions {
  // Served over TLS (through a reverse proxy): cookies get Secure and the __Host- prefix.
  bool secure_cookies = false;
  // For GET /api/v1/audit/verify: the signed heads and the signer's public key (hex), as
  // `jiceng serve` keeps them; empty: the chain is verified alone.
  std::string audit_heads_file{};
  std::string audit_public_key_file{};
  Open311Limits open311{};
  PublicLimits public_limits{};
};

// Where a request came from, for the audit log: the client's address (without the port), the
// request id, and the purpose it states (?purpose=…) for reads of personal data.
app::RequestContext context_of(const Request& req);

// Every route: GET /healthz, /readyz, /metrics, /api/v1/noop, /api/v1/openapi.json (built from
// this same table) and the jurisdiction routes. app and metrics must outlive the router.
Router make_router(app::App& app, Metrics& metrics, const ApiOptions& options = {});

// Resolves a request's session cookie or API key (Authorization: Bearer) to its caller.
Authenticator make_authenticator(app::AccessService& access, const ApiOptions& options);

// POST/GET/DELETE /api/v1/session (sign-in, who am I, sign-out), the administrators' account
// routes (/api/v1/accounts) and the auditors' search and verification (GET /api/v1/audit,
// GET /api/v1/audit/verify).
void add_access_routes(Router& router, app::App& app, const ApiOptions& options);

// GET /api/v1/jurisdictions/{code}, …/{code}/children, …/{code}/descendants,
// /api/v1/jurisdictions?q=…&limit=… and /api/v1/deployment (the root jurisdiction). service must
// outlive the router.
void add_jurisdiction_routes(Router& router, app::JurisdictionService& service);

// GET /api/v1/categories, /api/v1/categories/{code}, /api/v1/routing-rules,
// /api/v1/routing-rules/{id}, /api/v1/units?place=… and /api/v1/units/{id}: anyone may read the
// catalogue. service must outlive the router.
void add_catalogue_routes(Router& router, app::CatalogueService& service);

// The administrators' edits of the catalogue (app::CatalogueAdmin): POST /api/v1/categories,
// PATCH /api/v1/categories/{code}, POST /api/v1/routing-rules, PATCH and DELETE
// /api/v1/routing-rules/{id}, POST /api/v1/units and PATCH /api/v1/units/{id}.
void add_catalogue_admin_routes(Router& router, app::App& app);

// POST /api/v1/cases (a submission: residents with channel web, registering staff with any),
// GET /api/v1/track/{code} and the resident's commands by tracking code; the staff routes
// (GET /api/v1/cases, GET /api/v1/cases/{number}, POST …/commands/{command}) and the signed-in
// resident's (/api/v1/my/cases…).
void add_case_routes(Router& router, app::App& app, const PublicLimits& limits = {});

// GET /api/v1/stats: the leader's dashboard (app::StatsService) for staff who see cases.
void add_stats_routes(Router& router, app::App& app);

// The dashboard's hot places and rising categories and the warnings of the burst detector
// (app::SignalService): GET /api/v1/signals/hot-places, /api/v1/signals/rising,
// /api/v1/warnings, /api/v1/warnings/{warning} and POST /api/v1/warnings/{warning}/{command}.
void add_signal_routes(Router& router, app::App& app);

// The period of a dashboard query: from and to (YYYY-MM-DD, China time) when given;
// kInvalidArgument (zh and en) for a malformed date.
[[nodiscard]] Result<void> period_query(const Request& req, std::optional<Date>& from,
                                        std::optional<Date>& to);
// The version in If-Match ("3" or "\"3\""): nullopt when absent; kInvalidArgument when not a
// version; kConflict for a weak tag (W/"3"), which a strong comparison never matches.
[[nodiscard]] Result<std::optional<std::int64_t>> if_match(const Request& req);
// The answer to if_match's error: 412 "precondition_failed" for a weak tag, else 400.
Response if_match_refusal(const Error& e, const Request& req);

// The headers that make a write safe to race and to retry (the catalogue's edits, the case
// commands): If-Match, the version the write expects, and Idempotency-Key.
struct WriteHeaders {
  std::optional<std::int64_t> version;     // If-Match; nullopt when absent or not read
  std::optional<app::IdempotencyKey> key;  // nullopt without an Idempotency-Key
  std::optional<Response> refusal;         // set: answer this, do nothing
};
// Reads a write's If-Match (as `if_match` says; the route declares the same) and
// Idempotency-Key. A malformed one is refused with 400, an absent
// required If-Match with 428 "precondition_required" (missing: kFailedPrecondition, its message
// in English and Chinese), in the request's language. The key is scoped to the method, path and
// caller, and its hash covers If-Match and the body: the same key with another version or body
// is 422 (app::run_idempotent_async).
WriteHeaders write_headers(const Request& req, IfMatch if_match, const Error& missing);

// Open311 GeoReport v2 under /open311/v2/ (open311.cc): discovery, services, requests, tokens,
// in .json and .xml.
void add_open311_routes(Router& router, app::App& app, const Open311Limits& limits = {});

// GET /api/v1/workflows/{kind}: the case workflow table (domain/workflow.h) as JSON.
void add_workflow_routes(Router& router);

}  // namespace jiceng::http
