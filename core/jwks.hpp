#pragma once
#include <mutex>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/jws.hpp"

namespace guichet {

/// One of the identity provider's public keys, as its JWKS publishes it.
struct jwk {
  std::string kid;
  jws_alg alg;  ///< taken from the key type (and its "alg" member, which must agree)
  pkey_ptr key;
};

/// The identity provider's signing keys (RFC 7517 JWK Set): RSA keys (RS256, modulus of at
/// least 2048 bits) and EC P-256 keys (ES256), each with a distinct `kid`. Keys for encryption
/// (`"use":"enc"`) or of other types are skipped; a malformed key refuses the whole set.
class jwk_set {
 public:
  const jwk* find(std::string_view kid) const;
  std::size_t size() const { return keys_.size(); }
  std::size_t skipped() const { return skipped_; }
  const std::vector<jwk>& keys() const { return keys_; }

 private:
  friend struct jwks_parser;
  std::vector<jwk> keys_;
  std::size_t skipped_ = 0;
};

struct jwks_result {
  std::shared_ptr<const jwk_set> set;  ///< null when refused
  std::string error;                   ///< why, naming the key (never key material)
};

jwks_result parse_jwks(std::string_view json);
/// Reads and parses a JWKS file; an unreadable file is an error naming the path.
jwks_result load_jwks_file(const std::string& path);

/// The key set in force, shared by every worker and replaced whole on a reload (SIGHUP or the
/// file changing): a verify holds the set it started with.
/// A mutex, not std::atomic<std::shared_ptr>: libstdc++ 12's atomic load unlocks with a relaxed
/// store, which leaves its read of the pointer unordered with a later store (ThreadSanitizer
/// reports it, rightly by the memory model). A verify holds the lock to copy one pointer.
class jwk_store {
 public:
  std::shared_ptr<const jwk_set> current() const {
    std::lock_guard lock(mu_);
    return set_;
  }
  void replace(std::shared_ptr<const jwk_set> s) {
    std::lock_guard lock(mu_);
    set_.swap(s);
  }  // the old set (in s) is released outside the lock

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const jwk_set> set_;
};

}  // namespace guichet
