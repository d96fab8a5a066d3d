#include "core/digest.hpp"

#include <openssl/evp.h>

namespace guichet {

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += hex[bytes[i] >> 4];
    out += hex[bytes[i] & 15];
  }
  return out;
}

namespace {
std::string digest_hex(std::string_view data, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return to_hex(out, len);
}
}  // namespace

std::string sha256_hex(std::string_view data) { return digest_hex(data, EVP_sha256()); }
std::string sha1_hex(std::string_view data) { return digest_hex(data, EVP_sha1()); }

}  // namespace guichet
