#include "loadtest/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace guichet::loadtest {
namespace {

TEST(histogram, quantiles_within_three_percent_of_the_exact_ones) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> d(7.0, 1.5);  // µs: a long tail, like latencies
  std::vector<std::uint64_t> v;
  histogram h;
  for (int i = 0; i < 200'000; ++i) {
    auto x = static_cast<std::uint64_t>(d(rng));
    v.push_back(x);
    h.record(x);
  }
  std::sort(v.begin(), v.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    auto exact = static_cast<double>(v[static_cast<std::size_t>(q * static_cast<double>(v.size())) - 1]);
    EXPECT_NEAR(static_cast<double>(h.quantile(q)), exact, exact * 0.03 + 1) << "q=" << q;
  }
  EXPECT_EQ(h.quantile(1.0), v.back());
  EXPECT_EQ(h.max(), v.back());
  EXPECT_EQ(h.min(), v.front());
  EXPECT_EQ(h.count(), v.size());
}

TEST(histogram, small_values_are_exact_and_merge_adds) {
  histogram a, b;
  for (std::uint64_t x = 0; x < 32; ++x) a.record(x);
  EXPECT_EQ(a.quantile(0.5), 15u);
  b.record(1'000'000);
  a.merge(b);
  EXPECT_EQ(a.count(), 33u);
  EXPECT_EQ(a.max(), 1'000'000u);
  a.reset();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.quantile(0.99), 0u);
}

}  // namespace
}  // namespace guichet::loadtest
