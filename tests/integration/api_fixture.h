// A real server on a loopback port over the demo deployment, for API tests parameterised by
// backend (SQLite, PostgreSQL).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>

#include "app/app.h"
#include "http/api.h"
#include "http/server.h"
#include "integration/http_client.h"
#include "integration/openapi_check.h"
#include "support/demo_db.h"

namespace jiceng::testing {

// The system's time, which a test may move ahead (past a review window) while sessions,
// timestamps and everything else keep reading a clock that runs.
class ShiftedClock final : public Clock {
 public:
  Instant now() const override {
    return SystemClock().now() + std::chrono::microseconds(offset_us_.load());
  }
  void advance(std::chrono::microseconds by) { offset_us_ += by.count(); }

 private:
  std::atomic<std::int64_t> offset_us_{0};
};

// The suites file many cases from one address: without the per-address limits on public
// submissions and sign-ups, which AccessApi.PublicSubmissionsAndSignUpsAreLimitedPerAddress
// tests on a router of its own.
inline http::ApiOptions test_api_options() {
  http::ApiOptions o;
  o.public_limits.submissions_per_address = 0;
  o.public_limits.signups_per_address = 0;
  return o;
}

class ApiFixture : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = demo_database(GetParam());
    ASSERT_TRUE(db_);
    // The real list of common passwords, as the server loads it.
    auto policy = app::PasswordPolicy::load(app::default_blocklist_path(JICENG_SOURCE_DIR));
    ASSERT_TRUE(policy) << policy.error().message;
    app_ = std::make_unique<app::App>(*db_, clock_, std::move(*policy));
    // As the server keeps them on SQLite: every tracking page of these suites goes through the
    // cache, and so is checked against what each step changed.
    if (GetParam() == Backend::kSqlite) {
      auto cached = app_->cases.use_track_cache(std::make_shared<app::TrackCache>(8 << 20));
      ASSERT_TRUE(cached) << cached.error().message;
    }
    router_ =
        std::make_unique<http::Router>(http::make_router(*app_, metrics_, test_api_options()));
    http::ServerOptions options;
    options.port = 0;
    options.worker_threads = 4;
    // These suites test behaviour, not shedding (http_server_test does): a sanitizer build on a
    // busy 2-CPU machine can stall the event loop past the production 500 ms, and a sign-in
    // answered 503 then failed search_api_test once in a fresh clone's `make test`.
    options.max_loop_lag = std::chrono::seconds(10);
    server_ = std::make_unique<http::Server>(options, *router_, metrics_);
    ASSERT_TRUE(server_->listen());
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    if (app_) (void)app_->cases.use_track_cache(nullptr);  // the next suite's App watches anew
    // Every status the test saw is one the OpenAPI document lists for its route.
    if (router_) expect_answers_documented(*router_, metrics_);
  }

  http::testing::Reply get(std::string_view target) {
    http::testing::TestClient client(server_->port());
    return client.request("GET", target);
  }
  // GETs target, expects the status and a JSON body, and returns it.
  boost::json::value get_json(std::string_view target, unsigned expected_status) {
    auto reply = get(target);
    EXPECT_FALSE(reply.ec) << reply.ec.message();
    EXPECT_EQ(reply.res.result_int(), expected_status) << target << ": " << reply.res.body();
    boost::system::error_code ec;
    auto v = boost::json::parse(reply.res.body(), ec);
    EXPECT_FALSE(ec) << "not JSON: " << reply.res.body();
    return v;
  }

  store::Database* db_ = nullptr;
  ShiftedClock clock_;
  std::unique_ptr<app::App> app_;
  http::Metrics metrics_;
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
};

// A second server on a router of the test (the fixture's or one with other ApiOptions), with
// other ServerOptions; the store and the sessions are the fixture's.
class OtherServer {
 public:
  OtherServer(const http::Router& router, http::ServerOptions options) {
    options.port = 0;
    server_ = std::make_unique<http::Server>(options, router, metrics_);
    EXPECT_TRUE(server_->listen());
    thread_ = std::thread([this] { server_->run(); });
  }
  ~OtherServer() {
    server_->stop();
    thread_.join();
  }
  OtherServer(const OtherServer&) = delete;
  OtherServer& operator=(const OtherServer&) = delete;
  std::uint16_t port() const { return server_->port(); }
  const http::Metrics& metrics() const { return metrics_; }

 private:
  http::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
};

}  // namespace jiceng::testing
