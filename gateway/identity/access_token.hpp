#pragma once
#include <cstdint>
#include <string_view>

#include "core/token.hpp"
#include "gateway/http/request.hpp"

namespace guichet::identity {

/// The request's access token (its bearer token), verified with `keys` (signature, expiry at
/// `now_ms`, system clock) and scoped: it must be for `edition` and, unless `phase` is empty,
/// for `phase` (else 403 token_scope).
token_result<access_claims> access_token(const http::request& req, token_keyring& keys, std::int64_t now_ms,
                                         std::string_view edition, std::string_view phase);

}  // namespace guichet::identity
