#include "store/audit_repo.h"

#include <fmt/format.h>
#include <sodium.h>

#include <array>

namespace jiceng::store::audit {

namespace {

constexpr std::string_view kColumns =
    "seq, at, actor, role, action, object_type, object_id, purpose, outcome, remote, request_id, "
    "prev_hash, hash";
constexpr int kMaxFindLimit = 1000;

void ensure_sodium() {
  static const int ready = sodium_init();  // idempotent and thread-safe; once per process
  (void)ready;
}

// Feeds one field as an 8-byte big-endian length followed by its bytes.
void feed_field(crypto_hash_sha256_state& state, std::string_view field) {
  std::array<unsigned char, 8> length{};
  auto n = static_cast<std::uint64_t>(field.size());
  for (int i = 7; i >= 0; --i, n >>= 8) length[static_cast<std::size_t>(i)] = n & 0xff;
  crypto_hash_sha256_update(&state, length.data(), length.size());
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(field.data()),
                            field.size());
}

Entry from_row(const Row& r) {
  Entry e;
  e.seq = r.int64(0);
  e.at = from_micros(r.int64(1));
  e.actor = r.text(2);
  e.role = r.text(3);
  e.action = r.text(4);
  e.object_type = r.text(5);
  e.object_id = r.text(6);
  e.purpose = r.text(7);
  e.outcome = r.text(8);
  e.remote = r.text(9);
  e.request_id = r.text(10);
  e.prev_hash = r.text(11);
  e.hash = r.text(12);
  return e;
}

std::vector<Entry> from_rows(const Rows& rows) {
  std::vector<Entry> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(from_row(r));
  return out;
}

}  // namespace

std::string_view genesis_hash() {
  return "0000000000000000000000000000000000000000000000000000000000000000";
}

std::string entry_hash(std::string_view prev_hash, const Entry& e) {
  ensure_sodium();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(prev_hash.data()),
                            prev_hash.size());
  const std::string seq = std::to_string(e.seq);
  const std::string at = std::to_string(to_micros(e.at));
  for (std::string_view field :
       {std::string_view(seq), std::string_view(at), std::string_view(e.actor),
        std::string_view(e.role), std::string_view(e.action), std::string_view(e.object_type),
        std::string_view(e.object_id), std::string_view(e.purpose), std::string_view(e.outcome),
        std::string_view(e.remote), std::string_view(e.request_id)}) {
    feed_field(state, field);
  }
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&state, digest.data());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

Result<Entry> append(Sql& sql, Entry e) {
  if (e.action.empty() || e.outcome.empty()) {
    return Error::invalid_argument("an audit entry needs an action and an outcome");
  }
  // Taking the head first locks its row (PostgreSQL) until the caller's transaction ends.
  auto head_row =
      sql.query_one("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash", {});
  if (!head_row) return head_row.error();
  e.seq = head_row->int64(0);
  e.prev_hash = head_row->text(1);
  e.hash = entry_hash(e.prev_hash, e);
  auto inserted = sql.exec(
      "INSERT INTO audit_log (seq, at, actor, role, action, object_type, object_id, purpose, "
      "outcome, remote, request_id, prev_hash, hash) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
      {e.seq, to_micros(e.at), e.actor, e.role, e.action, e.object_type, e.object_id, e.purpose,
       e.outcome, e.remote, e.request_id, e.prev_hash, e.hash});
  if (!inserted) return inserted.error();
  auto updated = sql.exec("UPDATE audit_head SET hash = $1 WHERE id = 1", {e.hash});
  if (!updated) return updated.error();
  return e;
}

Result<Head> head(Sql& sql) {
  auto row = sql.query_one("SELECT seq, hash FROM audit_head WHERE id = 1", {});
  if (!row) return row.error();
  return Head{row->int64(0), row->text(1)};
}

Result<std::vector<Entry>> find(Sql& sql, const Query& q) {
  if (q.limit < 1 || q.limit > kMaxFindLimit) {
    return Error::invalid_argument(
        fmt::format("an audit search returns 1 to {} entries at a time", kMaxFindLimit));
  }
  std::string where;
  std::vector<Value> params;
  auto add = [&](std::string_view condition, Value v) {
    params.push_back(std::move(v));
    where += fmt::format("{}{} ${}", where.empty() ? " WHERE " : " AND ", condition, params.size());
  };
  if (!q.actor.empty()) add("actor =", q.actor);
  if (!q.object_type.empty()) add("object_type =", q.object_type);
  if (!q.object_id.empty()) add("object_id =", q.object_id);
  if (q.from) add("at >=", to_micros(*q.from));
  if (q.to) add("at <", to_micros(*q.to));
  if (q.before_seq > 0) add("seq <", q.before_seq);
  params.emplace_back(std::int64_t{q.limit});
  auto rows = sql.query(fmt::format("SELECT {} FROM audit_log{} ORDER BY seq DESC LIMIT ${}",
                                    kColumns, where, params.size()),
                        Params(params));
  if (!rows) return rows.error();
  return from_rows(*rows);
}

Result<std::vector<Entry>> scan(Sql& sql, std::int64_t after_seq, int limit) {
  if (limit < 1) return Error::invalid_argument("an audit scan needs a positive limit");
  auto rows = sql.query(
      fmt::format("SELECT {} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2", kColumns),
      {after_seq, std::int64_t{limit}});
  if (!rows) return rows.error();
  return from_rows(*rows);
}

}  // namespace jiceng::store::audit
