#pragma once
#include <string>

#include "gateway/identity/jwks_watch.hpp"

namespace guichet::identity {

/// Appends the identity provider's section of /metrics: the JWKS keys in force, their reloads
/// and refused reloads.
void render_identity_metrics(std::string& out, const jwks_watch& identity);

}  // namespace guichet::identity
