#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace guichet {

/// A shopper session's id, minted by the gateway that admits: the moment it asked Redis (ms,
/// 11 hex digits), then 64 random bits (16 hex digits). The session's idle clock started no
/// earlier than that moment, whichever gateway reads the id and whatever its config says.
std::string mint_session_id(std::int64_t asked_ms, std::uint64_t random);

/// The moment a session id was minted; none for an id of another shape (an older release's
/// 16 random hex digits).
std::optional<std::int64_t> session_minted_ms(std::string_view sid);

}  // namespace guichet
