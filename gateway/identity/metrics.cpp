#include "gateway/identity/metrics.hpp"

#include "gateway/metrics/prometheus.hpp"

namespace guichet::identity {

void render_identity_metrics(std::string& out, const jwks_watch& identity) {
  metrics::metric_head(out, "guichet_identity_jwks_keys", "gauge", "The identity provider's signing keys in force ([identity] jwks).");
  metrics::metric_sample(out, "guichet_identity_jwks_keys", "", identity.keys());
  metrics::metric_head(out, "guichet_identity_jwks_reloads_total", "counter", "JWKS file reloads (SIGHUP or the file changing).");
  metrics::metric_sample(out, "guichet_identity_jwks_reloads_total", "", identity.reloads());
  metrics::metric_head(out, "guichet_identity_jwks_reload_failures_total", "counter",
       "JWKS reloads refused (the file did not parse); the keys in force stayed.");
  metrics::metric_sample(out, "guichet_identity_jwks_reload_failures_total", "", identity.failures());
}

}  // namespace guichet::identity
