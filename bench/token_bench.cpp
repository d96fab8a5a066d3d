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

// As a poll verifies: the claims are views into a buffer of the caller's, nothing copied.
void token_verify(benchmark::State& state) {
  auto t = ring.sign(claims);
  guichet::token_keyring::payload_buffer payload;
  for (auto _ : state) benchmark::DoNotOptimize(ring.verify_queue(t, now, payload));
  state.counters["tokens"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(token_verify);

// The claims copied into strings ("paris2024-olympics" is past std::string's inline 15
// characters: one allocation).
void token_verify_copied(benchmark::State& state) {
  auto t = ring.sign(claims);
  for (auto _ : state) benchmark::DoNotOptimize(ring.verify_queue(t, now));
  state.counters["tokens"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(token_verify_copied);

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

namespace {

// The identity provider's public-key tokens (docs/security.md): one verification each.
void jwt_verify_with(benchmark::State& state, guichet::jws_alg alg) {
  auto key = guichet::jws_generate_key(alg);
  auto store = std::make_shared<guichet::jwk_store>();
  store->replace(guichet::parse_jwks("{\"keys\":[" + guichet::jws_public_jwk(key.get(), alg, "idp-1") + "]}").set);
  guichet::jwt_verifier v("", store, {});
  auto t = guichet::sign_jwt(alg, key.get(), "idp-1", guichet::test::claims("fan-000123456", now / 1000 + 3600));
  if (!v.verify(t, now)) state.SkipWithError("the token does not verify");
  for (auto _ : state) benchmark::DoNotOptimize(v.verify(t, now));
  state.counters["tokens"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
void jwt_verify_rs256(benchmark::State& state) { jwt_verify_with(state, guichet::jws_alg::rs256); }
void jwt_verify_es256(benchmark::State& state) { jwt_verify_with(state, guichet::jws_alg::es256); }
BENCHMARK(jwt_verify_rs256);
BENCHMARK(jwt_verify_es256);

}  // namespace
