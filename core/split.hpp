#pragma once
#include <charconv>
#include <cstdint>
#include <string_view>
#include <vector>

namespace guichet {

/// The fields of `s` between the separators `sep`, empty ones included ("a,,b" → a, "", b).
inline std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (std::size_t from = 0;;) {
    auto at = s.find(sep, from);
    out.push_back(s.substr(from, at == std::string_view::npos ? at : at - from));
    if (at == std::string_view::npos) return out;
    from = at + 1;
  }
}

/// The leading decimal digits of `s` as a number (0 when there are none).
inline std::uint64_t to_u64(std::string_view s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace guichet
