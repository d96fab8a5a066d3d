#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace guichet {

class hmac_sha256;

/// Proof of work at the join, for when a bot wave hits: the room's public state hands out a
/// challenge, and a join must carry a nonce such that SHA-256(challenge ":" account ":" nonce)
/// starts with `bits` zero bits. The account is in the hash, so a solution is worth one account;
/// the challenge changes every window, so solutions cannot be stockpiled.
namespace pow {

constexpr std::int64_t window_ms = 5 * 60'000;  ///< a challenge's life; the previous one is still accepted
constexpr unsigned max_bits = 32;
constexpr std::size_t max_nonce = 64;

/// The challenge of a room for the window holding `now_ms`: 22 base64url characters of an HMAC
/// under guichet's token signing key, so every gateway computes the same one.
std::string challenge(hmac_sha256& key, std::string_view edition, std::string_view phase, std::int64_t window);
inline std::int64_t window_of(std::int64_t now_ms) { return now_ms / window_ms; }

/// Leading zero bits of a 32-byte digest.
unsigned leading_zero_bits(const std::uint8_t* digest);

/// The digest of a proof; `ok` when it has at least `bits` leading zero bits.
struct check {
  bool ok = false;
  std::string digest_hex;  ///< first 16 bytes, hex: the proof's name for replay refusal
};
check verify(std::string_view challenge, std::string_view account, std::string_view nonce, unsigned bits);

/// Finds a nonce, trying from `from` upwards (the fan's page does this in JavaScript; the
/// harness, tests and bench here). "" when the inputs are too long to be a proof.
std::string solve(std::string_view challenge, std::string_view account, unsigned bits, std::uint64_t from = 0);

}  // namespace pow
}  // namespace guichet
