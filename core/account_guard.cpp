#include "core/account_guard.hpp"

#include <algorithm>
#include <bit>

namespace guichet {

account_guard::account_guard(std::size_t slots)
    : slots_(new slot[std::bit_ceil(std::max<std::size_t>(slots, 16))]),
      mask_(std::bit_ceil(std::max<std::size_t>(slots, 16)) - 1) {}

// A slot is free to reuse when nothing is in flight and its cap memory has lapsed.
long account_guard::find(std::uint64_t key, std::uint32_t now_s, bool claim) const {
  for (int i = 0; i < kProbes; ++i) {
    std::size_t idx = (key + static_cast<std::uint64_t>(i)) & mask_;
    slot& s = slots_[idx];
    std::uint64_t k = s.key.load(std::memory_order_acquire);
    if (k == key) return static_cast<long>(idx);
    if (!claim) continue;
    std::uint64_t st = s.state.load(std::memory_order_acquire);
    bool idle = static_cast<std::uint32_t>(st) == 0 && static_cast<std::uint32_t>(st >> 32) <= now_s;
    if (k != 0 && !idle) continue;
    if (s.key.compare_exchange_strong(k, key, std::memory_order_acq_rel) || k == key) return static_cast<long>(idx);
  }
  return -1;
}

long account_guard::enter(std::uint64_t key, std::uint32_t max, std::uint32_t now_s) {
  long idx = find(key, now_s, true);
  if (idx < 0) return -2;  // table crowded: fail open (the caller treats -2 as allowed, untracked)
  slot& s = slots_[static_cast<std::size_t>(idx)];
  std::uint64_t st = s.state.load(std::memory_order_relaxed);
  for (;;) {
    if (static_cast<std::uint32_t>(st) >= max) return -1;
    if (s.state.compare_exchange_weak(st, st + 1, std::memory_order_acq_rel)) return idx;
  }
}

void account_guard::leave(long idx) {
  if (idx >= 0) slots_[static_cast<std::size_t>(idx)].state.fetch_sub(1, std::memory_order_acq_rel);
}

void account_guard::mark_capped(std::uint64_t key, std::uint32_t until_s, std::uint32_t now_s) {
  long idx = find(key, now_s, true);
  if (idx < 0) return;
  slot& s = slots_[static_cast<std::size_t>(idx)];
  std::uint64_t st = s.state.load(std::memory_order_relaxed);
  while (!s.state.compare_exchange_weak(st, (std::uint64_t{until_s} << 32) | (st & 0xffffffffu),
                                         std::memory_order_acq_rel)) {
  }
}

bool account_guard::capped(std::uint64_t key, std::uint32_t now_s) const {
  long idx = find(key, now_s, false);
  if (idx < 0) return false;
  auto st = slots_[static_cast<std::size_t>(idx)].state.load(std::memory_order_acquire);
  return static_cast<std::uint32_t>(st >> 32) > now_s;
}

}  // namespace guichet
