#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/errc.hpp"

namespace guichet {

/// A fan, as the organiser's login vouches for them.
struct identity {
  std::string account;              ///< the `sub` claim
  std::vector<std::string> groups;  ///< optional `groups` claim, e.g. ["club"]
  std::int64_t exp_ms = 0;
};

struct identity_result {
  errc error = errc::ok;
  identity id;
  explicit operator bool() const { return error == errc::ok; }
};

/// Verifies the organiser's bearer JWTs. HS256 only: any other `alg` (including "none") is
/// refused before the signature is looked at; `sub` and `exp` are required; `nbf` is honoured.
/// One per thread (it keeps a pre-keyed HMAC and a JSON parser).
class jwt_verifier {
 public:
  explicit jwt_verifier(std::string_view key);
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

}  // namespace guichet
