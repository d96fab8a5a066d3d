#include "core/jwt.hpp"

#include <simdjson.h>

#include "core/base64url.hpp"
#include "core/hmac.hpp"
#include "core/token.hpp"

namespace guichet {

struct jwt_verifier::impl {
  impl(std::string_view key, std::shared_ptr<const jwk_store> store, jwt_policy p)
      : jwks(std::move(store)), policy(std::move(p)) {
    if (!key.empty()) mac = std::make_unique<hmac_sha256>(key);
  }
  std::unique_ptr<hmac_sha256> mac;  // null: no HS256
  std::shared_ptr<const jwk_store> jwks;
  jwt_policy policy;
  simdjson::ondemand::parser parser;
};

jwt_verifier::jwt_verifier(std::string_view key) : jwt_verifier(key, nullptr, {}) {}
jwt_verifier::jwt_verifier(std::string_view key, std::shared_ptr<const jwk_store> jwks, jwt_policy policy)
    : impl_(std::make_unique<impl>(key, std::move(jwks), std::move(policy))) {}
jwt_verifier::~jwt_verifier() = default;

namespace {

bool audience_matches(simdjson::ondemand::value v, std::string_view want) {
  if (v.type() == simdjson::ondemand::json_type::string) return std::string_view(v.get_string()) == want;
  for (auto a : v.get_array()) {
    std::string_view s;
    if (!a.get_string().get(s) && s == want) return true;
  }
  return false;
}

}  // namespace

identity_result jwt_verifier::verify(std::string_view token, std::int64_t now_ms) {
  identity_result r;
  auto fail = [&](errc e) {
    r.error = e;
    return r;
  };
  if (token.size() > 8192) return fail(errc::token_malformed);
  auto d1 = token.find('.');
  auto d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos)
    return fail(errc::token_malformed);
  auto header = base64url_decode(token.substr(0, d1));
  auto payload = base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  auto sig = base64url_decode(token.substr(d2 + 1));
  if (!header || !payload || !sig) return fail(errc::token_malformed);

  // The key first (by kid), then the token's alg must be that key's.
  std::string alg, kid;
  try {
    simdjson::padded_string h(*header);
    auto doc = impl_->parser.iterate(h);
    simdjson::ondemand::object obj = doc.get_object();
    for (auto field : obj) {
      std::string_view key = field.unescaped_key();
      std::string_view v;
      if (key != "alg" && key != "kid") continue;
      if (field.value().get_string().get(v)) return fail(errc::token_malformed);
      (key == "alg" ? alg : kid) = v;
    }
  } catch (const simdjson::simdjson_error&) {
    return fail(errc::token_malformed);
  }
  if (alg.empty()) return fail(errc::token_malformed);
  std::shared_ptr<const jwk_set> set = impl_->jwks ? impl_->jwks->current() : nullptr;
  const jwk* key = set && !kid.empty() ? set->find(kid) : nullptr;
  if (!key && set && kid.empty() && !impl_->mac && set->size() == 1) key = &set->keys().front();
  std::string_view signing = token.substr(0, d2);
  if (key) {
    if (alg != to_string(key->alg)) return fail(errc::token_alg);
    if (!jws_verify(key->alg, key->key.get(), signing, *sig)) return fail(errc::token_signature);
  } else if (impl_->mac && alg == "HS256") {  // the shared key: HS256 is its algorithm
    if (sig->size() != 32 || !impl_->mac->verify(signing, *sig)) return fail(errc::token_signature);
  } else if (set && (alg == "RS256" || alg == "ES256")) {
    return fail(errc::token_unknown_key);  // a kid the set does not have (or none, with several keys)
  } else {
    return fail(errc::token_alg);
  }

  const jwt_policy& p = impl_->policy;
  bool have_iss = false, have_aud = false;
  try {
    simdjson::padded_string pl(*payload);
    simdjson::ondemand::document doc = impl_->parser.iterate(pl);
    simdjson::ondemand::object obj = doc.get_object();
    bool have_exp = false;
    for (auto field : obj) {
      std::string_view key = field.unescaped_key();
      auto value = field.value();
      if (key == "sub") {
        std::string_view sub = value.get_string();
        r.id.account = sub;
      } else if (key == "exp" || key == "nbf") {
        double seconds = value.get_double();
        // Found by fuzz/jwt_fuzz: a huge (or NaN) time overflowed the conversion. NumericDate is
        // seconds since 1970; anything outside [0, year 5000] is not a date.
        if (!(seconds >= 0 && seconds < 1e11)) return fail(errc::token_malformed);
        auto ms = static_cast<std::int64_t>(seconds * 1000);
        if (key == "exp") {
          r.id.exp_ms = ms;
          have_exp = true;
        } else if (ms > now_ms + p.clock_skew_ms) {
          return fail(errc::token_expired);  // not valid yet
        }
      } else if (key == "iss" && !p.issuer.empty()) {
        std::string_view iss = value.get_string();
        if (iss != p.issuer) return fail(errc::token_issuer);
        have_iss = true;
      } else if (key == "aud" && !p.audience.empty()) {
        if (!audience_matches(value.value(), p.audience)) return fail(errc::token_issuer);
        have_aud = true;
      } else if (key == "groups") {
        for (auto g : value.get_array()) {
          std::string_view name = g.get_string();
          if (valid_id(name)) r.id.groups.emplace_back(name);
        }
      }
    }
    if (!valid_id(r.id.account) || !have_exp) return fail(errc::token_malformed);
  } catch (const simdjson::simdjson_error&) {
    return fail(errc::token_malformed);
  }
  if ((!p.issuer.empty() && !have_iss) || (!p.audience.empty() && !have_aud)) return fail(errc::token_issuer);
  if (now_ms >= r.id.exp_ms + p.clock_skew_ms) return fail(errc::token_expired);
  return r;
}

std::string sign_jwt(std::string_view key, std::string_view payload_json, std::string_view header_json) {
  std::string signing = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  hmac_sha256 mac(key);
  auto d = mac.sign(signing);
  return signing + "." + base64url_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

std::string sign_jwt(jws_alg alg, EVP_PKEY* key, std::string_view kid, std::string_view payload_json) {
  std::string header = R"({"alg":")" + std::string(to_string(alg)) + R"(","typ":"JWT","kid":")" + std::string(kid) + "\"}";
  std::string signing = base64url_encode(header) + "." + base64url_encode(payload_json);
  return signing + "." + base64url_encode(jws_sign(alg, key, signing));
}

}  // namespace guichet
