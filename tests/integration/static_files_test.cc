// The web UI's files served by the real server over sockets (static_files.h): content types,
// caching and revalidation, the single-page app's fallback, HEAD, and no way out of the root.
#include "http/static_files.h"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "http/json.h"
#include "http/server.h"
#include "integration/http_client.h"

namespace jiceng::http {
namespace {

namespace fs = std::filesystem;
using testing::Reply;
using testing::TestClient;

const std::string kIndex = "<!doctype html><title>基层群众服务</title><div id=app></div>";
const std::string kScript = "console.log('app')";
const std::string kSecret = "the secret outside the root";

void write(const fs::path& file, std::string_view text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  StaticFilesTest() {
    base_ = fs::temp_directory_path() /
            ("jiceng-static-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::remove_all(base_);
    root_ = base_ / "dist";
    write(root_ / "index.html", kIndex);
    write(root_ / "assets" / "index-Bx7q.js", kScript);
    write(root_ / "assets" / "index-Bx7q.css", "body{}");
    write(root_ / "assets" / "font-9z.woff2", "wOF2");
    write(root_ / "favicon.svg", "<svg/>");
    write(root_ / "data.bin", "\x01\x02");
    write(base_ / "secret.txt", kSecret);
    write(base_ / "outside" / "secret.js", kSecret);
    fs::create_symlink(base_ / "secret.txt", root_ / "leak.txt");
    fs::create_directory_symlink(base_ / "outside", root_ / "assets" / "out");
    fs::create_symlink(root_ / "favicon.svg", root_ / "icon.svg");  // stays inside: fine

    router_.add({.method = "GET",
                 .pattern = "/api/v1/ping",
                 .summary = "Pong",
                 .policy = Policy::kPublic,
                 .handler = [](const Request&) {
                   return json_response(boost::json::object{{"pong", true}});
                 }});
  }

  ~StaticFilesTest() override {
    if (server_) {
      server_->stop();
      thread_.join();
    }
    fs::remove_all(base_);
  }

  void start() {
    server_ =
        std::make_unique<Server>(ServerOptions{.port = 0, .worker_threads = 2}, router_, metrics_);
    ASSERT_TRUE(server_->listen());
    thread_ = std::thread([this] { server_->run(); });
  }

  void start_with_ui() {
    auto served = serve_web_ui(router_, root_);
    ASSERT_TRUE(served) << served.error().message;
    start();
  }

  Reply get(std::string_view target, const testing::Headers& headers = {}) {
    TestClient client(server_->port());
    return client.get(target, headers);
  }

  fs::path base_;
  fs::path root_;
  Router router_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

void expect_json_404(const Reply& r) {
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 404u) << r.res.body();
  EXPECT_EQ(r.res[testing::bhttp::field::content_type], "application/json; charset=utf-8");
  EXPECT_EQ(boost::json::parse(r.res.body()).at("error").at("code"), "not_found");
  EXPECT_EQ(r.res.body().find(kSecret), std::string::npos);
}

TEST_F(StaticFilesTest, ServesIndexWithTheAppsPolicyAndNoCache) {
  start_with_ui();
  Reply r = get("/");
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 200u);
  EXPECT_EQ(r.res.body(), kIndex);
  EXPECT_EQ(r.res[testing::bhttp::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(r.res[testing::bhttp::field::cache_control], "no-cache");
  EXPECT_EQ(r.res["Content-Security-Policy"], kWebUiContentSecurityPolicy);
  EXPECT_EQ(r.res["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(r.res["Referrer-Policy"], "no-referrer");
  EXPECT_FALSE(r.res["X-Request-Id"].empty());
  EXPECT_TRUE(r.res[testing::bhttp::field::etag].starts_with("W/\""));
  EXPECT_EQ(get("/index.html").res.body(), kIndex);
}

TEST_F(StaticFilesTest, HashedAssetsAreImmutableWithTheirContentType) {
  start_with_ui();
  struct Case {
    std::string_view target;
    std::string_view type;
    std::string_view cache;
  } cases[] = {
      {"/assets/index-Bx7q.js", "text/javascript; charset=utf-8",
       "public, max-age=31536000, immutable"},
      {"/assets/index-Bx7q.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
      {"/assets/font-9z.woff2", "font/woff2", "public, max-age=31536000, immutable"},
      {"/favicon.svg", "image/svg+xml; charset=utf-8", "no-cache"},
      {"/icon.svg", "image/svg+xml; charset=utf-8", "no-cache"},
      {"/data.bin", "application/octet-stream", "no-cache"},
  };
  for (const auto& c : cases) {
    Reply r = get(c.target);
    ASSERT_FALSE(r.ec) << c.target;
    EXPECT_EQ(r.res.result_int(), 200u) << c.target;
    EXPECT_EQ(r.res[testing::bhttp::field::content_type], c.type) << c.target;
    EXPECT_EQ(r.res[testing::bhttp::field::cache_control], c.cache) << c.target;
    // Only HTML gets the app's policy; other files keep the server's, which forbids everything.
    EXPECT_EQ(r.res["Content-Security-Policy"], "default-src 'none'; frame-ancestors 'none'")
        << c.target;
  }
  EXPECT_EQ(get("/assets/index-Bx7q.js").res.body(), kScript);
}

TEST_F(StaticFilesTest, PagesOfTheAppAnswerIndex) {
  start_with_ui();
  for (std::string_view target :
       {"/track/ABCD-EFGH-JKMN", "/submit", "/staff/cases?state=open", "/a/b/c/d", "/track"}) {
    Reply r = get(target);
    ASSERT_FALSE(r.ec) << target;
    EXPECT_EQ(r.res.result_int(), 200u) << target;
    EXPECT_EQ(r.res.body(), kIndex) << target;
    EXPECT_EQ(r.res[testing::bhttp::field::cache_control], "no-cache") << target;
  }
}

TEST_F(StaticFilesTest, TheServersOwnPathsAndMissingAssetsAreNotTheApp) {
  start_with_ui();
  EXPECT_EQ(get("/api/v1/ping").res.body(), R"({"pong":true})");
  for (std::string_view target : {"/api/v1/nothing", "/api", "/healthz", "/readyz/x", "/metrics",
                                  "/assets/missing-1234.js"}) {
    SCOPED_TRACE(target);
    expect_json_404(get(target));
  }
  // Under /open311/v2, the 404 takes GeoReport v2's form (http/errors.h).
  Reply open311 = get("/open311/v2/x.json");
  EXPECT_EQ(open311.res.result_int(), 404u) << open311.res.body();
  EXPECT_EQ(open311.res[testing::bhttp::field::content_type], "application/json; charset=utf-8");
  EXPECT_EQ(boost::json::parse(open311.res.body()).at(0).at("code"), 404);
  EXPECT_EQ(open311.res.body().find(kSecret), std::string::npos);
  // Only reads fall back: a write to an unknown path stays 404.
  TestClient client(server_->port());
  expect_json_404(client.request("POST", "/track", "{}", {{"Content-Type", "application/json"}}));
}

TEST_F(StaticFilesTest, NoWayOutOfTheRoot) {
  start_with_ui();
  for (std::string_view target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/./index.html",
        "/leak.txt", "/assets/out/secret.js", "/assets/out/../../secret.txt"}) {
    SCOPED_TRACE(target);
    expect_json_404(get(target));
  }
}

TEST_F(StaticFilesTest, RevalidationAnswers304) {
  start_with_ui();
  Reply first = get("/assets/index-Bx7q.js");
  std::string etag(first.res[testing::bhttp::field::etag]);
  ASSERT_FALSE(etag.empty());
  for (const std::string& header : {etag, "\"other\", " + etag, std::string("*")}) {
    Reply again = get("/assets/index-Bx7q.js", {{"If-None-Match", header}});
    ASSERT_FALSE(again.ec);
    EXPECT_EQ(again.res.result_int(), 304u) << header;
    EXPECT_TRUE(again.res.body().empty());
    EXPECT_EQ(again.res[testing::bhttp::field::etag], etag);
  }
  EXPECT_EQ(get("/assets/index-Bx7q.js", {{"If-None-Match", "W/\"stale\""}}).res.result_int(),
            200u);
  // A changed file gets a new tag.
  write(root_ / "assets" / "index-Bx7q.js", kScript + ";");
  EXPECT_NE(get("/assets/index-Bx7q.js").res[testing::bhttp::field::etag], etag);
}

TEST_F(StaticFilesTest, HeadSendsTheHeadersOfGetWithoutTheBody) {
  start_with_ui();
  TestClient client(server_->port());
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(client.write_raw("HEAD /track/X HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::string head;
  ASSERT_FALSE(client.read_head(head));
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200")) << head;
  EXPECT_NE(head.find("Content-Length: " + std::to_string(kIndex.size()) + "\r\n"),
            std::string::npos)
      << head;
  EXPECT_NE(head.find("text/html; charset=utf-8"), std::string::npos) << head;
  // No body followed: the next response on the connection parses from its first byte.
  Reply next = client.get("/assets/index-Bx7q.js");
  ASSERT_FALSE(next.ec) << next.ec.message();
  EXPECT_EQ(next.res.body(), kScript);
}

TEST_F(StaticFilesTest, CountsUnderItsOwnRouteInMetrics) {
  start_with_ui();
  ASSERT_EQ(get("/submit").res.result_int(), 200u);
  // Recorded just after the response is written.
  const std::string line = R"(jiceng_http_requests_total{route="/*",method="GET",status="200"} 1)";
  std::string rendered;
  for (int i = 0; i < 500 && rendered.find(line) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    rendered = metrics_.render();
  }
  EXPECT_NE(rendered.find(line), std::string::npos) << rendered;
}

TEST_F(StaticFilesTest, WithoutABuiltUiTheServerAnswersTheApiOnly) {
  auto served = serve_web_ui(router_, base_ / "no-such-dir");
  ASSERT_FALSE(served);
  EXPECT_EQ(served.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(router_.fallback(), nullptr);
  start();
  expect_json_404(get("/"));
  EXPECT_EQ(get("/api/v1/ping").res.result_int(), 200u);
}

}  // namespace
}  // namespace jiceng::http
