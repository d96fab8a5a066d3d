#pragma once
#include <cstddef>
#include <string_view>
#include <system_error>

namespace guichet {

/// Every error a request can end in. The request path returns these as values; one table
/// (errc.cpp) gives each its HTTP status, stable machine-readable code and human message.
enum class errc {
  ok = 0,
  bad_request,
  malformed_json,
  not_found,
  method_not_allowed,
  not_implemented,
  request_timeout,
  body_too_large,
  unsupported_media_type,
  headers_too_large,
  rate_limited,
  too_many_connections,
  unavailable,
  outcome_unknown,
  overloaded,
  unauthorized,
  internal,
  // Identity and tokens
  token_missing,
  token_malformed,
  token_alg,
  token_signature,
  token_expired,
  token_unknown_key,
  token_issuer,
  token_scope,
  admin_unauthorized,
  // Waiting room
  unknown_room,
  not_drawn,
  not_your_slot,
  room_closed,
  not_yet,
  room_full,
  session_expired,
  pow_required,
  pow_invalid,
  pow_replayed,
  // Checkout
  idempotency_key_required,
  idempotency_mismatch,
  pack_shape,
  excluded_session,
  unknown_session,
  unknown_category,
  bad_quantity,
  sold_out,
  limit_session,
  limit_ceremony,
  limit_account,
  too_many_inflight,
  hold_not_found,
  hold_expired,
  hold_confirmed,
  hold_released,
  service_unauthorized,
  // Draw
  registration_closed,
};

}  // namespace guichet

template <>
struct std::is_error_code_enum<guichet::errc> : std::true_type {};

namespace guichet {

/// The public face of an error: what the HTTP layer sends.
struct error_info {
  int status;
  std::string_view code;
  std::string_view message;
};

const error_info& info(errc e);
/// How many errc values there are (the table's size).
inline constexpr std::size_t errc_count = static_cast<std::size_t>(errc::registration_closed) + 1;
/// The errc whose stable code this is; errc::internal when none.
errc errc_from_code(std::string_view code);
const std::error_category& guichet_category();
inline std::error_code make_error_code(errc e) { return {static_cast<int>(e), guichet_category()}; }

}  // namespace guichet
