#pragma once
#include <string>
#include <string_view>

#include "core/errc.hpp"
#include "gateway/http_types.hpp"

namespace guichet {

/// A JSON response with the usual headers.
response json_response(unsigned version, http::status status, std::string body);

/// The one shape of every error: {"error":{"code":"...","message":"...",<extra>}}. `extra` is
/// zero or more already-encoded JSON members ("\"left\":3"), `message` overrides the table's.
/// 429 and 503 carry Retry-After.
response error_response(unsigned version, errc e, std::string_view extra = {}, std::string_view message = {},
                        unsigned retry_after_s = 1);

}  // namespace guichet
