#include "gateway/server/worker.hpp"

#include "gateway/server/server.hpp"

namespace guichet::server {

worker::worker(server& s, const config& c, const identity::runtime_secrets& sec, std::size_t i)
    : srv(s),
      index(i),
      read_buffers(c.limits.header_bytes),
      cfg(c),
      redis(std::make_unique<redis::redis_connection>(io, cfg.redis, stats.redis, &s.redis_view())),
      secrets(sec),
      rng(std::random_device{}()) {
  if (!sec.token_keys.empty()) tokens = std::make_unique<token_keyring>(sec.token_keys);
  if (!sec.jwt_key.empty() || sec.jwks)
    jwt = std::make_unique<jwt_verifier>(sec.jwt_key, sec.jwks,
                                         jwt_policy{c.identity.issuer, c.identity.audience, c.identity.clock_skew.count()});
  std::size_t phases = 0;
  for (auto& e : c.editions) phases += e.phases.size();
  stats.phases = std::vector<metrics::worker_stats::phase_events>(phases);
  for (auto& [slot, make] : s.routes().states) {
    if (states_.size() <= slot) states_.resize(slot + 1);
    states_[slot] = make(*this);
    order_.push_back(slot);
  }
}

}  // namespace guichet::server
