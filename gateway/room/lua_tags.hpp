#pragma once
#include <array>

#include "gateway/server/script_tags.hpp"

namespace guichet::room {

/// The waiting room's scripts' refusals and what each tells the fan (a tag that is not here is
/// a success, handled by its route, or one whose answer needs the room's config: `outside`,
/// `pow_replayed`, `other_slot`).
inline constexpr std::array<server::script_tag, 1> room_join_refusals{{
    {"closed", errc::room_closed, {{{"status"}}}},
}};

inline constexpr std::array<server::script_tag, 3> room_admit_refusals{{
    {"not_yet", errc::not_yet, {}, 1},
    {"full", errc::room_full, {}, 5},
    {"closed", errc::room_closed, {{{"status"}}}},
}};

}  // namespace guichet::room
