#pragma once
#include <array>
#include <atomic>
#include <cstdint>

namespace guichet::base {

/// A counter written by one worker thread and read by the /metrics writer on any thread.
struct counter {
  std::atomic<std::uint64_t> v{0};
  void add(std::uint64_t n = 1) { v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void sub(std::uint64_t n = 1) { v.store(v.load(std::memory_order_relaxed) - n, std::memory_order_relaxed); }
  std::uint64_t get() const { return v.load(std::memory_order_relaxed); }
};

/// Latency histogram bucket bounds, in microseconds.
/// The first ones resolve polls answered from memory (a state poll takes ~10-30 us end to end).
inline constexpr std::array<std::uint32_t, 16> kLatencyBucketsUs{
    10, 25, 50, 100, 250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 2'000'000};
/// A latency histogram written by one worker: per-bucket counts (not cumulative), count, sum.
struct latency_histogram {
  std::array<counter, kLatencyBucketsUs.size()> le;
  counter count;
  counter sum_us;
  void record(std::uint64_t micros) {
    for (std::size_t b = 0; b < kLatencyBucketsUs.size(); ++b)
      if (micros <= kLatencyBucketsUs[b]) { le[b].add(); break; }
    count.add();
    sum_us.add(micros);
  }
};

}  // namespace guichet::base
