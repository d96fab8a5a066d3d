#include <benchmark/benchmark.h>

#include "core/checkout.hpp"

namespace {

const std::string body =
    R"({"items":[{"session":"ATH01","category":"A","quantity":2},{"session":"SWM01","category":"B","quantity":4},)"
    R"({"session":"FEN01","category":"A","quantity":1}]})";

void hold_body_parse(benchmark::State& state) {
  std::vector<guichet::hold_item> items;
  for (auto _ : state) {
    items.clear();
    benchmark::DoNotOptimize(guichet::parse_hold_items(body, items));
  }
  state.counters["bodies"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(hold_body_parse);

void hold_rules_and_fingerprint(benchmark::State& state) {
  guichet::edition_config e;
  e.sessions = {{"ATH01", "", "", "", "", false, {{"A", 10}}}, {"SWM01", "", "", "", "", false, {{"B", 10}}},
                {"FEN01", "", "", "", "", false, {{"A", 10}}}};
  guichet::phase_config p;
  p.rules = guichet::phase_rules::packs;
  std::vector<guichet::hold_item> parsed;
  guichet::parse_hold_items(body, parsed);
  for (auto _ : state) {
    auto items = parsed;
    benchmark::DoNotOptimize(guichet::check_hold(e, p, items));
    benchmark::DoNotOptimize(guichet::hold_fingerprint("packs", items));
  }
}
BENCHMARK(hold_rules_and_fingerprint);

}  // namespace
