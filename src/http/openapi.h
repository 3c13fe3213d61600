// The OpenAPI 3.0.3 document, built from the route table so that it cannot drift from it:
// one operation per route (summary, path parameters from {name} captures, query parameters from
// Route::query_params) and the standard error schema for every error response.
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
