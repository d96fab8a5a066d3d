#pragma once
#include "gateway/server/handler.hpp"

namespace guichet::room {

/// The waiting room: state (public, CDN-cacheable), join, position, admit, heartbeat, and the
/// admin knobs. See docs/waiting-room.md.
void add_room_routes(server::route_table& t);

}  // namespace guichet::room
