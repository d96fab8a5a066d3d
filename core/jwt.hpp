#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/errc.hpp"
#include "core/jwks.hpp"

namespace guichet {

/// A fan, as the organiser's login vouches for them.
struct fan_identity {
  std::string account;              ///< the `sub` claim
  std::vector<std::string> groups;  ///< optional `groups` claim, e.g. ["club"]
  std::int64_t exp_ms = 0;
};

struct identity_result {
  errc error = errc::ok;
  fan_identity id;
  explicit operator bool() const { return error == errc::ok; }
};

/// What a token's claims must say besides `sub` and `exp` (always required) and `nbf` (honoured).
struct jwt_policy {
  std::string issuer;          ///< `iss` must equal it when set
  std::string audience;        ///< `aud` (a string or an array) must contain it when set
  std::int64_t clock_skew_ms = 0;  ///< tolerance on `exp` and `nbf` for the provider's clock
};

/// Verifies the organiser's bearer JWTs: HS256 with a shared key, and RS256/ES256 with the
/// identity provider's public keys (a JWKS, looked up by the token's `kid`). The algorithm is the
/// key's: a token whose `alg` differs from its key's (HS256 signed with a public key, "none") is
/// refused before any signature is computed. One per thread (a pre-keyed HMAC and a JSON parser).
class jwt_verifier {
 public:
  explicit jwt_verifier(std::string_view hs256_key);
  /// `hs256_key` may be empty (no HS256) and `jwks` null (no public keys), not both.
  jwt_verifier(std::string_view hs256_key, std::shared_ptr<const jwk_store> jwks, jwt_policy policy);
  ~jwt_verifier();
  identity_result verify(std::string_view token, std::int64_t now_ms);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The organiser's side of the login: an HS256-signed JWT over `payload_json` (the load harness
/// and the tests play the organiser; `header_json` lets a test forge other algorithms).
std::string sign_jwt(std::string_view key, std::string_view payload_json,
                     std::string_view header_json = R"({"alg":"HS256","typ":"JWT"})");
/// The identity provider's side: an RS256/ES256 JWT signed with `key`, naming `kid`.
std::string sign_jwt(jws_alg alg, EVP_PKEY* key, std::string_view kid, std::string_view payload_json);

}  // namespace guichet
