#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

namespace guichet {

/// A fixed-size, lock-free open-addressing table of token buckets keyed by a 64-bit hash
/// (a client IP, an account). Shared by all worker threads; every operation is a few relaxed
/// atomic loads and one CAS. It only sheds load: when its probe window is full it lets the
/// request through (fail open), because the authority is always behind it.
class rate_guard {
 public:
  /// `slots` is rounded up to a power of two.
  explicit rate_guard(std::size_t slots);

  /// Takes one token from `key`'s bucket. `rate` tokens per second refill a bucket of `burst`.
  /// Returns 0 when allowed, else the milliseconds until a token is available.
  std::uint32_t acquire(std::uint64_t key, std::uint64_t now_ms, std::uint32_t rate,
                        std::uint32_t burst);

  std::uint64_t full_probes() const { return full_.load(std::memory_order_relaxed); }

 private:
  struct alignas(16) slot {
    std::atomic<std::uint64_t> key{0};
    // high 32 bits: last refill (ms, wrapping); low 32 bits: tokens in thousandths.
    std::atomic<std::uint64_t> bucket{0};
  };
  static constexpr int kProbes = 8;
  static constexpr std::uint64_t kStaleMs = 60'000;

  std::unique_ptr<slot[]> slots_;
  std::size_t mask_;
  std::atomic<std::uint64_t> full_{0};
};

/// A 64-bit mix of arbitrary bytes for table keys (never 0).
std::uint64_t guard_key(const void* data, std::size_t size);

}  // namespace guichet
