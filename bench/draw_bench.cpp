#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdio>

#include "core/draw.hpp"

namespace {

// N registrants, 1 in 10 in the "club" group; club slots for 5% of N, open slots for 20%.
std::vector<guichet::registrant> make(std::int64_t n) {
  std::vector<guichet::registrant> r;
  r.reserve(static_cast<std::size_t>(n));
  char id[24];
  for (std::int64_t i = 0; i < n; ++i) {
    // Unsorted ids, as registrations come out of Redis.
    std::snprintf(id, sizeof id, "f%010llu", static_cast<unsigned long long>((i * 2654435761ULL) % 10'000'000'019ULL));
    r.push_back({id, i % 10 == 0 ? std::vector<std::string>{"club"} : std::vector<std::string>{}});
  }
  return r;
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

void draw_canonicalise(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto r = make(state.range(0));
    state.ResumeTiming();
    benchmark::DoNotOptimize(guichet::canonicalise(r));
  }
  state.counters["registrants"] = benchmark::Counter(static_cast<double>(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}

void draw_run(benchmark::State& state) {
  auto r = make(state.range(0));
  guichet::canonicalise(r);
  const auto n = static_cast<std::uint64_t>(state.range(0));
  std::vector<guichet::draw_slot> slots{{"club-1", "club", n / 40}, {"club-2", "club", n / 40},
                                        {"all-1", "", n / 10}, {"all-2", "", n / 10}};
  std::array<std::uint8_t, 32> seed{};
  seed[0] = 42;
  std::size_t winners = 0;
  for (auto _ : state) {
    guichet::draw_stream s(seed);
    auto res = guichet::run_draw(r, slots, s);
    winners = res.winners.size();
    benchmark::DoNotOptimize(res);
  }
  state.counters["winners"] = static_cast<double>(winners);
  state.counters["registrants"] = benchmark::Counter(static_cast<double>(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}

BENCHMARK(draw_canonicalise)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(draw_run)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);
// The 10-million draw of the issue; run with --benchmark_filter=10000000 (about 1.5 GiB).
BENCHMARK(draw_canonicalise)->Arg(10'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(draw_run)->Arg(10'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
