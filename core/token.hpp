#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/errc.hpp"
#include "core/hmac.hpp"

namespace guichet {

/// A signing key for guichet's own tokens. The first key of a keyring signs; every key verifies
/// until its `retire_ms` (0 = never), which is how a rotation overlaps.
struct token_key {
  std::string id;      ///< short, [A-Za-z0-9]
  std::string secret;  ///< at least 16 bytes
  std::int64_t retire_ms = 0;
};

/// What a queue token says: a place in one slot of one room. `Text` is std::string for claims
/// to sign or keep, std::string_view for claims just verified (views into the caller's buffer,
/// so that a poll copies and allocates nothing, whatever the length of its ids).
template <class Text>
struct basic_queue_claims {
  Text edition, phase, slot, account;
  char kind = 'f';           ///< 'p': pre-queue local number, 'f': FIFO queue number
  std::uint64_t number = 0;
  std::int64_t exp_ms = 0;   ///< the end of the slot
};
using queue_claims = basic_queue_claims<std::string>;
using queue_claims_view = basic_queue_claims<std::string_view>;

/// What an access token says: an active shopper session.
struct access_claims {
  std::string edition, phase, account, session;
  std::int64_t exp_ms = 0;
};

template <class T>
struct token_result {
  errc error = errc::ok;
  T claims{};
  explicit operator bool() const { return error == errc::ok; }
};

/// Signs and verifies guichet tokens: base64url(payload) "." base64url(first 16 bytes of
/// HMAC-SHA256(payload)). The payload is readable text, "|"-separated, starting with the token
/// type and key id, so a fan's page can read its own queue number. Keeps one pre-keyed HMAC
/// context per key: one keyring per thread.
class token_keyring {
 public:
  explicit token_keyring(const std::vector<token_key>& keys);

  static constexpr std::size_t kMaxToken = 1024;
  /// A decoded payload, on the stack: verifying allocates nothing.
  using payload_buffer = std::array<char, kMaxToken * 3 / 4>;

  std::string sign(const queue_claims& c);
  std::string sign(const access_claims& c);
  /// The claims as views into `payload`: valid while it lives and is not reused.
  token_result<queue_claims_view> verify_queue(std::string_view token, std::int64_t now_ms, payload_buffer& payload);
  token_result<queue_claims> verify_queue(std::string_view token, std::int64_t now_ms);
  token_result<access_claims> verify_access(std::string_view token, std::int64_t now_ms);

 private:
  struct entry {
    std::string id;
    std::int64_t retire_ms;
    std::unique_ptr<hmac_sha256> mac;
  };
  struct fields {
    std::array<std::string_view, 10> f;
    std::size_t n = 0;
  };
  std::string seal(std::string_view payload);
  /// Checks the MAC and key; fills `out` with the payload fields after "type|kid" (views into
  /// `payload`).
  errc open(std::string_view token, char type, std::int64_t now_ms, fields& out, payload_buffer& payload);
  std::vector<entry> keys_;
};

/// True for ids guichet accepts for editions, phases, slots and accounts: 1–64 of
/// [A-Za-z0-9_.@:-]. Keeps "|" and control characters out of tokens and Redis keys.
bool valid_id(std::string_view id);

}  // namespace guichet
