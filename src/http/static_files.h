// The web UI's built files (web/dist, made by `npm run build` in web/) served at "/", as the
// router's fallback: a GET or HEAD whose path no API route matches.
//
// - A path naming a regular file under the root answers that file, with its Content-Type by
//   extension (text types in UTF-8) and a weak ETag (size and modification time); If-None-Match
//   with that ETag answers 304. Files under /assets/ (named by a hash of their content) are
//   `Cache-Control: public, max-age=31536000, immutable`; everything else `no-cache`.
// - Any other path (a page of the single-page app, such as /track/ABC) answers index.html, so
//   that the app's router shows it; except the server's own prefixes (/api/, /open311/,
//   /healthz, /readyz, /metrics) and missing files under /assets/, which answer the API's JSON
//   404 (an HTML page must never be cached as an immutable script).
// - A path with a "." or ".." segment (after percent-decoding), or one that leads out of the root
//   through a symbolic link, answers 404.
// - HTML gets a Content-Security-Policy that allows the app's own scripts, styles, images and
//   fonts and calls to its own origin, nothing else (kWebUiContentSecurityPolicy); the other
//   security headers are the server's (server.h).
#pragma once

#include <filesystem>
#include <string_view>

#include "http/router.h"

namespace jiceng::http {

inline constexpr std::string_view kWebUiContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

// The response for req from the files under root (see above). Reads the file on each request,
// so a rebuilt UI is served without a restart.
Response serve_static_file(const std::filesystem::path& root, const Request& req);

// Sets router's fallback route to serve_static_file under root (see Router::set_fallback).
// kNotFound when root is not a directory: the caller then serves the API alone.
[[nodiscard]] Result<void> serve_web_ui(Router& router, const std::filesystem::path& root);

}  // namespace jiceng::http
