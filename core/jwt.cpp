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

  struct claims_seen {
    bool exp = false, iss = false, aud = false;
  };
  errc read_header(const std::string& json, std::string& alg, std::string& kid);
  errc check_signature(const std::string& alg, const std::string& kid, std::string_view signing, const std::string& sig);
  errc read_claims(const std::string& json, std::int64_t now_ms, fan_identity& id);
  errc read_claim(std::string_view key, simdjson::ondemand::value value, std::int64_t now_ms, fan_identity& id,
                  claims_seen& seen);
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

// The header's alg and kid (strings); token_malformed when it is not a JSON object of them.
errc jwt_verifier::impl::read_header(const std::string& json, std::string& alg, std::string& kid) {
  try {
    simdjson::padded_string h(json);
    auto doc = parser.iterate(h);
    simdjson::ondemand::object obj = doc.get_object();
    for (auto field : obj) {
      std::string_view key = field.unescaped_key();
      std::string_view v;
      if (key != "alg" && key != "kid") continue;
      if (field.value().get_string().get(v)) return errc::token_malformed;
      (key == "alg" ? alg : kid) = v;
    }
  } catch (const simdjson::simdjson_error&) {
    return errc::token_malformed;
  }
  return alg.empty() ? errc::token_malformed : errc::ok;
}

// The key first (by kid), then the token's alg must be that key's.
errc jwt_verifier::impl::check_signature(const std::string& alg, const std::string& kid, std::string_view signing,
                                         const std::string& sig) {
  std::shared_ptr<const jwk_set> set = jwks ? jwks->current() : nullptr;
  const jwk* key = set && !kid.empty() ? set->find(kid) : nullptr;
  if (!key && set && kid.empty() && !mac && set->size() == 1) key = &set->keys().front();
  if (key) {
    if (alg != to_string(key->alg)) return errc::token_alg;
    return jws_verify(key->alg, key->key.get(), signing, sig) ? errc::ok : errc::token_signature;
  }
  if (mac && alg == "HS256")  // the shared key: HS256 is its algorithm
    return sig.size() == 32 && mac->verify(signing, sig) ? errc::ok : errc::token_signature;
  if (set && (alg == "RS256" || alg == "ES256"))
    return errc::token_unknown_key;  // a kid the set does not have (or none, with several keys)
  return errc::token_alg;
}

// One claim of the payload into `id` (or checked against the policy).
errc jwt_verifier::impl::read_claim(std::string_view key, simdjson::ondemand::value value, std::int64_t now_ms,
                                    fan_identity& id, claims_seen& seen) {
  if (key == "sub") {
    std::string_view sub = value.get_string();
    id.account = sub;
  } else if (key == "exp" || key == "nbf") {
    double seconds = value.get_double();
    // Found by fuzz/jwt_fuzz: a huge (or NaN) time overflowed the conversion. NumericDate is
    // seconds since 1970; anything outside [0, year 5000] is not a date.
    if (!(seconds >= 0 && seconds < 1e11)) return errc::token_malformed;
    auto ms = static_cast<std::int64_t>(seconds * 1000);
    if (key == "exp") {
      id.exp_ms = ms;
      seen.exp = true;
    } else if (ms > now_ms + policy.clock_skew_ms) {
      return errc::token_expired;  // not valid yet
    }
  } else if (key == "iss" && !policy.issuer.empty()) {
    std::string_view iss = value.get_string();
    if (iss != policy.issuer) return errc::token_issuer;
    seen.iss = true;
  } else if (key == "aud" && !policy.audience.empty()) {
    if (!audience_matches(value, policy.audience)) return errc::token_issuer;
    seen.aud = true;
  } else if (key == "groups") {
    for (auto g : value.get_array()) {
      std::string_view name = g.get_string();
      if (valid_id(name)) id.groups.emplace_back(name);
    }
  }
  return errc::ok;
}

errc jwt_verifier::impl::read_claims(const std::string& json, std::int64_t now_ms, fan_identity& id) {
  claims_seen seen;
  try {
    simdjson::padded_string pl(json);
    simdjson::ondemand::document doc = parser.iterate(pl);
    simdjson::ondemand::object obj = doc.get_object();
    for (auto field : obj)
      if (auto e = read_claim(field.unescaped_key(), field.value(), now_ms, id, seen); e != errc::ok) return e;
    if (!valid_id(id.account) || !seen.exp) return errc::token_malformed;
  } catch (const simdjson::simdjson_error&) {
    return errc::token_malformed;
  }
  if ((!policy.issuer.empty() && !seen.iss) || (!policy.audience.empty() && !seen.aud)) return errc::token_issuer;
  if (now_ms >= id.exp_ms + policy.clock_skew_ms) return errc::token_expired;
  return errc::ok;
}

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
  std::string alg, kid;
  if (auto e = impl_->read_header(*header, alg, kid); e != errc::ok) return fail(e);
  if (auto e = impl_->check_signature(alg, kid, token.substr(0, d2), *sig); e != errc::ok) return fail(e);
  if (auto e = impl_->read_claims(*payload, now_ms, r.id); e != errc::ok) return fail(e);
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
