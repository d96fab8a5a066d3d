#pragma once
#include <string>
#include <string_view>

#include "core/digest.hpp"  // sha1_hex: the name SCRIPT LOAD returns

namespace guichet {

/// A Lua script embedded at build time from gateway/lua/<name>.lua.
struct lua_script {
  std::string_view name;
  std::string_view body;
  std::string sha1;  ///< hex SHA-1 of the body: the name Redis knows it by
};


}  // namespace guichet
