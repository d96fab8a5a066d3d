#include "gateway/identity/secrets.hpp"

#include <stdexcept>

namespace guichet::identity {

runtime_secrets load_runtime_secrets(const config& cfg) {
  runtime_secrets s;
  if (!cfg.secrets.admin_key.empty()) s.admin_key = load_secret(cfg.secrets.admin_key);
  if (!cfg.secrets.jwt_key.empty()) s.jwt_key = load_secret(cfg.secrets.jwt_key);
  if (!cfg.secrets.payment_key.empty()) s.payment_key = load_secret(cfg.secrets.payment_key);
  for (auto& k : cfg.token_keys) s.token_keys.push_back({k.id, load_secret(k.secret), k.retire_ms});
  if (!cfg.identity.jwks_file.empty()) {
    auto keys = load_jwks_file(cfg.identity.jwks_file);
    if (!keys.set) throw std::runtime_error("identity.jwks: " + keys.error);
    s.jwks = std::make_shared<jwk_store>();
    s.jwks->replace(keys.set);
  }
  return s;
}

std::vector<std::string> check_secrets(const config& cfg) {
  std::vector<std::string> problems;
  auto check = [&](const std::string& name, const secret_ref& ref) {
    if (ref.empty()) return;
    try {
      load_secret(ref);
    } catch (const std::exception& e) {
      problems.push_back(name + ": " + e.what());
    }
  };
  check("secrets.admin_key", cfg.secrets.admin_key);
  check("secrets.jwt_key", cfg.secrets.jwt_key);
  check("secrets.payment_key", cfg.secrets.payment_key);
  for (auto& k : cfg.token_keys) check("tokens.keys '" + k.id + "'", k.secret);
  check("redis.password", cfg.redis.password);
  check("redis.sentinel_password", cfg.redis.sentinel_password);
  if (!cfg.identity.jwks_file.empty())
    if (auto keys = load_jwks_file(cfg.identity.jwks_file); !keys.set) problems.push_back("identity.jwks: " + keys.error);
  return problems;
}

}  // namespace guichet::identity
