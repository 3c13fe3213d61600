// Who sees which case over HTTP (TESTS.md S6, S8, A1, C1): every guarded route × every role ×
// an object inside and one outside the caller's jurisdiction, field masking by role, the audit
// entry of every read, and If-Match on commands; on SQLite and on PostgreSQL.
//
// The staff work in 余江区 (360603); the foreign case lies in 月湖区 (360602).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "domain/deadline.h"
#include "integration/access_fixture.h"
#include "store/catalogue_repo.h"
#include "store/signal_repo.h"

namespace jiceng {
namespace {

namespace json = boost::json;
using domain::Role;
using testing::kYuehu;
using testing::kYujiang;

class Authz : public testing::AccessFixture {
 protected:
  // A caller of the matrix: a role's session, or anonymous.
  struct Caller {
    std::string label;
    std::optional<Role> role;  // nullopt: anonymous
    Session session{};
  };

  // One staff account per role (handler and unit head on `unit`), a resident and an app.
  std::vector<Caller> callers(const Session& resident, std::int64_t unit) {
    std::vector<Caller> out{{"anonymous", std::nullopt, {}}};
    for (Role r : domain::all_roles()) {
      if (!domain::is_staff(r)) continue;
      auto unit_of = domain::acts_for_unit(r) ? std::optional<std::int64_t>(unit) : std::nullopt;
      out.push_back(
          {std::string(domain::to_string(r)), r,
           account_session("s6." + std::string(domain::to_string(r)), r, kYujiang, unit_of)});
    }
    out.push_back({"resident", Role::kResident, resident});
    auto key = app_->access.create_api_key(unique("s6.app"), {});
    EXPECT_TRUE(key);
    Session app{.username = "app", .role = Role::kApp, .cookie = {}, .device = {}, .csrf = {}};
    app.authorization = "Bearer " + (key ? key->key : std::string());
    out.push_back({"app", Role::kApp, app});
    return out;
  }

  // Walks GET target page by page (limit=1, following `next`); the numbers and places seen.
  std::vector<std::pair<std::string, std::string>> walk(const Session& s, const std::string& path) {
    std::vector<std::pair<std::string, std::string>> seen;
    std::string cursor;
    for (int page = 0; page < 2000; ++page) {
      auto r = call(&s, "GET", path + "?limit=1" + (cursor.empty() ? "" : "&cursor=" + cursor));
      EXPECT_EQ(r.res.result_int(), 200u) << s.username << " " << path << ": " << r.res.body();
      auto v = testing::body_json(r);
      if (!v.is_object()) break;
      for (const auto& item : v.at("items").as_array()) {
        seen.emplace_back(item.at("number").as_string(), item.at("place").as_string());
      }
      const auto* next = v.as_object().if_contains("next");
      if (next == nullptr || !next->is_string()) break;
      cursor = std::string(next->as_string());
    }
    return seen;
  }
};

// The same case number with another serial: a case that does not exist.
std::string ghost_of(const std::string& number) {
  return number.substr(0, number.rfind('-') + 1) + "999999";
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (auto at = s.find(from); !from.empty() && at != std::string::npos;
       at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// The error object without its request_id.
std::string error_of(const http::testing::Reply& r) {
  auto v = testing::body_json(r);
  if (!v.is_object() || !v.as_object().contains("error")) return r.res.body();
  json::object e = v.at("error").as_object();
  e.erase("request_id");
  return json::serialize(e);
}

// TESTS.md S6: every route that is not public, for every role, on an object inside and one
// outside the caller's subtree. Nothing of the foreign case ever comes back; it answers exactly
// like a case that does not exist; roles outside a route's policy get 403, anonymous callers 401.
TEST_P(Authz, ObjectLevelMatrix) {
  const std::string in_place = village_in(kYujiang);
  const std::string out_place = village_in(kYuehu);
  auto resident = account_session("s6.resident", Role::kResident);
  const Filed in = file_case(in_place, &resident);  // the resident's own case
  const Filed out = file_case(out_place);
  ASSERT_FALSE(in.number.empty());
  ASSERT_FALSE(out.number.empty());
  const auto out_case = app_->cases.get(out.number);
  ASSERT_TRUE(out_case);
  const std::int64_t unit = unit_in(in_place, kYujiang, app_->cases.get(in.number)->c.unit_id);
  const std::string in_victim = unique("s6.victim.in");
  const std::string out_victim = unique("s6.victim.out");
  make_account(in_victim, Role::kMediator, kYujiang);
  make_account(out_victim, Role::kMediator, kYuehu);
  const std::string ghost_user = unique("s6.nobody");
  const std::vector<Caller> all = callers(resident, unit);
  for (const auto& c : all) {
    if (!c.role) continue;
    ASSERT_FALSE(c.session.cookie.empty() && c.session.authorization.empty()) << c.label;
  }
  const std::vector<std::string> secrets = {out.number,      out.name,   out.contact,
                                            out.description, out_victim, out.tracking_code};
  // A warning of the burst detector inside the scope and one outside it.
  auto warning_at = [&](const std::string& place) {
    auto id = db_->write_value([&](store::Sql& sql) {
      return store::signals::insert_warning(
          sql, {.area_code = place, .term = "env.water", .raised_at = Instant{}});
    });
    EXPECT_TRUE(id) << id.error().message;
    return id ? std::to_string(*id) : std::string("0");
  };
  const std::string in_warning = warning_at(in_place);
  const std::string out_warning = warning_at(out_place);

  // Lists and cursors: only the subtree, however the pages are cut or the cursor is forged.
  const auto out_created = to_micros(out_case->c.created_at);
  for (const auto& c : all) {
    if (!c.role || !domain::may_read_cases(*c.role)) continue;
    auto pages = walk(c.session, "/api/v1/cases");
    std::set<std::string> numbers;
    for (const auto& [number, place] : pages) {
      EXPECT_TRUE(place.starts_with(kYujiang)) << c.label << " sees " << number << " at " << place;
      EXPECT_TRUE(numbers.insert(number).second) << c.label << ": " << number << " twice";
    }
    EXPECT_TRUE(numbers.contains(in.number)) << c.label << " misses its own subtree's case";
    for (const std::string& query : std::vector<std::string>{
             "?limit=200", "?unit_id=" + std::to_string(out_case->c.unit_id.value_or(0)),
             "?limit=200&cursor=" + std::to_string(out_created + 1) + "." + out.number,
             "?category=urban.sanitation&state=registered"}) {
      auto r = call(&c.session, "GET", "/api/v1/cases" + query);
      EXPECT_EQ(r.res.result_int(), 200u) << c.label << query << ": " << r.res.body();
      const auto page = testing::body_json(r);
      for (const auto& item : page.at("items").as_array()) {
        EXPECT_TRUE(item.at("place").as_string().starts_with(kYujiang)) << c.label << query;
      }
      for (const auto& secret : secrets) {
        EXPECT_EQ(r.res.body().find(secret), std::string::npos) << c.label << query;
      }
    }
  }
  auto own = walk(resident, "/api/v1/my/cases");
  ASSERT_EQ(own.size(), 1u) << "a resident lists their own cases only";
  EXPECT_EQ(own[0].first, in.number);

  // The routes, signing out last.
  std::vector<const http::Route*> routes;
  for (const auto& r : router_->routes()) {
    if (r.policy.who != http::Policy::Who::kPublic) routes.push_back(&r);
  }
  std::stable_partition(routes.begin(), routes.end(), [](const http::Route* r) {
    return !(r->method == "DELETE" && r->pattern == "/api/v1/session");
  });

  std::string table;
  std::string failures;
  for (const http::Route* route : routes) {
    const std::string& pattern = route->pattern;
    const bool creates_account = route->method == "POST" && pattern == "/api/v1/accounts";
    const bool has_object = pattern.find('{') != std::string::npos || creates_account;
    for (const auto& c : all) {
      for (bool inside : has_object ? std::vector<bool>{true, false} : std::vector<bool>{true}) {
        const Filed& object = inside ? in : out;
        std::string target = pattern;
        target = replace_all(target, "{number}", object.number);
        target = replace_all(target, "{command}", "accept");
        target = replace_all(target, "{username}", inside ? in_victim : out_victim);
        target = replace_all(target, "{warning}", inside ? in_warning : out_warning);
        // Search needs words; "case" occurs in every filed case, inside the scope and out.
        if (pattern == "/api/v1/search") target += "?q=case";
        std::string body;
        if (creates_account) {
          body = json::serialize(json::object{{"username", unique("s6.new")},
                                              {"password", testing::kPassword},
                                              {"role", "mediator"},
                                              {"scope", inside ? kYujiang : kYuehu},
                                              {"display_name", "新"}});
        }
        http::testing::Headers headers = {{"Accept-Language", "zh-CN"}};
        // Staff commands need If-Match; the resident's take the current version without it.
        if (pattern.starts_with("/api/v1/cases/{number}/") && route->method == "POST") {
          headers.emplace_back("If-Match", "\"" + std::to_string(version_of(object.number)) + "\"");
        }
        const Session* who = c.role ? &c.session : nullptr;
        auto reply = call(who, route->method, target, body, headers);
        const unsigned status = reply.res.result_int();
        const std::string where = route->method + " " + pattern + " | " + c.label + " | " +
                                  (has_object ? (inside ? "in" : "out") : "-");
        table += where + " | " + std::to_string(status) + "\n";
        auto fail = [&](const std::string& why) { failures += where + ": " + why + "\n"; };

        // No trace of the foreign case or account, apart from the number or name the caller
        // sent; and the answer equals that for a case or account that does not exist.
        std::string seen = reply.res.body();
        for (const auto& [sent, ghost_value] :
             {std::pair{out.number, ghost_of(out.number)}, std::pair{out_victim, ghost_user},
              std::pair{"/" + out_warning, std::string("/999999999")}}) {
          if (inside || target.find(sent) == std::string::npos) continue;
          seen = replace_all(seen, sent, "<sent>");
          auto ghost =
              call(who, route->method, replace_all(target, sent, ghost_value), body, headers);
          if (ghost.res.result_int() != status ||
              replace_all(error_of(ghost), ghost_value, "<sent>") !=
                  replace_all(error_of(reply), sent, "<sent>")) {
            fail("answers unlike a missing object: " + reply.res.body() + " vs " +
                 ghost.res.body());
          }
        }
        for (const auto& secret : secrets) {
          // The audit log names cases by number by design; auditors see the whole deployment's.
          bool audit_number = pattern == "/api/v1/audit" && secret == out.number;
          if (!audit_number && seen.find(secret) != std::string::npos) {
            fail("leaks '" + secret + "': " + reply.res.body().substr(0, 300));
          }
        }
        if (status >= 500) fail("server error: " + reply.res.body());
        if (!c.role) {
          if (status != 401) fail("anonymous, expected 401");
          continue;
        }
        if (!route->policy.roles.contains(*c.role)) {
          if (status != 403) fail("role outside the policy, expected 403");
          continue;
        }
        const bool names_object = pattern.find("{number}") != std::string::npos ||
                                  pattern.find("{warning}") != std::string::npos ||
                                  pattern.find("{username}") != std::string::npos ||
                                  creates_account;
        if (!inside && names_object && status != 404) fail("outside the subtree, expected 404");
        // A role let onto a command route for other commands (a leader, who escalates) may
        // still not accept: domain::may_command decides per command.
        if (inside && pattern.find("/cases/{number}/commands/") != std::string::npos &&
            !domain::may_command(*c.role, domain::Command::kAccept) && status != 403) {
          fail("may not accept, expected 403");
        }
        if (inside && route->method == "GET" && status != 200) fail("expected 200");
      }
    }
  }
  if (!failures.empty()) {
    ADD_FAILURE() << failures << "\nroute | role | object | status\n" << table;
  }
}

// TESTS.md S8: only the roles that call residents back see their name and contact in the
// clear, and a unit's staff only on their own unit's cases; no staff role sees the tracking
// code; a command body cannot set protected fields.
TEST_P(Authz, FieldsByRole) {
  const std::string place = village_in(kYujiang);
  const Filed c = file_case(place);
  ASSERT_FALSE(c.number.empty());
  const std::int64_t unit = unit_in(place, kYujiang, app_->cases.get(c.number)->c.unit_id);
  const std::int64_t other_unit = other_unit_in(place, kYujiang, unit);
  ASSERT_NE(other_unit, 0) << "a second unit in the county";
  const std::string masked_contact = c.contact.substr(0, 3) + "****" + c.contact.substr(7);
  struct Reader {
    Role role;
    std::int64_t unit = 0;  // for the roles that act for a unit
    bool clear = false;
  };
  for (const Reader& reader :
       {Reader{Role::kOperator, 0, true}, Reader{Role::kHandler, unit, true},
        Reader{Role::kUnitHead, unit, true}, Reader{Role::kHandler, other_unit, false},
        Reader{Role::kUnitHead, other_unit, false}, Reader{Role::kLeader},
        Reader{Role::kGridWorker}, Reader{Role::kCadre}}) {
    const Role r = reader.role;
    const std::string role =
        std::string(domain::to_string(r)) + (reader.unit == other_unit ? ".other" : "");
    auto s = account_session("s8." + role, r, kYujiang,
                             domain::acts_for_unit(r) ? std::optional(reader.unit) : std::nullopt);
    auto reply = call(&s, "GET", "/api/v1/cases/" + c.number + "?purpose=s8");
    ASSERT_EQ(reply.res.result_int(), 200u) << role << ": " << reply.res.body();
    const auto v = testing::body_json(reply);
    EXPECT_FALSE(v.as_object().contains("tracking_code")) << role;
    EXPECT_EQ(reply.res.body().find(c.tracking_code), std::string::npos) << role;
    EXPECT_EQ(v.at("description").as_string(), c.description) << role;
    if (reader.clear) {
      EXPECT_EQ(v.at("name").as_string(), c.name) << role;
      EXPECT_EQ(v.at("contact").as_string(), c.contact) << role;
      continue;
    }
    EXPECT_EQ(v.at("contact").as_string(), masked_contact) << role;
    const std::string name(v.at("name").as_string());
    EXPECT_TRUE(name.starts_with("欧") && name.find_first_not_of('*', 3) == std::string::npos)
        << role << " sees the name " << name;
    EXPECT_EQ(reply.res.body().find(c.name), std::string::npos) << role;
    EXPECT_EQ(reply.res.body().find(c.contact), std::string::npos) << role;
  }

  auto op = account_session("s8.writer", Role::kOperator);
  const std::int64_t version = version_of(c.number);
  const http::testing::Headers if_match = {{"If-Match", "\"" + std::to_string(version) + "\""}};
  for (std::string body :
       {R"({"state":"closed"})", R"({"version":9})", R"({"note":"x","submitter_contact":"110"})",
        R"({"tracking_code":"x"})"}) {
    auto r = call(&op, "POST", "/api/v1/cases/" + c.number + "/commands/accept", body, if_match);
    EXPECT_EQ(r.res.result_int(), 400u) << body << ": " << r.res.body();
  }
  auto after = app_->cases.get(c.number);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->c.version, version) << "the refused commands changed nothing";
  EXPECT_EQ(after->c.state, domain::CaseState::kRegistered);
  EXPECT_EQ(after->c.submitter_contact, c.contact);
}

// TESTS.md S8 for merges (并单): a role that sees case files masked learns the other case's
// number only when it may see that case, and never the remark staff wrote on the merge (it may
// name the other case's person); the roles that call residents back see it all.
TEST_P(Authz, MergesAsMaskedRolesSeeThem) {
  // Two villages of 余江区 in different townships.
  const std::string first = village_in(kYujiang);
  auto last = db_->read_value([&](store::Sql& sql) {
    auto [lo, hi] = domain::scope_range(kYujiang);
    return sql.query_one(
        "SELECT code FROM jurisdiction WHERE level = 5 AND code >= $1 AND code < $2 "
        "ORDER BY code DESC LIMIT 1",
        {lo, hi});
  });
  ASSERT_TRUE(last);
  const std::string second = last->text(0);
  ASSERT_NE(first.substr(0, 9), second.substr(0, 9));
  const Filed repeat = file_case(first);
  const Filed target = file_case(second);
  ASSERT_FALSE(repeat.number.empty() || target.number.empty());
  const std::string remark = "与" + target.name + "反映的是同一处";
  auto merged = app_->cases.apply(
      repeat.number, domain::Command::kMerge, {.note = remark, .target_case = target.number},
      app::CaseService::kCurrentVersion, app::Actor{.name = "system", .staff = true});
  ASSERT_TRUE(merged) << merged.error().message;

  auto read = [&](const Session& s, const std::string& number) {
    auto r = call(&s, "GET", "/api/v1/cases/" + number + "?purpose=merge");
    EXPECT_EQ(r.res.result_int(), 200u) << s.username << " " << number << ": " << r.res.body();
    return r;
  };
  auto note_of = [](const http::testing::Reply& r, std::string_view event) {
    auto v = testing::body_json(r);
    for (const auto& e : v.at("events").as_array()) {
      if (e.at("event").as_string() == event) return std::string(e.at("note").as_string());
    }
    return std::string("(no " + std::string(event) + " event)");
  };

  // The operator calls people back: everything.
  auto op = account_session("s8m.operator", Role::kOperator);
  auto r = read(op, repeat.number);
  EXPECT_EQ(testing::body_json(r).at("merged_into").as_string(), target.number);
  EXPECT_NE(note_of(r, "merge").find(target.name), std::string::npos) << r.res.body();

  // A leader of the county sees both cases: the numbers, not the remark.
  auto leader = account_session("s8m.leader", Role::kLeader);
  r = read(leader, repeat.number);
  EXPECT_EQ(testing::body_json(r).at("merged_into").as_string(), target.number);
  EXPECT_NE(note_of(r, "merge").find(target.number), std::string::npos) << r.res.body();
  EXPECT_EQ(r.res.body().find(target.name), std::string::npos) << r.res.body();
  r = read(leader, target.number);
  EXPECT_NE(note_of(r, "repeat").find(repeat.number), std::string::npos) << r.res.body();

  // Grid workers of each township see one of the two: not the other's number either.
  auto here = account_session("s8m.grid.first", Role::kGridWorker, first.substr(0, 9));
  r = read(here, repeat.number);
  EXPECT_EQ(testing::body_json(r).at("merged_into").as_string(), "") << r.res.body();
  EXPECT_EQ(r.res.body().find(target.number), std::string::npos) << r.res.body();
  EXPECT_EQ(r.res.body().find(target.name), std::string::npos) << r.res.body();
  EXPECT_EQ(note_of(r, "merge"), "已并入另一在办案件");
  EXPECT_EQ(testing::body_json(r).at("state").as_string(), "merged");
  auto there = account_session("s8m.grid.second", Role::kGridWorker, second.substr(0, 9));
  r = read(there, target.number);
  EXPECT_EQ(r.res.body().find(repeat.number), std::string::npos) << r.res.body();
  EXPECT_EQ(note_of(r, "repeat"), "同一事项再次反映");
}

// The case file's allowed_commands are the buttons that work: what the reader could give now
// with success, the very list a refused command's 409 answer names — the state, the role, a
// unit role's own unit, and the case's own conditions (rework only after 不满意).
TEST_P(Authz, AllowedCommandsAreThoseThatCanSucceed) {
  const std::string place = village_in(kYujiang);
  const Filed c = file_case(place);
  ASSERT_FALSE(c.number.empty());
  const std::int64_t mine = unit_in(place, kYujiang, app_->cases.get(c.number)->c.unit_id);
  const std::int64_t other = other_unit_in(place, kYujiang, mine);
  ASSERT_NE(other, 0) << "a second unit in the county";
  const app::Actor inside{.name = "system", .staff = true};
  auto step = [&](domain::Command command, app::CommandInput in = {}) {
    auto r = app_->cases.apply(c.number, command, in, app::CaseService::kCurrentVersion, inside);
    ASSERT_TRUE(r) << domain::to_string(command) << ": " << r.error().message;
  };
  auto allowed = [&](const Session& s) {
    auto r = call(&s, "GET", "/api/v1/cases/" + c.number + "?purpose=buttons");
    EXPECT_EQ(r.res.result_int(), 200u) << s.username << ": " << r.res.body();
    std::string out;
    const auto body = testing::body_json(r);  // a range-for keeps only the array, not the value
    for (const auto& a : body.at("allowed_commands").as_array()) {
      out += (out.empty() ? "" : ", ") + std::string(a.as_string());
    }
    return out.empty() ? std::string("none") : out;
  };
  auto refused = [&](const Session& s, std::string_view command) {
    const http::testing::Headers if_match = {
        {"If-Match", "\"" + std::to_string(version_of(c.number)) + "\""}};
    auto r = call(&s, "POST", "/api/v1/cases/" + c.number + "/commands/" + std::string(command),
                  "{}", if_match);
    EXPECT_EQ(r.res.result_int(), 409u) << r.res.body();
    // The commands that could succeed, as a field and in the message.
    const auto body = testing::body_json(r);
    const auto& error = body.at("error").as_object();
    std::string listed;
    for (const auto& a : error.at("allowed").as_array()) {
      listed += (listed.empty() ? "" : ", ") + std::string(a.as_string());
    }
    if (listed.empty()) listed = "none";
    const std::string message(error.at("message").as_string());
    constexpr std::string_view kMarker = "allowed now: ";
    auto at = message.find(kMarker);
    EXPECT_EQ(at == std::string::npos ? message : message.substr(at + kMarker.size()), listed);
    return listed;
  };

  step(domain::Command::kAccept);
  step(domain::Command::kAssign, {.unit_id = mine});
  auto head = account_session("buttons.head", Role::kUnitHead, kYujiang, mine);
  auto stranger = account_session("buttons.stranger", Role::kHandler, kYujiang, other);
  EXPECT_EQ(allowed(head), "start, return, request_extension, resolve, escalate");
  EXPECT_EQ(allowed(head), refused(head, "approve_extension"));
  EXPECT_EQ(allowed(stranger), "none") << "another unit's case: every command is refused";

  step(domain::Command::kResolve, {.reply = "已处理。"});
  step(domain::Command::kFollowUp, {.rating = domain::Rating::kSatisfied});
  auto op = account_session("buttons.operator", Role::kOperator);
  EXPECT_EQ(allowed(op), "close") << "no rework of a satisfied answer";
  EXPECT_EQ(allowed(op), refused(op, "accept"));
}

// TESTS.md A1: a read of a case file writes one audit entry naming who, which case, why and the
// outcome, but none of the personal data; refused reads are audited too; and when the entry
// cannot be written the read fails.
TEST_P(Authz, ReadsAreAudited) {
  const Filed c = file_case(village_in(kYujiang));
  const Filed foreign = file_case(village_in(kYuehu));
  ASSERT_FALSE(c.number.empty());
  auto op = account_session("a1.operator", Role::kOperator);
  const std::size_t before = audit_of(c.number).size();
  auto read = call(&op, "GET", "/api/v1/cases/" + c.number + "?purpose=callback");
  ASSERT_EQ(read.res.result_int(), 200u) << read.res.body();
  auto entries = audit_of(c.number);
  ASSERT_EQ(entries.size(), before + 1) << "exactly one entry per read";
  const auto& e = entries.front();
  EXPECT_EQ(e.action, "case.read");
  EXPECT_EQ(e.object_type, "case");
  EXPECT_EQ(e.object_id, c.number);
  EXPECT_EQ(e.purpose, "callback");
  EXPECT_EQ(e.actor, op.username);
  EXPECT_EQ(e.role, "operator");
  EXPECT_EQ(e.outcome, "ok");
  EXPECT_EQ(e.request_id, std::string(read.res["X-Request-Id"]));
  EXPECT_LE(e.at, clock_.now());
  for (const auto& entry : entries) {
    for (const std::string& field : {entry.actor, entry.object_id, entry.purpose, entry.remote,
                                     entry.outcome, entry.request_id, entry.action}) {
      for (const std::string& secret : {c.name, c.contact, c.description, c.tracking_code}) {
        EXPECT_EQ(field.find(secret), std::string::npos) << entry.action << " holds " << secret;
      }
    }
  }

  auto refused = call(&op, "GET", "/api/v1/cases/" + foreign.number + "?purpose=curiosity");
  EXPECT_EQ(refused.res.result_int(), 404u) << refused.res.body();
  bool denied = false;
  for (const auto& entry : audit_of(foreign.number)) {
    denied = denied || (entry.action == "case.read" && entry.actor == op.username &&
                        entry.outcome == "denied" && entry.purpose == "curiosity");
  }
  EXPECT_TRUE(denied) << "the refused read is in the log";

  // The audit log refuses appends: the read must fail, with nothing of the case in the answer.
  const bool pg = db_->dialect() == store::Dialect::kPostgres;
  auto exec = [&](const char* sql) {
    auto r = db_->write([&](store::Sql& s) { return s.exec_script(sql); });
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().message);
  };
  exec(pg ? "CREATE FUNCTION a1_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit refused by test'; END $$; "
            "CREATE TRIGGER a1_refuse BEFORE INSERT ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION a1_refuse();"
          : "CREATE TRIGGER a1_refuse BEFORE INSERT ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit refused by test'); END;");
  struct DropTrigger {
    std::function<void()> drop;
    ~DropTrigger() { drop(); }
  } cleanup{[&] {
    exec(pg ? "DROP TRIGGER a1_refuse ON audit_log; DROP FUNCTION a1_refuse();"
            : "DROP TRIGGER a1_refuse;");
  }};
  const std::size_t kept = audit_of(c.number).size();
  auto failed = call(&op, "GET", "/api/v1/cases/" + c.number + "?purpose=callback");
  EXPECT_GE(failed.res.result_int(), 500u) << failed.res.body();
  const auto failed_json = testing::body_json(failed);
  EXPECT_TRUE(failed_json.is_object() && failed_json.as_object().size() == 1 &&
              failed_json.as_object().contains("error"))
      << failed.res.body();
  for (const std::string& secret : {c.name, c.contact, c.description, std::string("refused")}) {
    EXPECT_EQ(failed.res.body().find(secret), std::string::npos) << failed.res.body();
  }
  EXPECT_EQ(audit_of(c.number).size(), kept);
  cleanup.drop();
  cleanup.drop = [] {};
  EXPECT_EQ(call(&op, "GET", "/api/v1/cases/" + c.number).res.result_int(), 200u)
      << "reads work again once the log accepts entries";
}

// TESTS.md C1 over HTTP: commands need If-Match; of two with the same version one wins and the
// other gets 412; the version goes up by exactly one.
TEST_P(Authz, CommandsNeedTheCurrentVersion) {
  const Filed c = file_case(village_in(kYujiang));
  ASSERT_FALSE(c.number.empty());
  auto op = account_session("c1.operator", Role::kOperator);
  const std::string target = "/api/v1/cases/" + c.number + "/commands/accept";
  const std::int64_t version = version_of(c.number);
  auto read = call(&op, "GET", "/api/v1/cases/" + c.number);
  EXPECT_EQ(std::string(read.res["ETag"]), "\"" + std::to_string(version) + "\"");

  auto bare = call(&op, "POST", target);
  EXPECT_EQ(bare.res.result_int(), 428u) << bare.res.body();
  EXPECT_EQ(version_of(c.number), version);

  const http::testing::Headers if_match = {{"If-Match", "\"" + std::to_string(version) + "\""}};
  std::vector<http::testing::Reply> replies(2);
  std::vector<std::thread> threads;
  for (auto& r : replies) {
    threads.emplace_back([&] { r = call(&op, "POST", target, "", if_match); });
  }
  for (auto& t : threads) t.join();
  std::multiset<unsigned> statuses;
  for (const auto& r : replies) statuses.insert(r.res.result_int());
  EXPECT_EQ(statuses, (std::multiset<unsigned>{200u, 412u}))
      << replies[0].res.body() << " / " << replies[1].res.body();
  for (const auto& r : replies) {
    if (r.res.result_int() == 200) {
      EXPECT_EQ(std::string(r.res["ETag"]), "\"" + std::to_string(version + 1) + "\"");
    } else {
      EXPECT_EQ(testing::body_json(r).at("error").at("code").as_string(), "precondition_failed");
    }
  }
  EXPECT_EQ(version_of(c.number), version + 1);
  EXPECT_EQ(app_->cases.get(c.number)->c.state, domain::CaseState::kAccepted);
}

// The list in deadline order (the staff queue's "overdue first"): the cases on a clock by
// deadline, soonest first, then those on none, newest first; page by page the same as in one
// page, and inside the caller's subtree only.
TEST_P(Authz, ListsByDeadlineWithinTheScope) {
  const std::string place = village_in(kYujiang);
  const Filed fifteen_days = file_case(place, nullptr, "urban.illegal_building");
  const Filed seven_days = file_case(place, nullptr, "urban.sanitation");
  const Filed one_day = file_case(place, nullptr, "urban.drainage");
  const Filed stopped = file_case(place, nullptr, "urban.sanitation");
  const Filed foreign = file_case(village_in(kYuehu), nullptr, "urban.drainage");
  auto declined =
      app_->cases.apply(stopped.number, domain::Command::kDecline, {.note = "不属于受理范围"},
                        app::CaseService::kCurrentVersion, app::Actor{.name = "system"});
  ASSERT_TRUE(declined) << declined.error().message;
  ASSERT_FALSE(declined->deadline_at) << "a declined case is on no clock";
  auto op = account_session("sort.operator", Role::kOperator);

  struct Item {
    std::string number;
    std::optional<Instant> deadline;
    Instant created;
  };
  auto page_of = [&](const std::string& query, std::vector<Item>& into) -> std::string {
    auto r = call(&op, "GET", "/api/v1/cases?sort=deadline&" + query);
    EXPECT_EQ(r.res.result_int(), 200u) << query << ": " << r.res.body();
    auto v = testing::body_json(r);
    if (!v.is_object()) return "";
    for (const auto& item : v.at("items").as_array()) {
      EXPECT_TRUE(item.at("place").as_string().starts_with(kYujiang)) << item;
      const auto& deadline = item.at("deadline_at");
      into.push_back({std::string(item.at("number").as_string()),
                      deadline.is_null() ? std::nullopt : parse_instant_utc(deadline.as_string()),
                      parse_instant_utc(item.at("created_at").as_string()).value_or(Instant{})});
    }
    const auto* next = v.as_object().if_contains("next");
    return next != nullptr && next->is_string() ? std::string(next->as_string()) : "";
  };
  std::vector<Item> walked;
  std::string cursor = page_of("limit=2", walked);
  for (int page = 0; !cursor.empty() && page < 2000; ++page) {
    cursor = page_of("limit=2&cursor=" + cursor, walked);
  }
  std::vector<Item> whole;
  page_of("limit=200", whole);
  ASSERT_LT(whole.size(), 200u) << "the subtree fits one page";
  ASSERT_EQ(walked.size(), whole.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(walked[i].number, whole[i].number) << "page by page as in one page, at " << i;
  }
  std::map<std::string, std::size_t> at;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    EXPECT_TRUE(at.emplace(whole[i].number, i).second) << whole[i].number << " twice";
    if (i == 0) continue;
    const Item& a = whole[i - 1];
    const Item& b = whole[i];
    if (a.deadline && b.deadline) {
      EXPECT_TRUE(*a.deadline < *b.deadline || (*a.deadline == *b.deadline && a.number < b.number))
          << a.number << " before " << b.number;
    } else {
      EXPECT_FALSE(!a.deadline && b.deadline) << "no clock before a clock at " << i;
      if (!a.deadline && !b.deadline) {
        EXPECT_FALSE(a.created < b.created) << a.number << " older than " << b.number;
      }
    }
  }
  for (const Filed* f : {&fifteen_days, &seven_days, &one_day, &stopped}) {
    ASSERT_TRUE(at.contains(f->number)) << f->number << " missing";
  }
  EXPECT_FALSE(at.contains(foreign.number)) << "outside the subtree";
  EXPECT_LT(at[one_day.number], at[seven_days.number]);
  EXPECT_LT(at[seven_days.number], at[fifteen_days.number]);
  EXPECT_LT(at[fifteen_days.number], at[stopped.number]);

  // A bare date is a day in China, and "to" includes its day: from=to=that day lists the case;
  // the day before or after does not.
  const Date day = domain::china_date(whole[at[one_day.number]].created);
  const auto lists_one_day = [&](Date from, Date to) {
    std::vector<Item> found;
    page_of("limit=200&from=" + format_date(from) + "&to=" + format_date(to), found);
    return std::any_of(found.begin(), found.end(),
                       [&](const Item& i) { return i.number == one_day.number; });
  };
  EXPECT_TRUE(lists_one_day(day, day));
  EXPECT_FALSE(lists_one_day(day - std::chrono::days(1), day - std::chrono::days(1)));
  EXPECT_FALSE(lists_one_day(day + std::chrono::days(1), day + std::chrono::days(1)));
  EXPECT_EQ(call(&op, "GET", "/api/v1/cases?to=2026-02-30").res.result_int(), 400u);
  // A category lists the categories under it too.
  const auto listed = [&](const std::string& category) {
    std::vector<Item> found;
    page_of("limit=200&category=" + category, found);
    std::set<std::string> numbers;
    for (const Item& i : found) numbers.insert(i.number);
    return numbers;
  };
  EXPECT_TRUE(listed("urban").contains(one_day.number));
  EXPECT_TRUE(listed("urban").contains(seven_days.number));
  EXPECT_FALSE(listed("urban.sanitation").contains(one_day.number));
  EXPECT_TRUE(listed("urban.sanitation").contains(seven_days.number));
  EXPECT_FALSE(listed("env").contains(seven_days.number));

  // The default order is unchanged (newest first), and other orders are refused.
  auto newest = call(&op, "GET", "/api/v1/cases?limit=1&sort=newest");
  auto plain = call(&op, "GET", "/api/v1/cases?limit=1");
  EXPECT_EQ(testing::body_json(newest).at("items"), testing::body_json(plain).at("items"));
  EXPECT_EQ(testing::body_json(plain).at("items").at(0).at("number").as_string(), stopped.number);
  auto bad = call(&op, "GET", "/api/v1/cases?sort=urgency");
  EXPECT_EQ(bad.res.result_int(), 400u) << bad.res.body();
  EXPECT_EQ(testing::body_json(bad).at("error").at("field").as_string(), "sort");

  // A filter that names nothing is refused, not answered with an empty list that reads as "no
  // cases"; so is a page of no cases.
  for (const auto& [query, field] :
       std::vector<std::pair<std::string, std::string>>{{"state=bogus", "state"},
                                                        {"kind=complaint", "kind"},
                                                        {"category=urban.nope", "category"},
                                                        {"place=369999", "place"},
                                                        {"limit=0", "limit"}}) {
    auto refused = call(&op, "GET", "/api/v1/cases?" + query);
    EXPECT_EQ(refused.res.result_int(), 400u) << query << ": " << refused.res.body();
    EXPECT_EQ(testing::body_json(refused).at("error").at("field").as_string(), field) << query;
  }
  auto zh = call(&op, "GET", "/api/v1/cases?state=bogus", "", {{"Accept-Language", "zh-CN"}});
  EXPECT_NE(zh.res.body().find("未知的状态：bogus"), std::string::npos) << zh.res.body();
  for (const char* fine : {"state=registered", "kind=petition", "category=urban.road",
                           "category=urban", "place=360603", "limit=200"}) {
    auto r = call(&op, "GET", std::string("/api/v1/cases?") + fine);
    EXPECT_EQ(r.res.result_int(), 200u) << fine << ": " << r.res.body();
  }
  // The tree is the parents', whatever the codes look like: a category an administrator added
  // under 城乡建设 with a code of its own is listed under it too (filed last: the order checks
  // above want the declined case newest).
  const std::string own_code = "zsub" + std::to_string(::getpid()) + testing::to_string(GetParam());
  auto added = db_->write_value([&](store::Sql& sql) {
    return store::catalogue::insert_category(sql,
                                             {.code = own_code,
                                              .parent_code = "urban",
                                              .name_zh = "测试子类" + own_code,
                                              .name_en = "Test " + own_code,
                                              .time_limit = {7, domain::PeriodUnit::kCalendarDays},
                                              .routing_level = domain::Level::kVillage});
  });
  ASSERT_TRUE(added) << added.error().message;
  const Filed own = file_case(place, nullptr, own_code);
  EXPECT_TRUE(listed("urban").contains(own.number));
  EXPECT_TRUE(listed(own_code).contains(own.number));
}

INSTANTIATE_TEST_SUITE_P(Stores, Authz, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

}  // namespace
}  // namespace jiceng
