#pragma once
#include <string>

#include "core/base64url.hpp"
#include "core/hmac.hpp"

namespace guichet::test {

/// Builds an HS256-signed JWT (or a forged one) as the organiser's login would.
inline std::string mint_jwt(const std::string& key, const std::string& payload_json,
                            const std::string& header_json = R"({"alg":"HS256","typ":"JWT"})") {
  std::string signing = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  hmac_sha256 mac(key);
  auto d = mac.sign(signing);
  return signing + "." + base64url_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

inline std::string claims(const std::string& sub, long long exp_s, const std::string& extra = {}) {
  return "{\"sub\":\"" + sub + "\",\"exp\":" + std::to_string(exp_s) + extra + "}";
}

}  // namespace guichet::test
