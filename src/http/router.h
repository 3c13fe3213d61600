// Requests, responses and the route table. A route is a method, a path pattern with `{name}`
// captures, its documentation (for OpenAPI), its access policy, and a plain synchronous handler.
// The router knows nothing of sockets; the server (server.h) feeds it parsed targets.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

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
  std::string remote;  // "address:port" of the peer

  // The first value of header `name` (case-insensitive), or nullopt when absent.
  std::optional<std::string_view> header(std::string_view name) const;
  // The request body ("" without a raw message).
  std::string_view body() const;
  // The query value for `name`, or nullopt when absent.
  std::optional<std::string_view> query_value(std::string_view name) const;
};

// Members have initializers so that designated initializers may leave any of them out.
struct Response {
  unsigned status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body{};
  // Extra headers; a name set here replaces the server's default for it (never X-Request-Id).
  std::vector<std::pair<std::string, std::string>> headers{};
};

// Who may call a route. Every route must state one: Router::add refuses kUndeclared, so a
// route cannot be added without a decision about who may call it (TESTS.md S5). The server
// enforces policies once roles exist (Access milestone).
enum class Policy {
  kUndeclared,  // the default of Route::policy; never valid in a router
  kPublic,      // anyone, without credentials
};
std::string_view to_string(Policy policy);  // "public"

// A documented query parameter (OpenAPI). Members have initializers, as in Response.
struct ParamDoc {
  std::string name{};
  std::string description{};
  bool required = false;
  std::string type = "string";  // OpenAPI schema type: "string" or "integer"
};

using Handler = std::function<Response(const Request&)>;

// Members have initializers, as in Response.
struct Route {
  std::string method{};   // "GET", "POST", …
  std::string pattern{};  // "/api/v1/jurisdictions/{code}": literals and whole-segment captures
  std::string summary{};  // one line, for OpenAPI
  std::vector<ParamDoc> query_params{};
  Policy policy = Policy::kUndeclared;
  // True when the handler never blocks (no store, no locks held for long): it then runs on the
  // I/O thread instead of the worker pool.
  bool inline_handler = false;
  Handler handler{};
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
  // Adds a route. Throws std::invalid_argument on a programming error: a pattern that does not
  // start with '/', a malformed or repeated capture, a route without a handler, or a method and
  // pattern that are already taken.
  void add(Route route);

  // The route for method and target. When several patterns match the path, the most specific
  // wins (at the first segment where they differ, a literal beats a capture); when none of the
  // winner's routes has the method, the outcome is kMethodNotAllowed.
  RouteMatch match(std::string_view method, const Target& target) const;

  const std::vector<Route>& routes() const { return routes_; }

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
};

}  // namespace jiceng::http
