// Random numbers for the demo data (app/demo_case_generator.h), the same for a seed on every
// platform, and the shapes they are drawn in: weighted choices, Zipf's law, random delays.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

namespace jiceng::app::demo {

using Micros = std::chrono::microseconds;

// Fractional durations, for random delays: minutes(2.5) is 150 s.
inline Micros minutes(double m) { return Micros(static_cast<std::int64_t>(m * 60e6)); }
inline Micros hours(double h) { return minutes(h * 60); }
inline Micros days(double d) { return hours(d * 24); }

// SplitMix64, which seeds Rng.
inline std::uint64_t splitmix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256** seeded through SplitMix64: the same numbers for a seed on every platform, which
// the standard library's distributions do not promise.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& w : s_) w = splitmix(seed);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  std::size_t below(std::size_t n) {
    return std::min(n - 1, static_cast<std::size_t>(uniform() * static_cast<double>(n)));
  }
  int between(int lo, int hi) {  // inclusive
    return lo + static_cast<int>(below(static_cast<std::size_t>(hi - lo + 1)));
  }
  bool chance(double p) { return uniform() < p; }
  template <class C>
  const auto& pick(const C& c) {
    return c[below(c.size())];
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_{};
};

// Samples indexes in proportion to their weights.
class Weights {
 public:
  void add(double w) {
    total_ += w;
    cumulative_.push_back(total_);
  }
  std::size_t sample(Rng& rng) const { return find(rng.uniform() * total_); }
  // The index whose share of [0, total) holds x.
  std::size_t find(double x) const {
    auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), x);
    return std::min<std::size_t>(static_cast<std::size_t>(it - cumulative_.begin()),
                                 cumulative_.size() - 1);
  }
  double total() const { return total_; }
  double before(std::size_t i) const { return i == 0 ? 0 : cumulative_[i - 1]; }
  double weight(std::size_t i) const { return cumulative_[i] - before(i); }

 private:
  std::vector<double> cumulative_;
  double total_ = 0;
};

// Zipf's law over ranks 1..n: the k-th gets 1/k^s.
inline Weights zipf(std::size_t n, double s) {
  Weights w;
  for (std::size_t k = 1; k <= n; ++k) w.add(std::pow(static_cast<double>(k), -s));
  return w;
}

}  // namespace jiceng::app::demo
