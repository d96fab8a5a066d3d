#include "core/duration.hpp"

#include <charconv>

namespace guichet {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  long long n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end == text.data() || n < 0) return std::nullopt;
  std::string_view unit(end, text.data() + text.size() - end);
  long long scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else if (unit == "d") scale = 86'400'000;
  else return std::nullopt;
  if (n > (1LL << 50) / scale) return std::nullopt;
  return std::chrono::milliseconds(n * scale);
}

std::optional<std::int64_t> relative_day(std::string_view text, std::int64_t now_ms) {
  constexpr std::string_view today = "today";
  if (!text.starts_with(today)) return std::nullopt;
  const std::int64_t day_ms = 86'400'000;
  std::int64_t midnight = now_ms - ((now_ms % day_ms) + day_ms) % day_ms;
  text.remove_prefix(today.size());
  if (text.empty()) return midnight;
  char sign = text.front();
  if (sign != '+' && sign != '-') return std::nullopt;
  auto d = parse_duration(text.substr(1));
  if (!d) return std::nullopt;
  return sign == '+' ? midnight + d->count() : midnight - d->count();
}

}  // namespace guichet
