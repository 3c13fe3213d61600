// The one table from jiceng::ErrorCode to an HTTP status, and the JSON error body every error
// response carries: {"error":{"code":"not_found","message":"…","request_id":"…"}}, with
// "field" too when the error is about one input field.
#pragma once

#include <chrono>
#include <span>
#include <string_view>

#include "common/error.h"
#include "http/router.h"

namespace jiceng::http {

// invalid_argument 400, not_found 404, already_exists/conflict/failed_precondition 409,
// permission_denied 403, unauthenticated 401, payload_too_large 413, unprocessable 422,
// resource_exhausted 429, unavailable 503, internal 500.
unsigned http_status(ErrorCode code);

// The request field an input error is about: for kInvalidArgument with a message of the form
// "field: what" (the convention of every input check, e.g. "description: is required"), the
// field ("description"); else "". Clients show the message next to that field.
std::string_view field_of(const Error& e);
// The same error with its field named as the caller's request names it, where a domain check
// names it otherwise ("submitter_name" is the JSON body's "name", Open311's
// "first_name/last_name"): the "field: " prefix, and "（field）" in the Chinese text.
Error with_field_names(Error e,
                       std::span<const std::pair<std::string_view, std::string_view>> renames);

// What the caller is told of an error, in English and Chinese: its message, except for an
// internal error, an unavailable store and a dependency's own words (Error::raw), which are
// logged (with the request id) and answered with a general message quoting that id.
ErrorText public_text(const Error& e, std::string_view request_id);
// The same in one language: Chinese when chinese is set and the error has Chinese words.
std::string public_message(const Error& e, std::string_view request_id, bool chinese);

// The response for e (its Response::error set); the body's "field" is field_of(e) when not empty.
// For kInternal and kUnavailable, and for any error whose message is a dependency's own words
// (Error::raw), the message sent is generic and e.message is logged (with the request id) instead;
// 429 and 503 carry Retry-After. The message is Chinese when chinese is set and the error carries
// one (Error::message_zh).
Response error_response(const Error& e, std::string_view request_id, bool chinese = false);
// The same, in the language the request's Accept-Language prefers (zh or en; English by
// default).
Response error_response(const Error& e, const Request& req);
// A 429 for e (kResourceExhausted) with Retry-After: wait (at least 1 s).
Response too_many_requests(const Error& e, std::chrono::seconds wait, const Request& req);
// True when the first zh or en range of an Accept-Language value is zh.
bool prefers_chinese(std::optional<std::string_view> accept_language);
enum class Language { kChinese, kEnglish };
// The zh or en range with the highest q-value (the first on a tie); nullopt when it names
// neither.
std::optional<Language> preferred_language(std::optional<std::string_view> accept_language);

// An error response for a protocol failure that has no ErrorCode (e.g. 405
// "method_not_allowed"): status, code, message and field (omitted when empty) are sent as given;
// Response::error holds message and message_zh.
Response protocol_error(unsigned status, std::string_view code, std::string_view message,
                        std::string_view request_id, std::string_view field = {},
                        std::string_view message_zh = {});
// The same with an Error's message in the caller's language (e.g. 412 "precondition_failed"
// from a version conflict, 428 "precondition_required").
Response protocol_error(unsigned status, std::string_view code, const Error& e,
                        std::string_view request_id, bool chinese);

// ---- Open311 GeoReport v2 ----
// Every error under /open311/v2 takes the spec's form, the handlers' own and those raised before
// a handler runs (an unknown resource or format, a method not allowed, a body too large, a busy
// server): [{"code":400,"description":"…"}] in JSON, and in XML
// <errors><error><code>400</code><description>…</description></error></errors>. The server
// renders them (http/server.cc, with open311_error) from Response::error.

// True for the GeoReport v2 base path and the paths under it.
bool is_open311_path(std::string_view path);
enum class Open311Format { kJson, kXml };
// kJson when the path's last segment ends in ".json", else kXml: the format the spec requires
// of every server, and the one asked for by ".xml".
Open311Format open311_format(std::string_view path);
// The spec's status for an HTTP error status: 403 for 401 and 403 (a missing or bad api_key),
// 404 for 404, and 400 for any other mistake of the caller's (409, 412, 422 …); 405, 413, 429,
// 431 and 5xx keep theirs, as do their Allow and Retry-After headers.
unsigned open311_status(unsigned status);
// res in the spec's form when it is an error response with Response::error set: the status as
// open311_status, the body [{"code": status, "description": …}] (or its XML), the text English
// when english, else Chinese when it has Chinese words; headers kept, Response::error cleared.
// Any other res comes back as it was.
Response open311_error(Response res, Open311Format format, bool english);

}  // namespace jiceng::http
