#pragma once
#include "core/config.hpp"
#include "gateway/redis/reply.hpp"

namespace guichet::server {
class worker;
}

namespace guichet::checkout {

/// Counts a settled hold (confirmed, released, expired) in its phase's counters. The confirm and
/// release scripts mark a change of state made now with "now", followed by the hold's phase and
/// items; a repeat answers without them and counts nothing.
void count_settlement(server::worker& w, const edition_config& e, const redis::redis_reply& answer);

}  // namespace guichet::checkout
