#pragma once
#include <span>
#include <string>

#include "gateway/redis_connection.hpp"
#include "gateway/router.hpp"
#include "gateway/stats.hpp"

namespace guichet {

class jwks_watch;
class room_cache;
class inventory;

/// Renders the Prometheus text exposition (version 0.0.4) of all workers' stats.
/// `primary` (optional) adds the Redis primary's address and the failovers seen; `identity`
/// (optional) the identity provider's keys in force and their reloads.
std::string render_metrics(const router& routes, std::span<const worker_stats* const> workers,
                           const redis_primary_view* primary = nullptr, const jwks_watch* identity = nullptr);

/// Appends every room's state as this worker last read it from Redis (the same for every worker
/// and gateway, a refresh apart): fans waiting, serving, admit rate, shoppers vs ceiling, status,
/// stock; and every loaded category's seats (available, held, sold).
void render_room_metrics(std::string& out, const room_cache& rooms, const inventory& stock);

/// Appends each sales phase's events, summed over the workers: draw registrations, admissions,
/// holds created / confirmed / released / expired, tickets sold.
void render_phase_metrics(std::string& out, const config& cfg, std::span<const worker_stats* const> workers);

/// Appends process_* (CPU, RSS, open fds, start time, from /proc/self) and guichet_build_info.
void render_process_metrics(std::string& out);

}  // namespace guichet
