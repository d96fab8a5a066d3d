#include "gateway/server/script_tags.hpp"

#include <string>

#include "core/json_escape.hpp"

namespace guichet::server {

namespace {

// A detail that is to be a JSON number: digits with an optional sign, else 0 (scripts return
// numbers as strings; nothing else may reach the body unquoted).
std::string_view as_number(std::string_view s) {
  std::string_view digits = !s.empty() && s.front() == '-' ? s.substr(1) : s;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) return "0";
  return s;
}

}  // namespace

const script_tag* find_tag(std::span<const script_tag> table, const redis::redis_reply& answer) {
  if (answer.elements.empty()) return nullptr;
  const std::string& tag = answer.elements[0].str;
  for (const script_tag& row : table)
    if (row.tag == tag) return &row;
  return nullptr;
}

http::reply tag_reply(unsigned version, const script_tag& row, const redis::redis_reply& answer) {
  std::string extra;
  for (std::size_t i = 0; i < row.members.size(); ++i) {
    const auto& m = row.members[i];
    if (m.name.empty() || i + 1 >= answer.elements.size()) continue;
    const std::string& value = answer.elements[i + 1].str;
    if (!extra.empty()) extra += ',';
    extra += '"';
    extra += m.name;
    extra += "\":";
    if (m.quoted) {
      extra += '"';
      append_json_escaped(extra, value);
      extra += '"';
    } else {
      extra += as_number(value);
    }
  }
  auto r = http::error_response(version, row.error, extra, row.message);
  if (row.retry_after_s) r.res->set(http::field::retry_after, std::to_string(row.retry_after_s));
  return r;
}

std::optional<http::reply> refusal(unsigned version, std::span<const script_tag> table, const redis::redis_reply& answer) {
  if (const script_tag* row = find_tag(table, answer)) return tag_reply(version, *row, answer);
  return std::nullopt;
}

}  // namespace guichet::server
