// The disk's limit for reads the page cache does not hold: 4 KiB reads at random places of a
// file, one at a time, bypassing the page cache (O_DIRECT), for a given time. bench/run runs it
// on the served database before and after the load, so that a run on a database larger than the
// memory can be read against it: a write that misses the cache waits for one such read per page
// on the single writer thread, and a virtual disk that throttles after a burst of use shows it
// here (the p99 and the rate fall). docs/PERFORMANCE.md.
//
//   jiceng_disk_read FILE [SECONDS]
//
// Reads FILE (at least 4 KiB) for SECONDS (default 3) and prints one line
//   BENCH_DISK_READ reads=N seconds=S reads_per_s=R p50_ms=A p99_ms=B max_ms=C
// Exit status 1 when the file cannot be read with O_DIRECT (e.g. on tmpfs), 2 on bad usage.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

namespace {

constexpr std::size_t kBlock = 4096;

struct FreeAligned {
  void operator()(void* p) const { std::free(p); }
};

double percentile_ms(const std::vector<double>& sorted_s, double q) {
  if (sorted_s.empty()) return 0;
  const auto i = static_cast<std::size_t>(q * static_cast<double>(sorted_s.size() - 1));
  return sorted_s[i] * 1e3;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: jiceng_disk_read FILE [SECONDS]\n");
    return 2;
  }
  const double seconds = argc == 3 ? std::atof(argv[2]) : 3.0;
  if (!(seconds > 0)) {
    std::fprintf(stderr, "jiceng_disk_read: SECONDS must be positive\n");
    return 2;
  }
  const int fd = open(argv[1], O_RDONLY | O_DIRECT | O_CLOEXEC);
  if (fd < 0) {
    std::fprintf(stderr, "jiceng_disk_read: cannot open %s with O_DIRECT: %s\n", argv[1],
                 std::strerror(errno));
    return 1;
  }
  const off_t size = lseek(fd, 0, SEEK_END);
  const auto blocks = size > 0 ? static_cast<std::uint64_t>(size) / kBlock : 0;
  if (blocks == 0) {
    std::fprintf(stderr, "jiceng_disk_read: %s is smaller than %zu bytes\n", argv[1], kBlock);
    close(fd);
    return 1;
  }
  std::unique_ptr<void, FreeAligned> buffer(std::aligned_alloc(kBlock, kBlock));
  std::mt19937_64 random(std::random_device{}());
  std::uniform_int_distribution<std::uint64_t> block(0, blocks - 1);
  std::vector<double> took_s;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    const auto offset = static_cast<off_t>(block(random) * kBlock);
    const auto t0 = Clock::now();
    errno = 0;
    if (pread(fd, buffer.get(), kBlock, offset) != static_cast<ssize_t>(kBlock)) {
      std::fprintf(stderr, "jiceng_disk_read: reading %s: %s\n", argv[1],
                   errno ? std::strerror(errno) : "short read");
      close(fd);
      return 1;
    }
    took_s.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  const double total = std::chrono::duration<double>(Clock::now() - start).count();
  close(fd);
  std::sort(took_s.begin(), took_s.end());
  std::printf(
      "BENCH_DISK_READ reads=%zu seconds=%.2f reads_per_s=%.0f p50_ms=%.2f p99_ms=%.2f "
      "max_ms=%.2f\n",
      took_s.size(), total, static_cast<double>(took_s.size()) / total,
      percentile_ms(took_s, 0.5), percentile_ms(took_s, 0.99), took_s.back() * 1e3);
  return 0;
}
