#pragma once
#include <charconv>
#include <string>
#include <type_traits>

namespace guichet {

/// Appends the decimal digits of `v` to `out`, with no temporary string (std::to_string would
/// allocate one): for the hot paths that build text — tokens, answers' heads, position bodies.
template <class Int>
  requires std::is_integral_v<Int>
void append_int(std::string& out, Int v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

}  // namespace guichet
