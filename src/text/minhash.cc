#include "text/minhash.h"

#include <algorithm>
#include <bit>

namespace jiceng::text {

namespace {

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// splitmix64's finaliser: every input bit moves about half the output bits.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// The seeds of the kMinHashes hash functions (fixed: signatures are stored).
constexpr std::uint64_t seed(int i) { return 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(i + 1); }

}  // namespace

bool MinHash::empty() const {
  return std::all_of(values.begin(), values.end(), [](std::uint32_t v) { return v == kNoWords; });
}

MinHash minhash_of(const std::vector<std::string>& words) {
  MinHash m;
  m.values.fill(kNoWords);
  for (const std::string& w : words) {
    const std::uint64_t base = fnv1a(w);
    for (int i = 0; i < kMinHashes; ++i) {
      // kNoWords is kept for "no words": a word never hashes to it.
      auto h = static_cast<std::uint32_t>(mix(base ^ seed(i)) >> 32);
      h = std::min(h, kNoWords - 1);
      m.values[i] = std::min(m.values[i], h);
    }
  }
  return m;
}

double similarity(const MinHash& a, const MinHash& b) {
  if (a.empty() || b.empty()) return 0;
  int same = 0;
  for (int i = 0; i < kMinHashes; ++i) same += a.values[i] == b.values[i];
  return static_cast<double>(same) / kMinHashes;
}

std::vector<std::int64_t> band_keys(const MinHash& m, std::string_view area) {
  std::vector<std::int64_t> keys;
  if (m.empty()) return keys;
  const std::uint64_t where = fnv1a(area);
  keys.reserve(kBands);
  for (int b = 0; b < kBands; ++b) {
    std::uint64_t h = mix(where ^ seed(100 + b));
    for (int r = 0; r < kRowsPerBand; ++r) h = mix(h ^ m.values[b * kRowsPerBand + r]);
    keys.push_back(std::bit_cast<std::int64_t>(h));
  }
  return keys;
}

std::string to_hex(const MinHash& m) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(kMinHashes * 8);
  for (std::uint32_t v : m.values) {
    for (int shift = 28; shift >= 0; shift -= 4) out += kDigits[(v >> shift) & 0xF];
  }
  return out;
}

std::optional<MinHash> minhash_from_hex(std::string_view hex) {
  if (hex.size() != kMinHashes * 8) return std::nullopt;
  MinHash m;
  for (int i = 0; i < kMinHashes; ++i) {
    std::uint32_t v = 0;
    for (int k = 0; k < 8; ++k) {
      char c = hex[static_cast<std::size_t>(i * 8 + k)];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return std::nullopt;
      v = (v << 4) | static_cast<std::uint32_t>(d);
    }
    m.values[i] = v;
  }
  return m;
}

std::int64_t key_of(std::string_view text) { return std::bit_cast<std::int64_t>(mix(fnv1a(text))); }

}  // namespace jiceng::text
