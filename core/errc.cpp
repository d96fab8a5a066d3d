#include "core/errc.hpp"

#include <array>
#include <string>

namespace guichet {
namespace {

// Indexed by errc; the order must follow the enum (checked by a static_assert below).
constexpr std::array<std::pair<errc, error_info>, 54> table{{
    {errc::ok, {200, "ok", "ok"}},
    {errc::bad_request, {400, "bad_request", "the request is malformed"}},
    {errc::malformed_json, {400, "malformed_json", "the body is not valid JSON of the expected shape"}},
    {errc::not_found, {404, "not_found", "no such resource"}},
    {errc::method_not_allowed, {405, "method_not_allowed", "method not allowed on this resource"}},
    {errc::not_implemented, {501, "not_implemented", "this method is not implemented by the gateway"}},
    {errc::request_timeout, {408, "request_timeout", "the request was not received in time"}},
    {errc::body_too_large, {413, "body_too_large", "the request body is too large for this route"}},
    {errc::unsupported_media_type, {415, "unsupported_media_type", "the body must be application/json"}},
    {errc::headers_too_large, {431, "headers_too_large", "the request headers are too large"}},
    {errc::rate_limited, {429, "rate_limited", "too many requests; retry later"}},
    {errc::too_many_connections, {503, "too_many_connections", "the server is at its connection limit"}},
    {errc::unavailable, {503, "unavailable", "a backing service is unavailable; retry later"}},
    {errc::outcome_unknown, {503, "outcome_unknown", "the outcome is unknown; retry with the same Idempotency-Key"}},
    {errc::overloaded, {503, "overloaded", "the server is overloaded; retry later"}},
    {errc::unauthorized, {401, "unauthorized", "missing or invalid credentials"}},
    {errc::internal, {500, "internal", "internal error"}},
    {errc::token_missing, {401, "token_missing", "an Authorization: Bearer token is required"}},
    {errc::token_malformed, {401, "token_malformed", "the token is not well formed"}},
    {errc::token_alg, {401, "token_alg", "the token's algorithm is not its key's (or not accepted)"}},
    {errc::token_signature, {401, "token_signature", "the token's signature is invalid"}},
    {errc::token_expired, {401, "token_expired", "the token has expired"}},
    {errc::token_unknown_key, {401, "token_unknown_key", "the token's key id (kid) is not one of the identity provider's keys"}},
    {errc::token_issuer, {401, "token_issuer", "the token is from another issuer or for another audience"}},
    {errc::token_scope, {403, "token_scope", "the token is for another edition, phase or account"}},
    {errc::admin_unauthorized, {401, "admin_unauthorized", "a valid admin key is required"}},
    {errc::unknown_room, {404, "unknown_room", "no such edition or phase"}},
    {errc::not_drawn, {403, "not_drawn", "this account was not picked in the draw for this phase"}},
    {errc::not_your_slot, {403, "not_your_slot", "this account's purchase timeslot is not open"}},
    {errc::room_closed, {409, "room_closed", "the waiting room is closed"}},
    {errc::not_yet, {409, "not_yet", "not your turn yet; keep polling"}},
    {errc::room_full, {409, "room_full", "the shop is at its shopper ceiling; retry shortly"}},
    {errc::session_expired, {401, "session_expired", "the shopping session has expired"}},
    {errc::pow_required, {428, "pow_required", "this room asks for a proof of work at the join (see the room state's pow)"}},
    {errc::pow_invalid, {403, "pow_invalid", "the proof of work does not solve a current challenge for this account"}},
    {errc::pow_replayed, {409, "pow_replayed", "this proof of work was already used; solve the challenge again"}},
    {errc::idempotency_key_required, {400, "idempotency_key_required", "an Idempotency-Key header (1-64 of [A-Za-z0-9_.:-]) is required"}},
    {errc::idempotency_mismatch, {422, "idempotency_mismatch", "this Idempotency-Key was used with a different request"}},
    {errc::pack_shape, {422, "pack_shape", "a pack is exactly 3 distinct sessions"}},
    {errc::excluded_session, {422, "excluded_session", "this session is not on sale in this phase"}},
    {errc::unknown_session, {422, "unknown_session", "no such session"}},
    {errc::unknown_category, {422, "unknown_category", "no such category for this session"}},
    {errc::bad_quantity, {422, "bad_quantity", "quantities are whole numbers within the per-session limit"}},
    {errc::sold_out, {409, "sold_out", "not enough seats left"}},
    {errc::limit_session, {409, "limit_session", "over the per-session ticket limit for this account"}},
    {errc::limit_ceremony, {409, "limit_ceremony", "over the per-ceremony ticket limit for this account"}},
    {errc::limit_account, {409, "limit_account", "over the ticket limit for this account across all phases"}},
    {errc::too_many_inflight, {429, "too_many_inflight", "this account already has holds in progress"}},
    {errc::hold_not_found, {404, "hold_not_found", "no such hold"}},
    {errc::hold_expired, {410, "hold_expired", "the hold expired; its seats went back on sale"}},
    {errc::hold_confirmed, {409, "hold_confirmed", "the hold is already confirmed"}},
    {errc::hold_released, {409, "hold_released", "the hold was released"}},
    {errc::service_unauthorized, {401, "service_unauthorized", "a valid service credential is required"}},
    {errc::registration_closed, {403, "registration_closed", "registration for this draw is not open"}},
}};

constexpr bool table_in_order() {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (static_cast<std::size_t>(table[i].first) != i) return false;
  return true;
}
static_assert(table_in_order(), "errc table must follow the enum order");
static_assert(table.size() == errc_count, "one table row per errc");

struct category final : std::error_category {
  const char* name() const noexcept override { return "guichet"; }
  std::string message(int v) const override { return std::string(info(static_cast<errc>(v)).code); }
};

}  // namespace

const error_info& info(errc e) {
  auto i = static_cast<std::size_t>(e);
  return i < table.size() ? table[i].second : table[static_cast<std::size_t>(errc::internal)].second;
}

errc errc_from_code(std::string_view code) {
  for (auto& [e, i] : table)
    if (i.code == code) return e;
  return errc::internal;
}

const std::error_category& guichet_category() {
  static const category c;
  return c;
}

}  // namespace guichet
