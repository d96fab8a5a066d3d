#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace guichet::loadtest {

/// Reads one value of a gateway answer by its JSON Pointer (RFC 6901: "/queue_token",
/// "/error/code"), with simdjson (the project's JSON parser): escapes are decoded, a member of
/// the same name elsewhere is not mistaken for it, and a body that is not JSON has no values. Each call parses the body (answers are a few
/// hundred bytes; one thread-local parser and buffer per thread, no allocation once warm).
std::optional<std::string> json_string(std::string_view body, std::string_view pointer);
std::optional<std::int64_t> json_int(std::string_view body, std::string_view pointer);
/// True when the value is the JSON literal `true`.
bool json_true(std::string_view body, std::string_view pointer);

}  // namespace guichet::loadtest
