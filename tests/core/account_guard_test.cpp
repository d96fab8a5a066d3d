#include "core/account_guard.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/rate_guard.hpp"

namespace guichet {
namespace {

TEST(account_guard, bounds_in_flight_per_account) {
  account_guard g(64);
  auto a = guard_key("fan-a", 5), b = guard_key("fan-b", 5);
  long s1 = g.enter(a, 2, 100), s2 = g.enter(a, 2, 100);
  EXPECT_GE(s1, 0);
  EXPECT_GE(s2, 0);
  EXPECT_EQ(g.enter(a, 2, 100), -1);  // a third at once: refused
  EXPECT_GE(g.enter(b, 2, 100), 0);   // another account is unaffected
  g.leave(s1);
  long s3 = g.enter(a, 2, 100);
  EXPECT_GE(s3, 0);
}

TEST(account_guard, remembers_capped_accounts_until_the_deadline) {
  account_guard g(64);
  auto a = guard_key("fan-a", 5);
  EXPECT_FALSE(g.capped(a, 100));
  g.mark_capped(a, 110, 100);
  EXPECT_TRUE(g.capped(a, 109));
  EXPECT_FALSE(g.capped(a, 110));
}

TEST(account_guard, concurrent_threads_never_exceed_the_bound) {
  account_guard g(1024);
  std::atomic<int> inside{0}, worst{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 20'000; ++i) {
        long s = g.enter(42, 3, 1);
        if (s < 0) continue;
        int now = ++inside;
        int w = worst.load();
        while (now > w && !worst.compare_exchange_weak(w, now)) {
        }
        --inside;
        g.leave(s);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_LE(worst.load(), 3);
  EXPECT_GE(worst.load(), 1);
  EXPECT_GE(g.enter(42, 3, 1), 0);  // every place was given back
}

}  // namespace
}  // namespace guichet
