#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace guichet {

/// Lowercase hex of bytes.
std::string to_hex(const unsigned char* bytes, std::size_t n);
/// Lowercase hex SHA-256 / SHA-1 (SHA-1 only because Redis names scripts by it).
std::string sha256_hex(std::string_view data);
std::string sha1_hex(std::string_view data);

}  // namespace guichet
