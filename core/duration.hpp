#pragma once
#include <chrono>
#include <optional>
#include <string_view>

namespace guichet {

/// Parses an ops-friendly duration: an integer followed by ms, s, m, h or d ("250ms", "48h").
/// Returns nullopt for anything else (no sign, no fractions, no bare numbers).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace guichet
