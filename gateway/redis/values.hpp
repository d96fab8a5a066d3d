#pragma once
#include <charconv>
#include <cstdint>

#include "gateway/redis/reply.hpp"

namespace guichet {

/// An integer reply, or a string reply holding digits, as an unsigned number (0 otherwise).
inline std::uint64_t as_uint(const redis_reply& r) {
  if (r.type == redis_reply::kind::integer) return r.integer < 0 ? 0 : static_cast<std::uint64_t>(r.integer);
  std::uint64_t v = 0;
  std::from_chars(r.str.data(), r.str.data() + r.str.size(), v);
  return v;
}

}  // namespace guichet
