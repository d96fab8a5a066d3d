#pragma once
#include <string_view>

#include "gateway/http/request.hpp"

namespace guichet::http {

/// The token of an "Authorization: Bearer <token>" header, or "" when there is none.
std::string_view bearer_token(const request& req);

/// True when the request carries `key` as its bearer token (compared in constant time). An
/// empty key admits no one.
bool bearer_is(const request& req, std::string_view key);

/// True when the request carries the admin key: bearer_is(req, admin_key).
inline bool is_admin(const request& req, std::string_view admin_key) { return bearer_is(req, admin_key); }

}  // namespace guichet::http
