#include "loadtest/fairness.hpp"

#include <algorithm>
#include <cmath>

namespace guichet::loadtest {
namespace {

// Sorts v ascending, returns the number of inversions it had.
std::uint64_t count_inversions(std::vector<std::uint64_t>& v, std::vector<std::uint64_t>& tmp, std::size_t lo,
                               std::size_t hi) {
  if (hi - lo < 2) return 0;
  std::size_t mid = lo + (hi - lo) / 2;
  std::uint64_t n = count_inversions(v, tmp, lo, mid) + count_inversions(v, tmp, mid, hi);
  std::size_t i = lo, j = mid, k = lo;
  while (i < mid && j < hi) {
    if (v[j] < v[i]) {
      n += mid - i;
      tmp[k++] = v[j++];
    } else {
      tmp[k++] = v[i++];
    }
  }
  while (i < mid) tmp[k++] = v[i++];
  while (j < hi) tmp[k++] = v[j++];
  std::copy(tmp.begin() + static_cast<std::ptrdiff_t>(lo), tmp.begin() + static_cast<std::ptrdiff_t>(hi),
            v.begin() + static_cast<std::ptrdiff_t>(lo));
  return n;
}

}  // namespace

fairness measure_fairness(std::vector<admission> a) {
  fairness f;
  f.admitted = a.size();
  if (a.size() < 2) return f;
  std::stable_sort(a.begin(), a.end(), [](auto& x, auto& y) { return x.at_us < y.at_us; });
  std::vector<std::uint64_t> pos(a.size()), tmp(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) pos[i] = a[i].position;

  // Out of order: someone admitted later had a smaller position (scan from the latest).
  std::uint64_t min_later = UINT64_MAX;
  for (std::size_t i = a.size(); i-- > 0;) {
    if (min_later < pos[i]) ++f.out_of_order;
    min_later = std::min(min_later, pos[i]);
  }
  // Displacement: rank by time is i; rank by position from a sort of the positions.
  std::vector<std::size_t> by_pos(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) by_pos[i] = i;
  std::sort(by_pos.begin(), by_pos.end(), [&](auto x, auto y) { return pos[x] < pos[y]; });
  std::vector<std::uint64_t> disp(a.size());
  for (std::size_t rank = 0; rank < by_pos.size(); ++rank) {
    std::size_t t = by_pos[rank];
    disp[t] = t > rank ? t - rank : rank - t;
  }
  std::sort(disp.begin(), disp.end());
  f.max_displacement = disp.back();
  f.p99_displacement = disp[std::min(disp.size() - 1, static_cast<std::size_t>(std::ceil(0.99 * disp.size())) - 1)];

  f.inverted_pairs = count_inversions(pos, tmp, 0, pos.size());
  double n = static_cast<double>(a.size());
  f.kendall_tau = 1.0 - 4.0 * static_cast<double>(f.inverted_pairs) / (n * (n - 1.0));
  return f;
}

}  // namespace guichet::loadtest
