#include "http/openapi.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <map>
#include <string>
#include <string_view>

#include "http/errors.h"

namespace jiceng::http {
namespace {

namespace json = boost::json;

json::object error_schema() {
  json::object text{{"type", "string"}};
  json::object error{
      {"type", "object"},
      {"required", json::array{"code", "message", "request_id"}},
      {"properties",
       json::object{
           {"code", text},
           {"message", text},
           {"request_id", text},
           {"field", text},
           {"allowed", json::object{{"type", "array"},
                                    {"items", text},
                                    {"description",
                                     "a command refused in the case's state (409): the commands "
                                     "that could succeed now"}}}}},
  };
  return json::object{
      {"type", "object"},
      {"required", json::array{"error"}},
      {"properties", json::object{{"error", std::move(error)}}},
  };
}

// GeoReport v2's error list: [{"code": 400, "description": "…"}] (in XML
// <errors><error><code>…</code><description>…</description></error></errors>).
json::object open311_error_schema() {
  return json::object{
      {"type", "array"},
      {"items", json::object{{"type", "object"},
                             {"required", json::array{"code", "description"}},
                             {"properties",
                              json::object{{"code", json::object{{"type", "integer"}}},
                                           {"description", json::object{{"type", "string"}}}}}}},
  };
}

json::object schema_of(const ParamDoc& p) {
  json::object s{{"type", p.type}};
  if (p.type == "array") s["items"] = json::object{{"type", "string"}};
  return s;
}

bool is_write(std::string_view method) { return method != "GET" && method != "HEAD"; }
// A caller may be signed in: the guard authenticates (401 for bad credentials on a non-public
// route) and, for a write by session cookie, checks X-CSRF-Token (403).
bool identifies(const Policy& p) { return p.who == Policy::Who::kRoles || p.identify; }
bool has_captures(const Route& route) { return route.pattern.find('{') != std::string::npos; }

json::object header(std::string_view name, bool required, std::string_view description) {
  return json::object{{"name", name},
                      {"in", "header"},
                      {"required", required},
                      {"description", description},
                      {"schema", json::object{{"type", "string"}}}};
}

json::array parameters(const Route& route) {
  json::array out;
  std::string_view pattern = route.pattern;
  for (std::size_t open = pattern.find('{'); open != std::string_view::npos;
       open = pattern.find('{', open + 1)) {
    std::size_t close = pattern.find('}', open);
    out.push_back(json::object{{"name", pattern.substr(open + 1, close - open - 1)},
                               {"in", "path"},
                               {"required", true},
                               {"schema", json::object{{"type", "string"}}}});
  }
  for (const ParamDoc& p : route.query_params) {
    out.push_back(json::object{{"name", p.name},
                               {"in", "query"},
                               {"description", p.description},
                               {"required", p.required},
                               {"schema", schema_of(p)}});
  }
  out.push_back(header("Accept-Language", false,
                       "zh or en: the language of error messages (and of names where a resource "
                       "has both); the first of the two by q-value wins, English by default"));
  if (route.if_match != IfMatch::kUnread) {
    out.push_back(header("If-Match", route.if_match == IfMatch::kRequired,
                         route.if_match == IfMatch::kRequired
                             ? "the record's version, its ETag (\"3\" or 3): 428 without, 412 "
                               "when another change came first"
                             : "the record's version, its ETag (\"3\" or 3): 412 when another "
                               "change came first; without it, the current version"));
  }
  if (route.idempotency_key) {
    out.push_back(header("Idempotency-Key", false,
                         "1 to 255 printable ASCII characters: a retry with the same key and "
                         "request gets the first answer again (Idempotent-Replayed: true); the "
                         "same key with another request is 422"));
  }
  if (is_write(route.method) && identifies(route.policy)) {
    out.push_back(header("X-CSRF-Token", false,
                         "required when signed in by the session cookie (403 without): the "
                         "token GET /api/v1/session answers"));
  }
  return out;
}

json::object request_body(const BodyDoc& body) {
  json::object properties;
  json::array required;
  for (const ParamDoc& f : body.fields) {
    json::object s = schema_of(f);
    if (!f.description.empty()) s["description"] = f.description;
    // A JSON member that is null counts as absent (http/json.h).
    if (body.kind == BodyDoc::Kind::kJson && !f.required) s["nullable"] = true;
    properties[f.name] = std::move(s);
    if (f.required) required.push_back(json::string(f.name));
  }
  json::object schema{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) schema["required"] = std::move(required);
  // Unknown JSON members are refused (400); a form's other fields are ignored.
  schema["additionalProperties"] = body.kind == BodyDoc::Kind::kForm;
  const char* type =
      body.kind == BodyDoc::Kind::kJson ? "application/json" : "application/x-www-form-urlencoded";
  return json::object{
      {"required", !body.optional},
      {"content", json::object{{type, json::object{{"schema", std::move(schema)}}}}},
  };
}

// The route's answers, status to what it means: those every route can give, those its
// declaration implies, then Route::answers. Under /open311/v2 the statuses are the spec's
// (open311_status: 401 is 403, 409, 412 and 422 are 400).
std::map<unsigned, std::string> answers(const Route& route) {
  std::map<unsigned, std::string> out;
  auto add = [&](unsigned status, std::string_view what) {
    if (is_open311_path(route.pattern)) status = open311_status(status);
    std::string& d = out[status];
    if (d.find(what) != std::string::npos) return;
    d += d.empty() ? "" : "; ";
    d += what;
  };
  add(400, "a malformed request (parameters, headers such as X-HTTP-Method-Override, body)");
  if (route.policy.who == Policy::Who::kRoles) {
    add(401, "not signed in, or the credentials are invalid or expired");
    add(403, "the caller's role may not do this");
  }
  if (is_write(route.method) && identifies(route.policy)) {
    add(403, "signed in by cookie without the session's X-CSRF-Token");
  }
  if (has_captures(route)) add(404, "no such resource (or none the caller may see)");
  if (route.body.kind != BodyDoc::Kind::kNone) add(413, "the body is too large");
  if (route.if_match != IfMatch::kUnread) {
    add(412, "If-Match is not the current version: another change came first");
  }
  if (route.if_match == IfMatch::kRequired) add(428, "If-Match is required");
  if (route.idempotency_key) add(422, "the Idempotency-Key was used for another request");
  for (const AnswerDoc& a : route.answers) add(a.status, a.description);
  add(500, "an internal error (the message quotes the request id)");
  add(503, "the server is busy or the store unavailable; retry after Retry-After");
  return out;
}

json::object error_content(const Route& route) {
  if (!is_open311_path(route.pattern)) {
    return json::object{
        {"application/json",
         json::object{{"schema", json::object{{"$ref", "#/components/schemas/Error"}}}}}};
  }
  json::object ref{{"schema", json::object{{"$ref", "#/components/schemas/Open311Errors"}}}};
  json::object out;
  const std::string_view p = route.pattern;
  if (!p.ends_with(".xml")) out["application/json"] = ref;
  if (!p.ends_with(".json")) out["text/xml"] = ref;
  return out;
}

json::object responses(const Route& route) {
  json::object out;
  const char* success = route.success == 201   ? "Created"
                        : route.success == 204 ? "No Content"
                                               : "OK";
  json::object ok{{"description", success}};
  if (route.idempotency_key) {
    ok["headers"] = json::object{
        {"Idempotent-Replayed",
         json::object{{"description", "true when this is the stored answer to an earlier request"},
                      {"schema", json::object{{"type", "string"}}}}}};
  }
  out[std::to_string(route.success)] = std::move(ok);
  const json::object content = error_content(route);
  for (const auto& [status, description] : answers(route)) {
    json::object r{{"description", description}, {"content", content}};
    if (status == 429 || status == 503) {
      r["headers"] = json::object{
          {"Retry-After", json::object{{"description", "seconds to wait before trying again"},
                                       {"schema", json::object{{"type", "integer"}}}}}};
    }
    out[std::to_string(status)] = std::move(r);
  }
  return out;
}

json::object operation(const Route& route) {
  json::object op{
      {"summary", route.summary},
      {"parameters", parameters(route)},
      {"x-jiceng-policy", to_string(route.policy)},
  };
  if (route.body.kind != BodyDoc::Kind::kNone) op["requestBody"] = request_body(route.body);
  op["responses"] = responses(route);
  if (identifies(route.policy)) {
    json::array security{json::object{{"apiKey", json::array{}}},
                         json::object{{"session", json::array{}}}};
    // Anyone may call it; a signed-in caller is identified.
    if (route.policy.who == Policy::Who::kPublic) security.push_back(json::object());
    op["security"] = std::move(security);
  }
  return op;
}

}  // namespace

std::string openapi_document(const Router& router, const ApiInfo& info) {
  json::object paths;
  for (const Route& route : router.routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    json::value& item = paths[route.pattern];
    if (!item.is_object()) item = json::object();
    item.as_object()[method] = operation(route);
  }
  json::object security_schemes{
      {"apiKey", json::object{{"type", "http"},
                              {"scheme", "bearer"},
                              {"description", "an API key: Authorization: Bearer <key>"}}},
      {"session", json::object{{"type", "apiKey"},
                               {"in", "cookie"},
                               {"name", "jiceng_session"},
                               {"description",
                                "the cookie POST /api/v1/session sets (__Host-jiceng_session "
                                "behind TLS); writes also need X-CSRF-Token"}}},
  };
  json::object doc{
      {"openapi", "3.0.3"},
      {"info", json::object{{"title", info.title}, {"version", info.version}}},
      {"paths", std::move(paths)},
      {"components",
       json::object{{"schemas", json::object{{"Error", error_schema()},
                                             {"Open311Errors", open311_error_schema()}}},
                    {"securitySchemes", std::move(security_schemes)}}},
  };
  return json::serialize(doc);
}

}  // namespace jiceng::http
