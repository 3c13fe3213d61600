// Request metrics in the Prometheus text exposition format 0.0.4:
//   jiceng_http_requests_total{route,method,status}          counter
//   jiceng_http_request_duration_seconds{route,method}       histogram (0.5 ms … 10 s)
//   jiceng_http_requests_in_flight                            gauge
//   jiceng_http_short_reads_slow_total                        counter (ShortReadGate)
//   jiceng_http_short_reads_pooled_total                      counter (ShortReadGate)
//   jiceng_http_shed_total{reason}                            counter (admission control's 503s)
// One series per route, made once from the route table (and its fallback); requests that match
// no route count under route="unmatched". Recording is lock-free (relaxed atomics per series).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/router.h"

namespace jiceng::http {

class Metrics {
 public:
  // Upper bounds of the duration histogram's buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Makes one series per route of router (its method and pattern), replacing earlier ones.
  // Call before requests are observed (the Server's constructor does); not thread-safe.
  void bind(const Router& router);

  // Records one answered request. route_index is RouteMatch::index, or nullopt when the request
  // matched no route (then method is recorded as itself when standard, else as "other").
  // Thread-safe. An index past the bound routes counts as unmatched.
  void observe(std::optional<std::size_t> route_index, std::string_view method, unsigned status,
               std::chrono::nanoseconds duration);

  // The in-flight gauge. Thread-safe.
  void request_started() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void request_finished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

  // Short reads that waited for the disk (on an I/O thread, or on the worker pool where that
  // keeps them), and short reads run on the worker pool because one before them did
  // (http/short_reads.h). Thread-safe.
  void short_read_slow() { short_reads_slow_.fetch_add(1, std::memory_order_relaxed); }
  void short_read_pooled() { short_reads_pooled_.fetch_add(1, std::memory_order_relaxed); }

  // Why a request was answered 503 by the server's admission control (http/server.h).
  enum class Shed : std::uint8_t { kInFlight, kLoopLag, kWorkerQueue };
  // Counts one such answer. Thread-safe.
  void shed(Shed why) {
    shed_[static_cast<std::size_t>(why)].fetch_add(1, std::memory_order_relaxed);
  }

  // Adds a collector: render() calls it to append its own lines (with # HELP/# TYPE) to the
  // exposition. Collectors run on the thread that renders; they must not call render().
  // Thread-safe.
  void add_collector(std::function<void(std::string&)> collector);

  // The whole exposition. Thread-safe.
  std::string render() const;

 private:
  struct Series;
  static constexpr std::array<std::string_view, 8> kUnmatchedMethods = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other"};

  Series& unmatched_series(std::string_view method);

  std::vector<std::unique_ptr<Series>> routes_;
  std::vector<std::unique_ptr<Series>> unmatched_;  // parallel to kUnmatchedMethods
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::uint64_t> short_reads_slow_{0};
  std::atomic<std::uint64_t> short_reads_pooled_{0};
  std::array<std::atomic<std::uint64_t>, 3> shed_{};  // by Shed
  mutable std::mutex collectors_mu_;
  std::vector<std::function<void(std::string&)>> collectors_;  // guarded by collectors_mu_
};

}  // namespace jiceng::http
