#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "gateway/redis/reply.hpp"

namespace guichet::redis {

/// What every connection to a Redis server sends before anything else, written once and run by
/// each client over its own transport: the worker's async connection, the blocking client of
/// the ops commands and the harness, and the links to Redis Sentinel. (redis-plus-plus names
/// the same sequence Connection::_set_options.)
///  1. AUTH [user] password, when a password is set;
///  2. ROLE, towards a data server: it must answer "master". Fencing: whatever a sentinel or the
///     config said, nothing is written to a server that is not the primary right now (a demoted
///     primary coming back is a replica).
/// The async connection then loads its scripts.
struct handshake {
  struct step {
    enum class kind { auth, role } what;
    std::vector<std::string> args;
  };

  /// The steps for `password` (none when empty) and, with `fence`, the ROLE check.
  handshake(std::string_view user, std::string_view password, bool fence);

  /// Why the answer to `s` means the connection cannot be used, or "" when it is as it must be.
  /// It names the server's own words (WRONGPASS …, the role it has), never the password.
  static std::string refused(const step& s, const redis_result& r);

  std::vector<step> steps;
};

}  // namespace guichet::redis
