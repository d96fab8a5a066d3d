#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <memory>
#include <string>
#include <sys/types.h>

#include "core/jwks.hpp"
#include "gateway/base/asio.hpp"

namespace guichet::identity {


/// Keeps the identity provider's keys current: the JWKS file is read again on SIGHUP and when
/// it changes (checked every second: inode, size, modification time), so a provider's key
/// rotation needs no restart. A file that does not parse is refused with an error in the log and
/// the keys in force stay.
class jwks_watch {
 public:
  jwks_watch(std::string path, std::shared_ptr<jwk_store> store);
  /// Reads the file now (SIGHUP); true when the new set is in force.
  bool reload();
  /// Polls the file every `period` on `io` until `stopped` is set.
  net::awaitable<void> run(std::chrono::milliseconds period);
  /// From the thread that runs run().
  void stop();
  std::uint64_t reloads() const { return reloads_.load(std::memory_order_relaxed); }
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }
  std::size_t keys() const;

 private:
  struct stamp {
    ino_t ino = 0;
    off_t size = -1;
    std::int64_t mtime_ns = 0;
    bool operator==(const stamp&) const = default;
  };
  stamp current_stamp() const;

  std::string path_;
  std::shared_ptr<jwk_store> store_;
  stamp seen_;
  std::atomic<bool> stopped_{false};
  std::unique_ptr<net::steady_timer> timer_;
  std::atomic<std::uint64_t> reloads_{0}, failures_{0};
};

}  // namespace guichet::identity
