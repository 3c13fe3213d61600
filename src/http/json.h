// JSON responses for handlers: the body is always serialized by Boost.JSON.
#pragma once

#include <boost/json/value.hpp>

#include "http/router.h"

namespace jiceng::http {

// A response with `body` serialized as JSON (Content-Type application/json; charset=utf-8).
Response json_response(const boost::json::value& body, unsigned status = 200);

}  // namespace jiceng::http
