// An open-loop HTTP load generator for the held-load (P1) and overload (P3) scenarios of
// bench/run (docs/PERFORMANCE.md). wrk is closed-loop: each connection sends its next request
// only when the last one is answered, so a slow server is offered less work, and the slowness
// is hidden (coordinated omission). Here requests are sent at a fixed rate whatever the server
// does: request i of a phase is due at the phase's start + i / rate, and its latency is counted
// from that moment, so time spent waiting for a free connection counts too.
//
//   jiceng_loadgen --url http://127.0.0.1:PORT --mix FILE [--weight CLASS=W ...]
//                  [--header CLASS=NAME:VALUE ...] [--warmup RATE:SECONDS]
//                  (--phase NAME:RATE:SECONDS ... | --closed CONNECTIONS --seconds S)
//                  [--max-connections N] [--timeout-s S] [--healthy-p99-ms MS] [--json FILE]
//
// The mix file has one request per line, tab-separated: CLASS, METHOD, TARGET and an optional
// JSON BODY; `{n}` in a target or body becomes the request's sequence number (so that each
// created case is new). Each request picks a class by the weights (default 1 each), then the
// class's next line, round-robin. --header adds a header to one class's requests (a session
// cookie for staff reads).
//
// --closed runs CONNECTIONS connections back to back for S seconds instead (the capacity of the
// mix, as wrk would measure it). The warm-up phase is sent but not reported.
//
// For each phase it prints and writes (--json) the offered and answered rates, the good
// answers (2xx) per second, the 503s (load shed by the server's admission control, with their
// own latency), the other errors (other statuses, refused connections, timeouts), latency
// percentiles of the good answers by class and overall, and `settle_s`: the seconds from the
// phase's start after which the phase was healthy (no error and no 503 in any second, the p99
// of all those seconds' requests within --healthy-p99-ms); null if not even its last second was;
// `started_unix_ms`, the wall-clock time of its first due request (to find its seconds in the
// server's log); and `per_second`, one [second, requests, not good, p99 ms] per second of due time.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

struct Template {
  std::size_t cls = 0;
  std::string method;
  std::string target;
  std::string body;
};

struct RequestClass {
  std::string name;
  double weight = 1;
  std::vector<std::size_t> templates;
  std::size_t next = 0;
  std::string headers;  // "Name: value\r\n" lines
};

struct Phase {
  std::string name;
  double rate = 0;  // requests per second; 0 in closed mode
  double seconds = 0;
  bool reported = true;
};

struct Job {
  std::uint64_t seq = 0;
  std::size_t phase = 0;
  std::size_t tmpl = 0;
  Clock::time_point due;
};

// Why a request got no answer; recorded in place of a status.
enum Failure : std::uint16_t { kTimeout = 1, kConnectFailed = 2, kConnectionBroken = 3 };

std::string failure_name(unsigned status) {
  switch (status) {
    case kTimeout:
      return "timeout";
    case kConnectFailed:
      return "connect failed";
    case kConnectionBroken:
      return "connection broken";
    default:
      return std::to_string(status);
  }
}

// One answered (or failed) request: an HTTP status, or a Failure.
struct Sample {
  std::uint32_t latency_us;
  std::uint16_t status;
  std::uint16_t phase;
  std::uint32_t cls;
  std::uint32_t due_ms;  // when it was due, since the start
};

std::string replace_seq(std::string_view text, std::uint64_t seq) {
  std::string out;
  std::size_t at = 0;
  for (std::size_t hit; (hit = text.find("{n}", at)) != std::string_view::npos; at = hit + 3) {
    out.append(text.substr(at, hit - at)).append(std::to_string(seq));
  }
  return out.append(text.substr(at));
}

class Generator {
 public:
  Generator(asio::io_context& ioc, tcp::endpoint endpoint, std::string host,
            std::vector<Template> templates, std::vector<RequestClass> classes,
            std::vector<Phase> phases, std::size_t max_connections,
            std::chrono::milliseconds timeout)
      : ioc_(ioc),
        endpoint_(endpoint),
        host_(std::move(host)),
        templates_(std::move(templates)),
        classes_(std::move(classes)),
        phases_(std::move(phases)),
        max_connections_(max_connections),
        timeout_(timeout) {
    for (const auto& c : classes_) total_weight_ += c.weight;
  }

  // Open loop: every phase's requests at their due times.
  void run_open() {
    asio::co_spawn(ioc_, dispatch(), asio::detached);
    ioc_.run();
  }

  // Closed loop: `connections` connections back to back for the one phase's seconds.
  void run_closed(std::size_t connections) {
    start_ = Clock::now();
    wall_start_ = std::chrono::system_clock::now();
    closed_end_ = start_ + to_duration(phases_.at(0).seconds);
    for (std::size_t i = 0; i < connections; ++i) {
      if (auto job = next_closed()) asio::co_spawn(ioc_, worker(*job), asio::detached);
    }
    ioc_.run();
  }

  [[nodiscard]] const std::vector<Sample>& samples() const { return samples_; }
  [[nodiscard]] const std::vector<Phase>& phases() const { return phases_; }
  [[nodiscard]] const std::vector<RequestClass>& classes() const { return classes_; }
  [[nodiscard]] std::size_t peak_connections() const { return peak_connections_; }
  // When the run started, in milliseconds since 1970 (samples' due_ms count from it).
  [[nodiscard]] std::int64_t started_unix_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(wall_start_.time_since_epoch())
        .count();
  }
  [[nodiscard]] std::uint64_t sent(std::size_t phase) const {
    return phase < sent_.size() ? sent_[phase] : 0;
  }

 private:
  // An idle connection waits on its timer; the dispatcher hands it a job and cancels the wait.
  // A connection idle for longer than this is closed before its next request.
  static constexpr auto kStaleAfter = std::chrono::seconds(20);

  struct Idle {
    explicit Idle(asio::io_context& ioc) : timer(ioc, Clock::time_point::max()) {}
    asio::steady_timer timer;
    std::optional<Job> job;
  };

  static Clock::duration to_duration(double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }

  std::size_t pick_template() {
    double x = std::uniform_real_distribution<double>(0, total_weight_)(rng_);
    std::size_t c = 0;
    while (c + 1 < classes_.size() && x >= classes_[c].weight) x -= classes_[c++].weight;
    auto& cls = classes_[c];
    return cls.templates[cls.next++ % cls.templates.size()];
  }

  Job make_job(std::size_t phase, Clock::time_point due) {
    if (sent_.size() <= phase) sent_.resize(phase + 1);
    ++sent_[phase];
    return Job{seq_++, phase, pick_template(), due};
  }

  std::optional<Job> next_closed() {
    const auto now = Clock::now();
    if (now >= closed_end_) return std::nullopt;
    return make_job(0, now);
  }

  asio::awaitable<void> dispatch() {
    asio::steady_timer timer(ioc_);
    start_ = Clock::now() + std::chrono::milliseconds(50);
    wall_start_ = std::chrono::system_clock::now() + std::chrono::milliseconds(50);
    auto phase_start = start_;
    for (std::size_t p = 0; p < phases_.size(); ++p) {
      const auto n = static_cast<std::uint64_t>(std::llround(phases_[p].rate * phases_[p].seconds));
      for (std::uint64_t i = 0; i < n; ++i) {
        const auto due = phase_start + to_duration(static_cast<double>(i) / phases_[p].rate);
        if (due > Clock::now()) {
          timer.expires_at(due);
          co_await timer.async_wait(kUseTuple);
        }
        hand_out(make_job(p, due));
      }
      phase_start += to_duration(phases_[p].seconds);
    }
    dispatch_done_ = true;
    // Idle connections end; busy ones end after their last answer.
    for (auto& idle : idle_) idle->timer.cancel();
    idle_.clear();
  }

  void hand_out(Job job) {
    if (!idle_.empty()) {
      auto idle = std::move(idle_.back());
      idle_.pop_back();
      idle->job = job;
      idle->timer.cancel();
    } else if (connections_ < max_connections_) {
      asio::co_spawn(ioc_, worker(job), asio::detached);
    } else {
      pending_.push_back(job);
    }
  }

  // The job after `done` for this connection: a waiting one, a new one (closed loop), or, when
  // idle, one handed out later; nothing when the run is over.
  asio::awaitable<std::optional<Job>> next_for_connection() {
    if (closed_end_ != Clock::time_point{}) co_return next_closed();
    if (!pending_.empty()) {
      Job job = pending_.front();
      pending_.pop_front();
      co_return job;
    }
    if (dispatch_done_) co_return std::nullopt;
    auto idle = std::make_shared<Idle>(ioc_);
    idle_.push_back(idle);
    co_await idle->timer.async_wait(kUseTuple);
    co_return idle->job;
  }

  std::string request_text(const Job& job) const {
    const Template& t = templates_[job.tmpl];
    std::string body = replace_seq(t.body, job.seq);
    std::string text = fmt::format("{} {} HTTP/1.1\r\nHost: {}\r\n{}", t.method,
                                   replace_seq(t.target, job.seq), host_, classes_[t.cls].headers);
    if (!body.empty() || t.method == "POST") {
      text += fmt::format("Content-Type: application/json\r\nContent-Length: {}\r\n", body.size());
    }
    return text.append("\r\n").append(body);
  }

  void record(const Job& job, unsigned status) {
    const auto now = Clock::now();
    samples_.push_back(Sample{
        static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(now - job.due).count()),
        static_cast<std::uint16_t>(status), static_cast<std::uint16_t>(job.phase),
        static_cast<std::uint32_t>(templates_[job.tmpl].cls),
        static_cast<std::uint32_t>(std::max<std::int64_t>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(job.due - start_).count()))});
  }

  asio::awaitable<void> worker(Job first) {
    ++connections_;
    peak_connections_ = std::max(peak_connections_, connections_);
    beast::tcp_stream stream(ioc_);
    beast::flat_buffer buffer;
    bool connected = false;
    auto disconnect = [&] {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.close();
      buffer.clear();
      connected = false;
    };
    std::optional<Job> job = first;
    while (job) {
      unsigned status = kConnectFailed;
      if (!connected) {
        stream.expires_after(timeout_);
        auto [ec] = co_await stream.async_connect(endpoint_, kUseTuple);
        connected = !ec;
        if (connected) stream.socket().set_option(tcp::no_delay(true));
        if (ec == beast::error::timeout) status = kTimeout;
      }
      if (connected) {
        const std::string text = request_text(*job);
        stream.expires_after(timeout_);
        auto [wec, written] = co_await asio::async_write(stream, asio::buffer(text), kUseTuple);
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 << 20);
        boost::system::error_code rec = wec;
        if (!wec)
          std::tie(rec, std::ignore) = co_await http::async_read(stream, buffer, parser, kUseTuple);
        if (!rec) {
          status = parser.get().result_int();
          if (!parser.get().keep_alive()) connected = false;
        } else {
          status = rec == beast::error::timeout ? kTimeout : kConnectionBroken;
          connected = false;
        }
        if (!connected) disconnect();
      }
      record(*job, status);
      const auto idle_from = Clock::now();
      job = co_await next_for_connection();
      if (connected && Clock::now() - idle_from > kStaleAfter) {
        // Like browsers and proxies, drop a kept-alive connection idle for longer than the
        // server keeps it (its idle timeout, 30 s by default) instead of sending on it and
        // finding it closed.
        disconnect();
      }
    }
    --connections_;
  }

  asio::io_context& ioc_;
  tcp::endpoint endpoint_;
  std::string host_;
  std::vector<Template> templates_;
  std::vector<RequestClass> classes_;
  std::vector<Phase> phases_;
  std::size_t max_connections_;
  std::chrono::milliseconds timeout_;
  double total_weight_ = 0;
  std::mt19937_64 rng_{20261130};
  Clock::time_point start_{};
  std::chrono::system_clock::time_point wall_start_{};  // start_ on the wall clock
  Clock::time_point closed_end_{};
  std::uint64_t seq_ = 0;
  std::vector<std::uint64_t> sent_;
  std::vector<std::shared_ptr<Idle>> idle_;
  std::deque<Job> pending_;
  bool dispatch_done_ = false;
  std::size_t connections_ = 0;
  std::size_t peak_connections_ = 0;
  std::vector<Sample> samples_;
};

double percentile_ms(std::vector<std::uint32_t>& us, double q) {
  if (us.empty()) return 0;
  const auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(us.size()))) - 1;
  const auto at = us.begin() + static_cast<std::ptrdiff_t>(std::min(k, us.size() - 1));
  std::nth_element(us.begin(), at, us.end());
  return *at / 1000.0;
}

std::string latency_json(std::vector<std::uint32_t> us) {
  if (us.empty()) return "null";
  return fmt::format(
      R"({{"p50_ms": {:.2f}, "p99_ms": {:.2f}, "p999_ms": {:.2f}, "max_ms": {:.2f}}})",
      percentile_ms(us, 0.5), percentile_ms(us, 0.99), percentile_ms(us, 0.999),
      percentile_ms(us, 1.0));
}

bool good(std::uint16_t status) { return status >= 200 && status < 400; }

// The report of one phase, as JSON, and a line for the terminal.
std::string report_phase(const Generator& g, std::size_t p, double healthy_p99_ms,
                         std::string& line) {
  const Phase& phase = g.phases()[p];
  std::vector<std::uint32_t> ok_us, shed_us;
  std::vector<std::vector<std::uint32_t>> by_class(g.classes().size());
  std::map<std::uint32_t, std::vector<std::uint32_t>> by_second;  // all requests due that second
  std::map<std::uint32_t, std::uint64_t> failed_in_second;
  std::map<unsigned, std::uint64_t> errors;
  std::uint32_t first_ms = UINT32_MAX;
  for (const Sample& s : g.samples()) {
    if (s.phase == p) first_ms = std::min(first_ms, s.due_ms);
  }
  for (const Sample& s : g.samples()) {
    if (s.phase != p) continue;
    const std::uint32_t second = (s.due_ms - first_ms) / 1000;
    by_second[second].push_back(s.latency_us);
    if (good(s.status)) {
      ok_us.push_back(s.latency_us);
      by_class[s.cls].push_back(s.latency_us);
    } else {
      ++failed_in_second[second];
      if (s.status == 503) {
        shed_us.push_back(s.latency_us);
      } else {
        ++errors[s.status];
      }
    }
  }
  // settle: the first second from which the rest of the phase is healthy: no second of it has
  // a 503 or an error, and the p99 of all its requests is within healthy_p99_ms. Not each
  // second's p99: a held load has such a second now and then (one in 600 at 1,000,000 cases, a
  // WAL restart), and one at the phase's end read as "never recovered".
  std::optional<std::uint32_t> settle;
  std::vector<std::uint32_t> rest;
  for (auto it = by_second.rbegin(); it != by_second.rend(); ++it) {
    if (failed_in_second.contains(it->first)) break;
    rest.insert(rest.end(), it->second.begin(), it->second.end());  // order does not matter
    if (percentile_ms(rest, 0.99) <= healthy_p99_ms) settle = it->first;
  }
  // Second by second (by due time): requests, those not answered well, and their p99.
  std::string seconds;
  for (auto& [second, us] : by_second) {
    const auto failed = failed_in_second.find(second);
    seconds +=
        fmt::format("{}[{}, {}, {}, {:.1f}]", seconds.empty() ? "" : ", ", second, us.size(),
                    failed == failed_in_second.end() ? 0 : failed->second, percentile_ms(us, 0.99));
  }
  std::uint64_t other_errors = 0;
  std::string error_list;
  for (const auto& [status, n] : errors) {
    other_errors += n;
    error_list +=
        fmt::format("{}\"{}\": {}", error_list.empty() ? "" : ", ", failure_name(status), n);
  }
  std::string classes;
  for (std::size_t c = 0; c < by_class.size(); ++c) {
    classes += fmt::format("{}\"{}\": {{\"good\": {}, \"latency\": {}}}", c ? ", " : "",
                           g.classes()[c].name, by_class[c].size(), latency_json(by_class[c]));
  }
  const double good_per_s = static_cast<double>(ok_us.size()) / phase.seconds;
  const double answered = static_cast<double>(ok_us.size() + shed_us.size() + other_errors);
  std::vector<std::uint32_t> ok_copy = ok_us;
  line = fmt::format(
      "{:<10} offered {:>8.0f}/s  good {:>8.0f}/s  503 {:>7}  errors {:>5}  p50 {:>8.2f} ms  "
      "p99 {:>8.2f} ms  p99.9 {:>8.2f} ms  settle {}",
      phase.name, static_cast<double>(g.sent(p)) / phase.seconds, good_per_s, shed_us.size(),
      other_errors, percentile_ms(ok_copy, 0.5), percentile_ms(ok_copy, 0.99),
      percentile_ms(ok_copy, 0.999), settle ? fmt::format("{} s", *settle) : "never");
  return fmt::format(
      R"({{"name": "{}", "rate": {}, "seconds": {}, "sent": {}, "answered": {:.0f}, "good": {}, )"
      R"("good_per_s": {:.1f}, "shed_503": {}, "errors": {}, "error_statuses": {{{}}}, )"
      R"("latency_good": {}, "latency_503": {}, "by_class": {{{}}}, "settle_s": {}, )"
      R"("started_unix_ms": {}, "per_second": [{}]}})",
      phase.name, phase.rate, phase.seconds, g.sent(p), answered, ok_us.size(), good_per_s,
      shed_us.size(), other_errors, error_list, latency_json(ok_us), latency_json(shed_us), classes,
      settle ? std::to_string(*settle) : "null",
      g.started_unix_ms() + (first_ms == UINT32_MAX ? 0 : first_ms), seconds);
}

// "NAME=VALUE" → {NAME, VALUE}; throws CLI::ValidationError when there is no '='.
std::pair<std::string, std::string> split_assignment(const std::string& text, char sep,
                                                     const char* option) {
  const auto at = text.find(sep);
  if (at == std::string::npos || at == 0) {
    throw CLI::ValidationError(option, "expected NAME" + std::string(1, sep) + "VALUE: " + text);
  }
  return {text.substr(0, at), text.substr(at + 1)};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"jiceng_loadgen: open-loop HTTP load (bench/loadgen.cc)"};
  std::string url, mix_file, json_file, warmup;
  std::vector<std::string> weights, headers, phase_specs;
  std::size_t closed = 0, max_connections = 4096;
  double closed_seconds = 10, timeout_s = 10, healthy_p99_ms = 100;
  app.add_option("--url", url, "http://HOST:PORT")->required();
  app.add_option("--mix", mix_file, "the requests, CLASS\\tMETHOD\\tTARGET[\\tBODY] per line")
      ->required();
  app.add_option("--weight", weights, "CLASS=WEIGHT");
  app.add_option("--header", headers, "CLASS=NAME:VALUE");
  app.add_option("--warmup", warmup, "RATE:SECONDS, sent first and not reported");
  app.add_option("--phase", phase_specs, "NAME:RATE:SECONDS, open loop");
  app.add_option("--closed", closed, "connections, closed loop (instead of --phase)");
  app.add_option("--seconds", closed_seconds, "length of the closed-loop run");
  app.add_option("--max-connections", max_connections, "open-loop connection limit");
  app.add_option("--timeout-s", timeout_s, "a request unanswered this long fails");
  app.add_option("--healthy-p99-ms", healthy_p99_ms, "a healthy second's p99 (settle_s)");
  app.add_option("--json", json_file, "write the report here too");
  CLI11_PARSE(app, argc, argv);

  std::vector<RequestClass> classes;
  std::vector<Template> templates;
  auto class_of = [&](const std::string& name) {
    for (std::size_t i = 0; i < classes.size(); ++i) {
      if (classes[i].name == name) return i;
    }
    RequestClass added;
    added.name = name;
    classes.push_back(std::move(added));
    return classes.size() - 1;
  };
  std::ifstream mix(mix_file);
  if (!mix) {
    std::cerr << "jiceng_loadgen: cannot read " << mix_file << "\n";
    return 2;
  }
  for (std::string text; std::getline(mix, text);) {
    if (text.empty() || text[0] == '#') continue;
    std::vector<std::string> fields;
    std::istringstream in(text);
    for (std::string f; std::getline(in, f, '\t');) fields.push_back(f);
    if (fields.size() < 3 || fields.size() > 4) {
      std::cerr << "jiceng_loadgen: a mix line needs CLASS, METHOD, TARGET[, BODY]: " << text
                << "\n";
      return 2;
    }
    const std::size_t c = class_of(fields[0]);
    classes[c].templates.push_back(templates.size());
    templates.push_back(Template{c, fields[1], fields[2], fields.size() == 4 ? fields[3] : ""});
  }
  if (templates.empty()) {
    std::cerr << "jiceng_loadgen: the mix is empty\n";
    return 2;
  }
  try {
    for (const auto& w : weights) {
      auto [name, value] = split_assignment(w, '=', "--weight");
      classes.at(class_of(name)).weight = std::stod(value);
    }
    for (const auto& h : headers) {
      auto [name, value] = split_assignment(h, '=', "--header");
      auto [field, content] = split_assignment(value, ':', "--header");
      classes.at(class_of(name)).headers += field + ":" + content + "\r\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "jiceng_loadgen: " << e.what() << "\n";
    return 2;
  }
  if (std::any_of(classes.begin(), classes.end(),
                  [](const RequestClass& c) { return c.templates.empty() || !(c.weight >= 0); })) {
    std::cerr << "jiceng_loadgen: a weighted or headed class has no request in the mix\n";
    return 2;
  }

  std::vector<Phase> phases;
  try {
    if (!warmup.empty()) {
      auto [rate, seconds] = split_assignment(warmup, ':', "--warmup");
      phases.push_back(Phase{"warm-up", std::stod(rate), std::stod(seconds), false});
    }
    for (const auto& spec : phase_specs) {
      auto [name, rest] = split_assignment(spec, ':', "--phase");
      auto [rate, seconds] = split_assignment(rest, ':', "--phase");
      phases.push_back(Phase{name, std::stod(rate), std::stod(seconds), true});
    }
  } catch (const std::exception& e) {
    std::cerr << "jiceng_loadgen: " << e.what() << "\n";
    return 2;
  }
  if (closed > 0) phases = {Phase{"closed", 0, closed_seconds, true}};
  if (phases.empty() || std::any_of(phases.begin(), phases.end(), [&](const Phase& p) {
        return !(p.seconds > 0) || (closed == 0 && !(p.rate > 0));
      })) {
    std::cerr << "jiceng_loadgen: give --phase NAME:RATE:SECONDS (positive) or --closed N\n";
    return 2;
  }

  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0) {
    std::cerr << "jiceng_loadgen: --url must be http://HOST:PORT\n";
    return 2;
  }
  const std::string host = url.substr(prefix.size());
  const auto colon = host.rfind(':');
  asio::io_context ioc(1);
  tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto resolved = resolver.resolve(host.substr(0, colon),
                                   colon == std::string::npos ? "80" : host.substr(colon + 1), ec);
  if (ec || resolved.empty()) {
    std::cerr << "jiceng_loadgen: cannot resolve " << host << ": " << ec.message() << "\n";
    return 2;
  }
  Generator g(ioc, *resolved.begin(), host, std::move(templates), std::move(classes), phases,
              max_connections,
              std::chrono::milliseconds(static_cast<std::int64_t>(timeout_s * 1000)));
  if (closed > 0) {
    g.run_closed(closed);
  } else {
    g.run_open();
  }

  std::string json = fmt::format(R"({{"peak_connections": {}, "phases": [)", g.peak_connections());
  bool first = true;
  for (std::size_t p = 0; p < g.phases().size(); ++p) {
    if (!g.phases()[p].reported) continue;
    std::string line;
    json += (first ? "" : ", ") + report_phase(g, p, healthy_p99_ms, line);
    first = false;
    std::cout << line << "\n";
  }
  json += "]}\n";
  std::cout << "BENCH_LOADGEN " << json;
  if (!json_file.empty()) std::ofstream(json_file) << json;
  return 0;
}
