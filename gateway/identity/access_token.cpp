#include "gateway/identity/access_token.hpp"

#include "gateway/http/bearer.hpp"

namespace guichet::identity {

token_result<access_claims> access_token(const http::request& req, token_keyring& keys, std::int64_t now_ms,
                                         std::string_view edition, std::string_view phase) {
  auto tok = http::bearer_token(req);
  if (tok.empty()) return {errc::token_missing};
  auto a = keys.verify_access(tok, now_ms);
  if (a && (a.claims.edition != edition || (!phase.empty() && a.claims.phase != phase))) a.error = errc::token_scope;
  return a;
}

}  // namespace guichet::identity
