// Proof of work at the join (docs/security.md): what the gateway pays to check one, and what a
// fan's device pays to find one (hashes per second; a proof of b bits takes 2^b on average).
#include <benchmark/benchmark.h>

#include "core/pow.hpp"

namespace {

const std::string challenge = "Zm9vYmFyYmF6cXV4MTIzNA";
const std::string account = "fan-000123456";

void pow_verify(benchmark::State& state) {
  auto nonce = guichet::pow::solve(challenge, account, 16);
  for (auto _ : state) benchmark::DoNotOptimize(guichet::pow::verify(challenge, account, nonce, 16));
  state.counters["proofs"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(pow_verify);

// One solve of 12 bits (4,096 hashes on average; the nonce sequence differs per iteration).
void pow_solve_12_bits(benchmark::State& state) {
  std::uint64_t tried = 0, from = 0;
  for (auto _ : state) {
    auto n = guichet::pow::solve(challenge, account, 12, from);
    std::uint64_t found = std::stoull(n);
    tried += found - from + 1;
    from = found + 1;
  }
  state.counters["hashes_per_s"] = benchmark::Counter(static_cast<double>(tried), benchmark::Counter::kIsRate);
}
BENCHMARK(pow_solve_12_bits)->Unit(benchmark::kMillisecond);

}  // namespace
