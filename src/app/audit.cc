#include "app/audit.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "store/audit_repo.h"

namespace jiceng::app {

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using store::audit::Entry;

static_assert(sizeof(AuditKey::secret_key) == crypto_sign_SECRETKEYBYTES);
static_assert(sizeof(AuditKey::public_key) == crypto_sign_PUBLICKEYBYTES);

constexpr std::size_t kTailBytes = 64 * 1024;  // far longer than one heads line

void ensure_sodium() {
  static const int ready = sodium_init();  // idempotent and thread-safe; once per process
  (void)ready;
}

Error io_error(std::string_view what, const fs::path& path) {
  return Error::unavailable(fmt::format("{} {}: {}", what, path.string(), std::strerror(errno)));
}

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  std::string hex(n * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, n);
  hex.pop_back();
  return hex;
}

// Decodes exactly out.size() bytes of hex; false on anything else.
template <std::size_t N>
bool from_hex(std::string_view hex, std::array<unsigned char, N>& out) {
  std::size_t len = 0;
  if (hex.size() != N * 2) return false;
  return sodium_hex2bin(out.data(), N, hex.data(), hex.size(), nullptr, &len, nullptr) == 0 &&
         len == N;
}

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("cannot read", path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string_view trim_newline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Writes all of `data` to fd, then fsyncs it; closes fd.
Result<void> write_fsync_close(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto e = io_error("cannot write", path);
      ::close(fd);
      return e;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0) {
    auto e = io_error("cannot fsync", path);
    ::close(fd);
    return e;
  }
  if (::close(fd) != 0) return io_error("cannot close", path);
  return {};
}

// Makes a new directory entry durable.
void fsync_directory(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Creates each missing directory of `dir` with mode 0700.
Result<void> make_private_directories(const fs::path& dir) {
  fs::path partial;
  for (const fs::path& part : dir) {
    partial /= part;
    std::error_code ec;
    if (fs::is_directory(partial, ec)) continue;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      return io_error("cannot create the directory", partial);
    }
  }
  return {};
}

// --- The key file ---

Result<AuditKey> parse_key(std::string_view text, const fs::path& path) {
  AuditKey key;
  std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> derived{};
  bool ok = from_hex(trim_newline(text), key.secret_key);
  if (ok) {
    crypto_sign_ed25519_sk_to_seed(seed.data(), key.secret_key.data());
    ok = crypto_sign_seed_keypair(key.public_key.data(), derived.data(), seed.data()) == 0 &&
         sodium_memcmp(derived.data(), key.secret_key.data(), derived.size()) == 0;
  }
  sodium_memzero(seed.data(), seed.size());
  sodium_memzero(derived.data(), derived.size());
  if (!ok) {
    return Error::invalid_argument("the audit key file " + path.string() +
                                   " is malformed (expected an Ed25519 secret key as 128 hex "
                                   "digits); restore it from a backup");
  }
  return key;
}

Result<AuditKey> load_key(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return io_error("cannot stat", path);
  if ((st.st_mode & 077) != 0) {
    return Error::failed_precondition(fmt::format(
        "the audit key file {} has mode {:o}: group and others must have no access (chmod 600)",
        path.string(), st.st_mode & 0777));
  }
  auto text = read_file(path);
  if (!text) return text.error();
  auto key = parse_key(*text, path);
  sodium_memzero(text->data(), text->size());
  return key;
}

// Creates key_file with a new key pair; kAlreadyExists when another process was first.
Result<AuditKey> create_key(const fs::path& path) {
  if (auto made = make_private_directories(path.parent_path()); !made) return made.error();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) return Error::already_exists(path.string());
  if (fd < 0) return io_error("cannot create", path);
  AuditKey key;
  crypto_sign_keypair(key.public_key.data(), key.secret_key.data());
  std::string text = to_hex(key.secret_key.data(), key.secret_key.size()) + "\n";
  auto written = write_fsync_close(fd, text, path);
  sodium_memzero(text.data(), text.size());
  if (!written) return written.error();
  fsync_directory(path.parent_path());
  return key;
}

// Writes the .pub file when missing; fails when it holds another key.
Result<void> ensure_public_key_file(const fs::path& key_file, const AuditKey& key) {
  fs::path pub = audit_public_key_path(key_file);
  std::string hex = key.public_key_hex();
  std::error_code ec;
  if (fs::exists(pub, ec)) {
    auto text = read_file(pub);
    if (!text) return text.error();
    if (trim_newline(*text) == hex) return {};
    return Error::failed_precondition(
        fmt::format("{} does not hold the public key of {}: one of them was replaced", pub.string(),
                    key_file.string()));
  }
  int fd = ::open(pub.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", pub);
  auto written = write_fsync_close(fd, hex + "\n", pub);
  if (written) fsync_directory(pub.parent_path());
  return written;
}

// --- The heads file ---

// The last non-empty line of `path`; nullopt when the file is missing or empty.
Result<std::optional<std::string>> last_line(const fs::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::optional<std::string>();
    return io_error("cannot read", path);
  }
  auto size = static_cast<std::size_t>(in.tellg());
  std::size_t start = size > kTailBytes ? size - kTailBytes : 0;
  std::string tail(size - start, '\0');
  in.seekg(static_cast<std::streamoff>(start));
  if (!in.read(tail.data(), static_cast<std::streamsize>(tail.size()))) {
    return io_error("cannot read", path);
  }
  std::string_view text = trim_newline(tail);
  if (text.empty()) return std::optional<std::string>();
  std::size_t newline = text.rfind('\n');
  if (newline == std::string_view::npos && start > 0) {
    return Error::invalid_argument(path.string() + ": the last line is too long");
  }
  return std::optional<std::string>(
      text.substr(newline == std::string_view::npos ? 0 : newline + 1));
}

Result<SignedHead> parse_signed_head(std::string_view line, const fs::path& path) {
  auto fail = [&](std::string_view why) {
    return Error::invalid_argument(
        fmt::format("{}: the last line is not a signed audit head ({})", path.string(), why));
  };
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec) return fail(ec.message());
  const json::object* o = v.if_object();
  if (o == nullptr) return fail("not a JSON object");
  SignedHead h;
  const json::value* seq = o->if_contains("seq");
  if (seq == nullptr || !seq->is_int64() || seq->as_int64() < 0) return fail("seq");
  h.seq = seq->as_int64();
  for (auto [name, field] :
       {std::pair{"hash", &h.hash}, std::pair{"at", &h.at}, std::pair{"signature", &h.signature},
        std::pair{"public_key", &h.public_key}}) {
    const json::value* s = o->if_contains(name);
    if (s == nullptr || !s->is_string()) return fail(name);
    *field = std::string(s->get_string());
  }
  return h;
}

std::string to_json_line(const SignedHead& h) {
  json::object o;
  o["seq"] = h.seq;
  o["hash"] = h.hash;
  o["at"] = h.at;
  o["signature"] = h.signature;
  o["public_key"] = h.public_key;
  return json::serialize(o) + "\n";
}

Result<void> append_line(const fs::path& path, std::string_view line) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  bool existed = fs::exists(path, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot open", path);
  auto written = write_fsync_close(fd, line, path);
  if (written && !existed) fsync_directory(path.parent_path());
  return written;
}

SignedHead sign_head(const AuditKey& key, const store::audit::Head& head, Instant now) {
  SignedHead h{head.seq, head.hash, format_instant_utc(now), "", key.public_key_hex()};
  std::string text = signed_head_text(h.seq, h.hash, h.at);
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(text.data()),
                       text.size(), key.secret_key.data());
  h.signature = to_hex(sig.data(), sig.size());
  return h;
}

// The stored hash of entry `seq` (genesis_hash() for 0); nullopt when there is no such entry.
Result<std::optional<std::string>> stored_hash(store::Sql& sql, std::int64_t seq) {
  if (seq == 0) return std::optional<std::string>(store::audit::genesis_hash());
  auto entries = store::audit::scan(sql, seq - 1, 1);
  if (!entries) return entries.error();
  if (entries->empty() || entries->front().seq != seq) return std::optional<std::string>();
  return std::optional<std::string>(entries->front().hash);
}

// --- Verification ---

AuditProblem problem(std::int64_t seq, AuditProblemKind kind, std::string message) {
  return {seq, kind, std::move(message)};
}

// Checks entries one by one in seq order against the one before.
class ChainWalker {
 public:
  explicit ChainWalker(std::optional<std::int64_t> watched_seq) : watched_seq_(watched_seq) {}

  std::optional<AuditProblem> check(const Entry& e) {
    ++checked_;
    if (e.seq != last_seq_ + 1) {
      return problem(last_seq_ + 1, AuditProblemKind::kDeleted,
                     e.seq == last_seq_ + 2
                         ? fmt::format("entry {} is missing", last_seq_ + 1)
                         : fmt::format("entries {} to {} are missing", last_seq_ + 1, e.seq - 1));
    }
    if (e.prev_hash != last_hash_) {
      return problem(e.seq, AuditProblemKind::kInsertedOrReordered,
                     fmt::format("entry {} does not follow entry {}: an entry was inserted "
                                 "before it, or entries were reordered",
                                 e.seq, last_seq_));
    }
    if (store::audit::entry_hash(e.prev_hash, e) != e.hash) {
      return problem(e.seq, AuditProblemKind::kAltered,
                     fmt::format("entry {} was altered: its fields do not match its hash", e.seq));
    }
    last_seq_ = e.seq;
    last_hash_ = e.hash;
    if (watched_seq_ == e.seq) watched_hash_ = e.hash;
    return std::nullopt;
  }

  std::optional<AuditProblem> check_head(const store::audit::Head& head) const {
    if (head.seq == last_seq_ && head.hash == last_hash_) return std::nullopt;
    return problem(head.seq, AuditProblemKind::kHeadMismatch,
                   fmt::format("audit_head names entry {} but the newest entry is {}{}", head.seq,
                               last_seq_, head.seq == last_seq_ ? " with another hash" : ""));
  }

  std::int64_t last_seq() const { return last_seq_; }
  std::int64_t checked() const { return checked_; }
  // The hash of the watched entry once walked past it (genesis for seq 0).
  std::optional<std::string> watched_hash() const {
    if (watched_seq_ == 0) return std::string(store::audit::genesis_hash());
    return watched_hash_;
  }

 private:
  std::int64_t last_seq_ = 0;
  std::string last_hash_{store::audit::genesis_hash()};
  std::int64_t checked_ = 0;
  std::optional<std::int64_t> watched_seq_;
  std::optional<std::string> watched_hash_;
};

// Walks the chain in batches; the head is read in the same snapshot as the last batch.
Result<std::optional<AuditProblem>> walk_chain(store::Database& db, ChainWalker& walker,
                                               int batch) {
  for (;;) {
    std::vector<Entry> entries;
    store::audit::Head head;
    auto read = db.read([&](store::Sql& sql) -> Result<void> {
      auto scanned = store::audit::scan(sql, walker.last_seq(), batch);
      if (!scanned) return scanned.error();
      entries = std::move(*scanned);
      auto h = store::audit::head(sql);
      if (!h) return h.error();
      head = std::move(*h);
      return {};
    });
    if (!read) return read.error();
    for (const Entry& e : entries) {
      if (auto p = walker.check(e)) return p;
    }
    if (entries.size() < static_cast<std::size_t>(batch)) return walker.check_head(head);
  }
}

std::optional<AuditProblem> check_signed_head(const SignedHead& signed_head, bool signature_ok,
                                              const ChainWalker& walker) {
  if (!signature_ok) {
    return problem(signed_head.seq, AuditProblemKind::kBadSignature,
                   fmt::format("the head signed at {} (entry {}) does not verify: the heads file "
                               "was forged or the wrong public key was given",
                               signed_head.at, signed_head.seq));
  }
  if (signed_head.seq > walker.last_seq()) {
    return problem(walker.last_seq() + 1, AuditProblemKind::kTruncated,
                   fmt::format("entries {} to {} were removed: the head signed at {} covers them",
                               walker.last_seq() + 1, signed_head.seq, signed_head.at));
  }
  if (walker.watched_hash() != signed_head.hash) {
    return problem(signed_head.seq, AuditProblemKind::kRewritten,
                   fmt::format("entry {} has another hash than the head signed at {}: the chain "
                               "up to it was rewritten",
                               signed_head.seq, signed_head.at));
  }
  return std::nullopt;
}

}  // namespace

std::string AuditKey::public_key_hex() const {
  return to_hex(public_key.data(), public_key.size());
}

fs::path audit_public_key_path(const fs::path& key_file) {
  fs::path pub = key_file;
  pub += ".pub";
  return pub;
}

Result<AuditKey> load_or_create_audit_key(const fs::path& key_file) {
  ensure_sodium();
  std::error_code ec;
  Result<AuditKey> key = fs::exists(key_file, ec) ? load_key(key_file) : create_key(key_file);
  if (!key && key.error().code == ErrorCode::kAlreadyExists) key = load_key(key_file);
  if (!key) return key;
  if (auto pub = ensure_public_key_file(key_file, *key); !pub) return pub.error();
  return key;
}

std::string signed_head_text(std::int64_t seq, std::string_view hash, std::string_view at) {
  return fmt::format("jiceng-audit-head\n{}\n{}\n{}", seq, hash, at);
}

bool signature_valid(const SignedHead& head, std::string_view public_key_hex) {
  ensure_sodium();
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  if (!from_hex(head.signature, sig) || !from_hex(public_key_hex, pk)) return false;
  std::string text = signed_head_text(head.seq, head.hash, head.at);
  return crypto_sign_verify_detached(sig.data(),
                                     reinterpret_cast<const unsigned char*>(text.data()),
                                     text.size(), pk.data()) == 0;
}

Result<std::optional<SignedHead>> latest_signed_head(const fs::path& heads_file) {
  auto line = last_line(heads_file);
  if (!line) return line.error();
  if (!*line) return std::optional<SignedHead>();
  auto head = parse_signed_head(**line, heads_file);
  if (!head) return head.error();
  return std::optional(std::move(*head));
}

Result<SignedHead> anchor_audit_head(store::Database& db, const AuditKey& key,
                                     const fs::path& heads_file, Instant now) {
  ensure_sodium();
  auto last = latest_signed_head(heads_file);
  if (!last) return last.error();
  if (*last && !signature_valid(**last, (*last)->public_key)) {
    return Error::failed_precondition(fmt::format(
        "the last head in {} does not verify: run `jiceng audit verify`", heads_file.string()));
  }
  store::audit::Head head;
  std::optional<std::string> last_hash;
  auto read = db.read([&](store::Sql& sql) -> Result<void> {
    auto h = store::audit::head(sql);
    if (!h) return h.error();
    head = std::move(*h);
    if (!*last) return {};
    auto stored = stored_hash(sql, (*last)->seq);
    if (!stored) return stored.error();
    last_hash = std::move(*stored);
    return {};
  });
  if (!read) return read.error();
  if (*last) {
    if (head.seq < (*last)->seq || last_hash != (*last)->hash) {
      return Error::failed_precondition(fmt::format(
          "the audit log no longer extends the head signed at {} (entry {}): run `jiceng audit "
          "verify`",
          (*last)->at, (*last)->seq));
    }
    if (head.seq == (*last)->seq) return **last;
  }
  SignedHead signed_head = sign_head(key, head, now);
  if (auto w = append_line(heads_file, to_json_line(signed_head)); !w) return w.error();
  return signed_head;
}

std::string_view to_string(AuditProblemKind kind) {
  switch (kind) {
    case AuditProblemKind::kAltered:
      return "altered";
    case AuditProblemKind::kDeleted:
      return "deleted";
    case AuditProblemKind::kInsertedOrReordered:
      return "inserted_or_reordered";
    case AuditProblemKind::kHeadMismatch:
      return "head_mismatch";
    case AuditProblemKind::kBadSignature:
      return "bad_signature";
    case AuditProblemKind::kTruncated:
      return "truncated";
    case AuditProblemKind::kRewritten:
      return "rewritten";
  }
  return "unknown";
}

Result<VerifyReport> verify_audit(store::Database& db, const VerifyOptions& options) {
  if (options.batch < 1) return Error::invalid_argument("the verify batch must be positive");
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  if (options.public_key && !from_hex(*options.public_key, pk)) {
    return Error::invalid_argument("the audit public key must be 64 hex digits");
  }
  VerifyReport report;
  if (options.heads_file) {
    std::error_code ec;
    if (!fs::exists(*options.heads_file, ec)) {
      return Error::not_found("no signed heads file at " + options.heads_file->string());
    }
    auto latest = latest_signed_head(*options.heads_file);
    if (!latest) return latest.error();
    report.signed_head = std::move(*latest);
  }
  std::optional<std::int64_t> watched;
  if (report.signed_head) watched = report.signed_head->seq;
  ChainWalker walker(watched);
  auto chain_problem = walk_chain(db, walker, options.batch);
  if (!chain_problem) return chain_problem.error();
  report.entries_checked = walker.checked();
  report.last_seq = walker.last_seq();
  report.problem = std::move(*chain_problem);
  if (!report.signed_head) return report;
  report.key_from_heads_file = !options.public_key;
  if (report.problem) return report;
  bool signature_ok = signature_valid(*report.signed_head,
                                      options.public_key.value_or(report.signed_head->public_key));
  report.problem = check_signed_head(*report.signed_head, signature_ok, walker);
  return report;
}

}  // namespace jiceng::app
