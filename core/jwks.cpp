#include "core/jwks.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "core/base64url.hpp"

namespace guichet {

namespace {

using param_bld = std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)>;
using params = std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)>;
using pkey_ctx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;
using bignum = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

constexpr int kMinRsaBits = 2048;

pkey_ptr from_params(const char* type, OSSL_PARAM_BLD* bld) {
  params p(OSSL_PARAM_BLD_to_param(bld), OSSL_PARAM_free);
  pkey_ctx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* k = nullptr;
  if (!p || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &k, EVP_PKEY_PUBLIC_KEY, p.get()) != 1)
    return nullptr;
  pkey_ptr key(k, EVP_PKEY_free);
  // An EC point off the curve (invalid-curve attacks) or a broken RSA key is refused here.
  pkey_ctx check(EVP_PKEY_CTX_new_from_pkey(nullptr, k, nullptr), EVP_PKEY_CTX_free);
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

bignum bn_of(const std::string& bytes) {
  return bignum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr),
                BN_free);
}

}  // namespace

struct jwks_parser {
  std::string error;

  // One member as a string: "" when absent; false when present but not a string.
  static bool member(simdjson::dom::object o, std::string_view name, std::string& out) {
    out.clear();
    auto v = o.at_key(name);
    if (v.error() == simdjson::NO_SUCH_FIELD) return true;
    std::string_view s;
    if (v.get_string().get(s)) return false;
    out = s;
    return true;
  }

  pkey_ptr rsa(const std::string& n64, const std::string& e64, const std::string& kid) {
    auto n = base64url_decode(n64), e = base64url_decode(e64);
    if (!n || !e || n->empty() || e->empty()) return fail(kid, "RSA key needs base64url n and e");
    bignum bn_n = bn_of(*n), bn_e = bn_of(*e);
    if (BN_num_bits(bn_n.get()) < kMinRsaBits) return fail(kid, "RSA modulus under 2048 bits");
    param_bld bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
    if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()))
      return fail(kid, "cannot build the RSA key");
    auto k = from_params("RSA", bld.get());
    return k ? k : fail(kid, "not a valid RSA public key");
  }

  pkey_ptr ec(const std::string& crv, const std::string& x64, const std::string& y64, const std::string& kid) {
    if (crv != "P-256") return fail(kid, "EC keys must be on curve P-256 (ES256)");
    auto x = base64url_decode(x64), y = base64url_decode(y64);
    if (!x || !y || x->size() != 32 || y->size() != 32) return fail(kid, "EC key needs 32-byte base64url x and y");
    std::string point = "\x04" + *x + *y;  // uncompressed SEC1 point
    param_bld bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
    if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()))
      return fail(kid, "cannot build the EC key");
    auto k = from_params("EC", bld.get());
    return k ? k : fail(kid, "not a valid P-256 public key (point not on the curve?)");
  }

  pkey_ptr fail(const std::string& kid, const std::string& why) {
    error = "key '" + kid + "': " + why;
    return nullptr;
  }

  jwks_result parse(std::string_view json) {
    auto set = std::make_shared<jwk_set>();
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto e = parser.parse(json.data(), json.size()).get(doc))
      return {nullptr, std::string("not valid JSON: ") + simdjson::error_message(e)};
    simdjson::dom::array keys;
    if (doc["keys"].get_array().get(keys)) return {nullptr, "a JWKS is an object with a \"keys\" array"};
    std::size_t index = 0;
    for (auto item : keys) {
      simdjson::dom::object o;
      if (item.get_object().get(o)) return {nullptr, "key #" + std::to_string(index) + ": not an object"};
      std::string kid, kty, alg, use, a, b, c;
      if (!member(o, "kid", kid) || !member(o, "kty", kty) || !member(o, "alg", alg) || !member(o, "use", use))
        return {nullptr, "key #" + std::to_string(index) + ": kid, kty, alg and use must be strings"};
      ++index;
      if ((!use.empty() && use != "sig") || (kty != "RSA" && kty != "EC") ||
          (!alg.empty() && alg != "RS256" && alg != "ES256")) {
        ++set->skipped_;  // encryption keys, other key types, algorithms guichet does not accept
        continue;
      }
      if (kid.empty() || kid.size() > 128) return {nullptr, "key #" + std::to_string(index - 1) + ": needs a kid of 1-128 characters"};
      if (set->find(kid)) return {nullptr, "key '" + kid + "': kid used twice"};
      jws_alg key_alg = kty == "RSA" ? jws_alg::rs256 : jws_alg::es256;
      if (!alg.empty() && alg != to_string(key_alg)) return {nullptr, "key '" + kid + "': alg " + alg + " does not fit kty " + kty};
      pkey_ptr k;
      if (kty == "RSA") {
        if (!member(o, "n", a) || !member(o, "e", b)) return {nullptr, "key '" + kid + "': n and e must be strings"};
        k = rsa(a, b, kid);
      } else {
        if (!member(o, "crv", a) || !member(o, "x", b) || !member(o, "y", c))
          return {nullptr, "key '" + kid + "': crv, x and y must be strings"};
        k = ec(a, b, c, kid);
      }
      if (!k) return {nullptr, error};
      set->keys_.push_back({kid, key_alg, std::move(k)});
    }
    if (set->keys_.empty()) return {nullptr, "no RS256 or ES256 signing key in the set"};
    return {std::move(set), {}};
  }
};

const jwk* jwk_set::find(std::string_view kid) const {
  for (auto& k : keys_)
    if (k.kid == kid) return &k;
  return nullptr;
}

jwks_result parse_jwks(std::string_view json) { return jwks_parser{}.parse(json); }

jwks_result load_jwks_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {nullptr, "cannot read JWKS file " + path};
  std::ostringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > (1 << 20)) return {nullptr, "JWKS file " + path + " is over 1 MiB"};
  auto r = parse_jwks(ss.str());
  if (!r.set) r.error = path + ": " + r.error;
  return r;
}

}  // namespace guichet
