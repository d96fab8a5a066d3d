#pragma once
#include <regex>
#include <string>

namespace guichet::test {

/// The raw text of a top-level-ish JSON member ("name":value) — enough for test assertions.
inline std::string json_field(const std::string& body, const std::string& name) {
  std::smatch m;
  std::regex re("\"" + name + "\":(\"[^\"]*\"|[-0-9]+|true|false|null)");
  if (!std::regex_search(body, m, re)) return {};
  std::string v = m[1];
  if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

inline long long json_int(const std::string& body, const std::string& name) {
  auto v = json_field(body, name);
  return v.empty() ? -1 : std::stoll(v);
}

}  // namespace guichet::test
