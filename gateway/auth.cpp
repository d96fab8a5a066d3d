#include "gateway/auth.hpp"

#include "gateway/worker.hpp"

#include <openssl/crypto.h>

#include <boost/beast/core/string.hpp>

namespace guichet {

std::string_view bearer_token(const request& req) {
  std::string_view h = req[http::field::authorization];
  if (h.size() < 7 || !boost::beast::iequals(h.substr(0, 7), "Bearer ")) return {};
  h.remove_prefix(7);
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  return h;
}

bool is_admin(const request& req, std::string_view admin_key) {
  auto given = bearer_token(req);
  if (admin_key.empty() || given.size() != admin_key.size()) return false;
  return CRYPTO_memcmp(given.data(), admin_key.data(), admin_key.size()) == 0;
}

token_result<access_claims> access_token(request_context& c, std::string_view edition, std::string_view phase) {
  auto tok = bearer_token(c.req);
  if (tok.empty()) return {errc::token_missing};
  auto a = c.w.tokens->verify_access(tok, worker::now_ms());
  if (a && (a.claims.edition != edition || (!phase.empty() && a.claims.phase != phase))) a.error = errc::token_scope;
  return a;
}

}  // namespace guichet
