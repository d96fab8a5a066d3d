#pragma once
#include "gateway/server/handler.hpp"

namespace guichet::ops {

/// GET /healthz (alive), GET /readyz (Redis up with scripts loaded on every worker), GET /metrics.
void add_ops_routes(server::route_table& t);

}  // namespace guichet::ops
