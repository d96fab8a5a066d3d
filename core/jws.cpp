#include "core/jws.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <stdexcept>

#include "core/base64url.hpp"

namespace guichet {

namespace {

using md_ctx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using ecdsa_sig = std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)>;
using bignum = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

constexpr std::size_t kP256 = 32;  // bytes of a P-256 coordinate, and of r and s

// ES256 signatures are r||s on the wire; OpenSSL wants DER.
std::string der_of_raw(std::string_view raw) {
  if (raw.size() != 2 * kP256) return {};
  auto* u = reinterpret_cast<const unsigned char*>(raw.data());
  ecdsa_sig s(ECDSA_SIG_new(), ECDSA_SIG_free);
  BIGNUM* r = BN_bin2bn(u, kP256, nullptr);
  BIGNUM* ss = BN_bin2bn(u + kP256, kP256, nullptr);
  if (!s || !r || !ss || ECDSA_SIG_set0(s.get(), r, ss) != 1) {
    BN_free(r);
    BN_free(ss);
    return {};
  }
  unsigned char* der = nullptr;
  int n = i2d_ECDSA_SIG(s.get(), &der);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return out;
}

std::string raw_of_der(std::string_view der) {
  auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ecdsa_sig s(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), ECDSA_SIG_free);
  if (!s) throw std::runtime_error("ES256: bad DER signature");
  std::string out(2 * kP256, '\0');
  auto* u = reinterpret_cast<unsigned char*>(out.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(s.get()), u, kP256);
  BN_bn2binpad(ECDSA_SIG_get0_s(s.get()), u + kP256, kP256);
  return out;
}

std::string b64_of_bn_param(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) throw std::runtime_error(std::string("key has no ") + name);
  bignum bn(raw, BN_free);
  std::string bytes(static_cast<std::size_t>(std::max(pad, BN_num_bytes(bn.get()))), '\0');
  BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  return base64url_encode(bytes);
}

}  // namespace

std::string_view to_string(jws_alg a) {
  switch (a) {
    case jws_alg::hs256: return "HS256";
    case jws_alg::rs256: return "RS256";
    case jws_alg::es256: return "ES256";
  }
  return "?";
}

std::optional<jws_alg> parse_jws_alg(std::string_view name) {
  for (auto a : {jws_alg::hs256, jws_alg::rs256, jws_alg::es256})
    if (name == to_string(a)) return a;
  return std::nullopt;
}

bool jws_verify(jws_alg alg, EVP_PKEY* key, std::string_view input, std::string_view sig) {
  std::string der;
  if (alg == jws_alg::es256) {
    der = der_of_raw(sig);
    if (der.empty()) return false;
    sig = der;
  } else if (alg != jws_alg::rs256) {
    return false;
  }
  md_ctx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

pkey_ptr jws_generate_key(jws_alg alg) {
  EVP_PKEY* k = alg == jws_alg::rs256   ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048))
                : alg == jws_alg::es256 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                                        : nullptr;
  if (!k) throw std::runtime_error("cannot generate a key for " + std::string(to_string(alg)));
  return pkey_ptr(k, EVP_PKEY_free);
}

std::string jws_public_jwk(EVP_PKEY* key, jws_alg alg, std::string_view kid) {
  std::string head = "{\"kid\":\"" + std::string(kid) + "\",\"alg\":\"" + std::string(to_string(alg)) + "\",\"use\":\"sig\",";
  if (alg == jws_alg::rs256)
    return head + "\"kty\":\"RSA\",\"n\":\"" + b64_of_bn_param(key, OSSL_PKEY_PARAM_RSA_N) + "\",\"e\":\"" +
           b64_of_bn_param(key, OSSL_PKEY_PARAM_RSA_E) + "\"}";
  return head + "\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + b64_of_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, kP256) +
         "\",\"y\":\"" + b64_of_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, kP256) + "\"}";
}

std::string jws_sign(jws_alg alg, EVP_PKEY* key, std::string_view input) {
  md_ctx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t n = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw std::runtime_error("cannot sign with this key");
  std::string sig(n, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &n,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw std::runtime_error("cannot sign with this key");
  sig.resize(n);
  return alg == jws_alg::es256 ? raw_of_der(sig) : sig;
}

}  // namespace guichet
