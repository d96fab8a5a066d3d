#include "gateway/worker.hpp"

namespace guichet {

worker::worker(server& s, const config& c, std::size_t i)
    : srv(s), index(i), cfg(c), redis(std::make_unique<redis_connection>(io, cfg.redis, stats.redis)) {}

}  // namespace guichet
