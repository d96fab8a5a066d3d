#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace guichet {

/// RFC 4648 §5 base64url without padding (as JWTs and guichet tokens use it).
std::string base64url_encode(std::string_view bytes);
/// Appends the encoding to `out` (no temporary string).
void append_base64url(std::string& out, std::string_view bytes);
/// Decodes unpadded base64url; nullopt on any character outside the alphabet or a bad length.
std::optional<std::string> base64url_decode(std::string_view text);
/// The same into `out`, which has room for text.size() * 3 / 4 bytes (no allocation); returns
/// the decoded size.
std::optional<std::size_t> base64url_decode_to(std::string_view text, char* out);

}  // namespace guichet
