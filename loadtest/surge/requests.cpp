#include "loadtest/surge/fan_engine.hpp"

#include "core/jwt.hpp"

namespace guichet::loadtest {

std::string fan_engine::identity(std::uint32_t i) {
  std::string claims = "{\"sub\":\"" + account(i) + "\",\"exp\":" + std::to_string(start_us_ / 1'000'000 + 6 * 3600);
  if (fan_rng(o_.seed, i, 1).uniform() < o_.club) claims += ",\"groups\":[\"club\"]";
  return sign_jwt(s_.jwt_key, claims + "}");
}

std::vector<hold_item> fan_engine::choose_items(std::uint32_t i, unsigned round, bool greedy) {
  auto& room = room_of(i);
  fan_rng rng(o_.seed, i, 100 + round);
  std::size_t want = room.phase->rules == phase_rules::packs ? 3 : 1 + rng.below(2);
  want = std::min(want, room.sellable.size());
  std::vector<hold_item> items;
  while (items.size() < want) {
    // Popularity ~ 1/(k+1): sessions listed first sell out first.
    double total = 0;
    for (std::size_t k = 0; k < room.sellable.size(); ++k) total += 1.0 / static_cast<double>(k + 1);
    double u = rng.uniform() * total;
    std::size_t k = 0;
    for (; k + 1 < room.sellable.size(); ++k)
      if ((u -= 1.0 / static_cast<double>(k + 1)) < 0) break;
    const session_config* s = room.sellable[k];
    bool dup = false;
    for (auto& it : items) dup |= it.session == s->id;
    if (dup) continue;
    auto& cat = s->categories[rng.below(s->categories.size())].first;
    unsigned limit = session_limit(e_, *s);
    auto q = static_cast<std::uint32_t>(greedy ? limit : std::min<std::uint64_t>(limit, 1 + rng.below(4)));
    items.push_back({s->id, cat, q});
  }
  return items;
}

request fan_engine::hold_request(std::uint32_t i, std::string_view token, const std::vector<hold_item>& items) {
  auto req = make_request(http::verb::post, room_of(i).holds_path, token, "{\"items\":" + items_json(items) + "}");
  req.set("Idempotency-Key", idem_key(i));
  return req;
}

request fan_engine::build(std::uint32_t i, step s, endpoint& ep) {
  fan& f = fans_[i];
  auto& room = room_of(i);
  switch (s) {
    case step::register_: ep = endpoint::register_; return make_request(http::verb::post, room.base + "register", identity(i));
    case step::join: {
      ep = endpoint::join;
      auto req = make_request(http::verb::post, room.base + "join", identity(i));
      if (!f.pow_proof.empty()) req.set("Guichet-Pow", f.pow_proof);
      f.pow_proof.clear();  // a proof is good for one join
      return req;
    }
    case step::state: {
      ep = endpoint::state;
      ++room.out.state_polls;
      auto req = make_request(http::verb::get, room.base + "state", {});
      if (!f.etag.empty() && f.etag == room.etag) req.set(http::field::if_none_match, f.etag);
      f.sent_serving = room.serving;
      return req;
    }
    case step::position: ep = endpoint::position; return make_request(http::verb::get, room.base + "position", f.queue_token);
    case step::admit: ep = endpoint::admit; return make_request(http::verb::post, room.base + "admit", f.queue_token);
    case step::heartbeat: ep = endpoint::heartbeat; return make_request(http::verb::post, room.base + "heartbeat", f.access_token);
    case step::forged_hold: {
      ep = endpoint::hold;
      std::string forged = f.access_token;
      forged.back() = forged.back() == 'A' ? 'B' : 'A';  // a flipped signature byte
      return hold_request(i, forged, choose_items(i, f.hold_round, false));
    }
    case step::over_limit_hold: {
      ep = endpoint::hold;
      auto items = choose_items(i, f.hold_round, true);
      items.front().quantity += 1;  // one more than the rules allow for that session
      return hold_request(i, f.access_token, items);
    }
    case step::hold:
    case step::greedy_hold:
      ep = endpoint::hold;
      return hold_request(i, f.access_token, choose_items(i, f.hold_round, f.greedy));
    case step::replay:
      ep = endpoint::hold_replay;
      return hold_request(i, f.access_token, choose_items(i, f.hold_round, f.greedy));
    case step::confirm:
    case step::confirm_again:
      ep = endpoint::confirm;
      return make_request(http::verb::post, "/editions/" + e_.id + "/holds/" + f.hold_id + "/confirm", s_.payment_key,
                  "{\"payment_ref\":\"pay-" + f.hold_id + "\"}");
    case step::release:
      ep = endpoint::release;
      return make_request(http::verb::delete_, "/editions/" + e_.id + "/holds/" + f.hold_id, f.access_token);
    default: break;
  }
  ep = endpoint::state;
  return make_request(http::verb::get, room.base + "state", {});
}

}  // namespace guichet::loadtest
