#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/errc.hpp"

namespace guichet {

/// One line of a hold request.
struct hold_item {
  std::string session, category;
  std::uint32_t quantity = 0;
};

/// Parses a hold body, {"items":[{"session":..,"category":..,"quantity":..}]}, strictly: unknown
/// or repeated members, bad ids, quantities outside 0..1000, more than 24 items or anything after
/// the object are refused. One simdjson parser per thread.
bool parse_hold_items(const std::string& body, std::vector<hold_item>& out);

struct hold_check {
  errc error = errc::ok;
  std::string detail;  ///< JSON members naming the offending item, for the error body
};

/// The rules that need no Redis: known sessions and categories, exclusions, quantities, the
/// pack shape (exactly 3 distinct sessions) and, per session, the request alone staying within
/// the per-session (or ceremony) limit. Sorts and merges `items` into a canonical order.
hold_check check_hold(const edition_config& e, const phase_config& p, std::vector<hold_item>& items);

/// The per-account limit for one session: per_ceremony for ceremonies, else per_session.
unsigned session_limit(const edition_config& e, const session_config& s);

/// A digest of what a hold asks for (phase + canonical items): an Idempotency-Key reused with
/// another request is told apart by it.
std::string hold_fingerprint(std::string_view phase, const std::vector<hold_item>& items);

/// Hold items as stored in Redis: "session:category:qty,..." (ids never contain ':' or ',').
std::string encode_items(const std::vector<hold_item>& items);
std::vector<hold_item> decode_items(std::string_view text);

/// Inventory keys and session ids, one per distinct session of `items` (sorted by session), in
/// the order the checkout scripts take them; appended to `keys` and `sessions`.
void session_keys(std::string_view edition, const std::vector<hold_item>& items, std::vector<std::string>& keys,
                  std::vector<std::string>& sessions);

/// Hold items as JSON: [{"session":"…","category":"…","quantity":n},…] (the hold answer, the
/// harness's hold request).
std::string items_json(const std::vector<hold_item>& items);

}  // namespace guichet
