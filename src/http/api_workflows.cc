// The case workflows as data (GET /api/v1/workflows/{kind}): the same table the app layer
// enforces, so a client can show the allowed actions and a reader can audit the rules.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "domain/workflow.h"
#include "http/api.h"
#include "http/errors.h"
#include "http/json.h"

namespace jiceng::http {
namespace {

namespace json = boost::json;

json::object workflow_json(domain::CaseKind kind) {
  json::array states;
  for (auto s : domain::kAllStates) {
    // Review states exist only for petitions.
    bool used = false;
    for (const auto& t : domain::workflow(kind)) used = used || t.from == s || t.to == s;
    if (!used) continue;
    states.push_back(json::object{{"name", domain::to_string(s)},
                                  {"label_zh", domain::label_zh(s)},
                                  {"final", domain::is_terminal(s)},
                                  {"initial", s == domain::CaseState::kRegistered}});
  }
  json::array commands;
  for (auto c : domain::kAllCommands) {
    commands.push_back(
        json::object{{"name", domain::to_string(c)}, {"label_zh", domain::label_zh(c)}});
  }
  json::array transitions;
  for (const auto& t : domain::workflow(kind)) {
    json::array guards;
    for (auto g : t.guards) guards.push_back(json::string(domain::to_string(g)));
    transitions.push_back(json::object{{"from", domain::to_string(t.from)},
                                       {"command", domain::to_string(t.command)},
                                       {"to", domain::to_string(t.to)},
                                       {"guards", std::move(guards)},
                                       {"clock", domain::to_string(t.clock)},
                                       {"public", t.public_event},
                                       {"takes_time_limit", t.takes_time_limit}});
  }
  return json::object{{"kind", domain::to_string(kind)},
                      {"states", std::move(states)},
                      {"commands", std::move(commands)},
                      {"transitions", std::move(transitions)}};
}

}  // namespace

void add_workflow_routes(Router& router) {
  router.add({.method = "GET",
              .pattern = "/api/v1/workflows/{kind}",
              .summary = "The workflow of a kind of case (demand, petition): states, commands "
                         "and the transition table with guards, clock effects and whether a "
                         "command takes a time limit",
              .policy = Policy::kPublic,
              .handler = [](const Request& req) {
                auto kind = domain::case_kind_from_string(req.params.at("kind"));
                if (!kind) {
                  return error_response(
                      Error::not_found("no workflow for kind '" + req.params.at("kind") + "'")
                          .zh("没有这种案件类型的流程：" + req.params.at("kind")),
                      req);
                }
                return json_response(workflow_json(*kind));
              }});
}

}  // namespace jiceng::http
