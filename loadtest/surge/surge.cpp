// The face of the surge (surge.hpp): plan the crowd, run the registration, run the surge.
#include "loadtest/surge/fan_engine.hpp"

namespace guichet::loadtest {

bool surge_result::ok() const {
  for (auto& c : checks)
    if (c.failed) return false;
  return true;
}

draw_outcome plan_fans(const edition_config& e, const surge_options& o) {
  draw_outcome d;
  d.slot.assign(o.fans, -1);
  d.phase.assign(o.fans, 0);
  d.registered.assign(o.fans, 0);
  double total = 0;
  for (auto& [p, w] : o.mix) total += w;
  for (std::uint64_t i = 0; i < o.fans; ++i) {
    double u = fan_rng(o.seed, i, 3).uniform() * total;
    std::size_t k = 0;
    for (; k + 1 < o.mix.size(); ++k)
      if ((u -= o.mix[k].second) < 0) break;
    d.phase[i] = static_cast<std::uint8_t>(k);
    if (!e.find_phase(o.mix[k].first)->draw) d.slot[i] = 0;
  }
  return d;
}

void register_fans(const edition_config& e, const surge_options& o, const surge_secrets& s,
                   const net::ip::tcp::endpoint& target, draw_outcome& plan, recorder& rec, std::ostream& log) {
  fan_engine(e, o, s, target, plan, rec, log, true).run();
}

surge_result run_surge(const edition_config& e, const surge_options& o, const surge_secrets& s,
                       const net::ip::tcp::endpoint& target, const draw_outcome& plan, recorder& rec, std::ostream& log) {
  draw_outcome copy = plan;
  fan_engine engine(e, o, s, target, copy, rec, log, false);
  engine.run();
  return engine.result();
}

}  // namespace guichet::loadtest
