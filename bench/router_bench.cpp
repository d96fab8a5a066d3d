#include <benchmark/benchmark.h>

#include "gateway/http/router.hpp"

namespace {

guichet::http::router make() {
  using guichet::http::verb;
  guichet::http::router r;
  r.add(verb::get, "/healthz", "healthz");
  r.add(verb::get, "/readyz", "readyz");
  r.add(verb::get, "/metrics", "metrics");
  r.add(verb::get, "/rooms/{edition}/{phase}/state", "room_state");
  r.add(verb::get, "/rooms/{edition}/{phase}/position", "position");
  r.add(verb::post, "/rooms/{edition}/{phase}/join", "join");
  r.add(verb::post, "/rooms/{edition}/{phase}/admit", "admit");
  r.add(verb::post, "/editions/{edition}/holds", "hold");
  r.add(verb::get, "/editions/{edition}/holds/{id}", "get_hold");
  r.add(verb::delete_, "/editions/{edition}/holds/{id}", "release");
  return r;
}

void route_match(benchmark::State& state, const char* target) {
  auto r = make();
  for (auto _ : state) {
    guichet::http::path_params p;
    auto m = r.find(guichet::http::verb::get, target, p);
    benchmark::DoNotOptimize(m.route);
  }
  state.counters["matches"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(route_match, healthz, "/healthz");
BENCHMARK_CAPTURE(route_match, room_state, "/rooms/paris2024-olympics/packs/state");
BENCHMARK_CAPTURE(route_match, get_hold, "/editions/paris2024-olympics/holds/h-123456");

}  // namespace
