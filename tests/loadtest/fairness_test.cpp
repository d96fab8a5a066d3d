#include "loadtest/fairness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace guichet::loadtest {
namespace {

TEST(fairness, queue_order_is_tau_one_and_reversed_is_minus_one) {
  std::vector<admission> in_order, reversed;
  for (std::uint64_t p = 0; p < 1000; ++p) {
    in_order.push_back({p, static_cast<std::int64_t>(p * 10)});
    reversed.push_back({p, static_cast<std::int64_t>((1000 - p) * 10)});
  }
  auto f = measure_fairness(in_order);
  EXPECT_DOUBLE_EQ(f.kendall_tau, 1.0);
  EXPECT_EQ(f.inverted_pairs, 0u);
  EXPECT_EQ(f.out_of_order, 0u);
  EXPECT_EQ(f.max_displacement, 0u);
  auto r = measure_fairness(reversed);
  EXPECT_DOUBLE_EQ(r.kendall_tau, -1.0);
  EXPECT_EQ(r.inverted_pairs, 1000u * 999u / 2u);
  EXPECT_EQ(r.out_of_order, 999u);
  EXPECT_EQ(r.max_displacement, 999u);
}

TEST(fairness, one_swap_counts_one_pair_and_matches_brute_force) {
  std::vector<admission> a{{0, 0}, {2, 1}, {1, 2}, {3, 3}};
  auto f = measure_fairness(a);
  EXPECT_EQ(f.inverted_pairs, 1u);
  EXPECT_EQ(f.out_of_order, 1u);  // position 2 went before position 1
  EXPECT_EQ(f.max_displacement, 1u);

  std::mt19937_64 rng(3);
  std::vector<admission> shuffled;
  for (std::uint64_t p = 0; p < 300; ++p) shuffled.push_back({p, static_cast<std::int64_t>(rng() % 100000)});
  std::uint64_t brute = 0;
  for (auto& x : shuffled)
    for (auto& y : shuffled)
      if (x.position < y.position && x.at_us > y.at_us) ++brute;
  EXPECT_EQ(measure_fairness(shuffled).inverted_pairs, brute);
}

}  // namespace
}  // namespace guichet::loadtest
