#pragma once
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/errc.hpp"
#include "gateway/http/request.hpp"

namespace guichet::http {

using response = http::response<http::string_body>;

/// The policy every answer carries (pages, assets, JSON and errors alike): scripts, styles and
/// requests only from the gateway's own origin, nothing inline, no framing.
inline constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/// The security headers every answer carries, as lines: Content-Security-Policy,
/// X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer.
const std::string& security_header_lines();

/// What a handler returns: a response; or the complete bytes of one already serialised (a
/// cached answer that is the same for everyone, written as is: no header building, no copy); or
/// a JSON body the handler wrote into its reused output string (the session writes its head).
/// An error answer carries its `errc`, from which its body was rendered and by which the
/// session counts it.
struct reply {
  reply() = default;  ///< no answer yet (an exchange between requests)
  reply(response r) : res(std::move(r)) {}  // NOLINT: every handler returns responses this way
  static reply prebuilt(std::shared_ptr<const std::string> bytes, int status) {
    reply r;
    r.raw = std::move(bytes);
    r.status = status;
    return r;
  }
  static reply json(http::status status) {
    reply r;
    r.json_in_out = true;
    r.status = static_cast<int>(status);
    return r;
  }
  /// No answer again (an exchange reused for the next request). Field by field: assigning a
  /// fresh reply instead trips GCC 12's -Wmaybe-uninitialized in the TSan build.
  void clear() {
    res.reset();
    raw.reset();
    json_in_out = false;
    status = 0;
    error = errc::ok;
  }
  /// A response built field by field; the fast answers (prebuilt, json) have none: building and
  /// moving an empty Beast message costs a poll as much as routing it.
  std::optional<response> res;
  std::shared_ptr<const std::string> raw;
  bool json_in_out = false;
  int status = 0;         ///< of a prebuilt or json answer
  errc error = errc::ok;  ///< what an error answer says (its body's "code")
};

/// A JSON response with the usual headers.
response json_response(unsigned version, http::status status, std::string body);

/// The one shape of every error: {"error":{"code":"...","message":"...",<extra>}}, rendered from
/// `e` through the errc table. `extra` is zero or more already-encoded JSON members
/// ("\"left\":3"), `message` overrides the table's. 429 and 503 carry Retry-After.
reply error_response(unsigned version, errc e, std::string_view extra = {}, std::string_view message = {},
                     unsigned retry_after_s = 1);

}  // namespace guichet::http
