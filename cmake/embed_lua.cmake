# Generates lua_scripts.hpp/.cpp: an enum of the scripts and their bodies as raw strings.
# Inputs: OUT_DIR, LUA_DIR (every LUA_DIR/*.lua is a script; LUA_DIR/lib/ holds included code).
file(GLOB SCRIPTS "${LUA_DIR}/*.lua")
list(SORT SCRIPTS)
set(enum "")
set(entries "")
set(count 0)
foreach(path IN LISTS SCRIPTS)
  get_filename_component(name "${path}" NAME_WE)
  file(READ "${path}" body)
  # "-- #include lib/x.lua" lines are replaced by that file, so scripts share code, not copies.
  get_filename_component(dir "${path}" DIRECTORY)
  string(REGEX MATCHALL "-- #include [^\n]+" includes "${body}")
  foreach(inc IN LISTS includes)
    string(REGEX REPLACE "-- #include " "" inc_path "${inc}")
    file(READ "${dir}/${inc_path}" inc_body)
    string(REPLACE "${inc}" "${inc_body}" body "${body}")
  endforeach()
  # "-- replicated: yes" in a script's header: its writes are followed by WAIT (replicas_ack).
  set(replicated false)
  if(body MATCHES "(^|\n)-- replicated: yes")
    set(replicated true)
  endif()
  string(APPEND enum "  ${name},\n")
  string(APPEND entries "    {\"${name}\", R\"__lua__(${body})__lua__\", ${replicated}},\n")
  math(EXPR count "${count} + 1")
endforeach()
file(WRITE "${OUT_DIR}/gateway/lua/lua_scripts.hpp.tmp"
"#pragma once
// Generated from gateway/lua/*.lua by cmake/embed_lua.cmake. Do not edit.
#include <array>
#include \"gateway/redis/script.hpp\"
namespace guichet::redis {
enum class script : unsigned {
${enum}};
inline constexpr std::size_t kScriptCount = ${count};
/// Every embedded script, indexed by `script`, with its SHA-1 computed once.
const std::array<lua_script, kScriptCount>& scripts();
}  // namespace guichet::redis
")
file(WRITE "${OUT_DIR}/gateway/lua/lua_scripts.cpp.tmp"
"// Generated from gateway/lua/*.lua by cmake/embed_lua.cmake. Do not edit.
#include \"gateway/lua/lua_scripts.hpp\"
namespace guichet::redis {
const std::array<lua_script, kScriptCount>& scripts() {
  static const std::array<lua_script, kScriptCount> all = [] {
    std::array<lua_script, kScriptCount> a{{
${entries}    }};
    for (auto& s : a) s.sha1 = sha1_hex(s.body);
    return a;
  }();
  return all;
}
}  // namespace guichet::redis
")
foreach(f lua_scripts.hpp lua_scripts.cpp)
  execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT_DIR}/gateway/lua/${f}.tmp" "${OUT_DIR}/gateway/lua/${f}")
endforeach()
