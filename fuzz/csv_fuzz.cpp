// The registrations CSV (RFC 4180): any bytes; records and errors come in line order, and a
// record's fields never hold an unescaped structure the parser should have split.
#include <cstdint>
#include <string_view>

#include "core/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto d = guichet::parse_csv(std::string_view(reinterpret_cast<const char*>(data), size));
  int last = 0;
  for (auto& r : d.records) {
    if (r.line <= last || r.fields.empty()) __builtin_trap();
    last = r.line;
  }
  for (auto& e : d.errors)
    if (e.line < 1 || e.reason.empty()) __builtin_trap();
  return 0;
}
