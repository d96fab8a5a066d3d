#pragma once
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/jwks.hpp"
#include "core/token.hpp"

namespace guichet::identity {

/// Secret values, loaded once at start-up from the env/file references in the config.
struct runtime_secrets {
  std::string admin_key;  ///< empty: admin endpoints refuse everyone
  std::string jwt_key;
  std::string payment_key;  ///< empty: confirm refuses everyone
  std::vector<token_key> token_keys;
  /// The identity provider's public keys ([identity] jwks), shared by every worker and replaced
  /// whole when the file is reloaded; null when none are configured.
  std::shared_ptr<jwk_store> jwks;
};

/// Loads every secret the config references; throws std::runtime_error naming what is missing.
runtime_secrets load_runtime_secrets(const config& cfg);

/// Tries every secret the config references (the gateway's, Redis' and the JWKS file) and
/// returns one line per secret that cannot be loaded ("secrets.jwt_key: environment variable X is
/// not set"), naming the variable or file, never the value. Empty when all load.
std::vector<std::string> check_secrets(const config& cfg);

}  // namespace guichet::identity
