#include "core/rate_guard.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace guichet {
namespace {

TEST(rate_guard, burst_then_refill) {
  rate_guard g(64);
  const std::uint64_t key = guard_key("1.2.3.4", 7);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(g.acquire(key, 1000, 10, 5), 0u) << i;
  auto wait = g.acquire(key, 1000, 10, 5);
  EXPECT_EQ(wait, 100u);  // 10/s: the next token in 100 ms
  EXPECT_NE(g.acquire(key, 1050, 10, 5), 0u);
  EXPECT_EQ(g.acquire(key, 1100, 10, 5), 0u);
  // Another key has its own bucket.
  EXPECT_EQ(g.acquire(guard_key("5.6.7.8", 7), 1100, 10, 5), 0u);
  // rate 0 = off.
  for (int i = 0; i < 100; ++i) EXPECT_EQ(g.acquire(key, 1100, 0, 0), 0u);
}

TEST(rate_guard, concurrent_threads_never_exceed_the_bucket) {
  rate_guard g(1024);
  std::atomic<int> allowed{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i)
        for (std::uint64_t k = 1; k <= 4; ++k)
          if (g.acquire(k * 0x9e3779b97f4a7c15ULL, 5000, 1, 100) == 0) allowed.fetch_add(1);
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(allowed.load(), 4 * 100);  // frozen clock: exactly the burst of each of 4 keys
}

TEST(rate_guard, full_probe_window_fails_open) {
  rate_guard g(16);  // tiny table: 16 slots, 8 probes
  int allowed = 0;
  for (std::uint64_t k = 1; k <= 64; ++k) allowed += g.acquire(k, 1000, 1, 1) == 0;
  EXPECT_EQ(allowed, 64);  // first token for each key, whether tracked or not
  EXPECT_GT(g.full_probes(), 0u);
}

}  // namespace
}  // namespace guichet
