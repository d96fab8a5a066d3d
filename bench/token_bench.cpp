#include <benchmark/benchmark.h>

#include "core/jwt.hpp"
#include "core/token.hpp"
#include "tests/support/jwt_mint.hpp"

namespace {

const std::int64_t now = 1'700'000'000'000;
guichet::token_keyring ring({{"k1", "token-key-0123456789abcdef", 0}});
const guichet::queue_claims claims{"paris2024-olympics", "packs", "club-1", "fan-000123456", 'f', 1234567, now + 3'600'000};

void token_sign(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ring.sign(claims));
  state.counters["tokens"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(token_sign);

void token_verify(benchmark::State& state) {
  auto t = ring.sign(claims);
  for (auto _ : state) benchmark::DoNotOptimize(ring.verify_queue(t, now));
  state.counters["tokens"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(token_verify);

void hmac_only(benchmark::State& state) {
  guichet::hmac_sha256 mac("token-key-0123456789abcdef");
  std::string payload = "q|k1|paris2024-olympics|packs|club-1|f|1234567|fan-000123456|1700003600000";
  for (auto _ : state) benchmark::DoNotOptimize(mac.sign(payload));
}
BENCHMARK(hmac_only);

void jwt_verify(benchmark::State& state) {
  const std::string key = "organiser-jwt-key-0123456789";
  guichet::jwt_verifier v(key);
  auto t = guichet::sign_jwt(key, guichet::test::claims("fan-000123456", now / 1000 + 3600, R"(,"groups":["club"])"));
  for (auto _ : state) benchmark::DoNotOptimize(v.verify(t, now));
  state.counters["tokens"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(jwt_verify);

}  // namespace
