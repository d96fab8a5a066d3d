#include <benchmark/benchmark.h>

#include "core/rate_guard.hpp"

namespace {

guichet::rate_guard& table() {
  static guichet::rate_guard g(1 << 20);
  return g;
}

// Many accounts, each well under its budget: the common case of the guard in front of Redis.
void guard_acquire(benchmark::State& state) {
  auto& g = table();
  std::uint64_t i = static_cast<std::uint64_t>(state.thread_index()) << 40;
  std::uint64_t now = 1000;
  for (auto _ : state) {
    auto key = ((++i) % 100'000) * 0x9e3779b97f4a7c15ULL + 1;
    benchmark::DoNotOptimize(g.acquire(key, now + (i >> 10), 1'000'000, 1'000'000));
  }
  state.counters["ops"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(guard_acquire)->Threads(1)->Threads(2);

// One hot key hammered by every thread: the double-click / bot case, maximum contention.
void guard_hot_key(benchmark::State& state) {
  auto& g = table();
  for (auto _ : state) benchmark::DoNotOptimize(g.acquire(42, 1000, 10, 10));
  state.counters["ops"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(guard_hot_key)->Threads(1)->Threads(2);

void guard_key_hash(benchmark::State& state) {
  const char ip[16] = "198.51.100.7";
  for (auto _ : state) benchmark::DoNotOptimize(guichet::guard_key(ip, sizeof ip));
}
BENCHMARK(guard_key_hash);

}  // namespace
