#pragma once
#include <string_view>

#include "gateway/http_types.hpp"

namespace guichet {

/// The token of an "Authorization: Bearer <token>" header, or "" when there is none.
std::string_view bearer_token(const request& req);

/// True when the request carries the admin key (compared in constant time). An empty
/// configured key admits no one.
bool is_admin(const request& req, std::string_view admin_key);

}  // namespace guichet
