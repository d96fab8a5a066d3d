#include <benchmark/benchmark.h>

#include "core/permutation.hpp"
#include "core/room.hpp"

namespace {

// A pre-queue fan's position: one Feistel evaluation over a block of a million fans.
void position_pre_queue(benchmark::State& state) {
  guichet::room_state s;
  s.serving = 10'000;
  s.rate = 50;
  s.slots.push_back({true, 1'000'000, 0, 0x1234, 0x5678});
  guichet::queue_claims q{"e", "p", "s", "a", 'p', 0, 0};
  for (auto _ : state) {
    q.number = (q.number + 7919) % 1'000'000;
    benchmark::DoNotOptimize(guichet::locate(q, 0, s));
  }
  state.counters["positions"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(position_pre_queue);

void position_fifo(benchmark::State& state) {
  guichet::room_state s;
  s.serving = 10'000;
  s.rate = 50;
  guichet::queue_claims q{"e", "p", "s", "a", 'f', 20'000, 0};
  for (auto _ : state) benchmark::DoNotOptimize(guichet::locate(q, 0, s));
}
BENCHMARK(position_fifo);

}  // namespace
