#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "gateway/base/asio.hpp"

namespace guichet::redis {


/// What the sentinels said of the primary.
struct sentinel_answer {
  std::optional<redis_address> primary;  ///< empty when no sentinel could answer
  std::size_t sentinel = 0;              ///< index of the sentinel that answered
  std::string why;                       ///< when empty-handed: each sentinel's failure
};

/// Asks the sentinels in turn, from index `first`, for the address of `cfg.master`
/// (SENTINEL get-master-addr-by-name), with AUTH when a password is given. Each sentinel gets
/// `cfg.command_timeout`. The address is only what the sentinel believes: the caller connects
/// and checks ROLE before it writes anything.
net::awaitable<sentinel_answer> ask_sentinels(const redis_config& cfg, const std::string& password,
                                              std::size_t first);

/// The same question from a thread with no event loop (the ops commands, the load harness).
sentinel_answer ask_sentinels_blocking(const redis_config& cfg, const std::string& password, std::size_t first = 0);

/// Subscribes to +switch-master on one sentinel after another (moving on when one goes away)
/// and calls `on_switch` with the new primary of `cfg.master`, until `*stopped`.
net::awaitable<void> watch_sentinels(const redis_config& cfg, const std::string& password,
                                     std::function<void(const redis_address&)> on_switch,
                                     std::shared_ptr<const bool> stopped);

}  // namespace guichet::redis
