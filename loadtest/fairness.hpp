#pragma once
#include <cstdint>
#include <vector>

namespace guichet::loadtest {

/// One admission as a fan saw it: its queue position and when it got its access token.
struct admission {
  std::uint64_t position = 0;
  std::int64_t at_us = 0;
};

/// How closely admissions followed queue order. Fans poll with jitter, so a little disorder among
/// neighbours is the clients' doing; large displacements or a low tau would be the gateway's.
struct fairness {
  std::uint64_t admitted = 0;
  std::uint64_t inverted_pairs = 0;  ///< pairs admitted in the opposite order of their positions
  std::uint64_t out_of_order = 0;    ///< fans admitted before someone ahead of them in the queue
  double kendall_tau = 1.0;          ///< 1 = exactly queue order, 0 = no relation, -1 = reversed
  std::uint64_t max_displacement = 0;  ///< |rank by admission time - rank by position|, worst
  std::uint64_t p99_displacement = 0;
};

/// O(n log n): inversions by merge sort, displacement by two sorts.
fairness measure_fairness(std::vector<admission> admissions);

}  // namespace guichet::loadtest
