#include "store/repeat_repo.h"

#include <fmt/format.h>

#include <set>

#include "text/normalize.h"
#include "text/words.h"

namespace jiceng::store::repeats {

namespace {

// The columns of a Match after kListedColumns.
constexpr std::string_view kMatchColumns =
    "s.minhash, s.contact_key, s.place_code, s.category_code";
constexpr std::size_t kFirstMatchColumn = 10;

void signature_row(const domain::Case& c, const Signature& s, std::vector<Value>& row) {
  row = {c.number,
         c.place_code,
         c.category_code,
         to_micros(c.created_at),
         s.contact_key ? Value(*s.contact_key) : Value(nullptr),
         text::to_hex(s.minhash)};
}

void band_rows(const domain::Case& c, const Signature& s, std::vector<std::vector<Value>>& rows) {
  for (std::int64_t key : s.band_keys) rows.push_back({key, to_micros(c.created_at), c.number});
}

}  // namespace

std::optional<std::int64_t> contact_key(std::string_view county_code, std::string_view contact) {
  std::string digits;
  for (char ch : contact) {
    if (ch >= '0' && ch <= '9') digits += ch;
  }
  std::string key = digits.size() >= 7 ? digits : text::normalize_utf8(contact);
  if (key.empty()) return std::nullopt;
  return text::key_of(fmt::format("{}|{}", county_code, key));
}

Signature signature_of(std::string_view county_code, std::string_view description,
                       std::string_view contact, bool anonymous) {
  Signature s;
  s.minhash = text::minhash_of(text::topic_words_of(description));
  s.band_keys = text::band_keys(s.minhash, county_code);
  if (!anonymous) s.contact_key = contact_key(county_code, contact);
  return s;
}

Signature signature_of(const domain::Case& c) {
  return signature_of(c.county_code, c.description, c.submitter_contact, c.anonymous);
}

Result<void> record(Sql& sql, const domain::Case& c) {
  Signature s = signature_of(c);
  std::vector<std::vector<Value>> signature(1);
  signature_row(c, s, signature[0]);
  std::vector<std::vector<Value>> bands;
  band_rows(c, s, bands);
  return record_rows(sql, signature, bands);
}

Result<void> record_rows(Sql& sql, const std::vector<std::vector<Value>>& signatures,
                         const std::vector<std::vector<Value>>& bands) {
  if (auto r = sql.bulk_insert("case_signature", kSignatureColumns, signatures); !r) return r;
  return sql.bulk_insert("case_band", kBandColumns, bands);
}

const std::string_view kSignedColumns =
    "number, place_code, category_code, county_code, created_at, description, "
    "submitter_contact, anonymous";

domain::Case signed_case_from_row(const Row& r) {
  domain::Case c;
  c.number = r.text(0);
  c.place_code = r.text(1);
  c.category_code = r.text(2);
  c.county_code = r.text(3);
  c.created_at = Instant(std::chrono::microseconds(r.int64(4)));
  c.description = r.text(5);
  c.submitter_contact = r.text(6);
  c.anonymous = r.int64(7) != 0;
  return c;
}

Result<void> record_all_cases(Sql& sql) {
  constexpr std::int64_t kChunk = 5000;
  std::string after;
  for (;;) {
    auto rows = sql.query(fmt::format("SELECT {} FROM cases WHERE number > $1 ORDER BY number "
                                      "LIMIT $2",
                                      kSignedColumns),
                          {after, kChunk});
    if (!rows) return rows.error();
    if (rows->empty()) return {};
    std::vector<std::vector<Value>> signatures(rows->size());
    std::vector<std::vector<Value>> bands;
    for (std::size_t i = 0; i < rows->size(); ++i) {
      const domain::Case c = signed_case_from_row((*rows)[i]);
      Signature s = signature_of(c);
      signature_row(c, s, signatures[i]);
      band_rows(c, s, bands);
    }
    if (auto r = record_rows(sql, signatures, bands); !r) return r;
    after = rows->back().text(0);
  }
}

Result<std::vector<Match>> find(Sql& sql, const Probe& probe, const cases::ListQuery& q) {
  if (!q.created_from) return Error::internal("repeats::find needs a window (created_from)");
  // Each way's statement: the list's filters over `cases c` (the scope, the window …), then
  // the way's own conditions on `from`, newest first, at most q.limit rows. One band at a
  // time: the key's rows come newest first from the primary key and the walk stops at the
  // limit, however many cases share the band (template texts make thousands).
  auto statement = [&q](std::string_view from, std::string_view at,
                        const std::vector<std::pair<std::string_view, Value>>& equal,
                        const std::string& number, const std::string& merged_state) {
    cases::ListFilter f = cases::list_filter(q);
    for (const auto& [column, value] : equal) f.add(fmt::format("{} = {}", column, f.param(value)));
    f.add(fmt::format("{} >= {}", at, f.param(to_micros(*q.created_from))));
    f.add("c.number <> " + f.param(number));
    f.add("c.state <> " + f.param(merged_state));
    std::string text =
        fmt::format("SELECT {}, {} FROM {} WHERE {} ORDER BY {} DESC LIMIT {}",
                    cases::kListedColumns, kMatchColumns, from, f.where, at,
                    f.param(std::int64_t{q.limit}));
    return std::pair{std::move(text), std::move(f.params)};
  };
  constexpr std::string_view kByBand =
      "case_band b JOIN case_signature s ON s.number = b.number JOIN cases c ON c.number = "
      "b.number";
  constexpr std::string_view kBySignature =
      "case_signature s JOIN cases c ON c.number = s.number";
  const std::string merged(domain::to_string(domain::CaseState::kMerged));
  std::vector<Match> out;
  std::set<std::string, std::less<>> seen;
  auto run = [&](const std::pair<std::string, std::vector<Value>>& way) -> Result<void> {
    auto rows = sql.query(way.first, Params(way.second));
    if (!rows) return rows.error();
    for (const Row& r : *rows) {
      if (seen.contains(r.text(0))) continue;
      auto c = cases::listed_from_row(r);
      if (!c) return c.error();
      auto minhash = text::minhash_from_hex(r.text(kFirstMatchColumn));
      if (!minhash) return Error::internal("case_signature holds a malformed minhash");
      seen.insert(c->number);
      out.push_back(Match{.c = std::move(*c),
                          .minhash = *minhash,
                          .contact_key = r.opt_int64(kFirstMatchColumn + 1),
                          .place_code = r.text(kFirstMatchColumn + 2),
                          .category_code = r.text(kFirstMatchColumn + 3)});
    }
    return {};
  };
  const Signature& s = probe.signature;
  for (std::int64_t key : s.band_keys) {
    auto way = statement(kByBand, "b.created_at", {{"b.band_key", key}}, probe.number, merged);
    if (auto r = run(way); !r) return r.error();
  }
  if (s.contact_key) {
    auto way = statement(kBySignature, "s.created_at", {{"s.contact_key", *s.contact_key}},
                         probe.number, merged);
    if (auto r = run(way); !r) return r.error();
  }
  auto way = statement(kBySignature, "s.created_at",
                       {{"s.place_code", probe.place_code}, {"s.category_code", probe.category_code}},
                       probe.number, merged);
  if (auto r = run(way); !r) return r.error();
  return out;
}

}  // namespace jiceng::store::repeats
