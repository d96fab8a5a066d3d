#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace guichet {

/// Parses an ops-friendly duration: an integer followed by ms, s, m, h or d ("250ms", "48h").
/// Returns nullopt for anything else (no sign, no fractions, no bare numbers).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// A time relative to the day of `now_ms` (Unix ms): "today" is that day's 00:00 UTC, "today+30d"
/// and "today-1d" add or take a duration from it. Unix ms, or nullopt for anything else.
std::optional<std::int64_t> relative_day(std::string_view text, std::int64_t now_ms);

}  // namespace guichet
