#pragma once
#include "gateway/server/handler.hpp"

namespace guichet {

/// The waiting room: state (public, CDN-cacheable), join, position, admit, heartbeat, and the
/// admin knobs. See docs/waiting-room.md.
void add_room_routes(route_table& t);

}  // namespace guichet
