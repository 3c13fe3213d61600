// The HTTP API: the route table that `jiceng serve` hands to the Server. Handlers are thin
// adapters: they parse the request, call one use case of app::App, and map its Result to JSON
// or to an error response (errors.h).
#pragma once

#include "app/app.h"
#include "http/metrics.h"
#include "http/router.h"

namespace jiceng::http {

// Every route: GET /healthz, /readyz, /metrics, /api/v1/noop, /api/v1/openapi.json (built from
// this same table) and the jurisdiction routes. app and metrics must outlive the router.
Router make_router(app::App& app, Metrics& metrics);

// GET /api/v1/jurisdictions/{code}, /api/v1/jurisdictions/{code}/children and
// /api/v1/jurisdictions?q=…&limit=…. service must outlive the router.
void add_jurisdiction_routes(Router& router, app::JurisdictionService& service);

// GET /api/v1/categories, /api/v1/units?place=… and /api/v1/units/{id}. service must outlive
// the router.
void add_catalogue_routes(Router& router, app::CatalogueService& service);

// POST /api/v1/cases (a resident's submission) and GET /api/v1/track/{code}.
void add_case_routes(Router& router, app::App& app);

// GET /api/v1/workflows/{kind}: the case workflow table (domain/workflow.h) as JSON.
void add_workflow_routes(Router& router);

}  // namespace jiceng::http
