// Durations as ops write them ("250ms", "48h"): anything is parsed or refused, never negative.
#include <cstdint>
#include <string_view>

#include "core/duration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto d = guichet::parse_duration(std::string_view(reinterpret_cast<const char*>(data), size));
  if (d && d->count() < 0) __builtin_trap();
  return 0;
}
