#pragma once
#include "gateway/http_types.hpp"

namespace guichet {

/// The waiting room: state (public, CDN-cacheable), join, position, admit, heartbeat, and the
/// admin knobs. See README "Waiting room".
void add_room_routes(route_table& t);

}  // namespace guichet
