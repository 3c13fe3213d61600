// ShortReadGate: when short reads leave the I/O thread for the worker pool, and when they return.
#include "http/short_reads.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace jiceng::http {
namespace {

using namespace std::chrono_literals;
using Clock = ShortReadGate::Clock;

// The calling thread's disk reads so far, as getrusage counts them.
struct Disk {
  std::uint64_t total = 0;
  int asked = 0;
  ShortReadGate::DiskReads probe() {
    return [this] {
      ++asked;
      return total;
    };
  }
};

TEST(ShortReadGate, AReadWithinItsBudgetStaysInlineAskingTheDiskOnceAtItsStart) {
  Disk disk;
  ShortReadGate gate(5ms, 1000ms, disk.probe());
  const Clock::time_point t0{};
  EXPECT_FALSE(gate.pooled(t0));
  const auto start = gate.begin(t0);
  disk.total += 5;
  EXPECT_FALSE(gate.observe(start, t0 + 5ms));
  EXPECT_FALSE(gate.pooled(t0 + 5ms));
  EXPECT_EQ(disk.asked, 1);
}

TEST(ShortReadGate, ALongReadThatReadNothingFromTheDiskStaysInline) {
  Disk disk;
  ShortReadGate gate(5ms, 1000ms, disk.probe());
  const Clock::time_point t0{};
  EXPECT_FALSE(gate.observe(gate.begin(t0), t0 + 40ms));  // preempted, say
  EXPECT_FALSE(gate.pooled(t0 + 40ms));
  EXPECT_EQ(disk.asked, 2);
}

// What the thread read from the disk before a read began (another request, the cache warming
// after a start) is not that read's doing: a read slowed by preemption stays inline. Before,
// the count was taken since the thread last asked, and under load nearly every short read of a
// warm 1,000,000-case store ran on the pool.
TEST(ShortReadGate, DiskReadsBeforeAReadBeganDoNotCount) {
  Disk disk;
  ShortReadGate gate(5ms, 1000ms, disk.probe());
  const Clock::time_point t0{};
  disk.total = 40;
  EXPECT_FALSE(gate.observe(gate.begin(t0), t0 + 40ms));
  EXPECT_FALSE(gate.pooled(t0 + 40ms));
}

TEST(ShortReadGate, AReadThatWaitedForTheDiskSendsReadsToThePoolForTheHold) {
  Disk disk;
  ShortReadGate gate(5ms, 1000ms, disk.probe());
  const Clock::time_point t0{};
  auto start = gate.begin(t0);
  disk.total += 2;
  EXPECT_TRUE(gate.observe(start, t0 + 30ms));
  EXPECT_TRUE(gate.pooled(t0 + 30ms));
  EXPECT_TRUE(gate.pooled(t0 + 1029ms));
  EXPECT_FALSE(gate.pooled(t0 + 1030ms));
  // A later slow read extends the hold; an earlier one, observed late, does not shorten it.
  start = gate.begin(t0 + 490ms);
  disk.total += 1;
  EXPECT_TRUE(gate.observe(start, t0 + 500ms));
  EXPECT_TRUE(gate.pooled(t0 + 1499ms));
  start = gate.begin(t0 + 100ms);
  disk.total += 1;
  EXPECT_TRUE(gate.observe(start, t0 + 110ms));
  EXPECT_TRUE(gate.pooled(t0 + 1499ms));
  EXPECT_FALSE(gate.pooled(t0 + 1500ms));
}

TEST(ShortReadGate, ABudgetOfZeroKeepsEveryReadInline) {
  Disk disk;
  ShortReadGate gate(0ms, 1000ms, disk.probe());
  const Clock::time_point t0{};
  const auto start = gate.begin(t0);
  disk.total += 9;
  EXPECT_FALSE(gate.observe(start, t0 + 10s));
  EXPECT_FALSE(gate.pooled(t0 + 1s));
  EXPECT_EQ(disk.asked, 0);
}

// The default count: reading a file whose pages were dropped from the page cache is a read from
// the disk; reading it again, from memory, is not.
TEST(ShortReadGate, TheThreadsDiskReadsCountAReadOfPagesNotInMemory) {
  const std::filesystem::path dir = JICENG_BINARY_DIR;
  struct statfs fs {};
  ASSERT_EQ(statfs(dir.c_str(), &fs), 0);
  if (fs.f_type == 0x01021994) GTEST_SKIP() << "tmpfs: no disk to read from";  // TMPFS_MAGIC
  const auto path = dir / "short_reads_test.bin";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  std::vector<char> block(1 << 20, 'x');
  ASSERT_EQ(::write(fd, block.data(), block.size()), static_cast<ssize_t>(block.size()));
  ASSERT_EQ(::fsync(fd), 0);
  ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  const std::uint64_t before = ShortReadGate::thread_disk_reads();
  ASSERT_EQ(::pread(fd, block.data(), block.size(), 0), static_cast<ssize_t>(block.size()));
  const std::uint64_t cold = ShortReadGate::thread_disk_reads();
  EXPECT_GT(cold, before);
  ASSERT_EQ(::pread(fd, block.data(), block.size(), 0), static_cast<ssize_t>(block.size()));
  EXPECT_EQ(ShortReadGate::thread_disk_reads(), cold);
  ::close(fd);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace jiceng::http
