#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/digest.hpp"

namespace guichet {

/// One registration for a draw.
struct registrant {
  std::string account;
  std::vector<std::string> groups;  ///< priority groups, e.g. {"club"}
};

/// A slot to fill: `capacity` winners; `group` non-empty = reserved for that group's members.
struct draw_slot {
  std::string id;
  std::string group;
  std::uint64_t capacity = 0;
};

/// The random stream of a draw: SHA-256(seed || uint64_be(i)) for i = 0, 1, ..., each 32-byte
/// block read as four big-endian uint64 words, in order.
class draw_stream {
 public:
  explicit draw_stream(std::array<std::uint8_t, 32> seed) : seed_(seed) {}
  std::uint64_t next();
  /// Uniform in [0, n) by rejection: draw words until one is below the largest multiple of n
  /// that fits in 2^64, then take it modulo n. No modulo bias.
  std::uint64_t below(std::uint64_t n);

 private:
  std::array<std::uint8_t, 32> seed_;
  std::array<std::uint8_t, 32> block_{};
  std::uint64_t counter_ = 0;
  int used_ = 4;  // words of the current block already consumed
};

/// The outcome: winners in rank order (rank = index + 1) with their slot index, and the count
/// of registrants not drawn.
struct draw_result {
  struct winner {
    std::uint32_t registrant;  ///< index into the canonical registrant list
    std::uint32_t slot;        ///< index into the slots
  };
  std::vector<winner> winners;
  std::uint64_t not_drawn = 0;
};

/// Sorts registrants into the canonical order (by account, bytewise), sorts each one's groups,
/// and refuses duplicates (returns the first duplicated account, or "" when none).
std::string canonicalise(std::vector<registrant>& regs);

/// Runs the draw over canonical registrants (algorithm "guichet-draw-v1", see README):
///  1. for each priority group, in lexical order, that has reserved slots: its members not yet
///     placed, in canonical order, are shuffled (Fisher–Yates, i from n-1 down to 1, j =
///     below(i + 1), swap) and placed in that order into the group's reserved slots, in config
///     order, each filled to capacity before the next;
///  2. every registrant not yet placed, in canonical order, is shuffled the same way and placed
///     into the open slots (no group), in config order;
///  3. ranks follow placement order; the rest are not drawn.
draw_result run_draw(const std::vector<registrant>& canonical, const std::vector<draw_slot>& slots,
                     draw_stream& stream);

/// The canonical registrant list the draw hashes and publishes: "account\tgroup,group\n" per
/// registrant, in canonical order.
std::string registrants_tsv(const std::vector<registrant>& canonical);

/// The mailing list: "account,slot,slot_start,slot_end,rank" (times ISO 8601 UTC), winners in
/// rank order. `slots` are the phase's slots in the order run_draw saw them.
std::string winners_csv(const std::vector<registrant>& canonical, const std::vector<slot_config>& slots,
                        const draw_result& result);

std::string iso8601(std::int64_t ms);

/// Parses 64 hex characters into 32 bytes.
bool parse_seed(std::string_view hex, std::array<std::uint8_t, 32>& out);

}  // namespace guichet
