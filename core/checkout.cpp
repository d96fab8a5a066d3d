#include "core/checkout.hpp"

#include <cstring>

#include "core/digest.hpp"
#include "core/json_writer.hpp"
#include "core/keys.hpp"
#include "core/token.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <tuple>

namespace guichet {

unsigned session_limit(const edition_config& e, const session_config& s) {
  return s.ceremony ? e.limits.per_ceremony : e.limits.per_session;
}

hold_check check_hold(const edition_config& e, const phase_config& p, std::vector<hold_item>& items) {
  auto item = [](const hold_item& i) { return "\"session\":\"" + i.session + "\",\"category\":\"" + i.category + "\""; };
  if (items.empty() || items.size() > 24) return {errc::malformed_json, {}};
  for (auto& i : items) {
    const session_config* s = e.find_session(i.session);
    if (!s) return {errc::unknown_session, item(i)};
    if (std::find(p.excluded.begin(), p.excluded.end(), i.session) != p.excluded.end())
      return {errc::excluded_session, item(i)};
    if (!s->has_category(i.category)) return {errc::unknown_category, item(i)};
    if (i.quantity == 0) return {errc::bad_quantity, item(i)};
  }
  // Canonical order; the same session+category twice is merged.
  std::sort(items.begin(), items.end(), [](const hold_item& a, const hold_item& b) {
    return std::tie(a.session, a.category) < std::tie(b.session, b.category);
  });
  std::vector<hold_item> merged;
  for (auto& i : items) {
    if (!merged.empty() && merged.back().session == i.session && merged.back().category == i.category)
      merged.back().quantity += i.quantity;
    else
      merged.push_back(i);
  }
  items = std::move(merged);
  std::set<std::string_view> sessions;
  for (std::size_t k = 0; k < items.size();) {
    std::uint64_t per_session = 0;
    std::size_t j = k;
    for (; j < items.size() && items[j].session == items[k].session; ++j) per_session += items[j].quantity;
    const session_config* s = e.find_session(items[k].session);
    if (per_session > session_limit(e, *s))
      return {s->ceremony ? errc::limit_ceremony : errc::limit_session,
              "\"session\":\"" + items[k].session + "\",\"limit\":" + std::to_string(session_limit(e, *s))};
    sessions.insert(items[k].session);
    k = j;
  }
  if (p.rules == phase_rules::packs && sessions.size() != 3) return {errc::pack_shape, {}};
  return {};
}

// Parses {"items":[{"session":..,"category":..,"quantity":..}]}; anything else is malformed.
bool parse_hold_items(const std::string& body, std::vector<hold_item>& out) {
  thread_local simdjson::ondemand::parser parser;
  // simdjson reads a little past the end: the body is copied into a reused, padded buffer (a
  // padded_string would allocate on every call).
  thread_local std::vector<char> padded;
  if (padded.size() < body.size() + simdjson::SIMDJSON_PADDING) padded.resize(body.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(padded.data(), body.data(), body.size());
  try {
    simdjson::ondemand::document doc = parser.iterate(padded.data(), body.size(), padded.size());
    bool seen_items = false;
    // Keys are compared as they are in the text (no unescaping): a key written with escapes is
    // not one of ours.
    for (auto f : doc.get_object()) {
      if (f.key() != "items" || seen_items) return false;
      seen_items = true;
      for (auto el : f.value().get_array()) {
        if (out.size() >= 24) return false;
        hold_item& i = out.emplace_back();
        bool s = false, c = false, q = false;
        for (auto m : el.get_object()) {
          simdjson::ondemand::raw_json_string k = m.key();
          if (k == "session" && !s) i.session = std::string_view(m.value().get_string()), s = true;
          else if (k == "category" && !c) i.category = std::string_view(m.value().get_string()), c = true;
          else if (k == "quantity" && !q) {
            std::int64_t n = m.value().get_int64();
            if (n < 0 || n > 1000) return false;
            i.quantity = static_cast<std::uint32_t>(n);
            q = true;
          } else return false;
        }
        if (!s || !c || !q || !valid_id(i.session) || !valid_id(i.category)) return false;
      }
    }
    // The object was read to its end; nothing may follow it (simdjson 3.0 has no at_end()).
    auto last = body.find_last_not_of(" \t\r\n");
    return seen_items && last != std::string::npos && body[last] == '}';
  } catch (const simdjson::simdjson_error&) {
    return false;
  }
}

std::string hold_fingerprint(std::string_view phase, const std::vector<hold_item>& items) {
  std::string canonical(phase);
  canonical += '/';
  canonical += encode_items(items);
  return sha256_hex(canonical).substr(0, 32);  // 128 bits tell requests apart
}

std::string encode_items(const std::vector<hold_item>& items) {
  std::string out;
  for (auto& i : items) {
    if (!out.empty()) out += ',';
    out += i.session + ":" + i.category + ":" + std::to_string(i.quantity);
  }
  return out;
}

std::vector<hold_item> decode_items(std::string_view text) {
  std::vector<hold_item> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto part = text.substr(0, comma);
    auto c1 = part.find(':'), c2 = part.rfind(':');
    if (c1 != std::string_view::npos && c2 > c1) {
      hold_item i{std::string(part.substr(0, c1)), std::string(part.substr(c1 + 1, c2 - c1 - 1)), 0};
      std::from_chars(part.data() + c2 + 1, part.data() + part.size(), i.quantity);
      out.push_back(std::move(i));
    }
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

void session_keys(std::string_view edition, const std::vector<hold_item>& items, std::vector<std::string>& keys,
                  std::vector<std::string>& sessions) {
  for (auto& i : items) {
    if (!sessions.empty() && sessions.back() == i.session) continue;
    sessions.push_back(i.session);
    keys.push_back(keys::inventory(edition, i.session));
  }
}

std::string items_json(const std::vector<hold_item>& items) {
  json_writer j;
  j.open('[');
  for (auto& i : items) j.open('{').kv("session", i.session).kv("category", i.category).kv("quantity", i.quantity).close('}');
  j.close(']');
  return j.take();
}

}  // namespace guichet
