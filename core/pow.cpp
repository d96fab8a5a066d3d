// The low-level SHA256_* calls (deprecated in OpenSSL 3) skip the EVP layer the one-shot SHA256()
// goes through: a verify measured 619 ns with SHA256(), 100 ns with these (bench/pow_bench.cpp).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "core/pow.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <bit>

#include "core/base64url.hpp"
#include "core/hmac.hpp"

namespace guichet::pow {

std::string challenge(hmac_sha256& key, std::string_view edition, std::string_view phase, std::int64_t window) {
  std::string in = "pow|" + std::string(edition) + "|" + std::string(phase) + "|" + std::to_string(window);
  auto d = key.sign(in);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(d.data()), 16));
}

unsigned leading_zero_bits(const std::uint8_t* digest) {
  unsigned n = 0;
  for (int i = 0; i < 32; ++i) {
    if (digest[i] == 0) {
      n += 8;
      continue;
    }
    return n + static_cast<unsigned>(std::countl_zero(digest[i]));
  }
  return n;
}

namespace {

// SHA-256 over "challenge:account:nonce", assembled on the stack (no allocation): false when a
// part is too long to be a real proof.
bool digest_of(std::string_view challenge, std::string_view account, std::string_view nonce, std::uint8_t* out) {
  char buf[256];
  std::size_t n = challenge.size() + account.size() + nonce.size() + 2;
  if (challenge.size() > 64 || n > sizeof buf) return false;
  char* p = std::copy(challenge.begin(), challenge.end(), buf);
  *p++ = ':';
  p = std::copy(account.begin(), account.end(), p);
  *p++ = ':';
  std::copy(nonce.begin(), nonce.end(), p);
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, buf, n);
  SHA256_Final(out, &c);
  return true;
}

}  // namespace

check verify(std::string_view challenge, std::string_view account, std::string_view nonce, unsigned bits) {
  check r;
  if (nonce.empty() || nonce.size() > max_nonce) return r;
  std::uint8_t d[32];
  if (!digest_of(challenge, account, nonce, d)) return r;
  r.ok = leading_zero_bits(d) >= bits;
  if (!r.ok) return r;  // the name is only needed for a proof that is used
  static constexpr char hex[] = "0123456789abcdef";
  r.digest_hex.reserve(32);
  for (int i = 0; i < 16; ++i) r.digest_hex += hex[d[i] >> 4], r.digest_hex += hex[d[i] & 15];
  return r;
}

std::string solve(std::string_view challenge, std::string_view account, unsigned bits, std::uint64_t from) {
  std::uint8_t d[32];
  for (std::uint64_t n = from;; ++n) {
    std::string nonce = std::to_string(n);
    if (!digest_of(challenge, account, nonce, d)) return {};
    if (leading_zero_bits(d) >= bits) return nonce;
  }
}

}  // namespace guichet::pow
