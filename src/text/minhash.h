// MinHash signatures of topic-word sets, for repeat detection at intake: two texts whose sets
// of topic words (text/words.h) overlap much get signatures that agree in many places, and the
// fraction of places that agree estimates the sets' Jaccard similarity |A∩B| / |A∪B|. Word
// order does not matter; one changed word in ten moves the estimate by about a tenth.
//
// Candidates are found by banding (locality-sensitive hashing): the kMinHashes values are cut
// into kBands bands of kRowsPerBand, and each band with the case's area gives one 64-bit key.
// Two cases of the same area with Jaccard similarity s share at least one key with probability
// 1 - (1 - s^2)^8: 0.90 at s = 0.5, 0.53 at 0.3, 0.08 at 0.1.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jiceng::text {

inline constexpr int kMinHashes = 16;
inline constexpr int kRowsPerBand = 2;
inline constexpr int kBands = kMinHashes / kRowsPerBand;

struct MinHash {
  // values[i]: the least of hash_i over the words; all kNoWords for a text without words.
  std::array<std::uint32_t, kMinHashes> values{};
  bool empty() const;
  bool operator==(const MinHash&) const = default;
};
inline constexpr std::uint32_t kNoWords = 0xFFFFFFFFu;

// The signature of a set of words (repeats count once).
MinHash minhash_of(const std::vector<std::string>& words);

// The estimated Jaccard similarity of the two sets, in [0, 1]: the fraction of agreeing
// values; 0 when either has no words.
double similarity(const MinHash& a, const MinHash& b);

// The band keys of a signature within an area (the county code): equal keys, same area, same
// band. None for a text without words.
std::vector<std::int64_t> band_keys(const MinHash& m, std::string_view area);

// A signature as 128 hex digits (how the stores keep it), and back; nullopt for other text.
std::string to_hex(const MinHash& m);
std::optional<MinHash> minhash_from_hex(std::string_view hex);

// A 64-bit key of a text (FNV-1a then a 64-bit finaliser), for keys that must not be read back,
// e.g. a contact's: the same text, the same key.
std::int64_t key_of(std::string_view text);

}  // namespace jiceng::text
