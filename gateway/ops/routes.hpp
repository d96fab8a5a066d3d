#pragma once
#include "gateway/server/handler.hpp"

namespace guichet {

/// GET /healthz (alive), GET /readyz (Redis up with scripts loaded on every worker), GET /metrics.
void add_ops_routes(route_table& t);

}  // namespace guichet
