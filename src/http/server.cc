// The server's lifecycle (listen, run, stop) and the per-connection coroutine. Threading: one
// io_context run by io_threads threads; every connection lives on its own strand, the acceptor,
// signals and the shutdown timer on the control strand. Inline handlers (and short reads, when
// the store is in the process) run on the connection's strand; the others on a thread_pool.
// Every handler that does not answer inline answers through a Responder, which posts the response
// back to the connection's strand: from the pool, or from a store writer thread once a write
// is durable, so that no thread waits for a commit.
#include "http/server.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_set>

#include "common/date.h"
#include "http/errors.h"
#include "http/short_reads.h"

namespace jiceng::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kReadChunk = 4096;
Error too_large(std::size_t limit) {
  return Error{ErrorCode::kPayloadTooLarge,
               fmt::format("the request body exceeds the limit of {} bytes", limit),
               fmt::format("请求体超过 {} 字节的上限", limit)};
}

// After answering a request whose body was not read (413), unread input is drained this long
// before closing, so that the close does not reset the connection under the client's reading.
constexpr auto kLinger = std::chrono::seconds(1);

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

std::shared_ptr<spdlog::logger> access_logger() {
  static std::mutex mu;
  std::lock_guard lock(mu);
  if (auto logger = spdlog::get("access")) return logger;
  auto logger = spdlog::stdout_logger_mt("access");
  logger->set_pattern("%v");
  return logger;
}

// The handler's response; a thrown exception becomes a 500 and is logged.
Response call_handler(const Route& route, const Request& req) {
  try {
    return route.handler(req);
  } catch (const std::exception& e) {
    return error_response(Error::internal(std::string("handler threw: ") + e.what()),
                          req.request_id);
  } catch (...) {
    return error_response(Error::internal("handler threw a non-standard exception"),
                          req.request_id);
  }
}

// Counts the Responders whose response is not posted yet, so that the server outlives them: a
// Responder completed by a store writer thread after a forced stop must still find the io_context.
class PendingResponders {
 public:
  void add() {
    std::lock_guard lock(mu_);
    ++count_;
  }
  void done() {
    std::lock_guard lock(mu_);
    if (--count_ == 0) cv_.notify_all();
  }
  void wait_for_none() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return count_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t count_ = 0;
};

// The answer to a request the server is too busy to handle (admission control).
Response busy_response(const std::string& request_id) {
  Response res = protocol_error(503, "unavailable", "the server is busy; try again shortly",
                                request_id, {}, "服务器繁忙，请稍后重试");
  res.headers.emplace_back("Retry-After", "1");
  return res;
}

// Makes the response on the connection's strand; an exception, or no make at all (the handler
// dropped its Responder), becomes a 500.
Response make_response(const std::function<Response()>& make, const Request& req) {
  if (!make) {
    return error_response(Error::internal("an asynchronous handler dropped its Responder"),
                          req.request_id);
  }
  try {
    return make();
  } catch (const std::exception& e) {
    return error_response(Error::internal(std::string("handler threw: ") + e.what()),
                          req.request_id);
  }
}

// Runs the route's handler (on pool when on_pool, else here, on the connection's strand) and
// completes on the caller's executor once the handler has replied (see Responder). queued counts
// the handlers posted to the pool and not started; the caller has counted this one. parked, when
// set, is called once an asynchronous handler has returned; measure, when set, just before a
// synchronous one runs, and what it returns just after.
template <class Token>
auto async_call_handler(asio::thread_pool& pool, bool on_pool, PendingResponders& pending,
                        const Route& route, const Request& req, std::atomic<std::size_t>& queued,
                        std::function<void()> parked,
                        std::function<std::function<void()>()> measure, Token&& token) {
  return asio::async_initiate<Token, void(Response)>(
      [&pool, on_pool, &pending, &queued, parked = std::move(parked), measure = std::move(measure)](
          auto completion, const Route* r, const Request* q) {
        using Completion = decltype(completion);
        struct Waiting {
          Completion completion;
          asio::executor_work_guard<asio::associated_executor_t<Completion>> work;
        };
        auto work = asio::make_work_guard(asio::get_associated_executor(completion));
        auto waiting = std::make_shared<Waiting>(Waiting{std::move(completion), std::move(work)});
        pending.add();
        // Called once (Responder). It gives `waiting` away, so that a copy of the Responder
        // that outlives the server holds nothing of its io_context.
        Responder respond([waiting, q, &pending](std::function<Response()> make) mutable {
          {
            // The executor's copy (a strand) must be gone before done(): once the last pending
            // Responder is done, the server may destroy the io_context, and with it the strand's
            // state that this copy would release (a use-after-free seen under ASan).
            auto executor = waiting->work.get_executor();
            asio::post(executor, [waiting = std::move(waiting), q, make = std::move(make)]() {
              Response res = make_response(make, *q);
              waiting->work.reset();
              std::move(waiting->completion)(std::move(res));
            });
          }
          pending.done();
        });
        auto start = [r, q, respond = std::move(respond), parked, measure]() {
          try {
            if (r->async_handler) {
              r->async_handler(*q, respond);
              // Its answer now waits for the store (a commit), not for this server's threads.
              if (parked) parked();
              return;
            }
            std::function<void()> measured = measure ? measure() : nullptr;
            Response res = call_handler(*r, *q);
            if (measured) measured();
            respond(std::move(res));
          } catch (const std::exception& e) {
            respond(error_response(Error::internal(std::string("handler threw: ") + e.what()),
                                   q->request_id));
          }
        };
        if (on_pool) {
          asio::post(pool, [&queued, start = std::move(start)]() {
            queued.fetch_sub(1, std::memory_order_relaxed);
            start();
          });
        } else {
          start();
        }
      },
      std::forward<Token>(token), &route, &req);
}

// True for errors that mean the client sent something that is not HTTP/1.1 we accept.
bool is_protocol_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

void log_escaped(std::exception_ptr e, std::string_view where) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("http: exception escaped {}: {}", where, ex.what());
  } catch (...) {
    spdlog::error("http: exception escaped {}", where);
  }
}

struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool idle = true;  // no request in progress; touched only on the stream's strand
};

// What happens to a connection after a response.
enum class Next { kKeepAlive, kClose, kDrainAndClose };

// One request's bookkeeping, for the response headers, the access log and the metrics.
struct Exchange {
  Clock::time_point started = Clock::now();
  std::string request_id;
  std::string method;
  std::string path;
  std::string accept_language;  // the request's Accept-Language (Open311's errors: English or not)
  std::string_view route = "unmatched";
  std::optional<std::size_t> route_index;
  unsigned version = 11;
  bool keep_alive = false;
  std::string via;  // the trusted proxy the request came through, when remote is its client
};

// Holds the in-flight gauge up from the request's header to its response (or the connection's
// end).
class InFlight {
 public:
  explicit InFlight(Metrics& m) : metrics_(m) { metrics_.request_started(); }
  ~InFlight() { finish(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  void finish() {
    if (std::exchange(done_, true)) return;
    metrics_.request_finished();
  }

 private:
  Metrics& metrics_;
  bool done_ = false;
};

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router, Metrics& metrics)
      : options_(std::move(options)),
        router_(router),
        metrics_(metrics),
        access_log_(access_logger()),
        short_reads_(options_.short_read_budget, options_.short_read_hold, options_.disk_reads),
        ioc_(std::max(options_.io_threads, 1)),
        workers_(std::in_place, static_cast<std::size_t>(std::max(options_.worker_threads, 1))) {
    metrics_.bind(router_);
  }

  ~Impl() {
    ending_ = true;
    ioc_.stop();
    workers_->stop();
    workers_->join();
    // Handlers still queued on the pool are dropped with it; their Responders answer (into the
    // stopped io_context). Responders held by store writers arrive once their commit is done.
    workers_.reset();
    pending_.wait_for_none();
  }

  Result<void> listen();
  std::uint16_t port() const { return port_; }
  void run();
  void stop();
  void handle_signals();

 private:
  struct Registration {
    Impl& impl;
    std::shared_ptr<Connection> conn;
    ~Registration() { impl.unregister(conn); }
  };

  bool register_connection(const std::shared_ptr<Connection>& conn);
  void unregister(const std::shared_ptr<Connection>& conn);
  void arm_grace_timer();

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> probe_loop_lag();
  std::optional<Response> refuse_when_busy(const Route& route, const std::string& request_id);
  asio::awaitable<void> serve(std::shared_ptr<Connection> conn);
  asio::awaitable<Next> serve_one(Connection& conn, beast::flat_buffer& buffer,
                                  const std::string& peer,
                                  const std::optional<asio::ip::address>& peer_address,
                                  Clock::time_point header_deadline);
  asio::awaitable<Response> dispatch(const RawRequest& raw, Exchange& ex,
                                     const std::string& remote);
  asio::awaitable<Next> respond(Connection& conn, Exchange& ex, InFlight& in_flight, Response res,
                                const std::string& remote, Next next);
  bhttp::response<bhttp::string_body> to_message(Exchange& ex, Response res, bool api);
  void log_access(const Exchange& ex, const std::string& remote, unsigned status,
                  std::size_t bytes);

  ServerOptions options_;
  const Router& router_;
  Metrics& metrics_;
  std::shared_ptr<spdlog::logger> access_log_;
  std::uint16_t port_ = 0;

  std::mutex mu_;
  std::atomic<bool> stopping_{false};  // set under mu_
  std::atomic<bool> ending_{false};    // the destructor runs: connections unregister silently
  std::unordered_set<std::shared_ptr<Connection>> connections_;  // guarded by mu_

  PendingResponders pending_;
  // Handlers posted to the worker pool and not started yet (admission control).
  std::atomic<std::size_t> queued_{0};
  // Requests dispatched and not yet answered, and the event loop's latest lag (admission).
  std::atomic<std::size_t> handling_{0};
  std::atomic<std::int64_t> loop_lag_us_{0};
  // Whether short reads run inline now (ServerOptions::short_read_budget).
  ShortReadGate short_reads_;

  // Destroyed in reverse order: the worker pool first, the io_context after the objects on it
  // (its destruction destroys suspended connection coroutines, which unregister above).
  asio::io_context ioc_;
  asio::strand<asio::io_context::executor_type> control_{asio::make_strand(ioc_)};
  tcp::acceptor acceptor_{control_};
  asio::signal_set signals_{control_};
  asio::steady_timer grace_timer_{control_};
  asio::steady_timer lag_probe_{control_};
  std::optional<asio::thread_pool> workers_;  // reset by the destructor
};

Result<void> Server::Impl::listen() {
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.address, ec);
  if (ec) return Error::invalid_argument("bad listen address '" + options_.address + "'");
  tcp::endpoint endpoint(address, options_.port);
  auto fail = [&](const beast::error_code& why) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return Error::unavailable(
        fmt::format("cannot listen on {}:{}: {}", options_.address, options_.port, why.message()));
  };
  if (acceptor_.open(endpoint.protocol(), ec); ec) return fail(ec);
  if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec) return fail(ec);
  if (acceptor_.bind(endpoint, ec); ec) return fail(ec);
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) return fail(ec);
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return fail(ec);
  spdlog::info("http: listening on {}:{}", options_.address, port_);
  return {};
}

void Server::Impl::run() {
  asio::co_spawn(control_, accept_loop(),
                 [](std::exception_ptr e) { log_escaped(e, "the accept loop"); });
  if (options_.max_loop_lag.count() > 0) {
    asio::co_spawn(control_, probe_loop_lag(),
                   [](std::exception_ptr e) { log_escaped(e, "the lag probe"); });
  }
  auto run_loop = [this] {
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("http: exception escaped a handler: {}", e.what());
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.io_threads; ++i) threads.emplace_back(run_loop);
  run_loop();
  for (auto& t : threads) t.join();
}

void Server::Impl::stop() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    open.assign(connections_.begin(), connections_.end());
  }
  spdlog::info("http: stopping; {} connection(s) open", open.size());
  asio::post(control_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    signals_.cancel(ignored);
    lag_probe_.cancel();
    arm_grace_timer();
  });
  for (auto& conn : open) {
    asio::post(conn->stream.get_executor(), [conn] {
      if (conn->idle) conn->stream.cancel();
    });
  }
}

// On the control strand: if connections remain, stop the io_context once the grace runs out.
void Server::Impl::arm_grace_timer() {
  std::lock_guard lock(mu_);
  if (connections_.empty()) return;
  grace_timer_.expires_after(options_.shutdown_grace);
  grace_timer_.async_wait([this](const beast::error_code& ec) {
    if (ec) return;  // cancelled: the last connection finished
    std::lock_guard inner(mu_);
    spdlog::warn("http: {} connection(s) still busy after the shutdown grace; stopping anyway",
                 connections_.size());
    ioc_.stop();
  });
}

void Server::Impl::handle_signals() {
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.async_wait([this](const beast::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("http: signal {} received", signal);
    stop();
  });
}

bool Server::Impl::register_connection(const std::shared_ptr<Connection>& conn) {
  std::lock_guard lock(mu_);
  if (stopping_) return false;
  connections_.insert(conn);
  return true;
}

void Server::Impl::unregister(const std::shared_ptr<Connection>& conn) {
  bool last = false;
  {
    std::lock_guard lock(mu_);
    connections_.erase(conn);
    last = stopping_ && connections_.empty();
  }
  if (last && !ending_ && !ioc_.stopped()) asio::post(control_, [this] { grace_timer_.cancel(); });
}

asio::awaitable<void> Server::Impl::accept_loop() {
  while (acceptor_.is_open()) {
    asio::any_io_executor strand = asio::make_strand(ioc_);
    auto [ec, socket] = co_await acceptor_.async_accept(strand, kUseTuple);
    if (stopping_ || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // E.g. out of file descriptors: pause instead of spinning.
      spdlog::warn("http: accept failed: {}", ec.message());
      asio::steady_timer pause(control_, std::chrono::milliseconds(100));
      co_await pause.async_wait(kUseTuple);
      continue;
    }
    auto conn = std::make_shared<Connection>(std::move(socket));
    asio::co_spawn(conn->stream.get_executor(), serve(conn),
                   [](std::exception_ptr e) { log_escaped(e, "a connection"); });
  }
}

// Every 10 ms: how late the timer fires is how long a ready handler waits for an I/O thread.
// The estimate halves per period when the loop is on time again, so that shedding outlasts a
// stall by a few periods instead of flapping with each sample.
asio::awaitable<void> Server::Impl::probe_loop_lag() {
  constexpr auto kPeriod = std::chrono::milliseconds(10);
  std::int64_t estimate_us = 0;
  while (!stopping_) {
    lag_probe_.expires_after(kPeriod);
    const auto due = lag_probe_.expiry();
    auto [ec] = co_await lag_probe_.async_wait(kUseTuple);
    if (ec) co_return;
    const auto lag = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - due);
    estimate_us = std::max<std::int64_t>(lag.count(), estimate_us / 2);
    loop_lag_us_.store(estimate_us, std::memory_order_relaxed);
  }
}

// The 503 for a request that arrives while the server is saturated, if it does.
std::optional<Response> Server::Impl::refuse_when_busy(const Route& route,
                                                       const std::string& request_id) {
  const std::string_view p = route.pattern;
  if (p == "/healthz" || p == "/readyz" || p == "/metrics") return std::nullopt;
  const bool too_many = options_.max_in_flight > 0 &&
                        handling_.load(std::memory_order_relaxed) >= options_.max_in_flight;
  const bool lagging =
      options_.max_loop_lag.count() > 0 &&
      loop_lag_us_.load(std::memory_order_relaxed) >
          std::chrono::duration_cast<std::chrono::microseconds>(options_.max_loop_lag).count();
  if (!too_many && !lagging) return std::nullopt;
  metrics_.shed(too_many ? Metrics::Shed::kInFlight : Metrics::Shed::kLoopLag);
  return busy_response(request_id);
}

asio::awaitable<void> Server::Impl::serve(std::shared_ptr<Connection> conn) {
  if (!register_connection(conn)) co_return;
  Registration registration{*this, conn};
  beast::error_code ec;
  auto endpoint = conn->stream.socket().remote_endpoint(ec);
  const std::string peer =
      ec ? "unknown" : fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
  const std::optional<asio::ip::address> peer_address =
      ec ? std::nullopt : std::optional(endpoint.address());
  beast::flat_buffer buffer;
  Next next = Next::kKeepAlive;
  // A new connection has header_timeout from its accept for its first header; a kept-alive one
  // waits up to idle_timeout for the next request's first byte, then has header_timeout.
  Clock::time_point header_deadline = Clock::now() + options_.header_timeout;
  for (bool first = true; next == Next::kKeepAlive && !stopping_; first = false) {
    conn->idle = true;
    if (buffer.size() == 0) {
      conn->stream.expires_at(first ? header_deadline : Clock::now() + options_.idle_timeout);
      auto [read_ec, n] =
          co_await conn->stream.async_read_some(buffer.prepare(kReadChunk), kUseTuple);
      if (read_ec) break;
      buffer.commit(n);
    }
    if (!first) header_deadline = Clock::now() + options_.header_timeout;
    next = co_await serve_one(*conn, buffer, peer, peer_address, header_deadline);
  }
  conn->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (next == Next::kDrainAndClose) {
    conn->idle = true;
    conn->stream.expires_after(kLinger);
    for (;;) {
      // Discarded: prepare() hands out the same space each time, nothing is committed.
      auto [read_ec, n] =
          co_await conn->stream.async_read_some(buffer.prepare(kReadChunk), kUseTuple);
      if (read_ec) break;
    }
  }
}

asio::awaitable<Next> Server::Impl::serve_one(Connection& conn, beast::flat_buffer& buffer,
                                              const std::string& peer,
                                              const std::optional<asio::ip::address>& peer_address,
                                              Clock::time_point header_deadline) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(options_.body_limit);
  Exchange ex;  // the request's clock starts now, with its first byte in the buffer
  conn.stream.expires_at(header_deadline);
  auto [ec, n] = co_await bhttp::async_read_header(conn.stream, buffer, parser, kUseTuple);
  if (ec && !is_protocol_error(ec)) co_return Next::kClose;  // timeout, reset, end of stream
  conn.idle = false;
  InFlight in_flight(metrics_);

  const RawRequest& raw = parser.get();
  auto incoming_id = raw.find("X-Request-Id");
  ex.request_id = incoming_id != raw.end() && valid_request_id(incoming_id->value())
                      ? std::string(incoming_id->value())
                      : new_request_id();
  ex.method = std::string(raw.method_string());
  ex.path = std::string(raw.target().substr(0, raw.target().find('?')));
  if (auto lang = raw.find(bhttp::field::accept_language); lang != raw.end()) {
    ex.accept_language = std::string(lang->value());
  }
  ex.version = raw.version();
  // Behind a trusted proxy, the client it names (http/proxies.h).
  std::string remote = peer;
  if (peer_address && !options_.trusted_proxies.empty()) {
    std::vector<std::string_view> forwarded;
    for (auto [it, end] = raw.equal_range("X-Forwarded-For"); it != end; ++it) {
      forwarded.push_back(it->value());
    }
    if (auto client = forwarded_client(*peer_address, forwarded, options_.trusted_proxies)) {
      remote = client_text(*client);
      ex.via = peer;
    }
  }

  if (ec == bhttp::error::body_limit) {
    Response res = error_response(too_large(options_.body_limit), ex.request_id);
    co_return co_await respond(conn, ex, in_flight, std::move(res), remote, Next::kDrainAndClose);
  }
  if (ec == bhttp::error::header_limit) {
    Response res = protocol_error(
        431, "header_too_large", fmt::format("the request header exceeds {} bytes", kHeaderLimit),
        ex.request_id, {}, fmt::format("请求头超过 {} 字节的上限", kHeaderLimit));
    co_return co_await respond(conn, ex, in_flight, std::move(res), remote, Next::kClose);
  }
  if (ec) {
    Response res = error_response(
        Error::invalid_argument("malformed HTTP request: " + ec.message()).zh("HTTP 请求格式错误"),
        ex.request_id);
    co_return co_await respond(conn, ex, in_flight, std::move(res), remote, Next::kClose);
  }

  if (!parser.is_done()) {
    auto expect = raw.find(bhttp::field::expect);
    if (expect != raw.end() && beast::iequals(expect->value(), "100-continue")) {
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, raw.version()};
      conn.stream.expires_after(options_.request_timeout);
      auto [write_ec, written] = co_await bhttp::async_write(conn.stream, cont, kUseTuple);
      if (write_ec) co_return Next::kClose;
    }
    conn.stream.expires_at(ex.started + options_.request_timeout);
    auto [body_ec, body_n] = co_await bhttp::async_read(conn.stream, buffer, parser, kUseTuple);
    if (body_ec == bhttp::error::body_limit) {
      Response res = error_response(too_large(options_.body_limit), ex.request_id);
      co_return co_await respond(conn, ex, in_flight, std::move(res), remote, Next::kDrainAndClose);
    }
    if (is_protocol_error(body_ec)) {
      Response res = error_response(
          Error::invalid_argument("malformed HTTP request body: " + body_ec.message())
              .zh("HTTP 请求体格式错误"),
          ex.request_id);
      co_return co_await respond(conn, ex, in_flight, std::move(res), remote, Next::kClose);
    }
    if (body_ec) co_return Next::kClose;
  }

  Response res = co_await dispatch(raw, ex, remote);
  co_return co_await respond(conn, ex, in_flight, std::move(res), remote,
                             raw.keep_alive() ? Next::kKeepAlive : Next::kClose);
}

asio::awaitable<Response> Server::Impl::dispatch(const RawRequest& raw, Exchange& ex,
                                                 const std::string& remote) {
  // The router's own refusals speak the caller's language too.
  const bool chinese = prefers_chinese(ex.accept_language.empty()
                                           ? std::nullopt
                                           : std::optional<std::string_view>(ex.accept_language));
  auto target = parse_target(raw.target());
  if (!target) co_return error_response(target.error(), ex.request_id, chinese);
  ex.path = target->path;
  RouteMatch m = router_.match(raw.method_string(), *target);
  if (m.outcome == RouteMatch::Outcome::kNotFound) {
    co_return error_response(
        Error::not_found("no resource at " + target->path).zh("没有这个资源：" + target->path),
        ex.request_id, chinese);
  }
  if (m.outcome == RouteMatch::Outcome::kMethodNotAllowed) {
    const std::string en =
        fmt::format("{} is not allowed on {}; allowed: {}", ex.method, target->path, m.allow);
    const std::string zh =
        fmt::format("{} 不支持 {} 方法，可用：{}", target->path, ex.method, m.allow);
    Response res =
        protocol_error(405, "method_not_allowed", chinese ? zh : en, ex.request_id, {}, zh);
    res.error->en = en;  // both texts, as every error keeps them (Open311 renders its own)
    res.headers.emplace_back("Allow", m.allow);
    co_return res;
  }
  ex.route = m.route->pattern;
  ex.route_index = m.index;
  Request req;
  req.method = raw.method_string();
  req.path = std::move(target->path);
  req.query = std::move(target->query);
  req.params = std::move(m.params);
  req.raw = &raw;
  req.request_id = ex.request_id;
  req.remote = remote;
  // Saturated: a quick refusal now instead of an answer too late to be of use.
  if (auto refusal = refuse_when_busy(*m.route, ex.request_id)) co_return std::move(*refusal);
  const Runs runs = m.route->runs;
  const bool short_read = runs == Runs::kShortRead;
  // A short read goes to the pool when the store is not in the process, or for a while after
  // one waited for the disk on an I/O thread (ShortReadGate).
  const bool read_pooled =
      short_read && options_.short_reads_inline && short_reads_.pooled(Clock::now());
  const bool on_pool =
      runs == Runs::kWorker || (short_read && (!options_.short_reads_inline || read_pooled));
  if (on_pool && queued_.load(std::memory_order_relaxed) >= options_.max_queued_handlers) {
    metrics_.shed(Metrics::Shed::kWorkerQueue);
    co_return busy_response(ex.request_id);
  }
  // The request counts as being handled (max_in_flight) until it is answered, or until its
  // handler has handed its write to the store and returned: a write waiting for its commit costs
  // no thread, and the store bounds its own queue (store::DatabaseOptions::max_queued,
  // max_wait and wait_target); counted here, a stall of the disk for a second filled max_in_flight
  // with them and refused the reads the store could still serve. slot, for asynchronous handlers
  // only: 0 counted, 1 parked, 2 answered.
  handling_.fetch_add(1, std::memory_order_relaxed);
  std::shared_ptr<std::atomic<int>> slot;
  if (m.route->async_handler) slot = std::make_shared<std::atomic<int>>(0);
  struct Handled {
    std::atomic<std::size_t>& n;
    std::shared_ptr<std::atomic<int>> slot;
    ~Handled() {
      if (!slot || slot->exchange(2) == 0) n.fetch_sub(1, std::memory_order_relaxed);
    }
  } handled{handling_, slot};
  if (!on_pool && m.route->handler) {
    if (!short_read) co_return call_handler(*m.route, req);
    const auto start = short_reads_.begin(Clock::now());
    Response res = call_handler(*m.route, req);
    if (short_reads_.observe(start, Clock::now())) metrics_.short_read_slow();
    co_return res;
  }
  if (read_pooled) metrics_.short_read_pooled();
  if (on_pool) queued_.fetch_add(1, std::memory_order_relaxed);
  std::function<void()> parked;
  if (slot) {
    parked = [slot, &handling = handling_] {
      int counted = 0;
      if (slot->compare_exchange_strong(counted, 1)) {
        handling.fetch_sub(1, std::memory_order_relaxed);
      }
    };
  }
  // A short read on the pool that still waited for the disk keeps the short reads there: with
  // a cold cache every read waits, and back on the I/O threads after the hold, the first ones
  // stalled their event loops for as long as the disk took (loop-lag refusals in a 1M run).
  std::function<std::function<void()>()> measure;
  if (read_pooled) {
    measure = [this]() -> std::function<void()> {
      return [this, start = short_reads_.begin(Clock::now())] {
        if (short_reads_.observe(start, Clock::now())) metrics_.short_read_slow();
      };
    };
  }
  co_return co_await async_call_handler(*workers_, on_pool, pending_, *m.route, req, queued_,
                                        std::move(parked), std::move(measure), asio::use_awaitable);
}

asio::awaitable<Next> Server::Impl::respond(Connection& conn, Exchange& ex, InFlight& in_flight,
                                            Response res, const std::string& remote, Next next) {
  ex.keep_alive = next == Next::kKeepAlive && !stopping_;
  bool api = ex.path == "/api" || ex.path.starts_with("/api/");
  auto message = to_message(ex, std::move(res), api);
  conn.stream.expires_after(options_.request_timeout);
  auto [ec, written] = co_await bhttp::async_write(conn.stream, message, kUseTuple);
  in_flight.finish();
  log_access(ex, remote, message.result_int(), message.body().size());
  metrics_.observe(ex.route_index, ex.method, message.result_int(), Clock::now() - ex.started);
  if (ec) co_return Next::kClose;
  if (next == Next::kKeepAlive && !ex.keep_alive) co_return Next::kClose;
  co_return next;
}

bhttp::response<bhttp::string_body> Server::Impl::to_message(Exchange& ex, Response res, bool api) {
  if (res.status < 100 || res.status > 599) {
    res = error_response(
        Error::internal(fmt::format("handler for {} returned status {}", ex.route, res.status)),
        ex.request_id);
  }
  // Open311's errors in the spec's form, whichever part of the server raised them.
  if (is_open311_path(ex.path)) {
    res = open311_error(std::move(res), open311_format(ex.path),
                        preferred_language(ex.accept_language) == Language::kEnglish);
    // Open to web apps on other sites (CORS): its reads are public, its one write takes an
    // app's key in the form, and no cookie is ever read there.
    res.headers.emplace_back("Access-Control-Allow-Origin", "*");
  }
  bhttp::response<bhttp::string_body> out;
  try {
    out.version(ex.version);
    out.result(res.status);
    out.set("X-Content-Type-Options", "nosniff");
    out.set("Referrer-Policy", "no-referrer");
    out.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    if (api) out.set(bhttp::field::cache_control, "no-store");
    if (options_.hsts) out.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
    // Set-Cookie is the one header that may not be folded (RFC 6265): each goes out on its own.
    for (const auto& [name, value] : res.headers) {
      if (bhttp::string_to_field(name) == bhttp::field::set_cookie) {
        out.insert(name, value);
      } else {
        out.set(name, value);
      }
    }
    out.body() = std::move(res.body);
  } catch (const std::exception& e) {
    return to_message(
        ex,
        error_response(Error::internal(std::string("bad response: ") + e.what()), ex.request_id),
        api);
  }
  out.set("X-Request-Id", ex.request_id);
  out.keep_alive(ex.keep_alive);
  out.prepare_payload();
  if (ex.method == "HEAD") {  // the headers a GET would get, without the body (RFC 9110 9.3.2)
    auto length = out.body().size();
    out.body().clear();
    out.content_length(length);
  }
  return out;
}

void Server::Impl::log_access(const Exchange& ex, const std::string& remote, unsigned status,
                              std::size_t bytes) {
  namespace json = boost::json;
  auto now =
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  // Whole microseconds: Boost.JSON writes doubles in exponent form, which log tools read badly.
  std::int64_t us =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - ex.started).count();
  json::object line{
      {"ts", format_instant_utc(now)},
      {"request_id", ex.request_id},
      {"remote", remote},
      {"method", ex.method},
      {"path", ex.path},
      {"route", ex.route},
      {"status", status},
      {"bytes", bytes},
      {"duration_us", us},
  };
  if (!ex.via.empty()) line["via"] = ex.via;
  access_log_->info("{}", json::serialize(line));
}

Server::Server(ServerOptions options, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}
Server::~Server() = default;
Result<void> Server::listen() { return impl_->listen(); }
std::uint16_t Server::port() const { return impl_->port(); }
void Server::run() { impl_->run(); }
void Server::stop() { impl_->stop(); }
void Server::handle_signals() { impl_->handle_signals(); }

}  // namespace jiceng::http
