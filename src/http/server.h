// The HTTP/1.1 server: keep-alive connections served by C++20 coroutines on a few I/O threads;
// blocking handlers run on a worker pool, inline ones (and short reads, when short_reads_inline)
// on the I/O thread (router.h). Asynchronous handlers answer when their Responder is called, from
// any thread; a request waiting for its write's commit holds no thread. When max_queued_handlers
// handlers already wait for a worker, a request for the pool is answered at once with 503 and
// Retry-After: 1 (a JSON error body, code "unavailable").
//
// Requests beyond max_in_flight, or arriving while the event loop lags more than max_loop_lag
// behind, are refused the same way (ServerOptions).
//
// Every response carries X-Request-Id (the client's, when it matches [A-Za-z0-9._-]{1,64}, else
// 16 random hex digits), X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer, a
// Content-Security-Policy that forbids everything, and on /api paths Cache-Control: no-store.
// Each request is logged as one JSON line by the spdlog logger "access" (made with a stdout
// sink if the program has not registered one): ts, request_id, remote, method, path, route,
// status, bytes, duration_us, and via (the proxy) when remote came from X-Forwarded-For. A handler
// that throws yields a 500 whose body holds only the request id; the exception's text is logged. A
// response to HEAD carries the Content-Length of the handler's body but not the body.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/error.h"
#include "http/metrics.h"
#include "http/proxies.h"
#include "http/router.h"

namespace jiceng::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port (see Server::port())
  int io_threads = 2;
  int worker_threads = 16;
  // Routes marked Runs::kShortRead run on the I/O thread (true when the store is in the process:
  // SQLite) or on the worker pool (false: a read waits for a network round trip).
  bool short_reads_inline = true;
  // An inline short read that takes longer than this and reads from the disk meanwhile (its
  // pages were not in memory) sends the short reads to the worker pool for short_read_hold, so
  // that waiting for the disk holds a worker rather than an I/O thread (http/short_reads.h); a
  // short read on the pool that waits for the disk too extends the hold.
  // 0: always inline. disk_reads counts the calling thread's reads from the disk so far (empty:
  // getrusage; tests set their own).
  std::chrono::microseconds short_read_budget = std::chrono::milliseconds(5);
  std::chrono::milliseconds short_read_hold = std::chrono::seconds(1);
  std::function<std::uint64_t()> disk_reads = {};
  // At most this many handlers wait for a worker; beyond, requests for the pool get 503.
  std::size_t max_queued_handlers = 1024;
  // Admission control for all routes but /healthz, /readyz and /metrics: at most max_in_flight
  // requests are being handled at once (from their dispatch to their response, or, for an
  // asynchronous handler, until it returns: a write then waits for its commit in the store's
  // queue, which the store bounds, store/database.h), and while the I/O threads run more than
  // max_loop_lag behind (measured every 10 ms by a timer), new requests are not handled either;
  // both are answered 503 with Retry-After: 1 at once. So excess load costs the server a short
  // answer each, and the requests it accepts are answered in bounded time (PERFORMANCE.md,
  // overload). 0 turns either check off.
  std::size_t max_in_flight = 256;
  std::chrono::milliseconds max_loop_lag = std::chrono::milliseconds(500);
  std::size_t body_limit = 1 << 20;  // larger request bodies get 413
  // A new connection must deliver a whole request header within header_timeout, and so must
  // the next request on a kept-alive connection once its first byte has arrived.
  std::chrono::milliseconds header_timeout = std::chrono::seconds(10);
  // A kept-alive connection with no request for this long is closed.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
  // Reading a whole request (header and body) and writing its response each have this long.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  // After stop(), requests in flight have this long to finish before the server stops anyway.
  std::chrono::milliseconds shutdown_grace = std::chrono::seconds(10);
  // Served over TLS (by a reverse proxy): every response carries Strict-Transport-Security.
  bool hsts = false;
  // Requests from these peers (reverse proxies) are taken to come from the client that
  // X-Forwarded-For names (http/proxies.h): Request::remote and the access log's "remote" are
  // that client, and the log's "via" the proxy. Empty: X-Forwarded-For is ignored.
  TrustedProxies trusted_proxies{};
};

class Server {
 public:
  // The router and metrics must outlive the server. Binds metrics to the router's routes.
  Server(ServerOptions options, const Router& router, Metrics& metrics);
  // Precondition: run() is not running. Waits for handlers still running on the worker pool
  // (after a forced stop) and for Responders held elsewhere (writes waiting for their commit);
  // handlers queued but not started are dropped.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. kInvalidArgument for an unparsable address; kUnavailable when the
  // address cannot be bound (e.g. the port is taken). Call once, before run().
  [[nodiscard]] Result<void> listen();
  // The port listened on (the chosen one when options.port was 0). Valid after listen().
  std::uint16_t port() const;

  // Serves on io_threads threads (the calling one among them) until the server has stopped:
  // after stop(), once the requests in flight are answered, or when shutdown_grace runs out.
  // Call once, after listen().
  void run();

  // Starts a graceful stop: no new connections, idle connections are closed, requests in flight
  // are answered with "Connection: close". Returns at once; run() returns when done.
  // Thread-safe, idempotent, may be called before run().
  void stop();

  // Makes SIGINT and SIGTERM call stop(). Call before run().
  void handle_signals();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jiceng::http
