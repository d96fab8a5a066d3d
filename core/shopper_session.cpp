#include "core/shopper_session.hpp"

#include <cstdio>

namespace guichet {

namespace {
constexpr std::size_t kTimeDigits = 11, kRandomDigits = 16;
}

std::string mint_session_id(std::int64_t asked_ms, std::uint64_t random) {
  char sid[kTimeDigits + kRandomDigits + 1];
  std::snprintf(sid, sizeof sid, "%011llx%016llx", static_cast<unsigned long long>(asked_ms),
                static_cast<unsigned long long>(random));
  return sid;
}

std::optional<std::int64_t> session_minted_ms(std::string_view sid) {
  if (sid.size() != kTimeDigits + kRandomDigits) return std::nullopt;
  std::int64_t ms = 0;
  for (std::size_t i = 0; i < sid.size(); ++i) {
    const char ch = sid[i];
    int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    if (i < kTimeDigits) ms = ms * 16 + d;
  }
  return ms;
}

}  // namespace guichet
