#pragma once
#include <cstdint>
#include <mutex>
#include <string>

namespace guichet::redis {

/// The primary the gateway's connections are on, shared by its workers (they change it only on
/// a failover, so a mutex is fine): /metrics shows it and counts its changes.
class redis_primary_view {
 public:
  /// A connection came up on `a`: a change of primary counts as a failover seen.
  void connected(const std::string& a) {
    std::lock_guard lock(m_);
    if (!address_.empty() && address_ != a) ++failovers_;
    address_ = a;
  }
  std::string address() const {
    std::lock_guard lock(m_);
    return address_;
  }
  std::uint64_t failovers() const {
    std::lock_guard lock(m_);
    return failovers_;
  }

 private:
  mutable std::mutex m_;
  std::string address_;
  std::uint64_t failovers_ = 0;
};

}  // namespace guichet::redis
