#pragma once
#include <string_view>

#include "core/token.hpp"
#include "gateway/http_types.hpp"

namespace guichet {

/// The token of an "Authorization: Bearer <token>" header, or "" when there is none.
std::string_view bearer_token(const request& req);

/// True when the request carries the admin key (compared in constant time). An empty
/// configured key admits no one.
bool is_admin(const request& req, std::string_view admin_key);

/// The request's access token, verified (signature, expiry) and scoped: it must be for
/// `edition` and, unless `phase` is empty, for `phase` (else 403 token_scope).
token_result<access_claims> access_token(request_context& c, std::string_view edition, std::string_view phase);

}  // namespace guichet
