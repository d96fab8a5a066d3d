#pragma once
#include <atomic>
#include <cstdint>
#include <optional>

namespace guichet::base {

/// Counts the process's C++ heap allocations (every global operator new), so that /metrics can
/// show what a request costs in allocations (#12: the poll paths allocate nothing). The counting
/// operators live in gateway/app/heap_count_malloc.cpp, linked into the guichet binary only; a process without
/// them (the unit tests) reports nothing.
namespace heap_count {

/// One counter per thread, on its own cache line: written by its thread only, read by /metrics.
struct alignas(64) slot {
  std::atomic<std::uint64_t> n{0};
};
inline constexpr std::size_t kSlots = 256;
inline slot slots[kSlots];
/// Threads beyond kSlots share this one (an atomic add instead of a plain store).
inline slot shared;
inline std::atomic<std::size_t> next_slot{0};
inline std::atomic<bool> active{false};

inline void count() noexcept {
  thread_local slot* mine = [] {
    auto i = next_slot.fetch_add(1, std::memory_order_relaxed);
    return i < kSlots ? &slots[i] : nullptr;
  }();
  if (mine) {
    mine->n.store(mine->n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  } else {
    shared.n.fetch_add(1, std::memory_order_relaxed);
  }
}

/// Allocations so far, or nullopt when this process does not count them.
inline std::optional<std::uint64_t> total() noexcept {
  if (!active.load(std::memory_order_relaxed)) return std::nullopt;
  std::uint64_t sum = shared.n.load(std::memory_order_relaxed);
  for (auto& s : slots) sum += s.n.load(std::memory_order_relaxed);
  return sum;
}

}  // namespace heap_count
}  // namespace guichet::base
