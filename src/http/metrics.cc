#include "http/metrics.h"

#include <fmt/format.h>

#include <iterator>

namespace jiceng::http {
namespace {

constexpr unsigned kMinStatus = 100;
constexpr unsigned kMaxStatus = 599;

// Escapes a label value: backslash, double quote and newline.
std::string escape_label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

struct Metrics::Series {
  Series(std::string_view route, std::string_view method)
      : labels(
            fmt::format("route=\"{}\",method=\"{}\"", escape_label(route), escape_label(method))) {}

  std::string labels;  // route="…",method="…"
  std::array<std::atomic<std::uint64_t>, kMaxStatus - kMinStatus + 1> by_status{};
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};  // the last is +Inf
  std::atomic<std::uint64_t> sum_ns{0};
};

Metrics::Metrics() {
  for (std::string_view method : kUnmatchedMethods) {
    unmatched_.push_back(std::make_unique<Series>("unmatched", method));
  }
}

Metrics::~Metrics() = default;

void Metrics::bind(const Router& router) {
  routes_.clear();
  for (const Route& route : router.routes()) {
    routes_.push_back(std::make_unique<Series>(route.pattern, route.method));
  }
  // At index routes().size(), where Router::match puts it.
  if (const Route* f = router.fallback()) {
    routes_.push_back(std::make_unique<Series>(f->pattern, f->method));
  }
}

Metrics::Series& Metrics::unmatched_series(std::string_view method) {
  for (std::size_t i = 0; i + 1 < kUnmatchedMethods.size(); ++i) {
    if (kUnmatchedMethods[i] == method) return *unmatched_[i];
  }
  return *unmatched_.back();
}

void Metrics::observe(std::optional<std::size_t> route_index, std::string_view method,
                      unsigned status, std::chrono::nanoseconds duration) {
  Series& s = route_index && *route_index < routes_.size() ? *routes_[*route_index]
                                                           : unmatched_series(method);
  if (status >= kMinStatus && status <= kMaxStatus) {
    s.by_status[status - kMinStatus].fetch_add(1, std::memory_order_relaxed);
  }
  double seconds = std::chrono::duration<double>(duration).count();
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  s.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  auto ns = duration.count() > 0 ? static_cast<std::uint64_t>(duration.count()) : 0;
  s.sum_ns.fetch_add(ns, std::memory_order_relaxed);
}

void Metrics::add_collector(std::function<void(std::string&)> collector) {
  std::lock_guard lock(collectors_mu_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::render() const {
  std::vector<const Series*> all;
  for (const auto& s : routes_) all.push_back(s.get());
  for (const auto& s : unmatched_) all.push_back(s.get());

  std::string out;
  auto put = std::back_inserter(out);
  out +=
      "# HELP jiceng_http_requests_total HTTP requests answered, by route, method and status.\n"
      "# TYPE jiceng_http_requests_total counter\n";
  for (const Series* s : all) {
    for (unsigned status = kMinStatus; status <= kMaxStatus; ++status) {
      std::uint64_t n = s->by_status[status - kMinStatus].load(std::memory_order_relaxed);
      if (n != 0) {
        fmt::format_to(put, "jiceng_http_requests_total{{{},status=\"{}\"}} {}\n", s->labels,
                       status, n);
      }
    }
  }

  out +=
      "# HELP jiceng_http_request_duration_seconds Time from the first byte of a request to the "
      "last byte of its response.\n"
      "# TYPE jiceng_http_request_duration_seconds histogram\n";
  std::size_t routed = routes_.size();
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Series* s = all[i];
    std::array<std::uint64_t, kBuckets.size() + 1> counts;
    std::uint64_t total = 0;
    for (std::size_t b = 0; b < counts.size(); ++b) {
      counts[b] = s->buckets[b].load(std::memory_order_relaxed);
      total += counts[b];
    }
    if (i >= routed && total == 0) continue;  // unmatched methods never seen
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += counts[b];
      fmt::format_to(put, "jiceng_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                     s->labels, kBuckets[b], cumulative);
    }
    fmt::format_to(put, "jiceng_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n",
                   s->labels, total);
    double sum = static_cast<double>(s->sum_ns.load(std::memory_order_relaxed)) / 1e9;
    fmt::format_to(put, "jiceng_http_request_duration_seconds_sum{{{}}} {}\n", s->labels, sum);
    fmt::format_to(put, "jiceng_http_request_duration_seconds_count{{{}}} {}\n", s->labels, total);
  }

  fmt::format_to(put,
                 "# HELP jiceng_http_requests_in_flight Requests received and not yet fully "
                 "answered.\n"
                 "# TYPE jiceng_http_requests_in_flight gauge\n"
                 "jiceng_http_requests_in_flight {}\n",
                 in_flight_.load(std::memory_order_relaxed));
  fmt::format_to(put,
                 "# HELP jiceng_http_short_reads_slow_total Short reads that waited for the disk "
                 "for longer than the server's short read budget, on an I/O thread or on the "
                 "worker pool.\n"
                 "# TYPE jiceng_http_short_reads_slow_total counter\n"
                 "jiceng_http_short_reads_slow_total {}\n"
                 "# HELP jiceng_http_short_reads_pooled_total Short reads run on the worker pool "
                 "because one before them waited for the disk.\n"
                 "# TYPE jiceng_http_short_reads_pooled_total counter\n"
                 "jiceng_http_short_reads_pooled_total {}\n",
                 short_reads_slow_.load(std::memory_order_relaxed),
                 short_reads_pooled_.load(std::memory_order_relaxed));
  out +=
      "# HELP jiceng_http_shed_total Requests answered 503 at once by admission control: too many "
      "being handled (in_flight), the event loop lagging (loop_lag), or too many waiting for a "
      "worker thread (worker_queue).\n"
      "# TYPE jiceng_http_shed_total counter\n";
  constexpr std::array<std::string_view, 3> kShedReasons = {"in_flight", "loop_lag",
                                                            "worker_queue"};
  for (std::size_t i = 0; i < kShedReasons.size(); ++i) {
    fmt::format_to(put, "jiceng_http_shed_total{{reason=\"{}\"}} {}\n", kShedReasons[i],
                   shed_[i].load(std::memory_order_relaxed));
  }

  std::lock_guard lock(collectors_mu_);
  for (const auto& collect : collectors_) collect(out);
  return out;
}

}  // namespace jiceng::http
