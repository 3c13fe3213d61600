// Requests, responses and the route table. A route is a method, a path pattern with `{name}`
// captures, its documentation (for OpenAPI), its access policy, where its handler runs, and the
// handler: a plain synchronous function, or an asynchronous one that answers through a Responder
// (for writes, which then wait for their commit without holding a thread). The router knows
// nothing of sockets; the server (server.h) feeds it parsed targets.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "domain/access.h"

namespace jiceng::http {

using RawRequest = boost::beast::http::request<boost::beast::http::string_body>;
// Decoded names to decoded values; std::less<> allows lookups by string_view.
using StringMap = std::map<std::string, std::string, std::less<>>;

struct Request {
  std::string_view method;          // as sent, e.g. "GET"
  std::string path;                 // percent-decoded, without the query string
  StringMap query;                  // decoded; of a repeated key, the first value is kept
  StringMap params;                 // the route's {name} captures, decoded
  const RawRequest* raw = nullptr;  // the parsed message; null only in unit tests
  std::string request_id;
  // "address:port" of the peer ("[v6]:port"); behind a trusted proxy the client it names,
  // without a port ("203.0.113.7", "[2001:db8::7]"; http/proxies.h).
  std::string remote;
  // The authenticated caller, set by the router before a non-public handler runs (and before a
  // public one with Policy::identify when credentials came); nullopt for anonymous callers.
  std::optional<domain::Principal> principal{};

  // The first value of header `name` (case-insensitive), or nullopt when absent.
  std::optional<std::string_view> header(std::string_view name) const;
  // The request body ("" without a raw message).
  std::string_view body() const;
  // The query value for `name`, or nullopt when absent.
  std::optional<std::string_view> query_value(std::string_view name) const;
};

// What an error response says, in both languages, as the caller may be told it (never a
// database's words or an internal error's detail: http::public_message).
struct ErrorText {
  std::string en;
  std::string zh{};  // "" when the error has no Chinese text (then en is shown)
};

// Members have initializers so that designated initializers may leave any of them out.
struct Response {
  unsigned status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body{};
  // Extra headers; a name set here replaces the server's default for it (never X-Request-Id).
  // Set-Cookie may appear several times.
  std::vector<std::pair<std::string, std::string>> headers{};
  // Set by error_response and protocol_error (errors.h): what the error says, so that the server
  // can render it again in the form a protocol under its path demands (Open311's errors under
  // /open311/v2). Unset on success and on errors already in their final form.
  std::optional<ErrorText> error{};
};

// Which object-level check a route's handler applies (TESTS.md S6), declared with the route so
// that the route table says it and the authorization tests can walk it.
enum class ScopeCheck {
  kNone,     // public data, or data that belongs to no one (categories, jurisdictions)
  kSubtree,  // objects outside the caller's jurisdiction subtree answer 404
  kOwn,      // the caller's own objects only (a resident's cases, one's own session)
};
std::string_view to_string(ScopeCheck s);  // "none", "subtree", "own"

// Who may call a route (TESTS.md S5, S7). Every route must state one: Router::add refuses an
// undeclared policy, so a route cannot be added without a decision about who may call it.
struct Policy {
  enum class Who {
    kUndeclared,  // the default of Route::policy; never valid in a router
    kPublic,      // anyone, without credentials
    kRoles,       // callers signed in with one of `roles`
  };
  Who who = Who::kUndeclared;
  domain::RoleSet roles{};
  ScopeCheck scope = ScopeCheck::kNone;
  // Public routes only: when the request carries credentials, identify the caller (e.g. a
  // signed-in resident submitting a case); invalid credentials then make it anonymous.
  bool identify = false;

  static const Policy kUndeclared;
  static const Policy kPublic;
  // Public, identifying a signed-in caller (see identify).
  static Policy public_identified() { return {Who::kPublic, {}, ScopeCheck::kNone, true}; }
  static Policy only(domain::RoleSet roles, ScopeCheck scope) {
    return {Who::kRoles, roles, scope, false};
  }
  bool operator==(const Policy&) const = default;
};
inline constexpr Policy Policy::kUndeclared{};
inline constexpr Policy Policy::kPublic{Policy::Who::kPublic, {}, ScopeCheck::kNone, false};
// "public", "public, identified", or "operator, handler; scope: subtree".
std::string to_string(const Policy& policy);

// The caller behind a request's credentials.
struct Caller {
  domain::Principal principal;
  bool via_cookie = false;  // a session cookie (then writes need the CSRF token)
  std::string csrf_token{};
};
// Resolves a request's credentials (session cookie or API key): nullopt when it carries none;
// kUnauthenticated when they are invalid or expired; kUnavailable when the store is down.
using Authenticator = std::function<Result<std::optional<Caller>>(const Request&)>;

// A documented query parameter (OpenAPI). Members have initializers, as in Response.
struct ParamDoc {
  std::string name{};
  std::string description{};
  bool required = false;
  std::string type = "string";  // OpenAPI schema type: "string" or "integer"
};

// A request body (OpenAPI requestBody): JSON (an object whose members are `fields`; any other
// member is refused with 400) or an HTML form (application/x-www-form-urlencoded). A field's
// type may also be "boolean", "number", "object" or "array" here.
struct BodyDoc {
  enum class Kind { kNone, kJson, kForm };
  Kind kind = Kind::kNone;
  std::vector<ParamDoc> fields{};
  bool optional = false;  // the body may be left out
};

// How a write reads If-Match, the version it expects (http::write_headers and the OpenAPI
// document: 412 when stale, 428 when required and absent).
enum class IfMatch {
  kUnread,    // no version to expect (a creation, or no version at all)
  kOptional,  // absent: the record's current version
  kRequired,  // absent: 428
};

// A status a handler answers that the route's declaration does not already imply (openapi.h
// lists those it does: 400, 401, 403, 404, 412, 413, 422, 428, 500, 503 …), e.g. 409 for a
// command the workflow does not allow now, or 429 from a rate limit.
struct AnswerDoc {
  unsigned status = 0;
  std::string description{};
};

using Handler = std::function<Response(const Request&)>;

// How an asynchronous handler answers. Copyable; the first call sends the response, later calls
// are ignored. Callable from any thread: the response goes to the connection's I/O thread.
// A Responder whose copies are all destroyed without a call answers 500.
class Responder {
 public:
  // Receives the function that makes the response (the server calls it on the I/O thread), or
  // an empty function when every copy was destroyed without a call (the server answers 500).
  using Sink = std::function<void(std::function<Response()>)>;
  explicit Responder(Sink sink);

  // Sends res.
  void operator()(Response res) const;
  // Sends what make returns, made on the connection's I/O thread (a writer thread that
  // completes a request hands it the result instead of rendering JSON itself). An exception
  // from make becomes a 500.
  void later(std::function<Response()> make) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// An asynchronous handler: calls respond exactly once, now or later (e.g. from a
// Database::write_async completion). req is valid only until the handler returns: copy what the
// completion needs.
using AsyncHandler = std::function<void(const Request&, Responder)>;

// Where a route's handler runs.
enum class Runs {
  kWorker,  // may block (store writes, password hashing, long reads): the worker pool
  kInline,  // never blocks (no store, no lock held for long): on the I/O thread
  // A few indexed reads of the store and nothing else (tens of microseconds on SQLite): on the
  // I/O thread when ServerOptions::short_reads_inline (a store in the process), else on the
  // worker pool (a store over the network, where a read waits for a round trip).
  kShortRead,
};

// Members have initializers, as in Response.
struct Route {
  std::string method{};   // "GET", "POST", …
  std::string pattern{};  // "/api/v1/jurisdictions/{code}": literals and whole-segment captures
  std::string summary{};  // one line, for OpenAPI
  std::vector<ParamDoc> query_params{};
  // What the handler reads and answers, for the OpenAPI document (openapi.h); the tests hold
  // every status the suite sees a route answer to this declaration.
  BodyDoc body{};
  IfMatch if_match = IfMatch::kUnread;
  bool idempotency_key = false;  // reads Idempotency-Key (422 when reused for another request)
  unsigned success = 200;        // 201 for a creation, 204 when there is no body
  std::vector<AnswerDoc> answers{};
  Policy policy = Policy::kUndeclared;
  Runs runs = Runs::kWorker;
  // Exactly one of the two.
  Handler handler{};
  AsyncHandler async_handler{};
};

// A request target split into its parts.
struct Target {
  std::string path;                   // percent-decoded
  std::vector<std::string> segments;  // the path's segments, each percent-decoded on its own
  StringMap query;
};

// Parses an origin-form target ("/a/b%20c?x=1&y=a+b"). Path segments are split before decoding,
// so "%2F" stays inside its segment. In the query, '+' is a space. kInvalidArgument when the
// target does not start with '/', a '%' is not followed by two hex digits, or a decoded value is
// not valid UTF-8 or contains NUL.
[[nodiscard]] Result<Target> parse_target(std::string_view target);

// Parses an application/x-www-form-urlencoded body ("a=1&b=x+y") the way parse_target parses
// a query string: '+' is a space, of a repeated name the first value is kept. kInvalidArgument
// on bad percent-encoding, invalid UTF-8 or a NUL.
[[nodiscard]] Result<StringMap> parse_form(std::string_view body);

// Every name=value pair of a query string or form body, in order, repeated names kept (where
// parse_target and parse_form keep the first): for parameters that may be given several times.
// Errors as parse_form.
using Pairs = std::vector<std::pair<std::string, std::string>>;
[[nodiscard]] Result<Pairs> parse_pairs(std::string_view raw);

// True when s is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view s);

struct RouteMatch {
  enum class Outcome { kFound, kNotFound, kMethodNotAllowed };
  Outcome outcome = Outcome::kNotFound;
  const Route* route = nullptr;  // kFound only
  std::size_t index = 0;         // kFound only: the route's position in Router::routes()
  StringMap params;              // kFound only
  std::string allow;             // kMethodNotAllowed only: "GET, POST"
};

// The route table. Built once at startup, then only read (match() is thread-safe).
class Router {
 public:
  Router();

  // Sets how requests are authenticated. Until it is set, routes that need a caller answer 401.
  // Call before serving.
  void set_authenticator(Authenticator authenticator);

  // Adds a route. Its handler is wrapped in the guard of its policy: a request with a method
  // override header (X-HTTP-Method-Override and kin) is refused with 400; a non-public route
  // answers 401 without valid credentials and 403 for a caller whose role is not in the policy;
  // a write (not GET or HEAD) authenticated by a session cookie needs the session's CSRF token
  // in X-CSRF-Token, else 403. Throws std::invalid_argument on a programming error: a pattern
  // that does not start with '/', a malformed or repeated capture, a route with no handler or
  // two, without a policy (or with kRoles and no roles), a route that runs on the I/O thread
  // but is not public or identifies its caller (authentication may write), or a method and
  // pattern that are already taken.
  void add(Route route);

  // Sets the route that answers GET and HEAD requests whose path matches no pattern (the web
  // UI's files, static_files.h). Its pattern is only its name in logs and metrics; it is not in
  // routes() (nor in the OpenAPI document). Its handler is guarded like add()'s. Throws
  // std::invalid_argument without a handler or with a policy other than public.
  void set_fallback(Route route);

  // The route for method and target. When several patterns match the path, the most specific
  // wins (at the first segment where they differ, a literal beats a capture); when none of the
  // winner's routes has the method, the outcome is kMethodNotAllowed (Allow lists HEAD beside
  // GET). HEAD finds the GET route. A GET or HEAD that matches no pattern finds the fallback, if
  // one is set, with index routes().size().
  RouteMatch match(std::string_view method, const Target& target) const;

  const std::vector<Route>& routes() const { return routes_; }
  // The fallback route, or null.
  const Route* fallback() const { return fallback_ ? &*fallback_ : nullptr; }

 private:
  struct Segment {
    std::string text;  // the literal, or the capture's name
    bool capture = false;
  };
  struct Compiled {
    std::vector<Segment> segments;
  };
  // Equal literals at the same places, captures at the same places (names aside).
  static bool same_shape(const Compiled& a, const Compiled& b);

  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;  // parallel to routes_
  std::optional<Route> fallback_;
  // Shared with the guards of the routes, so that it survives moving the router.
  std::shared_ptr<Authenticator> authenticator_;
};

}  // namespace jiceng::http
