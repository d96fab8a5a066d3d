// base64url: any text decodes or is refused; whatever decodes encodes back to the same text,
// and any bytes survive an encode/decode round trip.
#include <cstdint>
#include <string_view>

#include "core/base64url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto d = guichet::base64url_decode(in)) {
    if (guichet::base64url_encode(*d) != in) __builtin_trap();
  }
  auto back = guichet::base64url_decode(guichet::base64url_encode(in));
  if (!back || *back != in) __builtin_trap();
  return 0;
}
