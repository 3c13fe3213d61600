#include "http/static_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>

#include "http/errors.h"

namespace jiceng::http {
namespace {

namespace fs = std::filesystem;

struct FileType {
  std::string_view extension;
  std::string_view content_type;
};
constexpr std::array<FileType, 20> kFileTypes = {{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".map", "application/json; charset=utf-8"},
    {".webmanifest", "application/manifest+json; charset=utf-8"},
    {".txt", "text/plain; charset=utf-8"},
    {".svg", "image/svg+xml; charset=utf-8"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".ttf", "font/ttf"},
    {".otf", "font/otf"},
    {".wasm", "application/wasm"},
}};

std::string_view content_type_of(const fs::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const FileType& t : kFileTypes) {
    if (t.extension == ext) return t.content_type;
  }
  return "application/octet-stream";
}

bool under(std::string_view path, std::string_view prefix) {
  return path == prefix || (path.starts_with(prefix) && path[prefix.size()] == '/');
}

// Paths the server answers itself: never a page of the app.
bool server_path(std::string_view path) {
  for (std::string_view p : {"/api", "/open311", "/healthz", "/readyz", "/metrics"}) {
    if (under(path, p)) return true;
  }
  return false;
}

// The path below the root ("assets/app.js"), or nullopt when a segment is "." or "..".
std::optional<fs::path> relative_path(std::string_view path) {
  fs::path out;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    std::string_view segment = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (segment == "." || segment == "..") return std::nullopt;
    if (!segment.empty()) out /= fs::path(segment);
  }
  return out;
}

bool inside(const fs::path& root, const fs::path& file) {
  auto [r, f] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  return r == root.end();
}

// True when an If-None-Match value ("*", or a list of entity tags) matches etag (weak
// comparison, RFC 9110 13.1.2).
bool none_match(std::string_view header, std::string_view etag) {
  auto opaque = [](std::string_view tag) {
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    return tag;
  };
  std::string_view mine = opaque(etag);
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view tag = opaque(header.substr(0, comma));
    if (tag == "*" || tag == mine) return true;
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
  }
  return false;
}

Response not_found(const Request& req) {
  return error_response(
      Error::not_found("no resource at " + req.path).zh("没有此资源：" + req.path), req);
}

Response send_file(const fs::path& file, bool immutable, const Request& req) {
  std::error_code ec;
  auto size = fs::file_size(file, ec);
  auto modified = fs::last_write_time(file, ec);
  if (ec) return not_found(req);
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(modified.time_since_epoch());
  std::string etag = fmt::format("W/\"{:x}-{:x}\"", size, ns.count());
  Response res;
  res.headers = {{"ETag", etag},
                 {"Cache-Control",
                  immutable ? "public, max-age=31536000, immutable" : "no-cache"}};
  std::string_view type = content_type_of(file);
  if (type.starts_with("text/html")) {
    res.headers.emplace_back("Content-Security-Policy", kWebUiContentSecurityPolicy);
  }
  if (auto match = req.header("If-None-Match"); match && none_match(*match, etag)) {
    res.status = 304;
    res.content_type.clear();
    return res;
  }
  std::ifstream in(file, std::ios::binary);
  res.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return error_response(Error::internal("cannot read " + file.string()), req);
  res.content_type = std::string(type);
  return res;
}

}  // namespace

Response serve_static_file(const fs::path& root, const Request& req) {
  if (server_path(req.path)) return not_found(req);
  auto relative = relative_path(req.path);
  std::error_code ec;
  fs::path real_root = fs::canonical(root, ec);
  if (!relative || ec) return not_found(req);
  bool asset = under(req.path, "/assets");
  // Symbolic links are followed only as far as they stay under the root.
  fs::path real = fs::canonical(real_root / *relative, ec);
  if (!ec && !inside(real_root, real)) return not_found(req);
  if (!ec && fs::is_regular_file(real, ec)) return send_file(real, asset, req);
  if (asset) return not_found(req);
  fs::path index = fs::canonical(real_root / "index.html", ec);
  if (ec || !inside(real_root, index) || !fs::is_regular_file(index, ec)) return not_found(req);
  return send_file(index, false, req);
}

Result<void> serve_web_ui(Router& router, const fs::path& root) {
  std::error_code ec;
  fs::path real_root = fs::canonical(root, ec);
  if (ec || !fs::is_directory(real_root, ec)) {
    return Error::not_found("no web UI at " + root.string() + " (build it: npm run build in web/)");
  }
  router.set_fallback({.method = "GET",
                       .pattern = "/*",
                       .summary = "The web UI's files",
                       .policy = Policy::kPublic,
                       .handler = [real_root](const Request& req) {
                         return serve_static_file(real_root, req);
                       }});
  return {};
}

}  // namespace jiceng::http
