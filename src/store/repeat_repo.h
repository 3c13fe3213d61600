// The signatures repeat detection looks cases up by (migrations/0010_repeats.sql), inside the
// caller's transaction. A signature is the case as registered: the MinHash of its
// description's topic words (text/words.h, text/minhash.h), its place and category, and a key
// of its submitter's contact — never the contact itself, and no key for anonymous cases.
// Scoring the matches is the application's (app/repeats.h).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/case.h"
#include "store/case_repo.h"
#include "store/sql.h"
#include "text/minhash.h"

namespace jiceng::store::repeats {

struct Signature {
  text::MinHash minhash;
  std::vector<std::int64_t> band_keys;  // text::band_keys within the county; none without words
  std::optional<std::int64_t> contact_key;
};

// The key of a contact within a county: a hash of its compared form (domain/contact.h: a phone
// number however it is written, 138-1234-5678, +86 138…; an e-mail in lower case); nullopt for
// a blank contact.
std::optional<std::int64_t> contact_key(std::string_view county_code, std::string_view contact);

// The signature of a description and contact in a county (anonymous: no contact key).
Signature signature_of(std::string_view county_code, std::string_view description,
                       std::string_view contact, bool anonymous);
Signature signature_of(const domain::Case& c);
// The same from the description's topic words (text::topic_words_of), when the caller has them.
Signature signature_of(const domain::Case& c, const std::vector<std::string>& topic_words);

// The rows of a signature, for Sql::bulk_insert into case_signature and case_band.
inline constexpr std::array<std::string_view, 6> kSignatureColumns = {
    "number", "place_code", "category_code", "created_at", "contact_key", "minhash"};
inline constexpr std::array<std::string_view, 3> kBandColumns = {"band_key", "created_at",
                                                                 "number"};

// Stores the signature of a case just inserted (cases::insert calls it), from its description's
// topic words.
[[nodiscard]] Result<void> record(Sql& sql, const domain::Case& c,
                                  const std::vector<std::string>& topic_words);
// Stores many signatures of cases already stored (the demo fill): rows as kSignatureColumns
// and kBandColumns say.
[[nodiscard]] Result<void> record_rows(Sql& sql, const std::vector<std::vector<Value>>& signatures,
                                       const std::vector<std::vector<Value>>& bands);
// Moves a case's signature with the case (a transfer, 转送, to a body of another jurisdiction):
// its place to after.place_code and, when the county changed, its contact key and band keys
// (keyed within the county) to after.county_code, so that the new county's repeat lookups find
// it and the old county's no longer do. The description's MinHash stays: the text did not
// change. Nothing to do for a case without a signature.
[[nodiscard]] Result<void> move(Sql& sql, const domain::Case& before, const domain::Case& after);
// Stores the signature of every stored case (the migration that creates the tables).
[[nodiscard]] Result<void> record_all_cases(Sql& sql);
// Makes every stored signature's contact key anew from its case's contact, rewriting only the
// keys that differ (migration 0022, when keys came to be made from the contact's compared
// form).
[[nodiscard]] Result<void> rekey_contacts(Sql& sql);

// What a signature is made of, as columns of `cases` (for a SELECT … FROM cases), and the case
// (those fields only) of a row that starts with them.
extern const std::string_view kSignedColumns;
domain::Case signed_case_from_row(const Row& r);

// What a new or typed-in case is compared with.
struct Probe {
  std::string number;  // the case itself, left out; "" for a case not registered yet
  std::string place_code;
  std::string category_code;
  Signature signature;
};
struct Match {
  std::string number;
  Instant created_at{};
  text::MinHash minhash;
  std::optional<std::int64_t> contact_key;
  std::string place_code;  // as registered
  std::string category_code;
};
// The stored signatures that may repeat the probe, found three ways — a shared MinHash band,
// the same contact key, the same place and category — each way (each band) at most q.limit of
// the newest, registered in q's window (q.created_from: required) at a place in q's place
// range, never the probe itself. A band is looked at only in its `band_fanout` newest rows of
// the window, so that a band that thousands of template-like texts share costs no more than a
// rare one. A case found several ways comes once. Unordered.
//
// Reads the signature tables alone: a pre-selection, to be weighed and then checked with
// admitted(), which applies q's scope to the cases as they are now (their place, the unit they
// accuse, a merge).
[[nodiscard]] Result<std::vector<Match>> find(Sql& sql, const Probe& probe,
                                              const cases::ListQuery& q, int band_fanout);

// The cases among `numbers` that q's scope and filters admit (cases::list_filter, without its
// cursor), never a merged case; in no particular order.
[[nodiscard]] Result<std::vector<cases::ListedCase>> admitted(Sql& sql,
                                                              std::span<const std::string> numbers,
                                                              const cases::ListQuery& q);

}  // namespace jiceng::store::repeats
