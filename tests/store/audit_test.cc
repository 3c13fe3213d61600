// The tamper-evident audit log (TESTS.md A2, A3, A4) on SQLite and PostgreSQL: the hash chain,
// gapless appends under concurrency, atomicity with the caller's transaction, the append-only
// triggers, the signing key kept in a file, and `verify` against an attacker who can write the
// database (and drops the triggers first).
#include "app/audit.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "store/audit_repo.h"
#include "support/test_db.h"

namespace jiceng {
namespace {

namespace fs = std::filesystem;
using app::AuditProblemKind;
using store::Sql;
using store::audit::Entry;
using testing::Backend;

constexpr int kEntries = 20;
const Instant kT0 = from_micros(1'772'409'600'000'000);  // 2026-03-02T00:00:00Z

Entry sample(int i) {
  Entry e;
  e.at = kT0 + std::chrono::seconds(i);
  e.actor = "handler" + std::to_string(i % 3);
  e.role = "handler";
  e.action = i % 2 == 0 ? "case.read" : "case.accept";
  e.object_type = "case";
  e.object_id = "360602-2026-" + std::to_string(100000 + i);
  e.purpose = "办理";
  e.outcome = "ok";
  e.remote = "127.0.0.1";
  e.request_id = "req-" + std::to_string(i);
  return e;
}

// A fresh directory for key and heads files, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("jiceng_audit_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Audit : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = testing::open_fresh(GetParam());
    ASSERT_TRUE(db_);
  }

  Entry append(const Entry& e) {
    auto r = db_->write_value([&](Sql& sql) { return store::audit::append(sql, e); });
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : Entry{};
  }
  void append_samples(int n) {
    for (int i = 1; i <= n; ++i) append(sample(i));
  }
  std::vector<Entry> entries() {
    auto r = db_->read_value([](Sql& sql) { return store::audit::scan(sql, 0, 100000); });
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : std::vector<Entry>{};
  }
  store::audit::Head head() {
    auto r = db_->read_value([](Sql& sql) { return store::audit::head(sql); });
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : store::audit::Head{};
  }
  // Verifies in batches of 4, so that chains cross batch ends and 20 entries end exactly on one.
  app::VerifyReport verify(app::VerifyOptions options = {}) {
    options.batch = 4;
    auto r = app::verify_audit(*db_, options);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : app::VerifyReport{};
  }
  app::VerifyOptions signed_options() {
    return {.heads_file = heads_file(), .public_key = key().public_key_hex()};
  }
  void expect_problem(const app::VerifyReport& report, std::int64_t seq, AuditProblemKind kind) {
    ASSERT_TRUE(report.problem) << "the tampering went unnoticed";
    EXPECT_EQ(report.problem->seq, seq) << report.problem->message;
    EXPECT_EQ(report.problem->kind, kind)
        << app::to_string(report.problem->kind) << ": " << report.problem->message;
  }

  // The signing key and heads file of this test.
  const app::AuditKey& key() {
    if (!key_) {
      auto k = app::load_or_create_audit_key(dir_.path() / "keys" / "audit.key");
      EXPECT_TRUE(k) << k.error().message;
      key_ = k ? *k : app::AuditKey{};
    }
    return *key_;
  }
  fs::path heads_file() const { return dir_.path() / "audit-heads.jsonl"; }
  app::SignedHead anchor() {
    auto h = app::anchor_audit_head(*db_, key(), heads_file(), kT0 + std::chrono::hours(1));
    EXPECT_TRUE(h) << h.error().message;
    return h ? *h : app::SignedHead{};
  }

  // --- The attacker, with write access to the database ---
  void attack(const std::function<void(Sql&)>& fn) {
    auto r = db_->write([&](Sql& sql) -> Result<void> {
      auto dropped =
          sql.exec_script(sql.dialect() == store::Dialect::kSqlite
                              ? "DROP TRIGGER IF EXISTS audit_log_no_update; "
                                "DROP TRIGGER IF EXISTS audit_log_no_delete;"
                              : "DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log;");
      if (!dropped) return dropped.error();
      fn(sql);
      return {};
    });
    ASSERT_TRUE(r) << r.error().message;
  }
  static void run(Sql& sql, std::string_view statement, std::initializer_list<store::Value> p) {
    auto r = sql.exec(statement, p);
    ASSERT_TRUE(r) << statement << ": " << r.error().message;
  }
  // Replaces every column of entry `seq` but seq itself.
  static void overwrite(Sql& sql, std::int64_t seq, const Entry& e) {
    run(sql,
        "UPDATE audit_log SET at = $2, actor = $3, role = $4, action = $5, object_type = $6, "
        "object_id = $7, purpose = $8, outcome = $9, remote = $10, request_id = $11, "
        "prev_hash = $12, hash = $13 WHERE seq = $1",
        {seq, to_micros(e.at), e.actor, e.role, e.action, e.object_type, e.object_id, e.purpose,
         e.outcome, e.remote, e.request_id, e.prev_hash, e.hash});
  }
  static void set_head(Sql& sql, std::int64_t seq, const std::string& hash) {
    run(sql, "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", {seq, hash});
  }

  std::unique_ptr<store::Database> db_;
  TempDir dir_;
  std::optional<app::AuditKey> key_;
};

// --- The chain ---

TEST_P(Audit, AppendChainsEntriesAndMovesTheHead) {
  EXPECT_EQ(head().seq, 0);
  EXPECT_EQ(head().hash, store::audit::genesis_hash());
  append_samples(3);
  auto all = entries();
  ASSERT_EQ(all.size(), 3u);
  std::string prev(store::audit::genesis_hash());
  for (std::size_t i = 0; i < all.size(); ++i) {
    Entry expected = sample(static_cast<int>(i) + 1);
    expected.seq = static_cast<std::int64_t>(i) + 1;
    expected.prev_hash = prev;
    expected.hash = store::audit::entry_hash(prev, expected);
    EXPECT_EQ(all[i], expected) << "entry " << i + 1;
    prev = all[i].hash;
  }
  EXPECT_EQ(head().seq, 3);
  EXPECT_EQ(head().hash, all.back().hash);
  auto report = verify();
  EXPECT_TRUE(report.intact()) << report.problem->message;
  EXPECT_EQ(report.entries_checked, 3);
  EXPECT_EQ(report.last_seq, 3);
}

TEST_P(Audit, AppendNeedsAnActionAndAnOutcome) {
  Entry e = sample(1);
  e.outcome.clear();
  auto r = db_->write_value([&](Sql& sql) { return store::audit::append(sql, e); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(head().seq, 0);
}

TEST_P(Audit, FindFiltersAndPagesNewestFirst) {
  append_samples(12);  // actors handler1, handler2, handler0, handler1, …
  auto find = [&](store::audit::Query q) {
    auto r = db_->read_value([&](Sql& sql) { return store::audit::find(sql, q); });
    EXPECT_TRUE(r) << r.error().message;
    std::vector<std::int64_t> seqs;
    if (r) {
      for (const Entry& e : *r) seqs.push_back(e.seq);
    }
    return seqs;
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(find({.actor = "handler1"}), (V{10, 7, 4, 1}));
  EXPECT_EQ(find({.actor = "handler1", .limit = 2}), (V{10, 7}));
  EXPECT_EQ(find({.actor = "handler1", .before_seq = 7, .limit = 2}), (V{4, 1}));
  EXPECT_EQ(find({.object_type = "case", .object_id = "360602-2026-100005"}), (V{5}));
  EXPECT_EQ(find({.from = kT0 + std::chrono::seconds(3), .to = kT0 + std::chrono::seconds(6)}),
            (V{5, 4, 3}));
  EXPECT_EQ(find({.actor = "nobody"}), V{});
  EXPECT_EQ(find({}).size(), 12u);
  auto bad = db_->read_value([](Sql& sql) { return store::audit::find(sql, {.limit = 0}); });
  EXPECT_FALSE(bad);
}

TEST_P(Audit, ConcurrentAppendsGetGaplessSeqsAndAValidChain) {
  store::DatabaseOptions options;
  if (GetParam() == Backend::kPostgres) options.writers = 4;  // the row lock must serialize
  auto db = testing::open_fresh(GetParam(), options);
  ASSERT_TRUE(db);
  constexpr int kThreads = 8;
  constexpr int kEach = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Entry e = sample(t * kEach + i);
        auto r = db->write([&](Sql& sql) -> Result<void> {
          auto appended = store::audit::append(sql, e);
          if (!appended) return appended.error();
          return {};
        });
        if (!r) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = db->read_value([](Sql& sql) { return store::audit::scan(sql, 0, 100000); });
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), std::size_t{kThreads * kEach});
  for (std::size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].seq, std::int64_t(i) + 1);
  auto report = app::verify_audit(*db, {.batch = 64});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->intact()) << report->problem->message;
  EXPECT_EQ(report->last_seq, kThreads * kEach);
}

// A4: an entry commits with the caller's change or not at all.
TEST_P(Audit, AFailedTransactionLeavesNoEntry) {
  append_samples(2);
  auto before = head();
  auto r = db_->write([&](Sql& sql) -> Result<void> {
    auto appended = store::audit::append(sql, sample(3));
    if (!appended) return appended.error();
    return Error::conflict("the change itself failed");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(head().seq, before.seq);
  EXPECT_EQ(head().hash, before.hash);
  EXPECT_EQ(entries().size(), 2u);
  EXPECT_EQ(append(sample(4)).seq, 3);  // no gap either
  EXPECT_TRUE(verify().intact());
}

TEST_P(Audit, TriggersRefuseUpdateAndDelete) {
  append_samples(3);
  for (const char* statement : {"UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
                                "DELETE FROM audit_log WHERE seq = 3"}) {
    auto r = db_->write([&](Sql& sql) -> Result<void> {
      auto changed = sql.exec(statement);
      if (!changed) return changed.error();
      return {};
    });
    EXPECT_FALSE(r) << statement << " was allowed";
  }
  EXPECT_EQ(entries().size(), 3u);
  EXPECT_TRUE(verify().intact());
}

TEST_P(Audit, EntryHashCoversEveryFieldWithoutAmbiguity) {
  Entry base = sample(1);
  base.seq = 1;
  const std::string h = store::audit::entry_hash(store::audit::genesis_hash(), base);
  std::vector<std::function<void(Entry&)>> changes = {
      [](Entry& e) { e.seq = 2; },
      [](Entry& e) { e.at += std::chrono::microseconds(1); },
      [](Entry& e) { e.actor += "x"; },
      [](Entry& e) { e.role += "x"; },
      [](Entry& e) { e.action += "x"; },
      [](Entry& e) { e.object_type += "x"; },
      [](Entry& e) { e.object_id += "x"; },
      [](Entry& e) { e.purpose += "x"; },
      [](Entry& e) { e.outcome += "x"; },
      [](Entry& e) { e.remote += "x"; },
      [](Entry& e) { e.request_id += "x"; },
      // Moving a character from one field to the next must not hash alike.
      [](Entry& e) {
        e.role = e.actor.back() + e.role;
        e.actor.pop_back();
      },
  };
  for (std::size_t i = 0; i < changes.size(); ++i) {
    Entry e = base;
    changes[i](e);
    EXPECT_NE(store::audit::entry_hash(store::audit::genesis_hash(), e), h) << "change " << i;
  }
  EXPECT_NE(store::audit::entry_hash(std::string(64, '1'), base), h);
  EXPECT_EQ(h.size(), 64u);
}

// --- A2: tampering with the chain ---

TEST_P(Audit, AlteredEntryIsReported) {
  append_samples(kEntries);
  attack([](Sql& sql) { run(sql, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 7", {}); });
  expect_problem(verify(), 7, AuditProblemKind::kAltered);
}

TEST_P(Audit, AlteredAndRehashedEntryBreaksTheLinkToTheNext) {
  append_samples(kEntries);
  Entry e = entries()[6];
  e.object_id = "360602-2026-999999";
  e.hash = store::audit::entry_hash(e.prev_hash, e);
  attack([&](Sql& sql) { overwrite(sql, 7, e); });
  expect_problem(verify(), 8, AuditProblemKind::kInsertedOrReordered);
}

TEST_P(Audit, DeletedEntryIsReported) {
  append_samples(kEntries);
  attack([](Sql& sql) { run(sql, "DELETE FROM audit_log WHERE seq = 7", {}); });
  auto report = verify();
  expect_problem(report, 7, AuditProblemKind::kDeleted);
  EXPECT_EQ(report.last_seq, 6);
}

TEST_P(Audit, InsertedEntryIsReportedWhereItWasInserted) {
  append_samples(kEntries);
  auto all = entries();
  // A forged entry 7 that chains correctly to entry 6; the old 7…20 become 8…21.
  Entry forged = sample(99);
  forged.seq = 7;
  forged.prev_hash = all[5].hash;
  forged.hash = store::audit::entry_hash(forged.prev_hash, forged);
  attack([&](Sql& sql) {
    run(sql, "UPDATE audit_log SET seq = -seq WHERE seq >= 7", {});
    run(sql, "UPDATE audit_log SET seq = 1 - seq WHERE seq < 0", {});
    auto r = sql.exec(
        "INSERT INTO audit_log (seq, at, actor, role, action, object_type, object_id, purpose, "
        "outcome, remote, request_id, prev_hash, hash) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        {forged.seq, to_micros(forged.at), forged.actor, forged.role, forged.action,
         forged.object_type, forged.object_id, forged.purpose, forged.outcome, forged.remote,
         forged.request_id, forged.prev_hash, forged.hash});
    ASSERT_TRUE(r) << r.error().message;
    set_head(sql, kEntries + 1, all.back().hash);
  });
  // The forged entry itself is indistinguishable from a genuine one; the first entry after it
  // no longer follows its predecessor.
  expect_problem(verify(), 8, AuditProblemKind::kInsertedOrReordered);
}

TEST_P(Audit, SwappedEntriesAreReported) {
  append_samples(kEntries);
  auto all = entries();
  attack([&](Sql& sql) {
    overwrite(sql, 7, all[7]);
    overwrite(sql, 8, all[6]);
  });
  expect_problem(verify(), 7, AuditProblemKind::kInsertedOrReordered);
}

TEST_P(Audit, LastEntryDeletedWithoutTheHeadIsReported) {
  append_samples(kEntries);
  attack([](Sql& sql) { run(sql, "DELETE FROM audit_log WHERE seq = 20", {}); });
  expect_problem(verify(), kEntries, AuditProblemKind::kHeadMismatch);
}

// --- A3: the signed head ---

TEST_P(Audit, TruncationWithAConsistentHeadIsCaughtByTheSignedHead) {
  append_samples(kEntries);
  EXPECT_EQ(anchor().seq, kEntries);
  auto all = entries();
  attack([&](Sql& sql) {
    run(sql, "DELETE FROM audit_log WHERE seq > 15", {});
    set_head(sql, 15, all[14].hash);
  });
  auto chain_only = verify();
  EXPECT_TRUE(chain_only.intact()) << "the chain alone cannot see this truncation";
  EXPECT_EQ(chain_only.last_seq, 15);
  auto report = verify(signed_options());
  expect_problem(report, 16, AuditProblemKind::kTruncated);
  ASSERT_TRUE(report.signed_head);
  EXPECT_EQ(report.signed_head->seq, kEntries);
  EXPECT_FALSE(report.key_from_heads_file);
  // The next anchor refuses to sign the shortened log over the signed one.
  auto again = app::anchor_audit_head(*db_, key(), heads_file(), kT0 + std::chrono::hours(2));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
}

TEST_P(Audit, ConsistentlyRewrittenChainIsCaughtByTheSignedHead) {
  append_samples(kEntries);
  anchor();
  auto all = entries();
  all[2].actor = "mallory";
  std::string prev = all[1].hash;
  for (std::size_t i = 2; i < all.size(); ++i) {
    all[i].prev_hash = prev;
    all[i].hash = store::audit::entry_hash(prev, all[i]);
    prev = all[i].hash;
  }
  attack([&](Sql& sql) {
    for (std::size_t i = 2; i < all.size(); ++i) overwrite(sql, all[i].seq, all[i]);
    set_head(sql, kEntries, prev);
  });
  EXPECT_TRUE(verify().intact()) << "the chain alone cannot see a consistent rewrite";
  expect_problem(verify(signed_options()), kEntries, AuditProblemKind::kRewritten);
}

TEST_P(Audit, ForgedSignatureIsReported) {
  append_samples(kEntries);
  anchor();
  std::string line = read_text(heads_file());
  auto at = line.find("\"signature\":\"") + 13;
  line[at] = line[at] == '0' ? '1' : '0';
  std::ofstream(heads_file(), std::ios::app) << line;
  expect_problem(verify(signed_options()), kEntries, AuditProblemKind::kBadSignature);
  // Without the trusted key the line's own key is used, and said so.
  auto report = verify({.heads_file = heads_file()});
  expect_problem(report, kEntries, AuditProblemKind::kBadSignature);
  EXPECT_TRUE(report.key_from_heads_file);
}

TEST_P(Audit, HeadSignedWithAnotherKeyIsReported) {
  append_samples(kEntries);
  anchor();
  auto all = entries();
  attack([&](Sql& sql) {
    run(sql, "DELETE FROM audit_log WHERE seq > 15", {});
    set_head(sql, 15, all[14].hash);
  });
  // The attacker signs the shortened head with a key of their own.
  TempDir other;
  auto mallory = app::load_or_create_audit_key(other.path() / "mallory.key");
  ASSERT_TRUE(mallory);
  ASSERT_TRUE(app::anchor_audit_head(*db_, *mallory, other.path() / "heads.jsonl", kT0));
  std::ofstream(heads_file(), std::ios::app) << read_text(other.path() / "heads.jsonl");
  expect_problem(verify(signed_options()), 15, AuditProblemKind::kBadSignature);
  auto untrusted = verify({.heads_file = heads_file()});
  EXPECT_TRUE(untrusted.intact()) << "the line's own key vouches for itself";
  EXPECT_TRUE(untrusted.key_from_heads_file);
}

TEST_P(Audit, AnchorAppendsOnlyNewHeads) {
  append_samples(3);
  auto first = anchor();
  EXPECT_EQ(first.seq, 3);
  EXPECT_EQ(first.hash, head().hash);
  EXPECT_EQ(first.at, "2026-03-02T01:00:00.000Z");
  EXPECT_TRUE(app::signature_valid(first, key().public_key_hex()));
  EXPECT_EQ(anchor(), first);  // unchanged head: nothing written
  append_samples(2);
  EXPECT_EQ(anchor().seq, 5);
  std::string text = read_text(heads_file());
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_EQ(mode_of(heads_file()), 0600u);
  auto latest = app::latest_signed_head(heads_file());
  ASSERT_TRUE(latest && *latest);
  EXPECT_EQ((*latest)->seq, 5);
  auto report = verify(signed_options());
  EXPECT_TRUE(report.intact()) << report.problem->message;
  ASSERT_TRUE(report.signed_head);
  EXPECT_EQ(report.signed_head->seq, 5);
}

TEST_P(Audit, AnEmptyLogCanBeAnchoredAndVerified) {
  EXPECT_EQ(anchor().seq, 0);
  auto report = verify(signed_options());
  EXPECT_TRUE(report.intact()) << report.problem->message;
  append_samples(1);
  EXPECT_TRUE(verify(signed_options()).intact());
}

TEST_P(Audit, VerifyErrorsAreNotVerdicts) {
  auto missing = app::verify_audit(*db_, {.heads_file = dir_.path() / "none.jsonl"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  std::ofstream(heads_file()) << "{\"seq\":\"x\"}\n";
  auto malformed = app::verify_audit(*db_, {.heads_file = heads_file()});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
  auto bad_key = app::verify_audit(*db_, {.public_key = "abc"});
  ASSERT_FALSE(bad_key);
  EXPECT_EQ(bad_key.error().code, ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Stores, Audit, ::testing::ValuesIn(testing::backends()),
                         [](const auto& p) { return testing::to_string(p.param); });

// --- The key file ---

TEST(AuditKey, IsCreatedPrivateAndReloaded) {
  TempDir dir;
  fs::path file = dir.path() / "keys" / "audit.key";
  auto created = app::load_or_create_audit_key(file);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(mode_of(file.parent_path()), 0700u);
  EXPECT_EQ(read_text(app::audit_public_key_path(file)), created->public_key_hex() + "\n");
  auto loaded = app::load_or_create_audit_key(file);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->secret_key, created->secret_key);
  EXPECT_EQ(loaded->public_key, created->public_key);
}

TEST(AuditKey, AReadableKeyFileIsRefused) {
  TempDir dir;
  fs::path file = dir.path() / "audit.key";
  ASSERT_TRUE(app::load_or_create_audit_key(file));
  fs::permissions(file, fs::perms::group_read | fs::perms::others_read, fs::perm_options::add);
  auto r = app::load_or_create_audit_key(file);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
}

TEST(AuditKey, AMalformedKeyFileIsRefusedNotReplaced) {
  TempDir dir;
  fs::path file = dir.path() / "audit.key";
  auto original = app::load_or_create_audit_key(file);
  ASSERT_TRUE(original);
  std::string text = read_text(file);
  for (std::string broken : {std::string("not a key\n"), text.substr(0, 100) + "\n",
                             std::string(text.size() - 1, 'a') + "\n"}) {
    std::ofstream(file, std::ios::trunc) << broken;
    auto r = app::load_or_create_audit_key(file);
    ASSERT_FALSE(r) << broken;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(read_text(file), broken);
  }
}

TEST(AuditKey, APublicKeyFileOfAnotherKeyIsRefused) {
  TempDir dir;
  fs::path file = dir.path() / "audit.key";
  ASSERT_TRUE(app::load_or_create_audit_key(file));
  std::ofstream(app::audit_public_key_path(file), std::ios::trunc) << std::string(64, 'a') << "\n";
  auto r = app::load_or_create_audit_key(file);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace jiceng
