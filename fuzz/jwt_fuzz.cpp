// The organiser's identity tokens, every algorithm: the input is a JWT (or anything) checked by a
// verifier with an HS256 key and a JWKS of one RS256 and one ES256 key, with issuer, audience
// and skew. The first byte picks whether the remaining bytes are used raw or as the payload of a
// token properly signed by one of the three keys (so the claims parser sees valid signatures).
#include <cstdint>
#include <string>

#include "core/base64url.hpp"
#include "core/jwt.hpp"

namespace {

struct keys {
  guichet::pkey_ptr rsa = guichet::jws_generate_key(guichet::jws_alg::rs256);
  guichet::pkey_ptr ec = guichet::jws_generate_key(guichet::jws_alg::es256);
  std::shared_ptr<guichet::jwk_store> store = std::make_shared<guichet::jwk_store>();
  keys() {
    store->replace(guichet::parse_jwks("{\"keys\":[" + guichet::jws_public_jwk(rsa.get(), guichet::jws_alg::rs256, "r") +
                                       "," + guichet::jws_public_jwk(ec.get(), guichet::jws_alg::es256, "e") + "]}")
                       .set);
  }
};

const std::string kHs = "fuzz-organiser-jwt-key-012345";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static keys* k = new keys();
  static guichet::jwt_verifier v(kHs, k->store, {.issuer = "https://idp", .audience = "guichet", .clock_skew_ms = 30'000});
  if (size == 0) return 0;
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::int64_t now = 1'700'000'000'000;
  std::string token;
  switch (data[0] % 4) {
    case 0: token = rest; break;
    case 1: token = guichet::sign_jwt(kHs, rest); break;
    case 2: token = guichet::sign_jwt(guichet::jws_alg::rs256, k->rsa.get(), "r", rest); break;
    case 3: token = guichet::sign_jwt(guichet::jws_alg::es256, k->ec.get(), "e", rest); break;
  }
  auto r = v.verify(token, now);
  if (r && r.id.account.empty()) __builtin_trap();  // an accepted token always names an account
  return 0;
}
