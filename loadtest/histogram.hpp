#pragma once
#include <cstdint>
#include <vector>

namespace guichet::loadtest {

/// Latencies in microseconds, log-linear buckets (32 per power of two: every quantile is within
/// 3% of the true value), fixed memory whatever the count. Merging two is adding their buckets.
class histogram {
 public:
  histogram();
  void record(std::uint64_t us);
  void merge(const histogram& other);
  void reset();
  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  /// The smallest bucket bound below which a fraction q of the values lie (exact max for q = 1).
  std::uint64_t quantile(double q) const;

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0, sum_ = 0, max_ = 0, min_ = UINT64_MAX;
};

}  // namespace guichet::loadtest
