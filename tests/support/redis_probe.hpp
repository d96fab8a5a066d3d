#pragma once
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "gateway/redis/connection.hpp"

namespace guichet::test {

/// A gateway Redis connection (the real class, on its own event loop) started with `cfg`: the
/// answer to `SET key value` once it is ready ("OK", or the error), or nullopt when it never
/// became ready within `limit`.
inline std::optional<std::string> set_through(const redis_config& cfg, const std::string& key, const std::string& value,
                                              std::chrono::milliseconds limit) {
  net::io_context io;
  redis::redis_stats stats;
  redis::redis_connection conn(io, cfg, stats);
  conn.start();
  auto end = std::chrono::steady_clock::now() + limit;
  while (!conn.ready() && std::chrono::steady_clock::now() < end) io.run_one_for(std::chrono::milliseconds(10));
  std::optional<std::string> result;
  if (conn.ready()) {
    std::optional<redis::redis_result> out;
    net::co_spawn(io, [&]() -> net::awaitable<void> {
      std::string_view set[] = {"SET", key, value};
      out = co_await conn.command(set);
    }, net::detached);
    while (!out && std::chrono::steady_clock::now() < end + std::chrono::seconds(2))
      io.run_one_for(std::chrono::milliseconds(10));
    result = out ? (out->ec && out->ec != redis::redis_errc::reply_error ? out->ec.message() : out->reply.str) : "no reply";
  }
  conn.stop();
  io.run_for(std::chrono::milliseconds(20));
  return result;
}

}  // namespace guichet::test
