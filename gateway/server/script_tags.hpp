#pragma once
#include <array>
#include <optional>
#include <span>
#include <string_view>

#include "core/errc.hpp"
#include "gateway/http/reply.hpp"
#include "gateway/redis/reply.hpp"

namespace guichet::server {

/// A script's answer is an array whose first element is a tag ("held", "sold_out", …) and
/// whose next elements are details. Each feature lists its scripts' refusal tags in one table
/// of these rows (room/lua_tags.hpp, checkout/lua_tags.hpp): the tag, the error it means, and
/// which details go into the error body under which names.
struct script_tag {
  struct member {
    std::string_view name;  ///< "" for none
    bool quoted = true;     ///< a string ("session":"ARC"), else a number ("left":3)
  };
  std::string_view tag;
  errc error;
  std::array<member, 3> members{};  ///< elements 1, 2, 3 of the answer
  unsigned retry_after_s = 0;       ///< Retry-After on the answer (0: the errc table's default)
  std::string_view message = {};    ///< overrides the errc table's message
};

/// The row of `table` for the answer's tag, or nullptr (a success, or a tag the table lacks).
const script_tag* find_tag(std::span<const script_tag> table, const redis::redis_reply& answer);

/// The error answer a row gives: its errc, the details it names as JSON members, Retry-After.
http::reply tag_reply(unsigned version, const script_tag& row, const redis::redis_reply& answer);

/// find_tag then tag_reply; nullopt when the tag is not a refusal of the table.
std::optional<http::reply> refusal(unsigned version, std::span<const script_tag> table, const redis::redis_reply& answer);

}  // namespace guichet::server
