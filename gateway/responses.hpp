#pragma once
#include <string>
#include <string_view>

#include "core/errc.hpp"
#include "gateway/http_types.hpp"

namespace guichet {

/// The policy every answer carries (pages, assets, JSON and errors alike): scripts, styles and
/// requests only from the gateway's own origin, nothing inline, no framing.
inline constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/// The security headers every answer carries, as lines: Content-Security-Policy,
/// X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer.
const std::string& security_header_lines();

/// A JSON response with the usual headers.
response json_response(unsigned version, http::status status, std::string body);

/// The one shape of every error: {"error":{"code":"...","message":"...",<extra>}}. `extra` is
/// zero or more already-encoded JSON members ("\"left\":3"), `message` overrides the table's.
/// 429 and 503 carry Retry-After.
response error_response(unsigned version, errc e, std::string_view extra = {}, std::string_view message = {},
                        unsigned retry_after_s = 1);

}  // namespace guichet
