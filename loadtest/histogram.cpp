#include "loadtest/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace guichet::loadtest {
namespace {

constexpr int sub_bits = 5;
constexpr std::uint64_t sub_count = 1u << sub_bits;

std::size_t index_of(std::uint64_t v) {
  if (v < sub_count) return static_cast<std::size_t>(v);
  int shift = std::bit_width(v) - 1 - sub_bits;
  return static_cast<std::size_t>((shift + 1) * sub_count + ((v >> shift) - sub_count));
}

std::uint64_t upper_bound_of(std::size_t i) {
  if (i < sub_count) return i;
  std::uint64_t shift = i / sub_count - 1, mantissa = i % sub_count + sub_count;
  return ((mantissa + 1) << shift) - 1;
}

}  // namespace

histogram::histogram() : buckets_((64 - sub_bits + 1) * sub_count, 0) {}

void histogram::record(std::uint64_t us) {
  ++buckets_[index_of(us)];
  ++count_;
  sum_ += us;
  max_ = std::max(max_, us);
  min_ = std::min(min_, us);
}

void histogram::merge(const histogram& o) {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
  count_ += o.count_;
  sum_ += o.sum_;
  max_ = std::max(max_, o.max_);
  min_ = std::min(min_, o.min_);
}

void histogram::reset() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = sum_ = max_ = 0;
  min_ = UINT64_MAX;
}

std::uint64_t histogram::quantile(double q) const {
  if (count_ == 0) return 0;
  if (q >= 1.0) return max_;
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(upper_bound_of(i), max_);
  }
  return max_;
}

}  // namespace guichet::loadtest
