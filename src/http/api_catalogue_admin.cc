// The administrators' edits of the catalogue over HTTP: categories, routing rules and units
// (app::CatalogueAdmin decides who may do what). Every edit is one transaction with its audit
// entry, answered after its commit from the store's writer; an Idempotency-Key makes a retry
// return the first answer; PATCH and DELETE need If-Match with the record's version (428
// without, 412 when stale). The session's CSRF token is checked by the router's guard.
#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "app/idempotency.h"
#include "http/api.h"
#include "http/catalogue_json.h"
#include "http/errors.h"
#include "http/json.h"

namespace jiceng::http {
namespace {

namespace json = boost::json;

// ---- Reading the body's fields: absent means "unchanged" (nullopt); each error names its field.

Error wrong_type(std::string_view key, std::string_view what, std::string_view what_zh) {
  return Error::invalid_argument(fmt::format("{}: must be {}", key, what))
      .zh(fmt::format("{}：须为{}", key, what_zh));
}

Error missing(std::string_view key) {
  return Error::invalid_argument(fmt::format("{}: is required", key))
      .zh(fmt::format("{}：必须填写", key));
}

// A string; with nullable, null reads as "" (none, any).
Result<std::optional<std::string>> text(const json::object& o, std::string_view key,
                                        bool nullable = false) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::optional<std::string>();
  if (v->is_null() && nullable) return std::optional<std::string>("");
  if (!v->is_string()) return wrong_type(key, "a string", "字符串");
  return std::optional<std::string>(std::string(v->as_string()));
}

Result<std::optional<bool>> boolean(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_bool()) return wrong_type(key, "true or false", " true 或 false");
  return std::optional<bool>(v->as_bool());
}

Result<std::optional<int>> integer(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::optional<int>();
  if (!v->is_int64() || v->as_int64() < -1000000 || v->as_int64() > 1000000) {
    return wrong_type(key, "a whole number from -1000000 to 1000000",
                      " -1000000 至 1000000 的整数");
  }
  return std::optional<int>(static_cast<int>(v->as_int64()));
}

// "village", "township" or "county".
Result<std::optional<domain::Level>> level(const json::object& o, std::string_view key) {
  auto name = text(o, key);
  if (!name) return name.error();
  if (!*name) return std::optional<domain::Level>();
  for (domain::Level l :
       {domain::Level::kCounty, domain::Level::kTownship, domain::Level::kVillage}) {
    if (domain::to_string(l) == **name) return std::optional(l);
  }
  return wrong_type(key, "village, township or county",
                    " village（村）、township（乡镇）或 county（县）");
}

// "demand", "petition", or null for both.
Result<std::optional<std::optional<domain::CaseKind>>> case_kind(const json::object& o) {
  auto name = text(o, "kind", true);
  if (!name) return name.error();
  if (!*name) return std::optional<std::optional<domain::CaseKind>>();
  if ((*name)->empty()) return std::optional(std::optional<domain::CaseKind>());
  auto k = domain::case_kind_from_string(**name);
  if (!k)
    return wrong_type("kind", "demand, petition or null (both)",
                      " demand（诉求）、petition（信访）或 null（不限）");
  return std::optional(std::optional(*k));
}

// An array of strings, or null for none.
Result<std::optional<std::vector<std::string>>> keywords(const json::object& o) {
  const json::value* v = o.if_contains("keywords");
  if (v == nullptr) return std::optional<std::vector<std::string>>();
  std::vector<std::string> out;
  if (v->is_null()) return std::optional(out);
  const json::array* items = v->if_array();
  if (items == nullptr || items->size() > 20) {
    return wrong_type("keywords", "an array of at most 20 strings", "不超过 20 个字符串的数组");
  }
  for (const auto& k : *items) {
    if (!k.is_string()) {
      return wrong_type("keywords", "an array of at most 20 strings", "不超过 20 个字符串的数组");
    }
    out.emplace_back(k.as_string());
  }
  return std::optional(std::move(out));
}

// A division code with the field's name in its error.
Result<std::optional<std::string>> division_code(const json::object& o, std::string_view key,
                                                 bool nullable) {
  auto code = text(o, key, nullable);
  if (!code) return code.error();
  if (*code && !(*code)->empty()) {
    if (auto l = domain::level_of_code(**code); !l) {
      return Error::invalid_argument(fmt::format("{}: {}", key, l.error().message))
          .zh(fmt::format("{}：{}", key, l.error().message_zh));
    }
  }
  return code;
}

Result<std::optional<domain::UnitKind>> unit_kind(const json::object& o) {
  auto name = text(o, "kind");
  if (!name) return name.error();
  if (!*name) return std::optional<domain::UnitKind>();
  auto k = domain::unit_kind_from_string(**name);
  if (!k) {
    return Error::invalid_argument("kind: " + k.error().message)
        .zh("单位类型（kind）须为 village_committee、township_government、county_department、"
            "petition_bureau 或 hotline_center");
  }
  return std::optional(*k);
}

// Reads each field into its destination, stopping at the first error. Members are pairs of a
// Result<optional<T>> and an optional<T>& to fill.
template <class... Fields>
Result<void> read_all(Fields&&... fields) {
  Result<void> out;
  auto one = [&out](auto&& read, auto& into) {
    if (!out) return;
    if (!read) {
      out = read.error();
      return;
    }
    into = std::move(*read);
  };
  (one(fields.first, fields.second), ...);
  return out;
}

template <class R, class T>
std::pair<R, T&> field(R read, T& into) {
  return {std::move(read), into};
}

// ---- Patches and new records from the body.

const std::set<std::string_view> kCategoryPatchFields = {"name_zh",       "name_en", "time_limit",
                                                         "routing_level", "active",  "sort_order"};

Result<app::CategoryPatch> category_patch(const json::object& o) {
  app::CategoryPatch p;
  auto read = read_all(field(text(o, "name_zh"), p.name_zh), field(text(o, "name_en"), p.name_en),
                       field(period_field(o, "time_limit", false), p.time_limit),
                       field(level(o, "routing_level"), p.routing_level),
                       field(boolean(o, "active"), p.active),
                       field(integer(o, "sort_order"), p.sort_order));
  if (!read) return read.error();
  return p;
}

Result<domain::Category> new_category(const json::object& o) {
  for (std::string_view key : {"code", "name_zh", "name_en", "time_limit", "routing_level"}) {
    if (!o.contains(key)) return missing(key);
  }
  auto patch = category_patch(o);
  if (!patch) return patch.error();
  std::optional<std::string> code;
  std::optional<std::string> parent;
  if (auto read =
          read_all(field(text(o, "code"), code), field(text(o, "parent_code", true), parent));
      !read) {
    return read.error();
  }
  domain::Category c{.code = code.value_or(""),
                     .parent_code = parent.value_or(""),
                     .name_zh = patch->name_zh.value_or(""),
                     .name_en = patch->name_en.value_or(""),
                     .time_limit = patch->time_limit.value_or(domain::Period{}),
                     .routing_level = patch->routing_level.value_or(domain::Level::kTownship),
                     .active = patch->active.value_or(true),
                     .sort_order = patch->sort_order.value_or(0)};
  return c;
}

const std::set<std::string_view> kRuleFields = {"kind",  "category_code", "place_code", "keywords",
                                                "level", "department",    "priority"};

Result<app::RoutingRulePatch> rule_patch(const json::object& o) {
  app::RoutingRulePatch p;
  auto read = read_all(
      field(case_kind(o), p.kind), field(text(o, "category_code", true), p.category_code),
      field(division_code(o, "place_code", true), p.place_code), field(keywords(o), p.keywords),
      field(level(o, "level"), p.level), field(text(o, "department", true), p.department),
      field(integer(o, "priority"), p.priority));
  if (!read) return read.error();
  return p;
}

Result<domain::RoutingRule> new_rule(const json::object& o) {
  if (!o.contains("level")) return missing("level");
  auto p = rule_patch(o);
  if (!p) return p.error();
  return domain::RoutingRule{.kind = p->kind.value_or(std::nullopt),
                             .category_code = p->category_code.value_or(""),
                             .place_code = p->place_code.value_or(""),
                             .keywords = p->keywords.value_or(std::vector<std::string>{}),
                             .level = *p->level,
                             .department = p->department.value_or(""),
                             .priority = p->priority.value_or(0)};
}

const std::set<std::string_view> kUnitFields = {"name", "kind", "department", "jurisdiction_code",
                                                "active"};

Result<app::UnitPatch> unit_patch(const json::object& o) {
  app::UnitPatch p;
  auto read = read_all(field(text(o, "name"), p.name), field(unit_kind(o), p.kind),
                       field(text(o, "department", true), p.department),
                       field(division_code(o, "jurisdiction_code", false), p.jurisdiction_code),
                       field(boolean(o, "active"), p.active));
  if (!read) return read.error();
  return p;
}

Result<domain::Unit> new_unit(const json::object& o) {
  for (std::string_view key : {"name", "kind", "jurisdiction_code"}) {
    if (!o.contains(key)) return missing(key);
  }
  auto p = unit_patch(o);
  if (!p) return p.error();
  return domain::Unit{.name = *p->name,
                      .kind = *p->kind,
                      .department = p->department.value_or(""),
                      .jurisdiction_code = *p->jurisdiction_code,
                      .active = p->active.value_or(true)};
}

// The body as a JSON object of the known fields; for a PATCH, at least one of them.
Result<json::object> edit_body(const Request& req, const std::set<std::string_view>& known) {
  auto body = parse_json_body(req, known);
  if (!body) return body.error();
  if (req.method == "PATCH" && body->empty()) {
    return Error::invalid_argument("the body names nothing to change")
        .zh("请求体未包含要修改的字段");
  }
  return body;
}

// ---- Running an edit.

// What an edit does inside its transaction, given the If-Match version (0 for a creation).
using Edit = std::function<Result<app::StoredResponse>(store::Sql&, std::int64_t version)>;

// The stored answer as the response: its version as the ETag, Location for a creation, and
// Idempotent-Replayed on a replay; a stale If-Match (kConflict) answers 412.
Response edit_answer(Result<app::StoredResponse> answer, const std::string& location_prefix,
                     const std::string& request_id, bool chinese) {
  if (!answer) {
    if (answer.error().code == ErrorCode::kConflict) {
      const Error& e = answer.error();
      return protocol_error(412, "precondition_failed",
                            chinese && !e.message_zh.empty() ? e.message_zh : e.message,
                            request_id);
    }
    return error_response(answer.error(), request_id, chinese);
  }
  Response res;
  res.status = answer->status;
  res.body = std::move(answer->body);
  if (answer->replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
  if (res.body.empty()) {
    res.content_type.clear();
    return res;
  }
  boost::system::error_code ec;
  auto parsed = json::parse(res.body, ec);
  if (ec || !parsed.is_object()) return res;
  const json::object& o = parsed.as_object();
  if (const auto* v = o.if_contains("version"); v && v->is_int64()) {
    add_version_etag(res, v->as_int64());
  }
  if (res.status == 201) {
    const json::value* key = o.contains("code") ? o.if_contains("code") : o.if_contains("id");
    if (key && key->is_string())
      res.headers.emplace_back("Location", location_prefix + std::string(key->as_string()));
    if (key && key->is_int64())
      res.headers.emplace_back("Location", location_prefix + std::to_string(key->as_int64()));
  }
  return res;
}

// Runs `edit` in one write transaction and answers after its commit. With `versioned`, If-Match
// is required (428 without). An Idempotency-Key covers the method, path, caller, If-Match and
// body: the same again returns the first answer, the same key otherwise 422. A refusal for want
// of rights is audited as `event` with outcome "denied".
void run_edit(app::App& app, const Request& req, const Responder& respond, bool versioned,
              app::AuditEvent event, std::string location_prefix, Edit edit) {
  auto headers = write_headers(
      req, versioned ? IfMatch::kRequired : IfMatch::kUnread,
      Error::failed_precondition("send If-Match with the record's version (its ETag) so that "
                                 "concurrent changes are not lost")
          .zh("请在 If-Match 中带上记录的版本号（即其 ETag），以免覆盖他人的修改"));
  if (headers.refusal) return respond(std::move(*headers.refusal));
  const std::int64_t version = headers.version.value_or(0);
  std::optional<app::IdempotencyKey> key = std::move(headers.key);
  auto apply = [edit = std::move(edit), version](store::Sql& sql) { return edit(sql, version); };
  auto done = [&app, respond, by = *req.principal, event = std::move(event),
               context = context_of(req), location_prefix = std::move(location_prefix),
               request_id = req.request_id,
               chinese = prefers_chinese(req.header("Accept-Language"))](
                  Result<app::StoredResponse> result) {
    auto answer = [respond, location_prefix, request_id, chinese](Result<app::StoredResponse> r) {
      respond.later([r = std::move(r), location_prefix, request_id, chinese]() mutable {
        return edit_answer(std::move(r), location_prefix, request_id, chinese);
      });
    };
    if (result) return answer(std::move(result));
    app.catalogue_admin.audit_refusal_async(by, event, context, result.error(),
                                            [answer](Error e) { answer(std::move(e)); });
  };
  if (key) {
    return app::run_idempotent_async(app.db, std::move(*key), app.clock.now(), std::move(apply),
                                     std::move(done));
  }
  app.db.write_value_async(std::move(apply), std::move(done));
}

app::StoredResponse stored(unsigned status, const json::object& body) {
  return app::StoredResponse{status, json::serialize(body)};
}

// ---- The handlers.

void create_category(app::App& app, const Request& req, const Responder& respond) {
  auto body = edit_body(req, {"code", "parent_code", "name_zh", "name_en", "time_limit",
                              "routing_level", "active", "sort_order"});
  if (!body) return respond(error_response(body.error(), req));
  auto c = new_category(*body);
  if (!c) return respond(error_response(c.error(), req));
  run_edit(app, req, respond, false,
           {.action = "category.create", .object_type = "category", .object_id = c->code},
           "/api/v1/categories/",
           [&app, c = std::move(*c), by = *req.principal, ctx = context_of(req)](
               store::Sql& sql, std::int64_t) -> Result<app::StoredResponse> {
             auto made = app.catalogue_admin.create_category(sql, c, by, ctx);
             if (!made) return made.error();
             return stored(201, category_json(*made));
           });
}

void update_category(app::App& app, const Request& req, const Responder& respond) {
  auto body = edit_body(req, kCategoryPatchFields);
  if (!body) return respond(error_response(body.error(), req));
  auto patch = category_patch(*body);
  if (!patch) return respond(error_response(patch.error(), req));
  const std::string code = req.params.at("code");
  run_edit(app, req, respond, true,
           {.action = "category.update", .object_type = "category", .object_id = code}, "",
           [&app, code, patch = std::move(*patch), by = *req.principal, ctx = context_of(req)](
               store::Sql& sql, std::int64_t version) -> Result<app::StoredResponse> {
             auto changed = app.catalogue_admin.update_category(sql, code, patch, version, by, ctx);
             if (!changed) return changed.error();
             return stored(200, category_json(*changed));
           });
}

void create_rule(app::App& app, const Request& req, const Responder& respond) {
  auto body = edit_body(req, kRuleFields);
  if (!body) return respond(error_response(body.error(), req));
  auto rule = new_rule(*body);
  if (!rule) return respond(error_response(rule.error(), req));
  run_edit(app, req, respond, false,
           {.action = "routing_rule.create", .object_type = "routing_rule"},
           "/api/v1/routing-rules/",
           [&app, rule = std::move(*rule), by = *req.principal, ctx = context_of(req)](
               store::Sql& sql, std::int64_t) -> Result<app::StoredResponse> {
             auto made = app.catalogue_admin.create_rule(sql, rule, by, ctx);
             if (!made) return made.error();
             return stored(201, rule_json(*made));
           });
}

void update_rule(app::App& app, const Request& req, const Responder& respond) {
  auto id = path_id(req, "a routing rule", "派单规则");
  if (!id) return respond(error_response(id.error(), req));
  auto body = edit_body(req, kRuleFields);
  if (!body) return respond(error_response(body.error(), req));
  auto patch = rule_patch(*body);
  if (!patch) return respond(error_response(patch.error(), req));
  run_edit(app, req, respond, true,
           {.action = "routing_rule.update",
            .object_type = "routing_rule",
            .object_id = std::to_string(*id)},
           "",
           [&app, id = *id, patch = std::move(*patch), by = *req.principal, ctx = context_of(req)](
               store::Sql& sql, std::int64_t version) -> Result<app::StoredResponse> {
             auto changed = app.catalogue_admin.update_rule(sql, id, patch, version, by, ctx);
             if (!changed) return changed.error();
             return stored(200, rule_json(*changed));
           });
}

void delete_rule(app::App& app, const Request& req, const Responder& respond) {
  auto id = path_id(req, "a routing rule", "派单规则");
  if (!id) return respond(error_response(id.error(), req));
  run_edit(app, req, respond, true,
           {.action = "routing_rule.delete",
            .object_type = "routing_rule",
            .object_id = std::to_string(*id)},
           "",
           [&app, id = *id, by = *req.principal, ctx = context_of(req)](
               store::Sql& sql, std::int64_t version) -> Result<app::StoredResponse> {
             if (auto ok = app.catalogue_admin.delete_rule(sql, id, version, by, ctx); !ok) {
               return ok.error();
             }
             return app::StoredResponse{204, ""};
           });
}

void create_unit(app::App& app, const Request& req, const Responder& respond) {
  auto body = edit_body(req, kUnitFields);
  if (!body) return respond(error_response(body.error(), req));
  auto unit = new_unit(*body);
  if (!unit) return respond(error_response(unit.error(), req));
  run_edit(app, req, respond, false, {.action = "unit.create", .object_type = "unit"},
           "/api/v1/units/",
           [&app, unit = std::move(*unit), by = *req.principal, ctx = context_of(req)](
               store::Sql& sql, std::int64_t) -> Result<app::StoredResponse> {
             auto made = app.catalogue_admin.create_unit(sql, unit, by, ctx);
             if (!made) return made.error();
             return stored(201, unit_json(*made));
           });
}

void update_unit(app::App& app, const Request& req, const Responder& respond) {
  auto id = path_id(req, "a unit", "单位");
  if (!id) return respond(error_response(id.error(), req));
  auto body = edit_body(req, kUnitFields);
  if (!body) return respond(error_response(body.error(), req));
  auto patch = unit_patch(*body);
  if (!patch) return respond(error_response(patch.error(), req));
  run_edit(app, req, respond, true,
           {.action = "unit.update", .object_type = "unit", .object_id = std::to_string(*id)}, "",
           [&app, id = *id, patch = std::move(*patch), by = *req.principal, ctx = context_of(req)](
               store::Sql& sql, std::int64_t version) -> Result<app::StoredResponse> {
             auto changed = app.catalogue_admin.update_unit(sql, id, patch, version, by, ctx);
             if (!changed) return changed.error();
             return stored(200, unit_json(*changed));
           });
}

}  // namespace

void add_catalogue_admin_routes(Router& router, app::App& app) {
  const Policy admins = Policy::only({domain::Role::kAdmin}, ScopeCheck::kSubtree);
  const std::string writes =
      " Administrators only; their scope must cover the record (403 otherwise). Audited. An "
      "Idempotency-Key header makes retries safe: the same key and body return the first "
      "answer, the same key otherwise 422";
  const std::string versioned =
      " If-Match: the record's version, its ETag (428 without, 412 when stale).";
  // Every edit takes an Idempotency-Key; a creation answers 201, a deletion 204; a change or a
  // deletion needs If-Match (run_edit).
  auto add = [&](std::string method, std::string pattern, std::string summary,
                 std::vector<ParamDoc> fields,
                 void (*handler)(app::App&, const Request&, const Responder&)) {
    const bool creates = method == "POST";
    const bool deletes = method == "DELETE";
    router.add({.method = method,
                .pattern = std::move(pattern),
                .summary = std::move(summary),
                .body = {.kind = deletes ? BodyDoc::Kind::kNone : BodyDoc::Kind::kJson,
                         .fields = std::move(fields)},
                .if_match = creates ? IfMatch::kUnread : IfMatch::kRequired,
                .idempotency_key = true,
                .success = creates   ? 201u
                           : deletes ? 204u
                                     : 200u,
                .answers = {{403, "the administrator's scope does not cover the record"},
                            {409,
                             "the code or name is taken, or the record's state does not "
                             "allow the change (e.g. a retired parent, no deployment)"}},
                .policy = admins,
                .async_handler = [&app, handler](const Request& req, const Responder& respond) {
                  handler(app, req, respond);
                }});
  };
  // The fields a change may name; a creation requires some of them (creating).
  const std::vector<ParamDoc> category_fields{
      {.name = "name_zh"},
      {.name = "name_en"},
      {.name = "time_limit",
       .description = "{amount, unit: hours, calendar_days or working_days}",
       .type = "object"},
      {.name = "routing_level", .description = "village, township or county"},
      {.name = "active", .type = "boolean"},
      {.name = "sort_order", .type = "integer"}};
  const std::vector<ParamDoc> rule_fields{
      {.name = "level", .description = "village, township or county"},
      {.name = "kind", .description = "demand, petition, or null for both"},
      {.name = "category_code"},
      {.name = "place_code"},
      {.name = "keywords", .type = "array"},
      {.name = "department"},
      {.name = "priority", .type = "integer"}};
  const std::vector<ParamDoc> unit_fields{{.name = "name"},
                                          {.name = "kind"},
                                          {.name = "department"},
                                          {.name = "jurisdiction_code"},
                                          {.name = "active", .type = "boolean"}};
  auto creating = [](std::vector<ParamDoc> fields, std::set<std::string_view> required) {
    for (ParamDoc& f : fields) f.required = required.contains(f.name);
    return fields;
  };
  std::vector<ParamDoc> new_category{{.name = "code", .required = true}, {.name = "parent_code"}};
  for (ParamDoc& f :
       creating(category_fields, {"name_zh", "name_en", "time_limit", "routing_level"})) {
    new_category.push_back(std::move(f));
  }
  add("POST", "/api/v1/categories",
      "Add a category, top-level or under an active parent. JSON body: code (a-z, 0-9, _ and ., "
      "e.g. env.light), parent_code (null for top-level), name_zh, name_en, time_limit {amount, "
      "unit: hours, calendar_days or working_days}, routing_level (village, township or county), "
      "sort_order, active. Categories apply to the whole deployment: the scope must cover its "
      "root. Answers 201 with the category and Location." +
          writes,
      new_category, create_category);
  add("PATCH", "/api/v1/categories/{code}",
      "Change a category: any of name_zh, name_en, time_limit, routing_level, sort_order, active "
      "(false retires it: cases keep it, new ones cannot use it; a category is never deleted). "
      "The next case's routing and deadline use the change." +
          versioned + writes,
      category_fields, update_category);
  add("POST", "/api/v1/routing-rules",
      "Add a routing rule. JSON body: level (village, township or county; required), kind "
      "(demand, petition or null for both), category_code (null: any), place_code (null: "
      "anywhere; the scope must cover the place, or the deployment's root for a rule without "
      "one), keywords (an array; all must appear in the description), department (county level "
      "only), priority. Answers 201 with the rule and Location." +
          writes,
      creating(rule_fields, {"level"}), create_rule);
  add("PATCH", "/api/v1/routing-rules/{id}",
      "Change a routing rule: any field of POST /api/v1/routing-rules; null sets kind, "
      "category_code, place_code or department back to any or none." +
          versioned + writes,
      rule_fields, update_rule);
  add("DELETE", "/api/v1/routing-rules/{id}",
      "Delete a routing rule; cases already routed keep their unit. Answers 204." + versioned +
          writes,
      {}, delete_rule);
  add("POST", "/api/v1/units",
      "Add a unit. JSON body: name, kind (village_committee on a village, township_government "
      "on a township, county_department on a county, petition_bureau or hotline_center on a "
      "county or above), department (county departments only, e.g. 人社局), jurisdiction_code "
      "(inside the scope), active. Answers 201 with the unit and Location." +
          writes,
      creating(unit_fields, {"name", "kind", "jurisdiction_code"}), create_unit);
  add("PATCH", "/api/v1/units/{id}",
      "Change a unit: any of name, kind, department, jurisdiction_code (a unit that holds cases "
      "or has staff accounts stays on its node), active (false: no new case goes to it)." +
          versioned + writes,
      unit_fields, update_unit);
}

}  // namespace jiceng::http
