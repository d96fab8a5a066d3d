#pragma once
#include <span>
#include <string>

#include "gateway/router.hpp"
#include "gateway/stats.hpp"

namespace guichet {

/// Renders the Prometheus text exposition (version 0.0.4) of all workers' stats.
std::string render_metrics(const router& routes, std::span<const worker_stats* const> workers);

}  // namespace guichet
