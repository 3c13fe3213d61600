// The server over real sockets on 127.0.0.1, with a route table of its own (no store).
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http/errors.h"
#include "http/json.h"
#include "http/openapi.h"
#include "http/server.h"
#include "integration/http_client.h"

namespace jiceng::http {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::Reply;
using testing::TestClient;

// Lets a test hold a handler on a worker thread until it says so.
class Gate {
 public:
  void enter_and_wait() {
    std::unique_lock lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  bool wait_entered(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 5s, [&] { return entered_ >= n; });
  }
  void release() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool open_ = false;
};

// The access log goes to a ring buffer that the tests read.
std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> access_sink() {
  static auto sink = [] {
    auto s = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
    auto logger = std::make_shared<spdlog::logger>("access", s);
    logger->set_pattern("%v");
    spdlog::register_logger(logger);
    return s;
  }();
  return sink;
}

json::value body_json(const testing::ClientResponse& res) { return json::parse(res.body()); }

// Waits until pred holds (for effects the server records after the response is sent).
template <class Pred>
bool eventually(Pred pred) {
  for (auto until = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < until;
       std::this_thread::sleep_for(1ms)) {
    if (pred()) return true;
  }
  return pred();
}

// The access log's line for a request id, once the server has written it (null after 5 s).
json::value access_line(std::string_view request_id) {
  json::value line;
  eventually([&] {
    for (const auto& text : access_sink()->last_formatted()) {
      auto v = json::parse(text);
      if (v.at("request_id").as_string() == request_id) line = v;
    }
    return !line.is_null();
  });
  return line;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    access_sink();
    router_.add({.method = "GET",
                 .pattern = "/hello",
                 .summary = "Says hello",
                 .policy = Policy::kPublic,
                 .handler = [](const Request&) {
                   return json_response(json::object{{"hello", "world"}});
                 }});
    router_.add({.method = "GET",
                 .pattern = "/echo/{name}",
                 .summary = "Echoes what the server parsed",
                 .query_params = {{.name = "x", .description = "anything"}},
                 .policy = Policy::kPublic,
                 .runs = Runs::kInline,
                 .handler = [](const Request& req) {
                   json::object query;
                   for (const auto& [k, v] : req.query) query[k] = v;
                   return json_response(json::object{{"name", req.params.at("name")},
                                                     {"path", req.path},
                                                     {"query", query},
                                                     {"remote", req.remote},
                                                     {"request_id", req.request_id}});
                 }});
    router_.add({.method = "POST",
                 .pattern = "/upload",
                 .summary = "Counts the bytes of the body",
                 .policy = Policy::kPublic,
                 .handler = [](const Request& req) {
                   return json_response(json::object{{"bytes", req.body().size()}});
                 }});
    router_.add({.method = "GET",
                 .pattern = "/throw",
                 .summary = "Fails",
                 .policy = Policy::kPublic,
                 .handler = [](const Request&) -> Response {
                   throw std::runtime_error("secret detail 42");
                 }});
    router_.add({.method = "GET",
                 .pattern = "/slow",
                 .summary = "Waits for the test",
                 .policy = Policy::kPublic,
                 .handler = [this](const Request&) {
                   gate_.enter_and_wait();
                   return json_response(json::object{{"slow", true}});
                 }});
    router_.add({.method = "GET",
                 .pattern = "/later",
                 .summary = "Answers when the test says so, from the test's thread",
                 .policy = Policy::kPublic,
                 .async_handler = [this](const Request&, Responder respond) {
                   std::lock_guard lock(held_mu_);
                   held_ = std::move(respond);
                   held_cv_.notify_all();
                 }});
    router_.add({.method = "GET",
                 .pattern = "/block",
                 .summary = "Holds the I/O thread for 300 ms (as an overloaded one is)",
                 .policy = Policy::kPublic,
                 .runs = Runs::kInline,
                 .handler = [](const Request&) {
                   std::this_thread::sleep_for(300ms);
                   return json_response(json::object{{"blocked", true}});
                 }});
    router_.add({.method = "GET",
                 .pattern = "/read",
                 .summary = "A short read that takes 2 ms; says which thread ran it",
                 .policy = Policy::kPublic,
                 .runs = Runs::kShortRead,
                 .handler = [](const Request&) {
                   // Busy, not asleep: a read of pages already in memory.
                   const auto until = std::chrono::steady_clock::now() + 2ms;
                   while (std::chrono::steady_clock::now() < until) {
                   }
                   std::ostringstream id;
                   id << std::this_thread::get_id();
                   return json_response(json::object{{"thread", id.str()}});
                 }});
    router_.add({.method = "GET",
                 .pattern = "/forgotten",
                 .summary = "Never answers",
                 .policy = Policy::kPublic,
                 .runs = Runs::kInline,
                 .async_handler = [](const Request&, const Responder&) {}});
    router_.add({.method = "GET",
                 .pattern = "/api/v1/items/{id}",
                 .summary = "An item",
                 .policy = Policy::kPublic,
                 .handler = [](const Request& req) {
                   return json_response(json::object{{"id", req.params.at("id")}});
                 }});
    router_.add({.method = "GET",
                 .pattern = "/metrics",
                 .summary = "Metrics",
                 .policy = Policy::kPublic,
                 .runs = Runs::kInline,
                 .handler = [this](const Request&) {
                   Response res;
                   res.content_type = "text/plain; version=0.0.4; charset=utf-8";
                   res.body = metrics_.render();
                   return res;
                 }});
  }

  ~ServerTest() override {
    gate_.release();
    {
      std::lock_guard lock(held_mu_);
      held_.reset();  // a held request answers 500, so that the server can stop
    }
    stop_and_join();
  }

  // The Responder of the request to /later, once it has arrived.
  std::optional<Responder> wait_held() {
    std::unique_lock lock(held_mu_);
    if (!held_cv_.wait_for(lock, 5s, [&] { return held_.has_value(); })) return std::nullopt;
    return std::exchange(held_, std::nullopt);
  }

  void start(ServerOptions options = {}) {
    options.port = 0;
    options.worker_threads = 4;
    server_ = std::make_unique<Server>(options, router_, metrics_);
    auto listening = server_->listen();
    ASSERT_TRUE(listening) << listening.error().message;
    run_returned_ = false;
    thread_ = std::thread([this] {
      server_->run();
      run_returned_ = true;
    });
  }

  void stop_and_join() {
    if (!server_) return;
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  std::uint16_t port() const { return server_->port(); }

  Router router_;
  Metrics metrics_;
  Gate gate_;
  std::mutex held_mu_;
  std::condition_variable held_cv_;
  std::optional<Responder> held_;  // guarded by held_mu_
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::atomic<bool> run_returned_{false};
};

void expect_security_headers(const testing::ClientResponse& res) {
  EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(res["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(res["Content-Security-Policy"], "default-src 'none'; frame-ancestors 'none'");
  EXPECT_FALSE(res["X-Request-Id"].empty());
}

void expect_error(const Reply& r, unsigned status, std::string_view code) {
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), status) << r.res.body();
  EXPECT_EQ(r.res[testing::bhttp::field::content_type], "application/json; charset=utf-8");
  auto body = body_json(r.res);
  EXPECT_EQ(body.at("error").at("code").as_string(), code) << r.res.body();
  EXPECT_EQ(body.at("error").at("request_id").as_string(), r.res["X-Request-Id"]);
  expect_security_headers(r.res);
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  start();
  TestClient client(port());
  Reply first = client.get("/echo/a");
  Reply second = client.get("/echo/b");
  ASSERT_FALSE(first.ec) << first.ec.message();
  ASSERT_FALSE(second.ec) << second.ec.message();
  EXPECT_TRUE(first.res.keep_alive());
  EXPECT_EQ(body_json(second.res).at("name").as_string(), "b");
  // The same peer address and port: the same connection.
  EXPECT_EQ(body_json(first.res).at("remote"), body_json(second.res).at("remote"));
  Reply third = client.get("/hello");  // a worker-pool route on the same connection
  ASSERT_FALSE(third.ec) << third.ec.message();
  EXPECT_EQ(body_json(third.res).at("hello").as_string(), "world");
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405) {
  start();
  TestClient client(port());
  expect_error(client.get("/nowhere"), 404, "not_found");
  Reply r = client.request("DELETE", "/hello");
  expect_error(r, 405, "method_not_allowed");
  EXPECT_EQ(r.res[testing::bhttp::field::allow], "GET, HEAD");
  // Errors keep the connection open.
  EXPECT_FALSE(client.get("/hello").ec);
  // In the caller's language, as every other error.
  const testing::Headers zh = {{"Accept-Language", "zh-CN"}};
  for (const auto& [reply, words] :
       {std::pair{client.request("GET", "/nowhere", "", zh), "没有这个资源"},
        std::pair{client.request("DELETE", "/hello", "", zh), "不支持 DELETE 方法"},
        std::pair{client.request("GET", "/%zz", "", zh), "请求地址格式错误"}}) {
    EXPECT_NE(reply.res.body().find(words), std::string::npos) << reply.res.body();
  }
  EXPECT_NE(client.get("/nowhere").res.body().find("no resource"), std::string::npos);
}

TEST_F(ServerTest, HeadOfAGetRouteSendsItsHeadersWithoutTheBody) {
  start();
  TestClient client(port());
  Reply get = client.get("/hello");
  ASSERT_FALSE(get.ec) << get.ec.message();
  ASSERT_FALSE(client.write_raw("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string head;
  ASSERT_FALSE(client.read_head(head));
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200")) << head;
  EXPECT_NE(head.find("Content-Length: " + std::to_string(get.res.body().size()) + "\r\n"),
            std::string::npos)
      << head;
  EXPECT_NE(head.find("application/json"), std::string::npos) << head;
  // No body followed: the next response on the connection parses from its first byte.
  Reply next = client.get("/echo/a");
  ASSERT_FALSE(next.ec) << next.ec.message();
  EXPECT_EQ(body_json(next.res).at("name").as_string(), "a");
}

TEST_F(ServerTest, OversizedBodyIs413) {
  ServerOptions options;
  options.body_limit = 1024;
  start(options);
  {
    TestClient client(port());
    Reply ok = client.request("POST", "/upload", std::string(1024, 'x'));
    ASSERT_FALSE(ok.ec) << ok.ec.message();
    EXPECT_EQ(body_json(ok.res).at("bytes").as_int64(), 1024);
    Reply big = client.request("POST", "/upload", std::string(1025, 'x'));
    expect_error(big, 413, "payload_too_large");
    EXPECT_FALSE(big.res.keep_alive());
    EXPECT_TRUE(testing::closed_by_peer(client.wait_closed()));
  }
  {
    // Chunked: the limit is only seen while reading the body.
    TestClient client(port());
    ASSERT_FALSE(client.connect());
    std::string chunk(2000, 'y');
    ASSERT_FALSE(client.write_raw(
        "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" + chunk +
        "\r\n0\r\n\r\n"));
    Reply big;
    big.ec = client.read(big.res);
    expect_error(big, 413, "payload_too_large");
  }
}

TEST_F(ServerTest, ExpectContinueGetsAnInterimResponse) {
  start();
  TestClient client(port());
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(client.write_raw(
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  std::string head;
  ASSERT_FALSE(client.read_head(head));
  EXPECT_EQ(head.rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << head;
  ASSERT_FALSE(client.write_raw("hello"));
  Reply r;
  r.ec = client.read(r.res);
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(body_json(r.res).at("bytes").as_int64(), 5);
}

TEST_F(ServerTest, SlowHeaderAndIdleConnectionsAreClosed) {
  ServerOptions options;
  options.header_timeout = 200ms;
  options.idle_timeout = 300ms;
  start(options);

  TestClient slow(port());
  ASSERT_FALSE(slow.connect());
  ASSERT_FALSE(slow.write_raw("GET /hello HTTP/1.1\r\nHost: x\r\n"));  // never finished
  auto t0 = std::chrono::steady_clock::now();
  auto ec = slow.wait_closed();
  EXPECT_TRUE(testing::closed_by_peer(ec)) << ec.message();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);

  TestClient idle(port());
  ASSERT_FALSE(idle.get("/hello").ec);
  t0 = std::chrono::steady_clock::now();
  ec = idle.wait_closed();
  EXPECT_TRUE(testing::closed_by_peer(ec)) << ec.message();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);
}

TEST_F(ServerTest, SlowBodyIsCutOffAtTheRequestDeadline) {
  ServerOptions options;
  options.request_timeout = 300ms;
  start(options);
  TestClient client(port());
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(
      client.write_raw("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345"));
  auto t0 = std::chrono::steady_clock::now();
  auto ec = client.wait_closed();
  EXPECT_TRUE(testing::closed_by_peer(ec)) << ec.message();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 200ms);
}

TEST_F(ServerTest, RequestIdIsEchoedWhenValidElseGenerated) {
  start();
  TestClient client(port());
  Reply r = client.get("/echo/x", {{"X-Request-Id", "abc-123.DEF_z"}});
  ASSERT_FALSE(r.ec);
  EXPECT_EQ(r.res["X-Request-Id"], "abc-123.DEF_z");
  EXPECT_EQ(body_json(r.res).at("request_id").as_string(), "abc-123.DEF_z");

  auto is_generated = [](std::string_view id) {
    return id.size() == 16 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  };
  std::vector<std::string> generated;
  for (std::string bad :
       {std::string("has space"), std::string(65, 'a'), std::string("a;b"), std::string()}) {
    Reply g = bad.empty() ? client.get("/hello") : client.get("/hello", {{"X-Request-Id", bad}});
    ASSERT_FALSE(g.ec);
    std::string id(g.res["X-Request-Id"]);
    EXPECT_TRUE(is_generated(id)) << "for '" << bad << "': " << id;
    generated.push_back(id);
  }
  std::sort(generated.begin(), generated.end());
  EXPECT_EQ(std::unique(generated.begin(), generated.end()), generated.end());
}

TEST_F(ServerTest, SecurityHeadersOnEveryResponse) {
  start();
  TestClient client(port());
  Reply ok = client.get("/api/v1/items/7");
  ASSERT_FALSE(ok.ec);
  expect_security_headers(ok.res);
  EXPECT_EQ(ok.res[testing::bhttp::field::cache_control], "no-store");

  Reply missing = client.get("/api/v1/nothing");
  expect_error(missing, 404, "not_found");
  EXPECT_EQ(missing.res[testing::bhttp::field::cache_control], "no-store");

  Reply bad = client.get("/echo/%zz");
  expect_error(bad, 400, "invalid_argument");
}

TEST_F(ServerTest, ThrowingHandlerIs500WithoutDetails) {
  start();
  TestClient client(port());
  Reply r = client.get("/throw", {{"X-Request-Id", "req-500"}});
  expect_error(r, 500, "internal");
  EXPECT_EQ(r.res.body().find("secret"), std::string::npos) << r.res.body();
  EXPECT_NE(body_json(r.res).at("error").at("message").as_string().find("req-500"),
            json::string::npos);
  EXPECT_FALSE(client.get("/hello").ec);  // the connection survives
}

TEST_F(ServerTest, PercentDecodingAndBadEncoding) {
  start();
  TestClient client(port());
  Reply r = client.get("/echo/a%20b%2Fc?x=1+2&y=%E9%B9%B0%E6%BD%AD&x=second&flag");
  ASSERT_FALSE(r.ec);
  ASSERT_EQ(r.res.result_int(), 200u) << r.res.body();
  auto body = body_json(r.res);
  EXPECT_EQ(body.at("name").as_string(), "a b/c");
  EXPECT_EQ(body.at("path").as_string(), "/echo/a b/c");
  EXPECT_EQ(body.at("query").at("x").as_string(), "1 2");
  EXPECT_EQ(body.at("query").at("y").as_string(), "鹰潭");
  EXPECT_EQ(body.at("query").at("flag").as_string(), "");

  for (const char* target : {"/echo/%zz", "/echo/%4", "/echo/ok?x=%FF", "/echo/%E9%B9", "/echo/%00",
                             "/echo/ok?x=%C0%AF", "/echo/ok?%ED%A0%80=1"}) {
    SCOPED_TRACE(target);
    expect_error(client.get(target), 400, "invalid_argument");
  }
}

TEST_F(ServerTest, MalformedRequestIs400AndCloses) {
  start();
  TestClient client(port());
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(client.write_raw("GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n"));
  Reply r;
  r.ec = client.read(r.res);
  expect_error(r, 400, "invalid_argument");
  EXPECT_TRUE(testing::closed_by_peer(client.wait_closed()));
}

TEST_F(ServerTest, AccessLogHasOneJsonLinePerRequest) {
  start();
  TestClient client(port());
  ASSERT_FALSE(client.get("/echo/%E9%B9%B0?x=1", {{"X-Request-Id", "log-line-1"}}).ec);
  const json::value line = access_line("log-line-1");
  ASSERT_FALSE(line.is_null()) << "no access log line";
  EXPECT_EQ(line.at("method"), "GET");
  EXPECT_EQ(line.at("path"), "/echo/鹰");
  EXPECT_EQ(line.at("route"), "/echo/{name}");
  EXPECT_EQ(line.at("status").to_number<int>(), 200);
  EXPECT_GT(line.at("bytes").to_number<int>(), 0);
  EXPECT_GE(line.at("duration_us").as_int64(), 0);
  EXPECT_NE(line.at("remote").as_string().find("127.0.0.1:"), json::string::npos);
  EXPECT_TRUE(line.at("ts").as_string().ends_with("Z"));
}

// Behind a trusted reverse proxy the client is the one X-Forwarded-For names: handlers (the
// sign-in throttle, Open311's limits, the audit log) and the access log see it, and the log
// names the proxy as "via". From any other peer the header is ignored.
TEST_F(ServerTest, ATrustedProxyNamesTheClient) {
  ServerOptions options;
  options.port = 0;
  options.trusted_proxies = *TrustedProxies::parse("127.0.0.1");
  start(options);
  TestClient client(port());
  auto r = client.get("/echo/x",
                      {{"X-Forwarded-For", "6.6.6.6, 203.0.113.7"}, {"X-Request-Id", "via-1"}});
  ASSERT_FALSE(r.ec);
  EXPECT_EQ(body_json(r.res).at("remote"), "203.0.113.7");
  const json::value line = access_line("via-1");
  ASSERT_FALSE(line.is_null()) << "no access log line";
  EXPECT_EQ(line.at("remote"), "203.0.113.7");
  EXPECT_TRUE(line.at("via").as_string().starts_with("127.0.0.1:")) << line;
  // Without the header: the peer, as before.
  auto plain = client.get("/echo/x");
  EXPECT_TRUE(body_json(plain.res).at("remote").as_string().starts_with("127.0.0.1:"));
}

TEST_F(ServerTest, XForwardedForIsIgnoredUnlessThePeerIsTrusted) {
  ServerOptions options;
  options.port = 0;
  options.trusted_proxies = *TrustedProxies::parse("10.0.0.0/8");
  start(options);
  TestClient client(port());
  auto r = client.get("/echo/x", {{"X-Forwarded-For", "203.0.113.7"}});
  ASSERT_FALSE(r.ec);
  EXPECT_TRUE(body_json(r.res).at("remote").as_string().starts_with("127.0.0.1:"));
}

TEST_F(ServerTest, MetricsCountRequestsPerRoute) {
  start();
  TestClient client(port());
  ASSERT_FALSE(client.get("/hello").ec);
  ASSERT_FALSE(client.get("/hello").ec);
  ASSERT_FALSE(client.get("/nowhere").ec);
  ASSERT_TRUE(eventually([&] {
    std::string text = metrics_.render();
    return text.find(
               "jiceng_http_requests_total{route=\"/hello\",method=\"GET\",status=\"200\"} "
               "2\n") != std::string::npos &&
           text.find(
               "jiceng_http_requests_total{route=\"unmatched\",method=\"GET\",status="
               "\"404\"} 1\n") != std::string::npos;
  })) << metrics_.render();

  Reply r = client.get("/metrics");
  ASSERT_FALSE(r.ec);
  EXPECT_EQ(r.res[testing::bhttp::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = r.res.body();
  EXPECT_NE(text.find("jiceng_http_request_duration_seconds_count{route=\"/hello\",method=\"GET\"}"
                      " 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("jiceng_http_request_duration_seconds_bucket{route=\"/hello\",method="
                      "\"GET\",le=\"+Inf\"} 2\n"),
            std::string::npos);
  // The metrics request itself is in flight while it renders.
  EXPECT_NE(text.find("jiceng_http_requests_in_flight 1\n"), std::string::npos);
}

TEST_F(ServerTest, GracefulStopAnswersInFlightRequestsAndClosesIdleOnes) {
  ServerOptions options;
  options.shutdown_grace = 5s;
  start(options);
  TestClient idle(port());
  ASSERT_FALSE(idle.get("/hello").ec);

  TestClient busy(port());
  ASSERT_FALSE(busy.connect());
  ASSERT_FALSE(busy.write_raw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(gate_.wait_entered(1));

  server_->stop();
  EXPECT_TRUE(testing::closed_by_peer(idle.wait_closed()));
  EXPECT_FALSE(run_returned_);  // the slow request holds the server

  gate_.release();
  Reply r;
  r.ec = busy.read(r.res);
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 200u);
  EXPECT_FALSE(r.res.keep_alive());
  EXPECT_EQ(r.res[testing::bhttp::field::connection], "close");
  thread_.join();  // run() returns by itself
  EXPECT_TRUE(run_returned_);

  TestClient late(port());
  EXPECT_TRUE(late.connect());  // no longer listening
}

TEST_F(ServerTest, StopUnderLoadAnswersCompletelyOrCloses) {
  start();
  std::atomic<int> answered{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&, i] {
      for (int attempt = 0; attempt < 10000; ++attempt) {
        TestClient client(port());
        if (client.connect()) return;  // refused: the server no longer listens
        for (;;) {
          Reply r = client.get(i % 2 == 0 ? "/hello" : "/echo/x");
          if (r.ec) break;  // closed by the stopping server
          (r.res.result_int() == 200 ? answered : bad)++;
          if (!r.res.keep_alive()) break;
        }
      }
    });
  }
  ASSERT_TRUE(eventually([&] { return answered > 200; }));
  server_->stop();
  thread_.join();
  for (auto& c : clients) c.join();
  EXPECT_EQ(bad, 0);
}

TEST_F(ServerTest, StopGivesUpAfterTheGrace) {
  ServerOptions options;
  options.shutdown_grace = 200ms;
  start(options);
  TestClient busy(port());
  ASSERT_FALSE(busy.connect());
  ASSERT_FALSE(busy.write_raw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(gate_.wait_entered(1));
  auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  thread_.join();  // returns although the handler still runs
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  gate_.release();
  server_.reset();  // waits for the handler
}

TEST_F(ServerTest, AsynchronousHandlerAnswersFromAnotherThread) {
  start();
  TestClient client(port());
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(client.write_raw("GET /later HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto respond = wait_held();
  ASSERT_TRUE(respond);
  // Meanwhile the other connections are served (no thread waits for the answer).
  TestClient other(port());
  Reply hello = other.get("/hello");
  ASSERT_FALSE(hello.ec);
  EXPECT_EQ(hello.res.result_int(), 200u);

  std::thread([respond = std::move(*respond)] {
    respond.later([] { return json_response(json::object{{"later", true}}, 202); });
    respond(json_response(json::object{{"twice", true}}));  // ignored: the first call answers
  }).join();
  Reply r;
  r.ec = client.read(r.res);
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 202u);
  EXPECT_TRUE(body_json(r.res).at("later").as_bool());
  expect_security_headers(r.res);
  Reply again = client.get("/hello");  // the connection is kept alive
  ASSERT_FALSE(again.ec);
  EXPECT_EQ(again.res.result_int(), 200u);

  // A handler that drops its Responder without answering gets a 500, not a hung connection.
  expect_error(client.get("/forgotten"), 500, "internal");
}

TEST_F(ServerTest, SaturatedServerAnswers503AtOnceAndRecovers) {
  ServerOptions options;
  options.max_queued_handlers = 1;
  start(options);  // 4 workers
  std::vector<std::unique_ptr<TestClient>> slow;
  for (int i = 0; i < 5; ++i) {
    slow.push_back(std::make_unique<TestClient>(port()));
    ASSERT_FALSE(slow.back()->connect());
    ASSERT_FALSE(slow.back()->write_raw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
    // One at a time, so that none waits in the queue: after the fourth, every worker is busy.
    if (i < 4) {
      ASSERT_TRUE(gate_.wait_entered(i + 1));
    }
  }
  // The fifth waits for a worker (it is in flight once its header is read, and queued at once
  // after); the queue is full, so the next request for the pool is shed.
  ASSERT_TRUE(eventually([&] {
    return metrics_.render().find("jiceng_http_requests_in_flight 5\n") != std::string::npos;
  }));
  std::this_thread::sleep_for(50ms);
  TestClient flood(port());
  Reply shed = flood.get("/hello");
  expect_error(shed, 503, "unavailable");
  EXPECT_EQ(shed.res[testing::bhttp::field::retry_after], "1");
  // Inline routes do not queue and still answer.
  Reply inline_route = flood.get("/echo/x");
  ASSERT_FALSE(inline_route.ec);
  EXPECT_EQ(inline_route.res.result_int(), 200u);

  gate_.release();
  for (auto& c : slow) {
    Reply r;
    r.ec = c->read(r.res);
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result_int(), 200u);
  }
  Reply recovered = flood.get("/hello");
  ASSERT_FALSE(recovered.ec);
  EXPECT_EQ(recovered.res.result_int(), 200u);
}

// The thread that answered GET path (the test routes /read and friends say it).
std::string answering_thread(TestClient& client, const char* path) {
  Reply r = client.get(path);
  EXPECT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.res.result_int(), 200u);
  return std::string(body_json(r.res).at("thread").as_string());
}

// A short read that waited for the disk (here: took longer than the budget while the thread
// "read from the disk", as the injected count says) sends the next short reads to the worker
// pool; after the hold they run on the I/O thread again. One that took long without reading
// from the disk (a preempted thread) changes nothing.
TEST_F(ServerTest, ShortReadsGoToThePoolAfterOneWaitedForTheDisk) {
  // The thread's count so far: each ask adds per_ask, so a read during which it is above zero
  // read from the disk.
  std::atomic<std::uint64_t> total = 0;
  std::atomic<std::uint64_t> per_ask = 0;
  ServerOptions options;
  options.io_threads = 1;
  options.short_read_budget = 1ms;
  options.short_read_hold = 300ms;
  options.disk_reads = [&] { return total += per_ask.load(); };
  start(options);
  TestClient client(port());
  auto thread_of = [&](const char* path) { return answering_thread(client, path); };
  auto counter = [&](std::string_view name) {
    const std::string text = metrics_.render();
    const auto at = text.find("\n" + std::string(name) + " ") + 1;  // the sample, not # HELP
    return at == 0 ? std::string("missing")
                   : text.substr(at + name.size() + 1, text.find('\n', at) - at - name.size() - 1);
  };
  const std::string io_thread = thread_of("/read");  // slow, but nothing read from the disk
  EXPECT_EQ(thread_of("/read"), io_thread);
  EXPECT_EQ(counter("jiceng_http_short_reads_slow_total"), "0");

  per_ask = 3;
  EXPECT_EQ(thread_of("/read"), io_thread);  // this one waited for the disk, inline
  per_ask = 0;
  EXPECT_EQ(counter("jiceng_http_short_reads_slow_total"), "1");
  const std::string pooled = thread_of("/read");
  EXPECT_NE(pooled, io_thread);
  EXPECT_EQ(counter("jiceng_http_short_reads_pooled_total"), "1");

  std::this_thread::sleep_for(350ms);  // the hold is over
  EXPECT_EQ(thread_of("/read"), io_thread);
  EXPECT_EQ(counter("jiceng_http_short_reads_pooled_total"), "1");
}

// While the short reads on the pool still wait for the disk (a cold cache: every read does),
// each extends the hold: they stay on the pool past it, and come back to the I/O thread one
// hold after the disk stopped being read.
TEST_F(ServerTest, ShortReadsStayOnThePoolWhileTheyStillWaitForTheDisk) {
  std::atomic<bool> cold = true;
  std::atomic<std::uint64_t> total = 0;  // the thread's disk reads so far: one more at each ask
  ServerOptions options;
  options.io_threads = 1;
  options.short_read_budget = 1ms;
  options.short_read_hold = 300ms;
  options.disk_reads = [&]() -> std::uint64_t { return cold ? ++total : total.load(); };
  start(options);
  TestClient client(port());
  auto thread_of = [&](const char* path) { return answering_thread(client, path); };
  const std::string io_thread = thread_of("/read");  // waited for the disk, inline
  const auto tripped = std::chrono::steady_clock::now();
  int reads = 0;
  while (std::chrono::steady_clock::now() - tripped < 3 * options.short_read_hold) {
    ASSERT_NE(thread_of("/read"), io_thread) << "read " << reads << " ran on the I/O thread";
    ++reads;
  }
  EXPECT_GT(reads, 3);
  const std::string text = metrics_.render();
  EXPECT_NE(text.find("\njiceng_http_short_reads_slow_total " + std::to_string(reads + 1) + "\n"),
            std::string::npos)
      << text;

  cold = false;
  EXPECT_NE(thread_of("/read"), io_thread);  // still held
  std::this_thread::sleep_for(options.short_read_hold + 50ms);
  EXPECT_EQ(thread_of("/read"), io_thread);
}

TEST_F(ServerTest, RequestsBeyondTheInFlightLimitAre503ButHealthIsServed) {
  ServerOptions options;
  options.max_in_flight = 1;
  start(options);
  // An asynchronous handler that has returned (a write waiting for its commit, say) holds no
  // thread and does not count: the store bounds its own queue.
  TestClient parked(port());
  ASSERT_FALSE(parked.connect());
  ASSERT_FALSE(parked.write_raw("GET /later HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto respond = wait_held();
  ASSERT_TRUE(respond);
  TestClient other(port());
  ASSERT_TRUE(eventually([&] {
    Reply r = other.get("/hello");
    return !r.ec && r.res.result_int() == 200u;
  })) << "a parked request does not fill max_in_flight";

  // A handler at work on a worker does.
  TestClient held(port());
  ASSERT_FALSE(held.connect());
  ASSERT_FALSE(held.write_raw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(gate_.wait_entered(1));
  auto shed_for_in_flight = [&] {
    const std::string text = metrics_.render();
    const std::string name = "jiceng_http_shed_total{reason=\"in_flight\"} ";
    const auto at = text.find(name);
    return at == std::string::npos ? -1 : std::stol(text.substr(at + name.size()));
  };
  const long shed_before = shed_for_in_flight();
  Reply shed = other.get("/hello");
  expect_error(shed, 503, "unavailable");
  EXPECT_EQ(shed.res[testing::bhttp::field::retry_after], "1");
  Reply metrics = other.get("/metrics");  // monitoring still sees the server
  ASSERT_FALSE(metrics.ec);
  EXPECT_EQ(metrics.res.result_int(), 200u);
  EXPECT_EQ(shed_for_in_flight(), shed_before + 1);

  gate_.release();
  (*respond)(json_response(json::object{{"later", true}}));
  for (TestClient* c : {&held, &parked}) {
    Reply answered;
    answered.ec = c->read(answered.res);
    ASSERT_FALSE(answered.ec) << answered.ec.message();
    EXPECT_EQ(answered.res.result_int(), 200u);
  }
  Reply recovered = other.get("/hello");
  ASSERT_FALSE(recovered.ec);
  EXPECT_EQ(recovered.res.result_int(), 200u);
}

TEST_F(ServerTest, RequestsWhileTheEventLoopLagsAre503AndServiceResumes) {
  ServerOptions options;
  options.io_threads = 1;
  options.max_loop_lag = 50ms;
  start(options);
  TestClient blocker(port());
  ASSERT_FALSE(blocker.connect());
  // The one I/O thread is held for 300 ms; requests sent meanwhile wait, and the lag probe's
  // timer fires 300 ms late: right after, the server sheds until it has caught up.
  ASSERT_FALSE(blocker.write_raw("GET /block HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::atomic<int> shed = 0;
  std::atomic<int> other_status = 0;
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&] {
      TestClient c(port());
      if (c.connect()) return;
      const auto end = std::chrono::steady_clock::now() + 2s;
      while (shed == 0 && std::chrono::steady_clock::now() < end) {
        Reply r = c.get("/hello");
        if (r.ec) return;
        if (r.res.result_int() == 503) {
          ++shed;
        } else if (r.res.result_int() != 200) {
          other_status = static_cast<int>(r.res.result_int());
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  Reply blocked;
  blocked.ec = blocker.read(blocked.res);
  ASSERT_FALSE(blocked.ec) << blocked.ec.message();
  EXPECT_EQ(blocked.res.result_int(), 200u);
  EXPECT_GT(shed.load(), 0) << "no request was shed while the loop lagged";
  EXPECT_EQ(other_status.load(), 0);
  // Caught up: requests are served again.
  TestClient after(port());
  ASSERT_TRUE(eventually([&] { return after.get("/hello").res.result_int() == 200u; }));
}

TEST_F(ServerTest, StopBeforeRunReturnsPromptly) {
  server_ = std::make_unique<Server>(ServerOptions{.port = 0}, router_, metrics_);
  ASSERT_TRUE(server_->listen());
  server_->stop();
  server_->run();
}

TEST_F(ServerTest, ListenOnATakenPortIsUnavailable) {
  start();
  Metrics other_metrics;
  Server other(ServerOptions{.port = port()}, router_, other_metrics);
  auto r = other.listen();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("cannot listen on 127.0.0.1:" + std::to_string(port())),
            std::string::npos)
      << r.error().message;

  Server bad(ServerOptions{.address = "not an address"}, router_, other_metrics);
  auto b = bad.listen();
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ServerTest, OpenApiDocumentListsTheRoutesWithTheirParameters) {
  auto doc = json::parse(openapi_document(router_, {.title = "test", .version = "1"}));
  EXPECT_EQ(doc.at("openapi"), "3.0.3");
  const auto& paths = doc.at("paths").as_object();
  std::size_t operations = 0;
  for (const auto& [path, item] : paths) operations += item.as_object().size();
  EXPECT_EQ(operations, router_.routes().size());

  const auto& echo = doc.at_pointer("/paths/~1echo~1{name}/get");
  EXPECT_EQ(echo.at("summary"), "Echoes what the server parsed");
  const auto& params = echo.at("parameters").as_array();
  // The path capture, the query parameter, then the headers every route reads (a GET by no
  // one in particular: only Accept-Language; no If-Match, Idempotency-Key or X-CSRF-Token).
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[0].at("name"), "name");
  EXPECT_EQ(params[0].at("in"), "path");
  EXPECT_EQ(params[0].at("required"), true);
  EXPECT_EQ(params[1].at("name"), "x");
  EXPECT_EQ(params[1].at("in"), "query");
  EXPECT_EQ(params[2].at("name"), "Accept-Language");
  EXPECT_EQ(params[2].at("in"), "header");
  EXPECT_EQ(params[2].at("required"), false);
  EXPECT_EQ(doc.at_pointer("/paths/~1upload/post/x-jiceng-policy"), "public");
  // Every status a route can answer is listed (no "default"), each error with the Error body.
  const auto& hello = doc.at_pointer("/paths/~1hello/get/responses").as_object();
  EXPECT_FALSE(hello.contains("default"));
  EXPECT_TRUE(hello.contains("200"));
  EXPECT_EQ(doc.at_pointer("/paths/~1hello/get/responses/500/content/application~1json/schema/"
                           "$ref"),
            "#/components/schemas/Error");
  EXPECT_TRUE(doc.at_pointer("/paths/~1hello/get/responses/503/headers/Retry-After").is_object());
  EXPECT_TRUE(doc.at_pointer("/components/schemas/Error/properties/error").is_object());
}

}  // namespace
}  // namespace jiceng::http
