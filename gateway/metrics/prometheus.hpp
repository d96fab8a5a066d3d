#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "core/config.hpp"
#include "gateway/http/router.hpp"
#include "gateway/metrics/worker_stats.hpp"
#include "gateway/redis/primary_view.hpp"

namespace guichet::metrics {

/// The Prometheus text exposition (version 0.0.4) of /metrics, in sections: the machinery's
/// (HTTP, Redis, phases, process) here, each feature's beside it (room/, checkout/,
/// identity/), composed by ops/routes.cpp.

/// Appends a metric's # HELP and # TYPE lines.
void metric_head(std::string& out, const char* name, const char* type, const char* help);
/// Appends one sample: name{labels} value (no braces when `labels` is empty).
void metric_sample(std::string& out, const char* name, const std::string& labels, std::uint64_t v);

/// The HTTP and Redis sections of all workers' stats, and the expiry reaper's lag. `primary`
/// (optional) adds the Redis primary's address and the failovers seen.
std::string render_metrics(const http::router& routes, std::span<const worker_stats* const> workers,
                           const redis::redis_primary_view* primary = nullptr);

/// Appends each sales phase's events, summed over the workers: draw registrations, admissions,
/// holds created / confirmed / released / expired, tickets sold.
void render_phase_metrics(std::string& out, const config& cfg, std::span<const worker_stats* const> workers);

/// Appends process_* (CPU, RSS, open fds, start time, from /proc/self) and guichet_build_info.
void render_process_metrics(std::string& out);

}  // namespace guichet::metrics
