#pragma once
#include <span>
#include <string>

#include "gateway/redis_connection.hpp"
#include "gateway/router.hpp"
#include "gateway/stats.hpp"

namespace guichet {

/// Renders the Prometheus text exposition (version 0.0.4) of all workers' stats.
/// `primary` (optional) adds the Redis primary's address and the failovers seen.
std::string render_metrics(const router& routes, std::span<const worker_stats* const> workers,
                           const redis_primary_view* primary = nullptr);

}  // namespace guichet
