#include "store/repeat_repo.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "domain/contact.h"
#include "text/words.h"

namespace jiceng::store::repeats {

namespace {

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
  const std::string key = domain::normalized_contact(contact);
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
  return signature_of(c, text::topic_words_of(c.description));
}

Signature signature_of(const domain::Case& c, const std::vector<std::string>& topic_words) {
  Signature s;
  s.minhash = text::minhash_of(topic_words);
  s.band_keys = text::band_keys(s.minhash, c.county_code);
  if (!c.anonymous) s.contact_key = contact_key(c.county_code, c.submitter_contact);
  return s;
}

Result<void> record(Sql& sql, const domain::Case& c, const std::vector<std::string>& topic_words) {
  Signature s = signature_of(c, topic_words);
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

Result<void> move(Sql& sql, const domain::Case& before, const domain::Case& after) {
  auto row =
      sql.query("SELECT minhash, created_at FROM case_signature WHERE number = $1", {after.number});
  if (!row) return row.error();
  if (row->empty()) return {};
  const std::optional<std::int64_t> key =
      after.anonymous ? std::nullopt : contact_key(after.county_code, after.submitter_contact);
  if (auto r =
          sql.exec("UPDATE case_signature SET place_code = $1, contact_key = $2 WHERE number = $3",
                   {after.place_code, key ? Value(*key) : Value(nullptr), after.number});
      !r) {
    return r.error();
  }
  if (before.county_code == after.county_code) return {};
  auto minhash = text::minhash_from_hex(row->front().text(0));
  if (!minhash) return Error::internal("case_signature holds a malformed minhash");
  const std::int64_t created_at = row->front().int64(1);
  // The old keys are known: each row is deleted by its primary key.
  for (std::int64_t band : text::band_keys(*minhash, before.county_code)) {
    if (auto r = sql.exec(
            "DELETE FROM case_band WHERE band_key = $1 AND created_at = $2 AND number = $3",
            {band, created_at, after.number});
        !r) {
      return r.error();
    }
  }
  std::vector<std::vector<Value>> bands;
  for (std::int64_t band : text::band_keys(*minhash, after.county_code)) {
    bands.push_back({band, created_at, after.number});
  }
  return sql.bulk_insert("case_band", kBandColumns, bands);
}

Result<void> rekey_contacts(Sql& sql) {
  constexpr std::int64_t kChunk = 5000;
  std::string after;
  for (;;) {
    auto rows = sql.query(
        "SELECT c.number, c.county_code, c.submitter_contact, c.anonymous, s.contact_key "
        "FROM cases c JOIN case_signature s ON s.number = c.number WHERE c.number > $1 "
        "ORDER BY c.number LIMIT $2",
        {after, kChunk});
    if (!rows) return rows.error();
    if (rows->empty()) return {};
    for (const Row& r : *rows) {
      const std::optional<std::int64_t> key =
          r.int64(3) != 0 ? std::nullopt : contact_key(r.text(1), r.text(2));
      if (key == r.opt_int64(4)) continue;
      if (auto w = sql.exec("UPDATE case_signature SET contact_key = $1 WHERE number = $2",
                            {key ? Value(*key) : Value(nullptr), r.text(0)});
          !w) {
        return w.error();
      }
    }
    after = rows->back().text(0);
  }
}

namespace {

constexpr std::string_view kMatchColumns =
    "number, created_at, minhash, contact_key, place_code, category_code";

Result<Match> match_from_row(const Row& r) {
  auto minhash = text::minhash_from_hex(r.text(2));
  if (!minhash) return Error::internal("case_signature holds a malformed minhash");
  return Match{.number = r.text(0),
               .created_at = from_micros(r.int64(1)),
               .minhash = *minhash,
               .contact_key = r.opt_int64(3),
               .place_code = r.text(4),
               .category_code = r.text(5)};
}

// The placeholders of an IN list of the values ("$4, $5, …"), added to params. The list is
// padded to a power of two with the last value, so that the statements' texts (each prepared
// once per connection) are a handful, not one per length.
std::string placeholders(std::vector<Value>& params, std::span<const std::string> values) {
  std::size_t padded = 1;
  while (padded < values.size()) padded *= 2;
  std::string out;
  for (std::size_t i = 0; i < padded && !values.empty(); ++i) {
    params.emplace_back(values[std::min(i, values.size() - 1)]);
    out += fmt::format("{}${}", out.empty() ? "" : ", ", params.size());
  }
  return out;
}

}  // namespace

Result<std::vector<Match>> find(Sql& sql, const Probe& probe, const cases::ListQuery& q,
                                int band_fanout) {
  if (!q.created_from) return Error::internal("repeats::find needs a window (created_from)");
  const std::int64_t from = to_micros(*q.created_from);
  auto in_scope = [&q](const Match& m) {
    return m.place_code >= q.place_first && m.place_code < q.place_last;
  };
  std::vector<Match> out;
  std::set<std::string, std::less<>> taken;
  auto take = [&](Match m) {
    if (taken.insert(m.number).second) out.push_back(std::move(m));
  };

  // The bands, walked newest first from their index alone, a few numbers at a time; the
  // signatures of the numbers met are read in one statement a round, once each. A round asks
  // each band for as many numbers as it still lacks matches in the scope, so a wide scope
  // takes one round, and a narrow one stops at band_fanout numbers a band.
  struct Band {
    std::int64_t key = 0;
    std::vector<std::string> numbers;  // walked so far, newest first
    std::size_t next = 0;              // numbers[next] is the first not weighed yet
    int found = 0;                     // matches in the scope
    bool ended = false;                // no more numbers, or band_fanout of them
  };
  std::vector<Band> bands;
  for (std::int64_t key : probe.signature.band_keys) bands.emplace_back().key = key;
  std::map<std::string, std::optional<Match>, std::less<>> fetched;  // nullopt: out of scope
  for (;;) {
    std::vector<std::string> wanted;
    std::set<std::string, std::less<>> asked;
    for (Band& b : bands) {
      const int need = q.limit - b.found;
      if (need <= 0) continue;
      if (b.next == b.numbers.size() && !b.ended) {
        const auto walked = static_cast<std::int64_t>(b.numbers.size());
        const std::int64_t n = std::min<std::int64_t>(need, band_fanout - walked);
        auto rows = sql.query(
            "SELECT number FROM case_band WHERE band_key = $1 AND created_at >= $2 AND number <> "
            "$3 ORDER BY created_at DESC LIMIT $4 OFFSET $5",
            {b.key, from, probe.number, std::max<std::int64_t>(n, 0), walked});
        if (!rows) return rows.error();
        for (const Row& r : *rows) b.numbers.push_back(r.text(0));
        b.ended = static_cast<std::int64_t>(rows->size()) < n || n <= 0;
      }
      for (std::size_t i = b.next; i < b.numbers.size(); ++i) {
        if (!fetched.contains(b.numbers[i]) && asked.insert(b.numbers[i]).second) {
          wanted.push_back(b.numbers[i]);
        }
      }
    }
    if (!wanted.empty()) {
      std::vector<Value> params;
      const std::string list = placeholders(params, wanted);
      auto rows = sql.query(
          fmt::format("SELECT {} FROM case_signature WHERE number IN ({})", kMatchColumns, list),
          Params(params));
      if (!rows) return rows.error();
      for (const std::string& n : wanted) fetched.emplace(n, std::nullopt);
      for (const Row& r : *rows) {
        auto m = match_from_row(r);
        if (!m) return m.error();
        if (in_scope(*m)) fetched[m->number] = std::move(*m);
      }
    }
    bool more = false;
    for (Band& b : bands) {
      for (; b.next < b.numbers.size() && b.found < q.limit; ++b.next) {
        const auto& m = fetched.at(b.numbers[b.next]);
        if (!m) continue;
        ++b.found;
        take(*m);
      }
      more = more || (b.found < q.limit && !b.ended);
    }
    if (!more) break;
  }

  // The same contact, and the same place and category: the signatures' own indexes.
  auto by = [&](std::string_view condition, std::vector<Value> params) -> Result<void> {
    params.insert(params.end(),
                  {from, probe.number, q.place_first, q.place_last, std::int64_t{q.limit}});
    const std::size_t n = params.size();
    auto rows = sql.query(
        fmt::format("SELECT {} FROM case_signature WHERE {} AND created_at >= ${} AND number <> "
                    "${} AND place_code >= ${} AND place_code < ${} ORDER BY created_at DESC "
                    "LIMIT ${}",
                    kMatchColumns, condition, n - 4, n - 3, n - 2, n - 1, n),
        Params(params));
    if (!rows) return rows.error();
    for (const Row& r : *rows) {
      auto m = match_from_row(r);
      if (!m) return m.error();
      take(std::move(*m));
    }
    return {};
  };
  if (probe.signature.contact_key) {
    if (auto r = by("contact_key = $1", {*probe.signature.contact_key}); !r) return r.error();
  }
  if (auto r =
          by("place_code = $1 AND category_code = $2", {probe.place_code, probe.category_code});
      !r) {
    return r.error();
  }
  return out;
}

Result<std::vector<cases::ListedCase>> admitted(Sql& sql, std::span<const std::string> numbers,
                                                const cases::ListQuery& q) {
  std::vector<cases::ListedCase> out;
  if (numbers.empty()) return out;
  cases::ListFilter f = cases::list_filter(q, false);
  f.add("c.state <> " + f.param(std::string(domain::to_string(domain::CaseState::kMerged))));
  f.add("c.number IN (" + placeholders(f.params, numbers) + ")");
  auto rows =
      sql.query(fmt::format("SELECT {} FROM cases c WHERE {}", cases::kListedColumns, f.where),
                Params(f.params));
  if (!rows) return rows.error();
  for (const Row& r : *rows) {
    auto c = cases::listed_from_row(r);
    if (!c) return c.error();
    out.push_back(std::move(*c));
  }
  return out;
}

}  // namespace jiceng::store::repeats
