#pragma once
#include <span>
#include <string>

#include "gateway/redis_connection.hpp"
#include "gateway/router.hpp"
#include "gateway/stats.hpp"

namespace guichet {

class jwks_watch;

/// Renders the Prometheus text exposition (version 0.0.4) of all workers' stats.
/// `primary` (optional) adds the Redis primary's address and the failovers seen; `identity`
/// (optional) the identity provider's keys in force and their reloads.
std::string render_metrics(const router& routes, std::span<const worker_stats* const> workers,
                           const redis_primary_view* primary = nullptr, const jwks_watch* identity = nullptr);

}  // namespace guichet
