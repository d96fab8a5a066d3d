#include "core/permutation.hpp"

#include <bit>

namespace guichet {
namespace {
constexpr int kRounds = 6;

std::uint64_t mix(std::uint64_t z) {  // splitmix64 finaliser
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

feistel_permutation::feistel_permutation(std::uint64_t key0, std::uint64_t key1, std::uint64_t n)
    : k0_(key0), k1_(key1), n_(n) {
  unsigned bits = n <= 1 ? 2 : static_cast<unsigned>(std::bit_width(n - 1));
  if (bits < 2) bits = 2;
  if (bits % 2) ++bits;
  half_bits_ = bits / 2;
  half_mask_ = half_bits_ >= 64 ? ~0ULL : (1ULL << half_bits_) - 1;
}

std::uint64_t feistel_permutation::round(int r, std::uint64_t half) const {
  return mix(half ^ mix(k0_ + static_cast<std::uint64_t>(r) * 0x9e3779b97f4a7c15ULL) ^ k1_) & half_mask_;
}

std::uint64_t feistel_permutation::encrypt(std::uint64_t x) const {
  std::uint64_t l = x >> half_bits_, r = x & half_mask_;
  for (int i = 0; i < kRounds; ++i) {
    std::uint64_t t = l ^ round(i, r);
    l = r;
    r = t;
  }
  return (l << half_bits_) | r;
}

std::uint64_t feistel_permutation::operator()(std::uint64_t x) const {
  if (n_ <= 1) return 0;
  // Cycle-walking: the domain is at most 4n, so the expected number of steps is below 4.
  do x = encrypt(x);
  while (x >= n_);
  return x;
}

}  // namespace guichet
