#include "gateway/secrets.hpp"

namespace guichet {

runtime_secrets load_runtime_secrets(const config& cfg) {
  runtime_secrets s;
  if (!cfg.secrets.admin_key.empty()) s.admin_key = load_secret(cfg.secrets.admin_key);
  if (!cfg.secrets.jwt_key.empty()) s.jwt_key = load_secret(cfg.secrets.jwt_key);
  if (!cfg.secrets.payment_key.empty()) s.payment_key = load_secret(cfg.secrets.payment_key);
  for (auto& k : cfg.token_keys) s.token_keys.push_back({k.id, load_secret(k.secret), k.retire_ms});
  return s;
}

}  // namespace guichet
