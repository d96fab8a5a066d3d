#include "gateway/http/bearer.hpp"

#include <openssl/crypto.h>

#include <boost/beast/core/string.hpp>

namespace guichet::http {

std::string_view bearer_token(const request& req) {
  std::string_view h = req[http::field::authorization];
  if (h.size() < 7 || !boost::beast::iequals(h.substr(0, 7), "Bearer ")) return {};
  h.remove_prefix(7);
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  return h;
}

bool bearer_is(const request& req, std::string_view key) {
  auto given = bearer_token(req);
  if (key.empty() || given.size() != key.size()) return false;
  return CRYPTO_memcmp(given.data(), key.data(), key.size()) == 0;
}

}  // namespace guichet::http
