#pragma once
#include "gateway/server/handler.hpp"

namespace guichet::checkout {

/// Checkout: create/get/confirm/release holds, and the public availability. See README
/// "Checkout".
void add_checkout_routes(server::route_table& t);

}  // namespace guichet::checkout
