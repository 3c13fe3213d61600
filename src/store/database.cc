#include "store/database.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace jiceng::store {

namespace {

std::string_view begin_read(Dialect d) {
  return d == Dialect::kSqlite ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
}
std::string_view begin_write(Dialect d) {
  return d == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN";
}

// Runs fn, turning an escaping exception into kInternal: a bug must not take the server down.
Result<void> run_guarded(const TxFn& fn, Sql& sql) {
  try {
    return fn(sql);
  } catch (const std::exception& e) {
    return Error::internal(std::string("uncaught exception in transaction: ") + e.what());
  }
}

}  // namespace

class Database::Impl {
 public:
  Impl(Dialect dialect, ConnectionFactory factory, const DatabaseOptions& options)
      : dialect_(dialect), factory_(std::move(factory)), options_(options) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.writers); ++i) {
      writers_.emplace_back([this] { writer_loop(); });
    }
  }

  ~Impl() {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    for (auto& t : writers_) t.join();
  }

  Result<void> read(const TxFn& fn) {
    auto conn = acquire_reader();
    if (!conn) return conn.error();
    Connection& c = **conn;
    Result<void> out;
    if (auto r = c.exec(begin_read(dialect_)); !r) {
      out = r.error();
    } else {
      out = run_guarded(fn, c);
      // A read-only transaction has nothing to keep; ROLLBACK also ends an aborted one.
      if (auto end = c.exec("ROLLBACK"); !end && out) out = end.error();
    }
    note_damage(c);
    release_reader(std::move(*conn));
    return out;
  }

  Result<void> ping(const TxFn& fn) {
    if (damaged_.load()) return damaged_error();
    return read(fn);
  }

  Result<void> write(TxFn fn) {
    if (on_writer_thread) {
      return Error::internal("Database::write called on a writer thread; use write_async");
    }
    std::promise<Result<void>> promise;
    auto done = promise.get_future();
    write_async(std::move(fn), [&promise](Result<void> r) { promise.set_value(std::move(r)); });
    return done.get();
  }

  void write_async(TxFn fn, WriteDone done) {
    if (damaged_.load()) return done(damaged_error());
    bool queued = false;
    {
      std::lock_guard lock(queue_mu_);
      if (!stopping_ && queue_.size() < may_wait()) {
        queue_.push_back(Job{std::move(fn), std::move(done), Clock::now()});
        queued = true;
      } else {
        last_refused_ = Clock::now();
      }
    }
    if (!queued) {
      refused_.fetch_add(1, std::memory_order_relaxed);
      return done(Error::unavailable("the store has too many writes waiting; try again shortly")
                      .zh("系统繁忙，请稍后重试"));
    }
    queue_cv_.notify_one();
  }

  Result<void> watch(std::vector<WatchedTable> tables,
                     std::function<void(const ChangedKeys&)> changed) {
    std::shared_ptr<const Watch> w;
    if (!tables.empty()) {
      w = std::make_shared<const Watch>(Watch{std::move(tables), std::move(changed)});
    }
    {
      std::lock_guard lock(watch_mu_);
      watch_ = w;
    }
    // A fence: the writer takes the watch at the start of a batch, so once a write queued now
    // is answered, every later batch is watched (and the batches before were answered), or the
    // writer's connection refused it.
    auto fenced = write([](Sql&) -> Result<void> { return {}; });
    std::lock_guard lock(watch_mu_);
    if (!fenced) {
      if (watch_ == w) watch_.reset();  // not known to be in force: not in force
      return fenced;
    }
    if (w && refused_watch_ == w) {
      watch_.reset();
      return *std::exchange(watch_error_, std::nullopt);
    }
    return {};
  }

  Stats stats() const {
    Stats s{.commits = commits_.load(), .writes = writes_.load(), .refused = refused_.load()};
    s.damaged = damaged_.load();
    std::lock_guard lock(queue_mu_);
    s.waiting = queue_.size();
    s.may_wait = may_wait();
    s.writes_per_second = writes_per_second();
    return s;
  }

 private:
  using Clock = std::chrono::steady_clock;
  struct Job {
    TxFn fn;
    WriteDone done;
    Clock::time_point queued_at;
  };

  struct Watch {
    std::vector<WatchedTable> tables;
    std::function<void(const ChangedKeys&)> changed;
  };

  // Set on the writer threads, where a blocking write() would wait for itself.
  static thread_local bool on_writer_thread;

  // Once a connection met damaged data: every write is refused from then on, and the operator
  // is told once, at error level, which store and what to do (TESTS.md D5).
  void note_damage(const Connection& c) {
    auto damage = c.damage();
    if (!damage || damaged_.exchange(true)) return;
    spdlog::error(
        "store {}: the data is damaged ({}). Every write is refused from now on, so that the "
        "damage does not spread; reads that do not meet it go on. Stop jiceng, keep a copy of "
        "the damaged files, and restore the latest backup (docs/OPERATIONS.md; SQLite: PRAGMA "
        "integrity_check names what is damaged)",
        options_.description, *damage);
  }
  static Error damaged_error() {
    return Error::unavailable(
               "the store's data is damaged; writes are refused until it is restored")
        .zh("数据存储出现故障，暂时无法保存，请稍后重试");
  }

  Result<std::unique_ptr<Connection>> acquire_reader() {
    {
      std::unique_lock lock(pool_mu_);
      pool_cv_.wait(lock, [&] { return !idle_.empty() || open_readers_ < options_.readers; });
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
      ++open_readers_;
    }
    auto c = factory_(ConnectionRole{.writer = false});
    if (!c) {
      std::lock_guard lock(pool_mu_);
      --open_readers_;
      pool_cv_.notify_one();
    }
    return c;
  }

  void release_reader(std::unique_ptr<Connection> c) {
    std::lock_guard lock(pool_mu_);
    if (c->healthy()) {
      idle_.push_back(std::move(c));
    } else {
      --open_readers_;
    }
    pool_cv_.notify_one();
  }

  // With several writers (PostgreSQL) each write is a transaction of its own. In a shared one,
  // the locks of the batch's earlier writes are held while a later write waits for another
  // writer's, in no order: a deadlock that running the loser again (store::settle_races) does
  // not break, since the locks it waits behind are still held. Alone, a loser's savepoint
  // rolls back all it holds, and the database's own group commit shares the fsyncs.
  std::size_t batch_limit() const {
    return std::max<std::size_t>(1, options_.writers) > 1 ? 1 : options_.max_batch;
  }

  void writer_loop() {
    on_writer_thread = true;
    std::unique_ptr<Connection> conn;
    std::shared_ptr<const Watch> applied;  // the watch conn notes changes for
    bool watching_failed = false;          // conn could not watch: report every batch as all
    std::vector<Job> batch;
    std::size_t served = 0;  // the last batch's writes and how long it held this writer
    Clock::duration busy{};
    for (;;) {
      {
        std::unique_lock lock(queue_mu_);
        if (served > 0) note_served(served, busy);
        queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and nothing left to do
        while (!queue_.empty() && batch.size() < batch_limit()) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        note_wait(Clock::now() - batch.back().queued_at);
      }
      const auto taken = Clock::now();
      if (!conn || !conn->healthy()) {
        conn.reset();
        auto c = factory_(ConnectionRole{.writer = true});
        if (c && options_.prepare_writer) {
          if (auto r = options_.prepare_writer(**c); !r) c = r.error();
        }
        if (c) {
          conn = std::move(*c);
          applied.reset();
          watching_failed = false;
        } else {
          for (Job& j : batch) j.done(c.error());
        }
      }
      // Writes failed for want of a connection were not served: they say nothing of the rate.
      served = conn ? batch.size() : 0;
      if (conn) {
        std::shared_ptr<const Watch> w;
        {
          std::lock_guard lock(watch_mu_);
          w = watch_;
        }
        if (w != applied) {
          auto r = conn->watch(w ? w->tables : std::vector<WatchedTable>{});
          watching_failed = !r;
          if (!r) {
            spdlog::error(
                "store {}: cannot note the rows writes change ({}); every write is "
                "reported as changing everything",
                options_.description, r.error().message);
            std::lock_guard lock(watch_mu_);
            refused_watch_ = w;
            watch_error_ = r.error();
          }
          applied = w;
        }
        run_batch(*conn, batch, [&] {
          if (!w) return;
          ChangedKeys changed = conn->take_changes();
          changed.all = changed.all || watching_failed;
          if (!changed.empty()) w->changed(changed);
        });
        note_damage(*conn);
      }
      batch.clear();
      busy = Clock::now() - taken;
    }
  }

  // One database transaction for the whole batch; one savepoint per job when there are several.
  // A job alone needs none: when it fails, the transaction is rolled back instead. A savepoint
  // is not free for a large job: on SQLite every page it changes that existed before it is copied
  // into the savepoint's journal (in memory), and each statement's own journal is cut back by
  // walking that journal from its start — a demo fill step of a million cases into a store of
  // millions spent 94 % of its time there (docs/PERFORMANCE.md, "The demo fill at 10,000,000").
  // report runs once, before the first of the batch's writes is answered (Database::watch).
  template <class Report>
  void run_batch(Connection& c, std::vector<Job>& batch, Report&& report) {
    const auto began = Clock::now();
    Clock::duration slowest{};
    auto run_job = [&](Job& job) {
      const auto t = Clock::now();
      auto r = run_guarded(job.fn, c);
      slowest = std::max(slowest, Clock::now() - t);
      return r;
    };
    std::vector<Result<void>> results(batch.size());
    auto fail_all = [&](const Error& e) {
      report();
      for (Job& j : batch) j.done(e);
    };
    if (auto r = c.exec(begin_write(dialect_)); !r) return fail_all(r.error());
    const auto begun = Clock::now();
    if (batch.size() == 1) {
      results[0] = run_job(batch[0]);
      if (!results[0]) {
        (void)c.exec("ROLLBACK");
        report();
        return batch[0].done(std::move(results[0]));
      }
    }
    // A savepoint that cannot be taken or ended leaves the batch without a transaction to
    // commit, through no fault of its writes: each is answered kUnavailable, to be retried.
    // SQLite rolls the whole transaction back by itself after some errors (a full disk, an I/O
    // error); the savepoint has then gone with it, and the failed write's error says why.
    auto batch_lost = [&](const Error& e, std::size_t at) {
      (void)c.exec("ROLLBACK");
      std::string why = e.message;
      if (!results[at]) why = results[at].error().message + " (then: " + why + ")";
      spdlog::error("a batch of {} writes was rolled back at its write {}: {}", batch.size(),
                    at + 1, why);
      fail_all(Error::unavailable("the store could not finish a batch of writes: " + why)
                   .zh("数据存储暂不可用，请稍后重试"));
    };
    for (std::size_t i = 0; batch.size() > 1 && i < batch.size(); ++i) {
      if (auto r = c.exec("SAVEPOINT jiceng_write"); !r) return batch_lost(r.error(), i);
      results[i] = run_job(batch[i]);
      auto end = results[i] ? c.exec("RELEASE SAVEPOINT jiceng_write")
                            : c.exec("ROLLBACK TO SAVEPOINT jiceng_write");
      if (end && !results[i]) end = c.exec("RELEASE SAVEPOINT jiceng_write");
      if (!end) return batch_lost(end.error(), i);
    }
    const bool any_ok = std::any_of(results.begin(), results.end(),
                                    [](const Result<void>& r) { return r.has_value(); });
    const auto ending = Clock::now();
    if (any_ok && options_.before_commit) {
      if (auto r = options_.before_commit(c); !r) {
        spdlog::error("the end of a batch of {} writes failed: {}", batch.size(),
                      r.error().message);
        (void)c.exec("ROLLBACK");
        return fail_all(Error::unavailable("the store could not commit: " + r.error().message));
      }
    }
    const auto committing = Clock::now();
    if (auto r = c.exec("COMMIT"); !r) {
      spdlog::error("commit of a batch of {} writes failed: {}", batch.size(), r.error().message);
      (void)c.exec("ROLLBACK");
      return fail_all(Error::unavailable("the store could not commit: " + r.error().message));
    }
    commits_.fetch_add(1, std::memory_order_relaxed);
    const auto committed = Clock::now();
    log_if_slow(batch.size(), {.held = committed - began,
                               .begin = begun - began,
                               .slowest = slowest,
                               .before_commit = committing - ending,
                               .commit = committed - committing});
    report();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (results[i]) writes_.fetch_add(1, std::memory_order_relaxed);
      batch[i].done(std::move(results[i]));
    }
  }

  // The writers' rate: writes served per second of their busy time, an average that weighs each
  // batch by exp(-its age in busy seconds / 10). Idle time does not count: after a quiet night
  // the rate is still the one the writer last showed. Ten seconds, not one: a batch that waited
  // two seconds for the disk (seen at 1,000,000 cases under half load) would otherwise make the
  // rate a fifth of what the writer serves a moment later, and the queue refuse writes it clears
  // in a second. Called with queue_mu_ held.
  void note_served(std::size_t writes, Clock::duration busy) {
    constexpr double kWindowSeconds = 10.0;
    const double seconds = std::chrono::duration<double>(busy).count();
    const double keep = std::exp(-seconds / kWindowSeconds);
    served_writes_ = keep * served_writes_ + static_cast<double>(writes);
    served_seconds_ = keep * served_seconds_ + seconds;
  }
  double writes_per_second() const {
    if (served_seconds_ <= 0) return 0;
    const auto writers = std::max<std::size_t>(1, options_.writers);
    return served_writes_ / served_seconds_ * static_cast<double>(writers);
  }
  // How many writes may wait now (see DatabaseOptions::max_wait, wait_target). queue_mu_ held.
  std::size_t may_wait() const {
    const double rate = writes_per_second();
    const auto within = [&](std::chrono::milliseconds d) {
      return static_cast<std::size_t>(rate * std::chrono::duration<double>(d).count());
    };
    const std::size_t floor = std::min(options_.max_batch, options_.max_queued);
    std::size_t n = options_.max_queued;
    if (rate > 0 && options_.max_wait.count() > 0) n = std::max(floor, within(options_.max_wait));
    if (standing_) n = std::max(floor, within(options_.wait_target));
    return std::min(n, options_.max_queued);
  }

  // Called with queue_mu_ held, for each batch taken, with how long its newest write waited:
  // longer than wait_target only when more than a batch was waiting. When that lasted
  // standing_after and the queue did not shrink meanwhile, the queue stands (see
  // DatabaseOptions::wait_target): writes come faster than the writer serves them. A queue
  // that shrinks is the backlog of a stall draining, not overload; the window starts again. It
  // stops standing once no write was refused for standing_after: while it stands the writer
  // takes all that may wait in one batch, so how long the newest waited says nothing then.
  void note_wait(Clock::duration newest_waited) {
    if (options_.wait_target.count() <= 0) return;
    const auto now = Clock::now();
    if (standing_) {
      const auto quiet_since = std::max(stood_since_, last_refused_.value_or(stood_since_));
      if (now - quiet_since >= options_.standing_after) {
        spdlog::info("writer: the queue of writes no longer stands");
        standing_ = false;
        above_since_.reset();
      }
      return;
    }
    if (newest_waited <= options_.wait_target) {
      above_since_.reset();
      return;
    }
    if (!above_since_) {
      above_since_ = now;
      waiting_then_ = queue_.size();
    }
    if (now - *above_since_ < options_.standing_after) return;
    if (queue_.size() < waiting_then_) {
      above_since_ = now;
      waiting_then_ = queue_.size();
      return;
    }
    standing_ = true;
    stood_since_ = now;
    spdlog::warn(
        "writer: writes have waited over {} ms for {} ms and {} then, {} now: at most {} may wait "
        "now ({:.0f} written per second)",
        options_.wait_target.count(),
        std::chrono::duration_cast<std::chrono::milliseconds>(now - *above_since_).count(),
        waiting_then_, queue_.size(), may_wait(), writes_per_second());
  }

  // Where a batch's time went. The commit's includes what the store's commit hook does on the
  // writer (SQLite: the RESTART checkpoint, store/sqlite.cc).
  struct BatchTimes {
    Clock::duration held, begin, slowest, before_commit, commit;
  };
  void log_if_slow(std::size_t writes, const BatchTimes& t) const {
    if (options_.slow_batch.count() <= 0 || t.held < options_.slow_batch) return;
    auto ms = [](Clock::duration d) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    };
    spdlog::warn(
        "writer: a batch of {} write(s) held the writer {} ms (begin {} ms, slowest write {} ms, "
        "end of batch {} ms, commit {} ms)",
        writes, ms(t.held), ms(t.begin), ms(t.slowest), ms(t.before_commit), ms(t.commit));
  }

  Dialect dialect_;
  ConnectionFactory factory_;
  DatabaseOptions options_;

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_readers_ = 0;

  std::mutex watch_mu_;
  // Guarded by watch_mu_; see Database::watch. refused_watch_: the last watch a writer's
  // connection refused, with why.
  std::shared_ptr<const Watch> watch_;
  std::shared_ptr<const Watch> refused_watch_;
  std::optional<Error> watch_error_;

  mutable std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  // Guarded by queue_mu_: see note_wait and note_served.
  bool standing_ = false;
  std::optional<Clock::time_point> last_refused_;
  std::optional<Clock::time_point> above_since_;
  std::size_t waiting_then_ = 0;   // the queue's length at above_since_
  Clock::time_point stood_since_;  // when it began to stand
  double served_writes_ = 0;
  double served_seconds_ = 0;
  std::vector<std::thread> writers_;

  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> writes_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<bool> damaged_{false};
};

thread_local bool Database::Impl::on_writer_thread = false;

Database::Database(Dialect dialect, ConnectionFactory factory, DatabaseOptions options)
    : dialect_(dialect),
      options_(std::move(options)),
      impl_(std::make_unique<Impl>(dialect, std::move(factory), options_)) {}

Database::~Database() = default;

Result<void> Connection::watch(const std::vector<WatchedTable>& tables) {
  if (tables.empty()) return {};
  return Error::failed_precondition("this store cannot report the rows a write changed");
}

Result<void> Database::watch(std::vector<WatchedTable> tables,
                             std::function<void(const ChangedKeys&)> changed) {
  if (dialect_ != Dialect::kSqlite) {
    return Error::failed_precondition(
        "only a SQLite store reports the rows its writes change: on PostgreSQL other processes "
        "write too");
  }
  return impl_->watch(std::move(tables), std::move(changed));
}

Result<void> Database::read(const TxFn& fn) { return impl_->read(fn); }
Result<void> Database::write(TxFn fn) { return impl_->write(std::move(fn)); }
void Database::write_async(TxFn fn, WriteDone done) {
  impl_->write_async(std::move(fn), std::move(done));
}
Result<void> Database::ping() {
  return impl_->ping([](Sql& sql) -> Result<void> {
    auto r = sql.query("SELECT 1", {});
    if (!r) return r.error();
    return {};
  });
}
Database::Stats Database::stats() const { return impl_->stats(); }

}  // namespace jiceng::store
