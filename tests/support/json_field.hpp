#pragma once
#include <string>

namespace guichet::test {

/// The raw text of the first `"name":value` member whose value is a string, an integer, true,
/// false or null — enough for test assertions (a member holding an object or array is skipped,
/// as is a name that only ends in `name`). No std::regex: tests call this from many threads, and
/// libstdc++'s regex compiler writes a shared locale cache (a race ThreadSanitizer reports).
inline std::string json_field(const std::string& body, const std::string& name) {
  const std::string key = "\"" + name + "\":";
  for (auto at = body.find(key); at != std::string::npos; at = body.find(key, at + 1)) {
    auto v = at + key.size();
    if (v >= body.size()) break;
    if (body[v] == '"') {
      auto end = body.find('"', v + 1);
      if (end != std::string::npos) return body.substr(v + 1, end - v - 1);
      continue;
    }
    auto end = v;
    while (end < body.size() && (body[end] == '-' || (body[end] >= '0' && body[end] <= '9'))) ++end;
    if (end > v) return body.substr(v, end - v);
    for (const char* word : {"true", "false", "null"})
      if (body.compare(v, std::char_traits<char>::length(word), word) == 0) return word;
  }
  return {};
}

inline long long json_int(const std::string& body, const std::string& name) {
  auto v = json_field(body, name);
  return v.empty() ? -1 : std::stoll(v);
}

}  // namespace guichet::test
