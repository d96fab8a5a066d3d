#pragma once
#include <array>

#include "gateway/server/script_tags.hpp"

namespace guichet::checkout {

/// The checkout scripts' refusals and what each tells the shopper (successes, `held` and
/// `confirmed`, `released`, `expired` of a release, are handled by their routes).
inline constexpr std::array<server::script_tag, 7> hold_refusals{{
    {"sold_out", errc::sold_out, {{{"session"}, {"category"}, {"available", false}}}},
    {"limit_session", errc::limit_session, {{{"session"}, {"left", false}}}},
    {"limit_ceremony", errc::limit_ceremony, {{{"session"}, {"left", false}}}},
    {"limit_account", errc::limit_account, {{{"left", false}}}},
    {"unknown_category", errc::unknown_category, {{{"session"}, {"category"}}}, 0,
     "this category is not on sale (inventory not loaded)"},
    {"session_expired", errc::session_expired},
    {"idempotency_mismatch", errc::idempotency_mismatch},
}};

inline constexpr std::array<server::script_tag, 3> confirm_refusals{{
    {"not_found", errc::hold_not_found},
    {"expired", errc::hold_expired},
    {"released", errc::hold_released},
}};

inline constexpr std::array<server::script_tag, 2> release_refusals{{
    {"not_found", errc::hold_not_found},
    {"confirmed", errc::hold_confirmed},
}};

}  // namespace guichet::checkout
