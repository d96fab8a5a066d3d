#pragma once
#include <string>
#include <string_view>

#include "core/digest.hpp"  // sha1_hex: the name SCRIPT LOAD returns

namespace guichet::redis {

/// A Lua script embedded at build time from gateway/lua/<name>.lua.
struct lua_script {
  std::string_view name;
  std::string_view body;
  /// Declared in the script's header ("-- replicated: yes"): what it writes is what is sold or
  /// owed, and must survive the loss of the primary, so with redis.replicas_ack the connection
  /// follows it with WAIT.
  bool replicated = false;
  std::string sha1;  ///< hex SHA-1 of the body: the name Redis knows it by
};

}  // namespace guichet::redis
