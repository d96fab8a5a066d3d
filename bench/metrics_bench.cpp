#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "gateway/metrics/prometheus.hpp"

namespace {

// /metrics with 2 workers and 12 routes that all saw traffic.
void render_metrics(benchmark::State& state) {
  guichet::http::router r;
  for (int i = 0; i < 12; ++i) r.add(guichet::http::verb::get, "/r" + std::to_string(i), "route_" + std::to_string(i));
  std::vector<std::unique_ptr<guichet::metrics::worker_stats>> ws;
  std::vector<const guichet::metrics::worker_stats*> ptrs;
  for (int w = 0; w < 2; ++w) {
    ws.push_back(std::make_unique<guichet::metrics::worker_stats>());
    for (std::size_t route = 0; route < 12; ++route)
      for (int s : {200, 404, 409, 503}) ws.back()->record(route, s, 120 * route);
    ptrs.push_back(ws.back().get());
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto text = guichet::metrics::render_metrics(r, ptrs);
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["renders"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(render_metrics);

void record_request(benchmark::State& state) {
  auto w = std::make_unique<guichet::metrics::worker_stats>();
  std::uint64_t i = 0;
  for (auto _ : state) w->record(3, 200, ++i & 1023);
  state.counters["records"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(record_request);

}  // namespace
