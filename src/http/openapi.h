// The OpenAPI 3.0.3 document, built from the route table so that it cannot drift from it:
// one operation per route: its summary, path parameters from {name} captures, query parameters
// from Route::query_params, the headers it reads (Accept-Language always; If-Match,
// Idempotency-Key and X-CSRF-Token as declared), its body (Route::body) and every status it may
// answer, each error with its schema ({"error": {code, message, request_id, field}}, or
// GeoReport v2's [{code, description}] under /open311/v2). The statuses are those any route
// gives (400, 500, 503), those its declaration implies (401 and 403 for signed-in roles, 403 for
// a write without the CSRF token, 404 with a path capture, 413 with a body, 412 and 428 with
// If-Match, 422 with Idempotency-Key) and Route::answers; the integration tests check every
// status they see a route answer against it (tests/integration/api_fixture.h).
#pragma once

#include <string>
#include <string_view>

#include "http/router.h"

namespace jiceng::http {

struct ApiInfo {
  std::string title = "jiceng API";
  std::string version;  // e.g. "0.1.0"
};

// The document as JSON text.
std::string openapi_document(const Router& router, const ApiInfo& info);

}  // namespace jiceng::http
