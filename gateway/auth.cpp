#include "gateway/auth.hpp"

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

}  // namespace guichet
