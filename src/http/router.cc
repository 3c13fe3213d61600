#include "http/router.h"

#include <algorithm>
#include <atomic>
#include <stdexcept>

#include "common/utf8.h"
#include "http/errors.h"

namespace jiceng::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XY escapes (and '+' as a space when plus_is_space); false on a malformed escape or
// when the result is not valid UTF-8 or holds a NUL.
bool decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex_value(in[i + 1]);
      int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out.find('\0') == std::string::npos && is_valid_utf8(out);
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::string_view rest = path.substr(1);
  for (;;) {
    std::size_t slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return parts;
}

Error bad_target(std::string_view what) {
  return Error::invalid_argument("malformed request target: " + std::string(what))
      .zh("请求地址格式错误");
}

// Decodes "a=1&b=x+y" ('+' is a space), calling add(name, value) for each pair in order; false on
// bad percent-encoding or UTF-8.
template <class Add>
bool for_each_pair(std::string_view raw, Add add) {
  while (!raw.empty()) {
    std::size_t amp = raw.find('&');
    std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string key;
    std::string value;
    if (!decode(pair.substr(0, eq), true, key) ||
        (eq != std::string_view::npos && !decode(pair.substr(eq + 1), true, value))) {
      return false;
    }
    add(std::move(key), std::move(value));
  }
  return true;
}

// Decodes into out; of a repeated name, the first value is kept.
bool decode_pairs(std::string_view raw, StringMap& out) {
  return for_each_pair(raw, [&out](std::string key, std::string value) {
    out.try_emplace(std::move(key), std::move(value));
  });
}

Error bad_form() {
  return Error::invalid_argument("malformed form body: bad percent-encoding or UTF-8")
      .zh("表单内容格式错误：百分号编码或 UTF-8 编码有误");
}

}  // namespace

bool is_valid_utf8(std::string_view s) { return utf8_length(s).has_value(); }

Result<Target> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/') return bad_target("it must start with '/'");
  std::size_t qmark = target.find('?');
  std::string_view raw_path = target.substr(0, qmark);
  std::string_view raw_query =
      qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);

  Target t;
  if (!decode(raw_path, false, t.path)) return bad_target("bad percent-encoding in the path");
  for (std::string_view part : split_path(raw_path)) {
    std::string segment;
    if (!decode(part, false, segment)) return bad_target("bad percent-encoding in the path");
    t.segments.push_back(std::move(segment));
  }
  if (!decode_pairs(raw_query, t.query)) {
    return bad_target("bad percent-encoding or UTF-8 in the query string");
  }
  return t;
}

Result<StringMap> parse_form(std::string_view body) {
  StringMap form;
  if (!decode_pairs(body, form)) return bad_form();
  return form;
}

Result<Pairs> parse_pairs(std::string_view raw) {
  Pairs out;
  if (!for_each_pair(raw, [&out](std::string key, std::string value) {
        out.emplace_back(std::move(key), std::move(value));
      })) {
    return bad_form();
  }
  return out;
}

std::string_view to_string(ScopeCheck s) {
  switch (s) {
    case ScopeCheck::kNone:
      return "none";
    case ScopeCheck::kSubtree:
      return "subtree";
    case ScopeCheck::kOwn:
      return "own";
  }
  return "unknown";
}

std::string to_string(const Policy& policy) {
  switch (policy.who) {
    case Policy::Who::kUndeclared:
      return "undeclared";
    case Policy::Who::kPublic:
      return policy.identify ? "public, identified" : "public";
    case Policy::Who::kRoles:
      break;
  }
  std::string out;
  for (domain::Role r : policy.roles.roles()) {
    if (!out.empty()) out += ", ";
    out += domain::to_string(r);
  }
  return out + "; scope: " + std::string(to_string(policy.scope));
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  if (raw == nullptr) return std::nullopt;
  auto it = raw->find(name);
  if (it == raw->end()) return std::nullopt;
  return it->value();
}

std::string_view Request::body() const {
  if (raw == nullptr) return {};
  return raw->body();
}

std::optional<std::string_view> Request::query_value(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

namespace {

bool is_write(std::string_view method) { return method != "GET" && method != "HEAD"; }

// Compares in time that depends only on the lengths.
bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<unsigned char>(
        diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

Response refuse(const Request& req, ErrorCode code, std::string en, std::string zh) {
  return error_response(Error{code, std::move(en), std::move(zh)}, req);
}

// The guard in front of every handler (see Router::add): a refusal, or nullopt with the
// caller's principal set in `admitted` (a copy of req).
std::optional<Response> admit(const Policy& policy, const Authenticator* authenticate,
                              const Request& req, std::optional<Request>& admitted) {
  for (std::string_view h : {"X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"}) {
    if (req.header(h)) {
      return refuse(req, ErrorCode::kInvalidArgument,
                    std::string(h) + " is not supported: send the method itself",
                    "不支持 " + std::string(h) + "，请直接使用相应的请求方法");
    }
  }
  bool is_public = policy.who == Policy::Who::kPublic;
  if (is_public && !policy.identify) return std::nullopt;
  Result<std::optional<Caller>> caller =
      authenticate != nullptr && *authenticate ? (*authenticate)(req) : std::optional<Caller>{};
  if (!caller && (caller.error().code != ErrorCode::kUnauthenticated || !is_public)) {
    return error_response(caller.error(), req);
  }
  if (!caller || !*caller) {
    if (is_public) return std::nullopt;
    return refuse(req, ErrorCode::kUnauthenticated, "sign in first", "请先登录");
  }
  Caller& c = **caller;
  if (!is_public && !policy.roles.contains(c.principal.role)) {
    return refuse(
        req, ErrorCode::kPermissionDenied,
        "your role (" + std::string(domain::to_string(c.principal.role)) + ") may not do this",
        "您的角色（" + std::string(domain::label_zh(c.principal.role)) + "）无权执行此操作");
  }
  if (c.via_cookie && is_write(req.method)) {
    auto token = req.header("X-CSRF-Token");
    if (!token || !same_secret(*token, c.csrf_token)) {
      return refuse(req, ErrorCode::kPermissionDenied,
                    "missing or wrong X-CSRF-Token header (get it from GET /api/v1/session)",
                    "缺少或错误的 X-CSRF-Token 请求头");
    }
  }
  admitted.emplace(req);
  admitted->principal = std::move(c.principal);
  return std::nullopt;
}

}  // namespace

struct Responder::State {
  explicit State(Sink s) : sink(std::move(s)) {}
  ~State() {
    if (!sent.test_and_set()) sink(nullptr);
  }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  Sink sink;
  std::atomic_flag sent;
};

Responder::Responder(Sink sink) : state_(std::make_shared<State>(std::move(sink))) {}

void Responder::operator()(Response res) const {
  later([res = std::move(res)]() mutable { return std::move(res); });
}

void Responder::later(std::function<Response()> make) const {
  if (state_->sent.test_and_set()) return;
  state_->sink(std::move(make));
}

Router::Router() : authenticator_(std::make_shared<Authenticator>()) {}

void Router::set_authenticator(Authenticator authenticator) {
  *authenticator_ = std::move(authenticator);
}

void Router::add(Route route) {
  auto fail = [&](std::string_view why) {
    throw std::invalid_argument("route " + route.method + " " + route.pattern + ": " +
                                std::string(why));
  };
  if (route.pattern.empty() || route.pattern.front() != '/') fail("pattern must start with '/'");
  if (route.method.empty()) fail("no method");
  if (!route.handler && !route.async_handler) fail("no handler");
  if (route.policy.who == Policy::Who::kUndeclared) fail("no policy declared (who may call it?)");
  if (route.policy.who == Policy::Who::kRoles && route.policy.roles.empty()) fail("no roles");
  if (static_cast<bool>(route.handler) == static_cast<bool>(route.async_handler)) {
    fail("give a handler or an asynchronous handler, not both");
  }
  if (route.runs != Runs::kWorker &&
      (route.policy.who != Policy::Who::kPublic || route.policy.identify)) {
    fail("a handler on the I/O thread must be public (authentication may block)");
  }

  Compiled compiled;
  std::vector<std::string_view> names;
  for (std::string_view part : split_path(route.pattern)) {
    Segment seg;
    if (part.find_first_of("{}") != std::string_view::npos) {
      if (part.size() < 3 || part.front() != '{' || part.back() != '}' ||
          part.substr(1, part.size() - 2).find_first_of("{}") != std::string_view::npos) {
        fail("a capture must be a whole segment, like {code}");
      }
      std::string_view name = part.substr(1, part.size() - 2);
      if (std::find(names.begin(), names.end(), name) != names.end()) fail("repeated capture");
      names.push_back(name);
      seg.capture = true;
      seg.text = std::string(name);
    } else {
      seg.text = std::string(part);
    }
    compiled.segments.push_back(std::move(seg));
  }
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].method == route.method && same_shape(compiled_[i], compiled)) {
      fail("method and pattern already taken");
    }
  }
  if (route.handler) {
    route.handler = [policy = route.policy, authenticator = authenticator_,
                     handler = std::move(route.handler)](const Request& req) {
      std::optional<Request> admitted;
      if (auto refusal = admit(policy, authenticator.get(), req, admitted)) return *refusal;
      return handler(admitted ? *admitted : req);
    };
  } else {
    route.async_handler = [policy = route.policy, authenticator = authenticator_,
                           handler = std::move(route.async_handler)](const Request& req,
                                                                     Responder respond) {
      std::optional<Request> admitted;
      if (auto refusal = admit(policy, authenticator.get(), req, admitted)) {
        return respond(std::move(*refusal));
      }
      handler(admitted ? *admitted : req, std::move(respond));
    };
  }
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(compiled));
}

void Router::set_fallback(Route route) {
  if (!route.handler) throw std::invalid_argument("fallback route: no handler");
  if (route.policy != Policy::kPublic) throw std::invalid_argument("fallback route: not public");
  route.handler = [authenticator = authenticator_,
                   handler = std::move(route.handler)](const Request& req) {
    std::optional<Request> admitted;
    if (auto refusal = admit(Policy::kPublic, authenticator.get(), req, admitted)) return *refusal;
    return handler(admitted ? *admitted : req);
  };
  fallback_ = std::move(route);
}

bool Router::same_shape(const Compiled& a, const Compiled& b) {
  if (a.segments.size() != b.segments.size()) return false;
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    const Segment& x = a.segments[i];
    const Segment& y = b.segments[i];
    if (x.capture != y.capture || (!x.capture && x.text != y.text)) return false;
  }
  return true;
}

RouteMatch Router::match(std::string_view method, const Target& target) const {
  auto path_matches = [&](const Compiled& c) {
    if (c.segments.size() != target.segments.size()) return false;
    for (std::size_t i = 0; i < c.segments.size(); ++i) {
      if (!c.segments[i].capture && c.segments[i].text != target.segments[i]) return false;
    }
    return true;
  };
  // At the first segment where two matching patterns differ, one is a literal: it wins.
  auto more_specific = [](const Compiled& a, const Compiled& b) {
    for (std::size_t i = 0; i < a.segments.size(); ++i) {
      if (a.segments[i].capture != b.segments[i].capture) return !a.segments[i].capture;
    }
    return false;
  };

  const Compiled* best = nullptr;
  for (const Compiled& c : compiled_) {
    if (path_matches(c) && (best == nullptr || more_specific(c, *best))) best = &c;
  }
  RouteMatch m;
  if (best == nullptr) {
    if (fallback_ && (method == "GET" || method == "HEAD")) {
      m.outcome = RouteMatch::Outcome::kFound;
      m.route = &*fallback_;
      m.index = routes_.size();
    }
    return m;
  }

  // HEAD is answered by the GET route: the server sends its headers without the body (RFC 9110
  // 9.3.2 asks every general-purpose server to support GET and HEAD).
  const bool head = method == "HEAD";
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (!same_shape(compiled_[i], *best)) continue;
    const std::string& own = routes_[i].method;
    if (own != method && !(head && own == "GET")) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += own;
      if (own == "GET") m.allow += ", HEAD";
      continue;
    }
    m.outcome = RouteMatch::Outcome::kFound;
    m.route = &routes_[i];
    m.index = i;
    m.allow.clear();
    const auto& segments = compiled_[i].segments;
    for (std::size_t k = 0; k < segments.size(); ++k) {
      if (segments[k].capture) m.params.emplace(segments[k].text, target.segments[k]);
    }
    return m;
  }
  m.outcome = RouteMatch::Outcome::kMethodNotAllowed;
  return m;
}

}  // namespace jiceng::http
