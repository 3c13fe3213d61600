#include "http/errors.h"

#include <spdlog/spdlog.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace jiceng::http {

unsigned http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnprocessable:
      return 422;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response protocol_error(unsigned status, std::string_view code, std::string_view message,
                        std::string_view request_id) {
  boost::json::object error;
  error["code"] = code;
  error["message"] = message;
  error["request_id"] = request_id;
  boost::json::object body;
  body["error"] = std::move(error);
  Response res;
  res.status = status;
  res.body = boost::json::serialize(body);
  return res;
}

Response error_response(const Error& e, std::string_view request_id) {
  std::string message = e.message;
  if (e.code == ErrorCode::kInternal) {
    spdlog::error("request {}: internal error: {}", request_id, e.message);
    message = "internal error, quote request id " + std::string(request_id) + " when reporting it";
  } else if (e.code == ErrorCode::kUnavailable) {
    spdlog::warn("request {}: unavailable: {}", request_id, e.message);
    message = "the store is unavailable, try again shortly";
  }
  Response res = protocol_error(http_status(e.code), to_string(e.code), message, request_id);
  if (e.code == ErrorCode::kResourceExhausted) res.headers.emplace_back("Retry-After", "1");
  if (e.code == ErrorCode::kUnavailable) res.headers.emplace_back("Retry-After", "5");
  return res;
}

}  // namespace jiceng::http
