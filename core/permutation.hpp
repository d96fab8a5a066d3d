#pragma once
#include <cstdint>

namespace guichet {

/// A keyed pseudo-random permutation of [0, n): a balanced Feistel network over the smallest
/// even bit width covering n, with cycle-walking to stay inside the domain. Used to shuffle the
/// pre-queue at a slot's opening: position = base + permute(local number). Bijective for every
/// key and n; the same key and n always give the same permutation.
class feistel_permutation {
 public:
  feistel_permutation(std::uint64_t key0, std::uint64_t key1, std::uint64_t n);
  /// x must be < n.
  std::uint64_t operator()(std::uint64_t x) const;
  std::uint64_t size() const { return n_; }

 private:
  std::uint64_t round(int r, std::uint64_t half) const;
  std::uint64_t encrypt(std::uint64_t x) const;
  std::uint64_t k0_, k1_, n_;
  unsigned half_bits_;
  std::uint64_t half_mask_;
};

}  // namespace guichet
