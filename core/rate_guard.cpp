#include "core/rate_guard.hpp"

#include <algorithm>
#include <bit>

namespace guichet {

rate_guard::rate_guard(std::size_t slots)
    : slots_(new slot[std::bit_ceil(std::max<std::size_t>(slots, 16))]),
      mask_(std::bit_ceil(std::max<std::size_t>(slots, 16)) - 1) {}

std::uint32_t rate_guard::acquire(std::uint64_t key, std::uint64_t now_ms, std::uint32_t rate,
                                  std::uint32_t burst) {
  if (rate == 0) return 0;
  if (burst == 0) burst = rate;
  burst = std::min<std::uint32_t>(burst, 1'000'000);  // tokens are kept in thousandths in 32 bits
  const std::uint64_t cap = std::uint64_t{burst} * 1000;
  const auto now32 = static_cast<std::uint32_t>(now_ms);
  for (int i = 0; i < kProbes; ++i) {
    slot& s = slots_[(key + static_cast<std::uint64_t>(i)) & mask_];
    std::uint64_t k = s.key.load(std::memory_order_acquire);
    std::uint64_t b = s.bucket.load(std::memory_order_relaxed);
    if (k != key) {
      const bool stale = k != 0 && static_cast<std::uint32_t>(now32 - static_cast<std::uint32_t>(b >> 32)) > kStaleMs;
      if (k != 0 && !stale) continue;
      // Claim an empty or stale slot. Losing the race means someone else claimed it (maybe for
      // our key: look again). A claimed stale slot is reset to 0, which reads as a full bucket,
      // so no thread ever stores a bucket without a CAS.
      if (!s.key.compare_exchange_strong(k, key, std::memory_order_acq_rel)) {
        if (k != key) continue;
      } else if (stale) {
        s.bucket.compare_exchange_strong(b, 0, std::memory_order_relaxed);
      }
      b = s.bucket.load(std::memory_order_relaxed);
    }
    for (;;) {
      std::uint64_t tokens = cap;
      if (b != 0) {
        const std::uint64_t elapsed = static_cast<std::uint32_t>(now32 - static_cast<std::uint32_t>(b >> 32));
        tokens = std::min<std::uint64_t>(cap, (b & 0xffffffffu) + elapsed * rate);
      }
      if (tokens < 1000) return static_cast<std::uint32_t>((1000 - tokens + rate - 1) / rate);
      tokens -= 1000;
      // Time 0 is stored as 1 so that a used bucket is never 0 ("fresh").
      const std::uint64_t next = (std::uint64_t{now32 == 0 ? 1u : now32} << 32) | tokens;
      if (s.bucket.compare_exchange_weak(b, next, std::memory_order_relaxed)) return 0;
    }
  }
  full_.fetch_add(1, std::memory_order_relaxed);
  return 0;
}

std::uint64_t guard_key(const void* data, std::size_t size) {
  // FNV-1a then a final avalanche (splitmix64); keys only need to spread, not resist attack,
  // since a collision merely shares a bucket.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  h ^= h >> 30; h *= 0xbf58476d1ce4e5b9ULL; h ^= h >> 27; h *= 0x94d049bb133111ebULL; h ^= h >> 31;
  return h == 0 ? 1 : h;
}

}  // namespace guichet
