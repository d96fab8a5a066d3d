#include "core/jwt.hpp"

#include <simdjson.h>

#include "core/base64url.hpp"
#include "core/hmac.hpp"
#include "core/token.hpp"

namespace guichet {

struct jwt_verifier::impl {
  explicit impl(std::string_view key) : mac(key) {}
  hmac_sha256 mac;
  simdjson::ondemand::parser parser;
};

jwt_verifier::jwt_verifier(std::string_view key) : impl_(std::make_unique<impl>(key)) {}
jwt_verifier::~jwt_verifier() = default;

identity_result jwt_verifier::verify(std::string_view token, std::int64_t now_ms) {
  identity_result r;
  auto fail = [&](errc e) {
    r.error = e;
    return r;
  };
  if (token.size() > 4096) return fail(errc::token_malformed);
  auto d1 = token.find('.');
  auto d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos)
    return fail(errc::token_malformed);
  auto header = base64url_decode(token.substr(0, d1));
  auto payload = base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  auto sig = base64url_decode(token.substr(d2 + 1));
  if (!header || !payload || !sig) return fail(errc::token_malformed);

  try {
    simdjson::padded_string h(*header);
    auto doc = impl_->parser.iterate(h);
    std::string_view alg;
    if (doc["alg"].get_string().get(alg)) return fail(errc::token_malformed);
    if (alg != "HS256") return fail(errc::token_alg);
  } catch (const simdjson::simdjson_error&) {
    return fail(errc::token_malformed);
  }
  if (sig->size() != 32 || !impl_->mac.verify(token.substr(0, d2), *sig)) return fail(errc::token_signature);

  try {
    simdjson::padded_string p(*payload);
    simdjson::ondemand::document doc = impl_->parser.iterate(p);
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
        auto ms = static_cast<std::int64_t>(seconds * 1000);
        if (key == "exp") {
          r.id.exp_ms = ms;
          have_exp = true;
        } else if (ms > now_ms) {
          return fail(errc::token_expired);  // not valid yet
        }
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
  if (now_ms >= r.id.exp_ms) return fail(errc::token_expired);
  return r;
}

std::string sign_jwt(std::string_view key, std::string_view payload_json, std::string_view header_json) {
  std::string signing = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  hmac_sha256 mac(key);
  auto d = mac.sign(signing);
  return signing + "." + base64url_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

}  // namespace guichet
