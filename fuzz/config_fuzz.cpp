// The TOML config loader: any text yields a config or a list of errors with positions, never a
// crash; a config without errors is parsed again to the same result (the loader is a function).
#include <cstdint>
#include <string_view>

#include "core/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = guichet::parse_config(text, "fuzz.toml");
  for (auto& e : r.errors) (void)e.to_string();
  if (r.errors.empty()) {
    auto again = guichet::parse_config(text, "fuzz.toml");
    if (!again.errors.empty() || again.value.editions.size() != r.value.editions.size()) __builtin_trap();
  }
  return 0;
}
