#pragma once
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace guichet::loadtest {

/// Reads one member of the gateway's flat JSON answers by name, without a parser: the first
/// `"name":` wins. Enough for the fields the harness needs (tokens, ids, counters, error codes);
/// the gateway never escapes inside those values.
inline std::optional<std::string_view> json_string(std::string_view body, std::string_view name) {
  std::string pat = "\"" + std::string(name) + "\":\"";
  auto p = body.find(pat);
  if (p == std::string_view::npos) return std::nullopt;
  p += pat.size();
  auto e = body.find('"', p);
  if (e == std::string_view::npos) return std::nullopt;
  return body.substr(p, e - p);
}

inline std::optional<std::int64_t> json_int(std::string_view body, std::string_view name) {
  std::string pat = "\"" + std::string(name) + "\":";
  auto p = body.find(pat);
  if (p == std::string_view::npos) return std::nullopt;
  p += pat.size();
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(body.data() + p, body.data() + body.size(), v);
  if (ec != std::errc()) return std::nullopt;
  return v;
}

inline bool json_true(std::string_view body, std::string_view name) {
  return body.find("\"" + std::string(name) + "\":true") != std::string_view::npos;
}

}  // namespace guichet::loadtest
