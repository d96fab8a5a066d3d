#pragma once
#include <string>
#include <string_view>

namespace guichet {

/// A Lua script embedded at build time from gateway/lua/<name>.lua.
struct lua_script {
  std::string_view name;
  std::string_view body;
  std::string sha1;  ///< hex SHA-1 of the body: the name Redis knows it by
};

/// SHA-1 in lowercase hex, as SCRIPT LOAD returns it.
std::string sha1_hex(std::string_view data);

}  // namespace guichet
