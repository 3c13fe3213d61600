// The life of one demo case after its registration (app/demo_case_generator.h): commands at
// realistic times, as the staff and residents would give them, with the scheduler's warnings,
// breaches and escalations in between, up to the world's `now`.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/demo_case_generator.h"
#include "app/demo_random.h"
#include "domain/case.h"
#include "domain/deadline.h"

namespace jiceng::app {

struct DemoLife {
  const DemoWorld& world;
  const DemoPlace& place;     // the case's place
  domain::Period time_limit;  // the case's category's handling limit
  demo::Rng& rng;
  // One of the texts, its slots filled in (app/demo_case_texts.h).
  std::function<std::string(std::span<const std::string_view>)> say;
  std::function<std::string()> reply;  // a written reply to the case (办结答复)
};

// Drives `c`, just registered (version 1, its register event alone in `events`), through the
// workflow (domain/workflow.h) as CaseService::apply and CaseService::run_due_timers would,
// appending the events: a demand is accepted or declined, assigned, perhaps returned and
// re-dispatched, started, extended, resolved with a reply, followed up and closed, perhaps
// reworked once; a petition the same on its own clocks, and perhaps reviewed (复查) and
// re-reviewed (复核). A step that would come after world.now is not taken, and a few cases stall
// (the backlog); the scheduler's steps due before world.now are taken.
void live_demo_case(const DemoLife& life, domain::Case& c, std::vector<domain::CaseEvent>& events);

// The name of a hotline operator (坐席) who registers, dispatches and calls back: "operator.07".
std::string demo_operator(demo::Rng& rng);

}  // namespace jiceng::app
