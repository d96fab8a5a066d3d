#pragma once
#include <chrono>
#include <cstdint>

namespace guichet {

/// The two clocks, named for what they are for. Wall time (system clock) is what tokens, holds
/// and audit entries carry and compare across machines; steady time never jumps and is what
/// deadlines and rate guards measure intervals with. Neither is ever mixed with the other.

/// Unix time in milliseconds (system clock): token expiry, audit timestamps.
inline std::int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Milliseconds on the steady clock (an arbitrary epoch): intervals only (rate guards).
inline std::uint64_t steady_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

}  // namespace guichet
