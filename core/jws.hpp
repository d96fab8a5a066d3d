#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace guichet {

/// The JWS signature algorithms guichet accepts. A key carries its algorithm: a token's `alg`
/// header must agree with the key it names, it never chooses how the signature is checked.
enum class jws_alg { hs256, rs256, es256 };

std::string_view to_string(jws_alg a);  ///< "HS256", "RS256", "ES256"
std::optional<jws_alg> parse_jws_alg(std::string_view name);

using pkey_ptr = std::shared_ptr<EVP_PKEY>;

/// Checks a JWS signature made with a public key: RS256 (RSASSA-PKCS1-v1_5 with SHA-256) or
/// ES256 (ECDSA P-256 with SHA-256, `sig` the raw 64-byte r||s of RFC 7518 §3.4). Thread-safe:
/// the key is only read.
bool jws_verify(jws_alg alg, EVP_PKEY* key, std::string_view input, std::string_view sig);

// The identity provider's side, played by the tests, the benchmarks and the load harness.

/// A fresh key pair: RSA 2048 for RS256, P-256 for ES256.
pkey_ptr jws_generate_key(jws_alg alg);
/// The public half as a JWK: {"kty","kid","alg","use":"sig", n/e or crv/x/y}.
std::string jws_public_jwk(EVP_PKEY* key, jws_alg alg, std::string_view kid);
/// The JWS signature of `input` (raw r||s for ES256).
std::string jws_sign(jws_alg alg, EVP_PKEY* key, std::string_view input);

}  // namespace guichet
